"""Every shipped flow carries the function IDs the standard's business flow (seed 000) lists for it, each on an
element that performs it, and every lane the standard draws with steps has at least one element (issue 16, points
1–5: the seed's steps in every flow)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree

BPMN_DIR = Path(__file__).resolve().parent.parent / "bpmn"
NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL"}
FUNCTION_ID = re.compile(r"(?<![\d.])\d+(?:\.\d+)+(?![\d.])")

# Seed 000, flow by flow: the functions listed with each business flow (and the flow's own ID).
STANDARD_FUNCTIONS = {
    "sokuji_touroku": {"2.1.3", "2.2.1", "4.1.5.1", "4.1.5.2", "4.1.1.1", "1.3.2", "4.1.2.1", "4.1.2.2",
                       "5.2", "5.4"},
    "shoukai_touroku": {"4.1.4.2", "4.1.4.6", "2.1.3", "2.2.1", "4.1.5.1", "4.1.5.2", "1.3.2", "4.1.2.2"},
    "haishi": {"4.4.1.1", "4.4.1.2", "2.1.3", "2.2.1", "4.4.1.3"},
    "idou_torikeshi": {"4.5"},
    "shokken_massho": {"4.2.1", "2.1.3", "2.2.1", "4.4.1.3"},
    "shokken_shusei": {"4.3.1", "2.1.3", "2.2.1", "4.1.2.2"},
    "juki_rendou_shusei": {"4.3.2", "2.1.3", "2.2.1", "4.3.1", "4.2.2", "4.2.1"},
    "juki_rendou_massho": {"4.2.2", "2.1.3", "2.2.1", "4.2.1", "4.4.1.3"},
    "hikikae_kofu": {"5.3", "2.1.3", "2.2.1", "4.1.2.2", "5.2.4"},
    "ichiji_teishi": {"6.2.1"},
    "teishi_kaijo": {"6.2.2", "2.1.3", "2.2.1", "4.1.2.2"},
    "shomeisho_kofu": {"6.1"},
}
# Flows the standard draws with a counter (窓口) part; the 住基-driven and office-internal ones have none.
COUNTER_FLOWS = {"sokuji_touroku", "shoukai_touroku", "haishi", "idou_torikeshi", "shokken_shusei", "hikikae_kofu",
                 "ichiji_teishi", "teishi_kaijo", "shomeisho_kofu"}


def _process(process_id: str):
    tree = etree.parse(str(BPMN_DIR / f"{process_id}.bpmn"))
    return tree.find(f".//bpmn:process[@id='{process_id}']", NS)


def _performing_elements(process) -> dict[str, list[str]]:
    """Function ID → the ids of the flow nodes whose name carries it (lanes and the process itself excluded)."""
    found: dict[str, list[str]] = {}
    for element in process.iter("{*}task", "{*}userTask", "{*}serviceTask", "{*}manualTask", "{*}sendTask",
                                "{*}receiveTask", "{*}businessRuleTask", "{*}callActivity", "{*}subProcess"):
        for function_id in FUNCTION_ID.findall(element.get("name") or ""):
            found.setdefault(function_id, []).append(element.get("id"))
    return found


def test_4_1_4_6_looks_the_person_up_again_at_the_answer():
    """Issue 16.1: the answer step searches and looks the person up again (2.1.3, 2.2.1) before the seal, and a
    転出 / 死亡 reported while the answer is awaited ends the application in a modelled end with a reason."""
    process = _process("shoukai_touroku")
    performed = _performing_elements(process)
    assert "svc_recheck" in performed["2.1.3"] and "svc_recheck" in performed["2.2.1"]
    assert "svc_recheck" in performed["4.1.4.6"]
    boundary = process.find("bpmn:boundaryEvent[@id='msg_resident_left_boundary']", NS)
    assert boundary.get("attachedToRef") == "task_answer"
    assert boundary.find("bpmn:messageEventDefinition", NS) is not None
    ends = {end.get("id") for end in process.iter("{*}endEvent")}
    assert {"end_lapsed_left", "end_lapsed_recheck"} <= ends
    card = process.find("bpmn:serviceTask[@id='svc_card']", NS)  # where a 個人番号カード becomes the card (5.4)
    assert "利用者電子証明書が失効していないことの確認" in card.get("name")


@pytest.mark.parametrize("process_id", ["sokuji_touroku", "shoukai_touroku"])
def test_5_2_4_is_set_where_4_1_2_issues_the_card(process_id):
    """Issue 16.7: the PIN the 自動交付機 asks for is set right after the 5.2 card step (4.1.2, and 4.1.4's copy)."""
    performed = _performing_elements(_process(process_id))
    assert performed.get("5.2.4") == ["svc_set_pin"]


def test_the_unnumbered_card_case_of_5_3_is_a_visible_step():
    """Issue 16.3: 「あらかじめ印鑑登録番号を表記していない印鑑登録証を使用する場合」 is a gateway and a step in 5.3,
    not only the INKAN_CARD_NUMBERING setting."""
    process = _process("hikikae_kofu")
    names = {element.get("id"): element.get("name") or "" for element in process.iter()}
    assert "あらかじめ印鑑登録番号を表記していない印鑑登録証" in names["gw_card_numbering"]
    assert "5.3" in names["task_card_number"]


def test_every_shipped_flow_is_listed():
    assert {path.stem for path in BPMN_DIR.glob("*.bpmn")} == set(STANDARD_FUNCTIONS)


@pytest.mark.parametrize("process_id", sorted(STANDARD_FUNCTIONS))
def test_each_standard_function_is_performed_by_a_named_activity(process_id):
    performed = _performing_elements(_process(process_id))
    missing = sorted(STANDARD_FUNCTIONS[process_id] - set(performed))
    assert not missing, f"{process_id}: no activity carries {missing}"


@pytest.mark.parametrize("process_id", sorted(STANDARD_FUNCTIONS))
def test_the_counter_lane_holds_the_counters_part(process_id):
    process = _process(process_id)
    lanes = {lane.get("name"): lane.findall("bpmn:flowNodeRef", NS) for lane in process.iter("{*}lane")}
    if process_id in COUNTER_FLOWS:
        assert lanes.get("窓口"), f"{process_id}: the 窓口 lane is empty"
