"""Municipality settings (市区町村設定): every save is a new version row, so who changed what and when stays."""

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from registry.db import Base, utcnow


class MunicipalitySettings(Base):
    """One version of the issuing office's settings; the highest version is the current one. Never updated."""

    __tablename__ = "municipality_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(unique=True)
    municipality: Mapped[str] = mapped_column(String(100))
    mayor_title: Mapped[str] = mapped_column(String(100))
    mayor_name: Mapped[str] = mapped_column(String(100))
    section: Mapped[str] = mapped_column(String(100))
    contact: Mapped[str] = mapped_column(String(300))
    office_seal_blob: Mapped[str | None] = mapped_column(String(64))
    show_sex: Mapped[bool] = mapped_column(default=True)
    verify_url: Mapped[str | None] = mapped_column(String(200))  # 証明書確認ページのURL (QR codes open it)
    note: Mapped[str | None] = mapped_column(Text)
    changed_by: Mapped[str] = mapped_column(String(100))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
