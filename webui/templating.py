"""Jinja filters and globals of the clerk pages: 和暦, JST times and Japanese labels for codes."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta, timezone

from flask import Flask, g, request
from flask_login import current_user
from jinja2.bccache import Bucket, BytecodeCache

from engine.actor import ROLE_LABELS, WORKABLE_LANES
from engine.models import InstanceStatus
from engine.outcomes import OUTCOMES, outcome_tone
from handlers.services.history_labels import change_summary
from printing import PrintingError, to_wareki
from registry.seals.models import RecordStatus
from registry.seals.shown_names import SHOWN_NAME_LABELS
from registry.staff.accounts import display_names

__all__ = ["AUDIT_KIND_LABELS", "INSTANCE_STATUS_LABELS", "LANES", "register_template_helpers"]

JST = timezone(timedelta(hours=9), "JST")
LANES = ("窓口", "バックヤード")
SYSTEM_ACTORS = {"system": "システム（自動処理）", "worker": "システム（自動処理）", "cli": "システム（コマンド）",
                 "test": "システム（テスト）"}
INSTANCE_STATUS_LABELS = {
    InstanceStatus.RUNNING: "実行中", InstanceStatus.WAITING: "待機中", InstanceStatus.COMPLETED: "完了",
    InstanceStatus.ERROR: "エラー", InstanceStatus.SUSPENDED: "中断", InstanceStatus.TERMINATED: "終了",
}
INSTANCE_STATUS_TONES = {
    InstanceStatus.RUNNING: "info", InstanceStatus.WAITING: "wait", InstanceStatus.COMPLETED: "ok",
    InstanceStatus.ERROR: "danger", InstanceStatus.SUSPENDED: "muted", InstanceStatus.TERMINATED: "muted",
}
AUDIT_KIND_LABELS = {"start": "開始", "claim": "担当", "unclaim": "担当解除", "complete": "完了",
                     "service_call": "サービス呼出", "error": "エラー", "retry": "再実行", "timer": "タイマー",
                     "migrate": "版の移行", "timer_rescheduled": "期限の再計算（版の移行）",
                     "document_printed": "帳票出力", "document_reprinted": "帳票再発行",
                     "certificate_issued": "証明書交付", "settings_changed": "設定変更", "print_batch": "一括印刷",
                     "login": "ログイン", "login_failed": "ログイン失敗", "login_locked": "ロック", "logout": "ログアウト",
                     "account_unlocked": "ロック解除", "account_added": "利用者登録", "password_changed": "パスワード変更",
                     "account_deactivated": "利用停止", "account_activated": "利用再開",
                     "token_issued": "APIトークン発行", "token_revoked": "APIトークン失効",
                     "registry_purge": "除票の消去", "chain_tombstones": "消去した行の墓標",
                     "registration_seeded": "直接登録（テストの前提）", "letter_mailed": "照会書の郵送",
                     "inquiry_answer_suspicious": "回答書の不受理（不正のおそれ）", "scan_read": "印影の読取"}
RESIDENT_STATUS_LABELS = {"resident": "在住", "moved_out": "転出", "deceased": "死亡"}
SHAPE_LABELS = {"round": "丸形", "oval": "楕円形", "square": "角形", "rectangle": "長方形", "other": "その他",
                "none": "印影なし"}
CARD_KIND_LABELS = {"registration_card": "印鑑登録証", "mynumber_card": "個人番号カード"}
_LEADING_FUNCTION_ID = re.compile(r"^\s*\d+(?:\.\d+)*\s+")


def wareki(value: date | str | None) -> str:
    """「令和8年4月1日」 from a date or ISO string; the ISO text when it has no era."""
    if value in (None, ""):
        return ""
    day = date.fromisoformat(value[:10]) if isinstance(value, str) else value
    if isinstance(day, datetime):
        day = day.date()
    try:
        return to_wareki(day)
    except PrintingError:
        return day.isoformat()


def jst(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A stored naive-UTC time as Japan time text."""
    if value is None:
        return ""
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.astimezone(JST).strftime(fmt)


def mm(value: float | None) -> str:
    return "—" if value is None else f"{float(value):.1f} mm"


def css_px(millimetres: float | None) -> str:
    """A length in mm as CSS px (96 per inch, so the browser draws it at the size CSS calls that many mm)."""
    return "0" if millimetres is None else f"{float(millimetres) * 96 / 25.4:.2f}"


def strip_function_id(title: str | None) -> str:
    """The title without a leading function ID (shown separately as a badge)."""
    return _LEADING_FUNCTION_ID.sub("", title or "")


def leading_function_id(title: str | None) -> str:
    match = _LEADING_FUNCTION_ID.match(title or "")
    return match.group(0).strip() if match else ""


def _label(mapping: dict[str, str]):
    return lambda value: mapping.get(value, value or "")


def staff_name(username: str | None) -> str:
    """The display name of a staff login id (「山田 花子」, not "yamada"); ids the staff table does not know (the
    system, the CLI, a deleted account) as they are."""
    if not username:
        return ""
    return g.get("staff_names", {}).get(username, SYSTEM_ACTORS.get(username, username))


def _load_staff_names() -> None:
    """Read the display names before the view runs: on SQLite every open transaction holds the write lock, so a
    filter may not open a session of its own while the page's session renders."""
    if current_user.is_authenticated and not request.path.startswith(("/api/", "/static/", "/vendor/")):
        from webui.wiring import product  # the product is bound to the app after the helpers are

        with product().session_factory() as session:
            g.staff_names = display_names(session)


_ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")


_HASH = re.compile(r"^[0-9a-f]{40,}$")
TARGET_LABELS = {"instance": "事案", "task": "作業", "certificate": "証明書", "document": "帳票", "application": "申請",
                 "registration": "原票"}


def access_target(target: str | None) -> str:
    """What an access-log row says was shown: 「事案 12」「証明書 3」, a file for a stored document's hash."""
    if not target:
        return ""
    kind, _, rest = target.partition(":")
    if kind in TARGET_LABELS and rest:
        return f"{TARGET_LABELS[kind]} {rest}"
    if _HASH.match(target) or (len(target) >= 40 and kind == target):
        return "保存した帳票・画像"
    return target[:24]


def readable_data(text, labels: dict[str, str] | None = None) -> str:
    """Task data or a call's parameters (stored as JSON) as indented 「項目: 値」 lines, times in JST: what an
    auditor reads on the timeline, instead of braces and quotes. `labels` maps keys to titles, and "key=" to a
    choice field's {value: title}."""
    if text is None or text == "":
        return ""
    value = text
    if isinstance(text, str):
        try:
            value = json.loads(text)
        except ValueError:
            return text
    lines: list[str] = []
    _readable_lines(value, 0, lines, labels=labels or {})
    return "\n".join(lines) or "（なし）"


def _readable_lines(value, depth: int, lines: list[str], key: str | None = None, *, labels: dict[str, str]) -> None:
    pad = "　" * depth
    names = labels.get(f"{key}=") if key is not None else None  # a choice field's values → their titles
    if names:
        value = [names.get(str(v), v) for v in value] if isinstance(value, list) else names.get(str(value), value)
    key = labels.get(key, key) if key is not None else None
    head = f"{pad}{key}: " if key is not None else pad
    if isinstance(value, dict):
        if key is not None:
            lines.append(f"{pad}{key}:" + ("" if value else " （なし）"))
        for k, v in value.items():
            _readable_lines(v, depth + (key is not None), lines, str(k), labels=labels)
    elif isinstance(value, list):
        if all(not isinstance(v, (dict, list)) for v in value):
            lines.append(head + ("、".join(_scalar(v) for v in value) or "（なし）"))
            return
        if key is not None:
            lines.append(f"{pad}{key}:")
        for n, v in enumerate(value, 1):
            _readable_lines(v, depth + 1, lines, f"{n}", labels=labels)
    else:
        lines.append(head + _scalar(value))


def _scalar(value) -> str:
    if value is None or value == "":
        return "（なし）"
    if value is True:
        return "はい"
    if value is False:
        return "いいえ"
    if isinstance(value, str) and _HASH.match(value):
        return "（保存したファイル）"
    if isinstance(value, str) and _ISO_TIME.match(value):
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
        return jst(moment, "%Y-%m-%d %H:%M:%S")
    return str(value)


def _user_context() -> dict:
    if not current_user.is_authenticated:
        return {"user_lanes": (), "is_clerk": False, "is_read_only": True}
    lanes = WORKABLE_LANES.get(current_user.role, ())
    return {"user_lanes": lanes, "is_clerk": bool(lanes), "is_read_only": current_user.role == "auditor"}


class CompiledTemplates(BytecodeCache):
    """Compiled templates kept for the life of the process and shared by every app it builds.

    Jinja compiles each template once per app; a process that builds the app again (the test suite builds one per
    test file and database, a few hundred) would compile the same ninety templates each time. Jinja checks a kept
    template against its source's checksum, so an edited template is compiled again."""

    def __init__(self) -> None:
        self._compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        if (code := self._compiled.get(bucket.key)) is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._compiled[bucket.key] = bucket.bytecode_to_string()


COMPILED_TEMPLATES = CompiledTemplates()


def register_template_helpers(app: Flask) -> None:
    """Install the filters (wareki, jst, mm, labels) and the signed-in user's lanes as template globals."""
    app.jinja_env.bytecode_cache = COMPILED_TEMPLATES
    app.jinja_env.filters.update(
        wareki=wareki, jst=jst, mm=mm, css_px=css_px, strip_fid=strip_function_id, fid=leading_function_id,
        role_label=_label(ROLE_LABELS), status_label=_label(INSTANCE_STATUS_LABELS),
        status_tone=lambda s: INSTANCE_STATUS_TONES.get(s, "muted"), kind_label=_label(AUDIT_KIND_LABELS),
        outcome_tone=outcome_tone,
        record_status_label=_label(RecordStatus.LABELS), resident_status_label=_label(RESIDENT_STATUS_LABELS),
        shape_label=_label(SHAPE_LABELS), card_kind_label=_label(CARD_KIND_LABELS), history_summary=change_summary,
        shown_name_label=_label(SHOWN_NAME_LABELS), staff_name=staff_name,
        readable_data=readable_data, access_target=access_target,
    )
    app.jinja_env.globals.update(LANES=LANES, INSTANCE_STATUSES=InstanceStatus.ALL,
                                 OUTCOME_CHOICES=[(code, label) for code, (label, _tone) in OUTCOMES.items()])
    app.context_processor(_user_context)
    app.before_request(_load_staff_names)
