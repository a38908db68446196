"""How a case ended (its outcome): declared on each end event of a flow, stored on the instance when it ends.

An end event carries three extension properties:
- `outcome`: a code of OUTCOMES (what lists, reports and the API filter and colour by),
- `outcomeLabel`: the words clerks read (e.g. 失効（期限切れ）); the code's label when absent,
- `outcomeReason` (optional): a CEL expression over the end event's data giving the reason shown after the label,
  e.g. `refusal.label` → 却下（本人確認書類なし）.
A case stopped by a clerk (取消し) or an operator (中止) gets its outcome from that operation, with its reason.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CANCELLED", "OUTCOMES", "OUTCOME_LABEL_PROPERTY", "OUTCOME_PROPERTY", "OUTCOME_REASON_PROPERTY",
           "TERMINATED", "Outcome", "declared_outcome", "declared_properties", "outcome_problems", "outcome_text",
           "outcome_tone", "set_outcome"]

OUTCOME_PROPERTY = "outcome"
OUTCOME_LABEL_PROPERTY = "outcomeLabel"
OUTCOME_REASON_PROPERTY = "outcomeReason"
MAX_LABEL = 100
MAX_REASON = 400
CANCELLED = "cancelled"
TERMINATED = "terminated"

# code → (label when the end event gives none, badge tone)
OUTCOMES: dict[str, tuple[str, str]] = {
    "registered": ("登録完了", "ok"),
    "issued": ("交付", "ok"),
    "exchanged": ("引換交付", "ok"),
    "corrected": ("修正", "ok"),
    "lifted": ("停止解除", "ok"),
    "suspended": ("交付停止", "warn"),
    "abolished": ("廃止", "warn"),
    "closed": ("抹消", "warn"),
    "undone": ("異動の取消し", "warn"),
    "referred": ("照会へ移行", "info"),
    "refused": ("却下", "danger"),
    "lapsed": ("失効", "danger"),
    "withdrawn": ("取下げ", "muted"),
    "nothing": ("変更なし", "muted"),
    CANCELLED: ("取消し", "muted"),
    TERMINATED: ("中止", "muted"),
}


@dataclass(frozen=True)
class Outcome:
    code: str
    label: str
    reason: str | None = None

    @property
    def text(self) -> str:
        return outcome_text(self.label, self.reason)


def set_outcome(instance, outcome: Outcome) -> None:
    """Store `outcome` on a ProcessInstance row (its outcome, outcome_label and outcome_reason columns)."""
    instance.outcome, instance.outcome_label = outcome.code, outcome.label[:MAX_LABEL]
    instance.outcome_reason = outcome.reason[:MAX_REASON] if outcome.reason else None


def outcome_text(label: str | None, reason: str | None) -> str:
    """「却下（本人確認書類なし）」: the label, and the reason in brackets when there is one."""
    if not label:
        return ""
    return f"{label}（{reason}）" if reason else label


def outcome_tone(code: str | None) -> str:
    return OUTCOMES.get(code or "", ("", "muted"))[1]


def declared_properties(task_spec) -> dict[str, str]:
    return (getattr(task_spec, "extensions", None) or {}).get("properties", {}) or {}


def declared_outcome(task_spec) -> tuple[str | None, str | None]:
    """(code, label) an end event declares; the label defaults to the code's."""
    properties = declared_properties(task_spec)
    code = properties.get(OUTCOME_PROPERTY)
    label = properties.get(OUTCOME_LABEL_PROPERTY) or (OUTCOMES[code][0] if code in OUTCOMES else None)
    return code, label


def outcome_problems(element_id: str, properties: dict[str, str]) -> list[dict]:
    """What is wrong with an end event's outcome properties (checked at save and deploy)."""
    code = properties.get(OUTCOME_PROPERTY)
    problems = []
    if code is not None and code not in OUTCOMES:
        problems.append({"element_id": element_id,
                         "message": f"終了イベントの結果（outcome）「{code}」は使えません。"
                                    f"使える値: {', '.join(sorted(OUTCOMES))}"})
    label = properties.get(OUTCOME_LABEL_PROPERTY)
    if label is not None and not 0 < len(label.strip()) <= MAX_LABEL:
        problems.append({"element_id": element_id,
                         "message": f"終了イベントの結果の表示（outcomeLabel）は1〜{MAX_LABEL}文字で指定してください"})
    return problems
