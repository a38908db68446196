"""Resident changes recorded in the simulator: each kind changes the tables and announces the right event,
and 異動の取消し puts the previous values back (or refuses when a later change is in the way)."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from juki import DEMO_RESIDENTS, ResidentQuery, SimulatedRegister, arrivals, changes
from juki.changelog import change_by_event_id
from juki.errors import InvalidChange
from juki.events import ResidentEvent
from juki.jlis import certificate_status_in
from juki.models import SimChange, SimHousehold

TODAY = date(2026, 6, 1)
ELIGIBLE, SPOUSE, FOREIGN, SINGLE = (DEMO_RESIDENTS[k] for k in ("eligible", "spouse", "foreign", "single"))


def ctx(day: date = date(2026, 5, 1)) -> changes.ChangeContext:
    return changes.ChangeContext(effective_date=day, actor="admin", today=TODAY,
                                 recorded_at=datetime(2026, 5, 2, 9, 0, tzinfo=UTC))


def only(events: list[ResidentEvent]) -> ResidentEvent:
    assert len(events) == 1
    return events[0]


def roundtrip(event: ResidentEvent) -> ResidentEvent:
    """Every event the simulator makes must pass the intake's parser unchanged."""
    assert ResidentEvent.from_json(event.to_json()) == event
    return event


def test_move_out_sets_status_and_logs_the_event(session, register: SimulatedRegister) -> None:
    event = roundtrip(only(changes.move_out(session, SINGLE, ctx())))
    assert (event.kind, event.label, event.resident_id, event.effective_date) == (
        "move_out", "転出", SINGLE, date(2026, 5, 1))
    assert event.changes == {"status": {"before": "resident", "after": "moved_out"},
                             "status_date": {"before": None, "after": "2026-05-01"}}
    person = register.get_resident(SINGLE)
    assert (person.status, person.status_date) == ("moved_out", date(2026, 5, 1))
    assert register.change_history(SINGLE) == [event]


def test_death(session, register) -> None:
    event = only(changes.die(session, SINGLE, ctx()))
    assert event.kind == "death" and event.changes["status"]["after"] == "deceased"
    assert register.get_resident(SINGLE).status == "deceased"


def test_a_moved_out_person_cannot_move_out_again(session) -> None:
    changes.move_out(session, SINGLE, ctx())
    with pytest.raises(InvalidChange, match="転出または死亡した住民"):
        changes.die(session, SINGLE, ctx())


def test_move_within_moves_the_whole_household_one_event_each(session, register) -> None:
    members = register.household_members(register.get_resident(ELIGIBLE).household_id)
    events = changes.move_within(session, ELIGIBLE, ctx(), address="見本市本町二丁目1番1号")
    assert {e.resident_id for e in events} == {m.resident_id for m in members} and len(events) == 3
    assert all(e.changes == {"address": {"before": members[0].address, "after": "見本市本町二丁目1番1号"}}
               for e in events)
    assert session.get(SimHousehold, members[0].household_id).address == "見本市本町二丁目1番1号"
    moved = register.search(ResidentQuery(address="本町二丁目1番1号"))
    assert sorted(r.resident_id for r in moved) == sorted(m.resident_id for m in members)


def test_move_within_one_person_and_address_renamed(session, register) -> None:
    event = only(changes.move_within(session, SPOUSE, ctx(), address="見本市栄町一丁目1番1号",
                                     whole_household=False, kind="address_renamed"))
    assert event.kind == "address_renamed" and event.label == "住所表記変更"
    assert register.get_resident(ELIGIBLE).address != "見本市栄町一丁目1番1号"


def test_name_change_records_the_old_surname_and_refreshes_search_keys(session, register) -> None:
    event = only(changes.rename(session, SINGLE, ctx(), name="高木　一郎", kana="たかぎ いちろう",
                                old_surname="鈴木"))
    assert event.changes == {"name": {"before": "鈴木　一郎", "after": "高木　一郎"},
                             "kana": {"before": "スズキ　イチロウ", "after": "タカギ　イチロウ"},
                             "old_surname": {"before": None, "after": "鈴木"}}
    assert [r.resident_id for r in register.search(ResidentQuery(kana="タカギ イチロウ"))] == [SINGLE]


@pytest.mark.parametrize(("name", "kana", "message"), [
    ("", "タカギ", "氏名を入力"), ("高木　一郎", "Takagi", "全角カタカナ"), ("鈴木　一郎", "スズキ　イチロウ", "同じ内容"),
])
def test_name_change_refusals(session, name, kana, message) -> None:
    with pytest.raises(InvalidChange, match=message):
        changes.rename(session, SINGLE, ctx(), name=name, kana=kana)


def test_common_name_set_and_cleared_only_for_foreign_residents(session, register) -> None:
    event = only(changes.set_common_name(session, FOREIGN, ctx(), common_name="王　明"))
    assert event.changes == {"common_name": {"before": "王　小明", "after": "王　明"}}
    cleared = only(changes.clear_common_name(session, FOREIGN, ctx()))
    assert cleared.kind == "common_name_cleared" and register.get_resident(FOREIGN).common_name is None
    with pytest.raises(InvalidChange, match="通称が記載されていません"):
        changes.clear_common_name(session, FOREIGN, ctx())
    with pytest.raises(InvalidChange, match="外国人住民"):
        changes.set_common_name(session, SINGLE, ctx(), common_name="通称")


def test_household_change_to_a_new_household_and_into_another(session, register) -> None:
    founded = only(changes.change_household(session, SPOUSE, ctx()))
    new_household = founded.changes["household_id"]["after"]
    assert founded.changes["relationship"] == {"before": "妻", "after": "世帯主"}
    assert session.get(SimHousehold, new_household).head_resident_id == SPOUSE
    joined = only(changes.change_household(session, SINGLE, ctx(), household_id=new_household.lower(),
                                           relationship="同居人"))
    assert joined.changes["household_id"]["after"] == new_household
    assert [m.resident_id for m in register.household_members(new_household)] == [SPOUSE, SINGLE]
    with pytest.raises(InvalidChange, match="世帯がありません"):
        changes.change_household(session, SINGLE, ctx(), household_id="H9999999", relationship="子")


def test_guardianship(session, register) -> None:
    event = only(changes.start_guardianship(session, SINGLE, ctx()))
    assert event.changes == {"lacks_capacity": {"before": False, "after": True}}
    assert register.get_resident(SINGLE).lacks_capacity is True
    with pytest.raises(InvalidChange, match="既に後見開始"):
        changes.start_guardianship(session, SINGLE, ctx())


def test_move_in_founds_a_household(session, register) -> None:
    person = arrivals.NewPerson(name="新井　光", kana="アライ　ヒカル", birth_date=date(1990, 1, 2), sex="女",
                                address="見本市港町一丁目1番1号")
    event = roundtrip(only(arrivals.move_in(session, person, ctx())))
    arrived = register.get_resident(event.resident_id)
    assert (arrived.name, arrived.relationship, arrived.status, arrived.address) == (
        "新井　光", "世帯主", "resident", "見本市港町一丁目1番1号")
    assert event.kind == "move_in" and event.changes["status"] == {"before": None, "after": "resident"}


def test_special_move_in_joins_a_household_and_registers_the_card(session, register) -> None:
    household = register.get_resident(SINGLE).household_id
    person = arrivals.NewPerson(name="鈴木　花", kana="スズキ　ハナ", birth_date=date(1975, 3, 3), sex="女",
                                household_id=household, relationship="妻")
    event = only(arrivals.move_in(session, person, ctx(), special=True, cert_serial="ab12-cd34-ef56"))
    assert event.kind == "special_move_in" and event.label == "特例転入"
    assert register.get_resident(event.resident_id).address == register.get_resident(SINGLE).address
    assert certificate_status_in(session, "AB12CD34EF56").status == "valid"


@pytest.mark.parametrize(("person", "message"), [
    (arrivals.NewPerson("新井　光", "アライ　ヒカル", None, "女", address="見本市"), "生年月日"),
    (arrivals.NewPerson("新井　光", "アライ　ヒカル", date(1990, 1, 1), "X", address="見本市"), "性別"),
    (arrivals.NewPerson("新井　光", "アライ　ヒカル", date(1990, 1, 1), "女"), "転入先の住所"),
    (arrivals.NewPerson("新井　光", "アライ　ヒカル", date(1990, 1, 1), "女", household_id="H0000001",
                        relationship="世帯主"), "世帯主以外"),
    (arrivals.NewPerson("新井　光", "アライ　ヒカル", date(2026, 5, 2), "女", address="見本市"), "生年月日より前"),
])
def test_move_in_refusals(session, person, message) -> None:
    with pytest.raises(InvalidChange, match=message):
        arrivals.move_in(session, person, ctx())


def test_birth_joins_the_parents_household(session, register) -> None:
    event = only(arrivals.birth(session, SPOUSE, ctx(), given_name="次郎", given_kana="ジロウ", sex="男"))
    child = register.get_resident(event.resident_id)
    assert (child.name, child.kana, child.birth_date, child.relationship) == (
        "山田　次郎", "ヤマダ　ジロウ", date(2026, 5, 1), "子")
    assert child.household_id == register.get_resident(SPOUSE).household_id


def test_future_dates_are_refused(session) -> None:
    with pytest.raises(InvalidChange, match="未来"):
        changes.move_out(session, SINGLE, ctx(date(2026, 6, 2)))


@pytest.mark.parametrize("record", [
    lambda s: changes.move_out(s, SINGLE, ctx()),
    lambda s: changes.die(s, SINGLE, ctx()),
    lambda s: changes.move_within(s, SINGLE, ctx(), address="見本市西町一丁目1番1号"),
    lambda s: changes.rename(s, SINGLE, ctx(), name="高木　一郎", kana="タカギ　イチロウ"),
    lambda s: changes.start_guardianship(s, SINGLE, ctx()),
    lambda s: changes.change_household(s, SINGLE, ctx(), household_id="H0000001", relationship="同居人"),
])
def test_cancellation_restores_the_previous_values(session, register, record) -> None:
    before = register.get_resident(SINGLE)
    original = only(record(session))
    cancelled = roundtrip(only(changes.cancel(session, original.event_id, ctx(date(2026, 5, 20)))))
    assert register.get_resident(SINGLE) == before
    assert (cancelled.kind, cancelled.cancels_event_id) == ("cancellation", original.event_id)
    assert cancelled.changes == {name: {"before": c["after"], "after": c["before"]}
                                 for name, c in original.changes.items()}
    assert change_by_event_id(session, original.event_id).cancelled_by == cancelled.event_id
    with pytest.raises(InvalidChange, match="既に取り消されています"):
        changes.cancel(session, original.event_id, ctx())


def test_cancelling_an_arrival_removes_the_person(session, register) -> None:
    event = only(arrivals.birth(session, SPOUSE, ctx(), given_name="次郎", given_kana="ジロウ", sex="男"))
    cancelled = only(changes.cancel(session, event.event_id, ctx()))
    assert register.get_resident(event.resident_id) is None
    assert cancelled.resident_id == event.resident_id and cancelled.changes["status"]["before"] == "resident"


def test_cancellation_is_refused_when_a_later_change_is_in_the_way(session, register) -> None:
    moved = only(changes.move_within(session, SINGLE, ctx(), address="見本市西町一丁目1番1号"))
    changes.move_within(session, SINGLE, ctx(), address="見本市西町二丁目2番2号")
    with pytest.raises(InvalidChange, match="住所が変更されているため"):
        changes.cancel(session, moved.event_id, ctx())
    born = only(arrivals.birth(session, SINGLE, ctx(), given_name="花", given_kana="ハナ", sex="女"))
    changes.start_guardianship(session, born.resident_id, ctx())
    with pytest.raises(InvalidChange, match="その後の異動"):
        changes.cancel(session, born.event_id, ctx())


def test_cancellation_refusals(session) -> None:
    with pytest.raises(InvalidChange, match="見つかりません"):
        changes.cancel(session, "sim-nothing", ctx())
    original = only(changes.die(session, SINGLE, ctx()))
    cancellation = only(changes.cancel(session, original.event_id, ctx()))
    with pytest.raises(InvalidChange, match="取消しそのもの"):
        changes.cancel(session, cancellation.event_id, ctx())


def test_every_change_has_a_unique_event_id_and_a_row(session, register) -> None:
    events = [*changes.move_within(session, ELIGIBLE, ctx(), address="見本市本町二丁目1番1号"),
              *changes.die(session, SINGLE, ctx())]
    ids = [e.event_id for e in events]
    assert len(set(ids)) == len(ids)
    rows = session.scalars(select(SimChange.event_id).where(SimChange.event_id.in_(ids))).all()
    assert sorted(rows) == sorted(ids)
    feed = register.changes_since("", limit=1000)
    assert [e.event_id for e in feed.events][-len(ids):] == ids
    assert register.changes_since(feed.cursor).events == []
