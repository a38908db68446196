"""Which name a registered impression shows (印影の表す氏名, 4.1.1.1) and which of them a person may use.

The rules (印鑑登録証明事務処理要領) accept an impression that shows the 氏名, the 氏 or the 名 recorded on the
住民票, a 旧氏 or 通称 recorded there, and for a foreign resident the カタカナ表記 recorded there. The choice is kept
on the 原票; when it is a 旧氏, 通称 or カタカナ表記 the certificate must show that name (printing/certificate.py).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["NAMES_ALWAYS_SHOWN", "SHOWN_NAME_LABELS", "NameFacts", "shown_name_problem", "shown_names_of"]

SHOWN_NAME_LABELS = {"full_name": "氏名", "surname": "氏", "given_name": "名", "old_surname": "旧氏",
                     "common_name": "通称", "katakana_name": "カタカナ表記"}
NAMES_ALWAYS_SHOWN = ("full_name", "surname", "given_name")
# The shown names the certificate has to carry beside the 氏名, with the record field that holds them
PRINTED_NAMES = {"old_surname": "old_surname", "common_name": "common_name", "katakana_name": "katakana_name"}


@dataclass(frozen=True)
class NameFacts:
    """The names the resident register records for a person."""

    foreign: bool
    old_surname: str | None
    common_name: str | None
    katakana_name: str | None


def shown_names_of(person: NameFacts) -> tuple[str, ...]:
    """The shown-name codes this person's impression may carry, in the order the form lists them."""
    optional = {"old_surname": bool(person.old_surname), "common_name": bool(person.common_name),
                "katakana_name": person.foreign and bool(person.katakana_name)}
    return NAMES_ALWAYS_SHOWN + tuple(code for code, recorded in optional.items() if recorded)


def shown_name_problem(person: NameFacts, shown_name: str | None) -> tuple[str, str] | None:
    """(code, Japanese message) when `shown_name` cannot be recorded for this person, else None."""
    if not shown_name:
        return "impression_name_required", "印影が表している氏名（氏名・氏・名・旧氏・通称・カタカナ表記）を選んでください"
    if shown_name not in SHOWN_NAME_LABELS:
        return "impression_name_unknown", f"印影が表している氏名「{shown_name}」は選択肢にありません"
    if shown_name in shown_names_of(person):
        return None
    label = SHOWN_NAME_LABELS[shown_name]
    if shown_name == "katakana_name":
        why = "カタカナ表記は、住民票にカタカナ表記が記載されている外国人住民だけが選べます"
    else:
        why = f"住民票に{label}が記載されていないため、{label}は選べません"
    return "impression_name_not_recorded", f"印影が表している氏名に「{label}」は選べません（{why}）"
