"""Secrets are never stored or shown (issue 12, point 3): 5.3 driven through the clerk's pages with a PIN change
and a PIN reset to distinctive PINs, then a full dump of the database and every page and API answer about the
instance are searched for them."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import MetaData, create_engine, select

from conftest import ROLES
from engine.models import HumanTask
from registry.seals.pin import _matches, pin_of

# PINs of the form 0xyz: ids, counters and times never print a leading zero as a token of their own
FIRST_PIN, CHANGED_PIN, RESET_PIN, MISTYPED_PIN = "0628", "0735", "0846", "0957"
PINS = (FIRST_PIN, CHANGED_PIN, RESET_PIN, MISTYPED_PIN)


def _token(pin: str) -> re.Pattern:
    return re.compile(rf"(?<![0-9A-Za-z+/=]){pin}(?![0-9A-Za-z+/=])")


def _hits(text: str) -> dict[str, int]:
    return {pin: len(_token(pin).findall(text)) for pin in PINS if _token(pin).search(text)}


def _database_dump(product) -> str:
    """Every row of every table, as text (both databases, through reflection)."""
    engine = create_engine(product.session_factory.kw["bind"].url)
    metadata = MetaData()
    metadata.reflect(engine)
    lines = []
    with engine.connect() as connection:
        for table in metadata.sorted_tables:
            for row in connection.execute(select(table)):
                lines.append(f"{table.name}: {tuple(row)!r}")
    engine.dispose()
    return "\n".join(lines)


class CounterPages:
    """A 窓口 clerk working 5.3 through the task pages."""

    def __init__(self, login, product):
        self.client = login("madoguchi")
        self.product = product

    def start(self, resident_id: str) -> int:
        response = self.client.post("/start/hikikae_kofu", data={"confirmed": "1"})
        assert response.status_code == 302, response.get_data(as_text=True)[:300]
        task_id = int(response.headers["Location"].rsplit("/", 1)[1])
        return self.submit(task_id, {"resident_id": resident_id, "identity_document": "driving_licence",
                                     "returned_card": "damaged"})

    def submit(self, task_id: int, data: dict, expect: int = 302) -> int | None:
        response = self.client.post(f"/tasks/{task_id}", data=data)
        assert response.status_code == expect, response.get_data(as_text=True)[:500]
        if expect != 302:
            self.pages.append(response.get_data(as_text=True))
            return task_id
        location = response.headers["Location"]
        return int(location.rsplit("/", 1)[1]) if "/tasks/" in location else None

    pages: list[str] = []


def _exchange(pages: CounterPages, resident_id: str, pin_action: str, pin_data: dict, mistype: dict | None = None):
    task_id = pages.start(resident_id)
    task_id = pages.submit(task_id, {"card_kind": "registration_card", "pin_action": pin_action})
    if mistype is not None:  # a form refused for another field must not echo the PIN typed
        pages.submit(task_id, mistype, expect=422)
    task_id = pages.submit(task_id, pin_data)
    with pages.product.session_factory() as session:
        instance_id = session.get(HumanTask, task_id).instance_id
    pages.submit(task_id, {"handed_over": "true"})
    return instance_id


@pytest.fixture
def exchanged(login, product, driver):
    """Three 5.3 cases of one person: the first PIN, a change, a clerk's reset; returns (instances, registered)."""
    registered = driver.registered_person()
    pages = CounterPages(login, product)
    pages.pages = []
    first = _exchange(pages, registered.resident_id, "change", {"new_pin": FIRST_PIN},
                      mistype={"old_pin": MISTYPED_PIN, "new_pin": "12x"})
    changed = _exchange(pages, registered.resident_id, "change", {"old_pin": FIRST_PIN, "new_pin": CHANGED_PIN})
    reset = _exchange(pages, registered.resident_id, "reset", {"identity_rechecked": "true", "new_pin": RESET_PIN})
    return [first, changed, reset], registered, pages.pages


@pytest.mark.slow
def test_pins_are_used_then_gone_from_the_database_pages_and_api(exchanged, product, login, api_token):
    instances, registered, refused_pages = exchanged
    with product.session_factory() as session:
        from registry.seals.records import registration_by_number

        record = registration_by_number(session, registered.registration_number)
        stored = pin_of(session, record)  # the PIN works (compared the way the registry compares it)
        assert _matches(stored.pin_hash, RESET_PIN, product.services.settings.pin_pepper)
    assert refused_pages and all(not _hits(page) for page in refused_pages)
    assert _hits(_database_dump(product)) == {}
    for role in ROLES:
        client, headers = login(role), api_token(role)
        for instance_id in instances:
            for url in (f"/instances/{instance_id}", f"/instances/{instance_id}/diagram.bpmn"):
                answer = client.get(url)
                assert answer.status_code in (200, 403) and not _hits(answer.get_data(as_text=True)), (role, url)
            for url in (f"/api/v1/instances/{instance_id}", f"/api/v1/instances/{instance_id}/events",
                        f"/api/v1/instances/{instance_id}/timeline"):
                answer = client.get(url, headers=headers)
                assert answer.status_code in (200, 403) and not _hits(answer.get_data(as_text=True)), (role, url)
            with product.session_factory() as session:
                task_ids = session.scalars(select(HumanTask.id).where(HumanTask.instance_id == instance_id)).all()
            for task_id in task_ids:
                for url, kwargs in ((f"/tasks/{task_id}", {}), (f"/api/v1/tasks/{task_id}", {"headers": headers})):
                    answer = client.get(url, **kwargs)
                    assert answer.status_code < 500 and not _hits(answer.get_data(as_text=True)), (role, url)
        page = client.get(f"/residents/{registered.resident_id}")
        assert page.status_code < 500 and not _hits(page.get_data(as_text=True)), role
