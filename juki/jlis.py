"""J-LIS checks of the My Number card's 利用者証明用電子証明書 (first cut: the simulated service)."""

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class CertificateStatus:
    valid: bool
    status: str  # 'valid' | 'revoked' | 'expired' | 'unknown'
    message: str


class JlisClient(Protocol):
    def certificate_status(self, serial: str) -> CertificateStatus: ...


class SimulatedJlis:
    """Deterministic stand-in: serials ending in 'DEAD' are revoked, in '0000' expired, shorter than 8 unknown."""

    def certificate_status(self, serial: str) -> CertificateStatus:
        serial = (serial or "").strip().upper()
        if len(serial) < 8:
            return CertificateStatus(False, "unknown", "電子証明書のシリアル番号が確認できません")
        if serial.endswith("DEAD"):
            return CertificateStatus(False, "revoked", "利用者証明用電子証明書が失効しています")
        if serial.endswith("0000"):
            return CertificateStatus(False, "expired", "利用者証明用電子証明書の有効期限が切れています")
        return CertificateStatus(True, "valid", "利用者証明用電子証明書は有効です（J-LIS確認済み）")
