"""Resident changes (異動) as the register announces them: the contract between 住基 and the registry.

The register (simulated or external) sends one ``ResidentEvent`` per recorded change. The registry stores each
event before acting on it (``event_id`` makes a second delivery a no-op), orders them by ``effective_date`` and
acts only for persons it has a registration for. The JSON form (``to_json`` / ``from_json``) is the body of
``POST /api/v1/juki/events`` and of the HTTP adapter's subscription; docs/juki/openapi.yaml documents it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from juki.errors import InvalidQuery

if TYPE_CHECKING:
    from juki.contracts import ResidentEventJson

# kind → the register's own word for it
EVENT_KINDS: dict[str, str] = {
    "move_in": "転入",
    "special_move_in": "特例転入",
    "move_out": "転出",
    "move_within": "転居",
    "address_renamed": "住所表記変更",
    "birth": "出生",
    "death": "死亡",
    "removal_by_office": "職権消除",
    "name_change": "氏名変更",
    "common_name_set": "通称記載",
    "common_name_cleared": "通称削除",
    "household_change": "世帯変更",
    "guardianship_started": "後見開始の通知",
    "cancellation": "異動の取消し",
    "record_corrected": "記載事項の修正",  # 職権修正 of 生年月日 / 性別 (e.g. after a 戸籍 correction)
    "kana_changed": "振り仮名の変更",  # 氏名の振り仮名 (カナ)
    "katakana_name_changed": "カタカナ表記の変更",  # a foreign resident's 氏名のカタカナ表記
}

# Fields a change may carry in ``changes`` as {"before": …, "after": …}
CHANGE_FIELDS = ("name", "kana", "address", "household_id", "relationship", "status", "status_date",
                 "common_name", "old_surname", "lacks_capacity", "birth_date", "sex", "katakana_name")


@dataclass(frozen=True)
class ResidentEvent:
    """One recorded change of one person.

    ``cancels_event_id`` is set only for kind ``cancellation`` (異動の取消し) and names the event it undoes.
    ``changes`` maps a field of ``CHANGE_FIELDS`` to {"before": value, "after": value} (dates as ISO strings).
    """

    event_id: str
    kind: str
    resident_id: str
    effective_date: date
    recorded_at: datetime
    changes: dict[str, dict[str, Any]] = field(default_factory=dict)
    cancels_event_id: str | None = None

    @property
    def label(self) -> str:
        return EVENT_KINDS[self.kind]

    def to_json(self) -> ResidentEventJson:
        return {"event_id": self.event_id, "kind": self.kind, "resident_id": self.resident_id,
                "effective_date": self.effective_date.isoformat(), "recorded_at": self.recorded_at.isoformat(),
                "changes": self.changes, "cancels_event_id": self.cancels_event_id}

    @classmethod
    def from_json(cls, data: Any) -> ResidentEvent:
        """Parse the JSON form; raises InvalidQuery with a Japanese message naming the bad field."""
        if not isinstance(data, dict):
            raise InvalidQuery("異動通知はJSONオブジェクトで送ってください。")
        for name in ("event_id", "kind", "resident_id", "effective_date", "recorded_at"):
            if not isinstance(data.get(name), str) or not data[name].strip():
                raise InvalidQuery(f"異動通知の項目「{name}」がありません。")
        if data["kind"] not in EVENT_KINDS:
            raise InvalidQuery(f"異動の種類「{data['kind']}」は扱えません。")
        changes = data.get("changes") or {}
        if not isinstance(changes, dict) or any(
                key not in CHANGE_FIELDS or not isinstance(value, dict) for key, value in changes.items()):
            raise InvalidQuery("異動通知の項目「changes」の形式が正しくありません。")
        cancels = data.get("cancels_event_id")
        if (data["kind"] == "cancellation") != isinstance(cancels, str):
            raise InvalidQuery("異動の取消しには取り消す異動の通知ID（cancels_event_id）が必要です。")
        try:
            effective = date.fromisoformat(data["effective_date"])
            recorded = datetime.fromisoformat(data["recorded_at"])
        except ValueError as exc:
            raise InvalidQuery("異動通知の日付の形式が正しくありません（YYYY-MM-DD）。") from exc
        return cls(event_id=data["event_id"].strip(), kind=data["kind"], resident_id=data["resident_id"].strip(),
                   effective_date=effective, recorded_at=recorded, changes=changes, cancels_event_id=cancels)
