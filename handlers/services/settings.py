"""Municipality settings (市区町村設定): checked, saved as a new version, and recorded as an audit event."""

from __future__ import annotations

import io
from dataclasses import replace
from typing import Any, cast
from urllib.parse import urlsplit

from PIL import Image, UnidentifiedImageError

import printing
from handlers.base import HandlerError
from handlers.environment import HandlerServices
from registry.blobs.store import put_blob
from registry.settings.store import Municipality, save_municipality

__all__ = ["LABELS", "SettingsInvalid", "is_loopback_url", "save_settings", "seed_settings", "verify_url_problem"]

LABELS = {"municipality": "市区町村名", "mayor_title": "市長の職名", "mayor_name": "市長の氏名",
          "section": "担当課", "contact": "連絡先", "office_seal_blob": "公印の画像", "show_sex": "証明書に性別を表示",
          "verify_url": "証明書確認ページのURL"}
MAX_CHARS = {"municipality": 40, "mayor_title": 40, "mayor_name": 40, "section": 40, "contact": 200,
             "verify_url": 100}
OPTIONAL = frozenset({"verify_url"})  # empty: the configured default
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
MAX_SEAL_BYTES = 2 * 1024 * 1024
SEAL_PX = (64, 3000)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class SettingsInvalid(HandlerError):
    """One or more settings were refused; ``errors`` maps the field to a Japanese message."""

    code = "invalid_settings"

    def __init__(self, errors: dict[str, str]):
        super().__init__("設定内容に誤りがあります: " + " / ".join(errors.values()))
        self.errors = errors


def save_settings(session, services: HandlerServices, texts: dict[str, str], *, show_sex: bool,
                  seal_png: bytes | None, actor: Any, note: str | None = None) -> Municipality:
    """Check and save a new settings version (keeping the current seal when ``seal_png`` is None).

    Raises SettingsInvalid naming every refused field; records a 'settings_changed' audit event with the changes.
    """
    errors = _text_errors(texts)
    if seal_png is not None and (problem := seal_problem(seal_png)):
        errors["office_seal_blob"] = problem
    if errors:
        raise SettingsInvalid(errors)
    current = services.office(session)
    seal_blob = current.office_seal_blob
    if seal_png is not None:
        seal_blob = put_blob(session, seal_png, "image/png", filename="office_seal.png", created_by=actor.username)
    values: dict[str, Any] = {k: (texts.get(k) or "").strip() or None for k in MAX_CHARS}
    wanted = replace(current, **values, show_sex=show_sex, office_seal_blob=seal_blob)
    changes = {k: {"before": v, "after": wanted.values()[k]} for k, v in current.values().items()
               if wanted.values()[k] != v}
    if not changes:
        return current
    saved = save_municipality(session, wanted, changed_by=actor.username, note=note)
    services.record_audit(session, actor, "settings_changed", title="市区町村設定",
                          summary={"version": saved.version, "changes": changes})
    return saved


def seed_settings(session, services: HandlerServices, *, seal_png: bytes | None, actor: Any) -> Municipality | None:
    """Save the configured defaults (with ``seal_png``) as version 1 when nothing is saved yet; else None."""
    current = services.office(session)
    if current.version:
        return None
    seal_blob = put_blob(session, seal_png, "image/png", filename="office_seal.png",
                         created_by=actor.username) if seal_png else None
    saved = save_municipality(session, replace(current, office_seal_blob=seal_blob), changed_by=actor.username,
                              note="初期設定（設定ファイルの値）")
    services.record_audit(session, actor, "settings_changed", title="市区町村設定",
                          summary={"version": saved.version, "changes": {"initial": saved.values()}})
    return saved


def seal_problem(png: bytes) -> str | None:
    """Why ``png`` cannot be the office seal image, or None: a PNG of 64–3000 px, near square, with ink."""
    if len(png) > MAX_SEAL_BYTES:
        return "公印の画像は2MB以下のPNGにしてください"
    if not png.startswith(PNG_SIGNATURE):
        return "公印の画像はPNG形式にしてください"
    try:
        with Image.open(io.BytesIO(png)) as image:
            width, height = image.size  # from the header: a pixel bomb is refused before it is decoded
            if not (SEAL_PX[0] <= min(width, height) and max(width, height) <= SEAL_PX[1]):
                return f"公印の画像は縦横{SEAL_PX[0]}〜{SEAL_PX[1]}ピクセルにしてください（{width}×{height}）"
            image.load()
            rgba = image.convert("RGBA")
    except (OSError, ValueError, SyntaxError, UnidentifiedImageError, Image.DecompressionBombError):
        return "公印の画像を読み込めません（壊れたPNGです）"
    if max(width, height) > 1.25 * min(width, height):
        return f"公印の画像はほぼ正方形にしてください（{width}×{height}）"
    alpha_low, alpha_high = rgba.getchannel("A").getextrema()
    darkest, _ = cast("tuple[int, int]", rgba.convert("L").getextrema())  # one band: (min, max)
    if alpha_high == 0 or (alpha_low == 255 and darkest > 160):
        return "公印の画像に印影が見当たりません（透明または白一色です）"
    return None


def verify_url_problem(url: str) -> str | None:
    """Why ``url`` cannot be the 証明書確認ページのURL, or None: https (http only on this computer), a host, no
    credentials, query or fragment (the check's ?p=… is appended), printable ASCII only."""
    if any(not 0x21 <= ord(char) <= 0x7E for char in url):
        return "証明書確認ページのURLに空白や全角文字は使えません（半角英数字で入力してください）"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        return "証明書確認ページのURLの形式が正しくありません"
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return "証明書確認ページのURLは https:// で始まるURLにしてください"
    if parts.scheme == "http" and parts.hostname not in LOOPBACK_HOSTS:
        return ("http:// はこのコンピュータでの試用（127.0.0.1 / localhost）に限ります。"
                "公開する確認ページのURLは https:// で始めてください")
    if parts.username or parts.password:
        return "証明書確認ページのURLに利用者名やパスワードを含めないでください"
    if "?" in url or "#" in url:
        return "証明書確認ページのURLに ? や # は含めないでください（確認する内容は自動で付け加えます）"
    return None


def is_loopback_url(url: str) -> bool:
    """True when ``url`` only opens on this computer (127.0.0.1 / localhost): not from a phone."""
    try:
        return urlsplit(url).hostname in LOOPBACK_HOSTS
    except ValueError:
        return False


def _text_errors(texts: dict[str, str]) -> dict[str, str]:
    errors = {}
    fonts = printing.default_fonts()
    for field, limit in MAX_CHARS.items():
        value = (texts.get(field) or "").strip()
        label = LABELS[field]
        if not value:
            if field not in OPTIONAL:
                errors[field] = f"{label}を入力してください"
        elif len(value) > limit:
            errors[field] = f"{label}は{limit}文字以内で入力してください"
        elif any(ord(c) < 0x20 for c in value):
            errors[field] = f"{label}に改行や制御文字は使えません"
        elif field == "verify_url":
            if problem := verify_url_problem(value):
                errors[field] = problem
        else:
            try:
                printing.check_printable(value, label, fonts)
            except printing.UnprintableCharacterError as exc:
                errors[field] = exc.message
    return errors
