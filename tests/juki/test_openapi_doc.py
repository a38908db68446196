"""docs/juki/openapi.yaml is valid OpenAPI 3.1 and describes what juki.server answers and the events it carries."""

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from juki import DEMO_RESIDENTS, changes, corrections
from juki.events import CHANGE_FIELDS, EVENT_KINDS
from juki.wire import resident_to_json

DOC = yaml.safe_load((Path(__file__).resolve().parents[2] / "docs/juki/openapi.yaml").read_text(encoding="utf-8"))


def schema(name: str) -> Draft202012Validator:
    return Draft202012Validator({"$ref": f"#/components/schemas/{name}", "components": DOC["components"]})


def test_document_is_valid_openapi() -> None:
    validate(DOC)


def test_paths_are_the_adapters() -> None:
    assert set(DOC["paths"]) == {"/residents", "/residents/{resident_id}", "/residents/{resident_id}/changes",
                                 "/households/{household_id}/members", "/changes"}
    event = DOC["components"]["schemas"]["ResidentEvent"]["properties"]
    assert event["kind"]["enum"] == list(EVENT_KINDS)
    assert event["changes"]["propertyNames"]["enum"] == list(CHANGE_FIELDS)
    signature = DOC["webhooks"]["residentEvent"]["post"]["parameters"][0]
    assert signature["name"] == "X-Juki-Signature"


@pytest.mark.parametrize("role", ["eligible", "deceased", "foreign"])
def test_residents_match_the_schema(register, role) -> None:
    schema("Resident").validate(resident_to_json(register.get_resident(DEMO_RESIDENTS[role])))


def test_events_match_the_schema(session) -> None:
    ctx = changes.ChangeContext(date(2026, 4, 2), "test", date(2026, 4, 30), datetime(2026, 4, 2, tzinfo=UTC))
    [moved] = changes.move_out(session, DEMO_RESIDENTS["single"], ctx)
    [cancelled] = changes.cancel(session, moved.event_id, ctx)
    for event in (moved, cancelled):
        schema("ResidentEvent").validate(event.to_json())


def test_particulars_events_match_the_schema(session) -> None:
    """記載事項の修正 (生年月日・性別), 振り仮名 and カタカナ表記 changes travel in the documented shape."""
    ctx = changes.ChangeContext(date(2026, 4, 2), "test", date(2026, 4, 30), datetime(2026, 4, 2, tzinfo=UTC))
    [corrected] = corrections.correct_particulars(session, DEMO_RESIDENTS["single"], ctx,
                                                  birth_date=date(1975, 5, 6), sex="女")
    [kana] = corrections.change_kana(session, DEMO_RESIDENTS["single"], ctx, kana="ベツノ　ヨミ")
    [katakana] = corrections.change_katakana_name(session, DEMO_RESIDENTS["foreign"], ctx,
                                                  katakana_name="ワン　シャオメイ")
    assert corrected.changes["birth_date"]["after"] == "1975-05-06" and corrected.changes["sex"]["after"] == "女"
    for event in (corrected, kana, katakana):
        schema("ResidentEvent").validate(event.to_json())
