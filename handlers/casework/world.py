"""The seal registry's side of a case (engine.casework.driver.CaseWorld): who applies, how the instance starts,
placeholders, set-ups, resident-register changes and checks on the 原票's history.

What a case may say beyond the driver's keys (engine/casework/document.py):
  "applicant"   "fresh" (default: an unregistered adult living alone), "registered" (the same, registered first by
                the factory), "household_member_registered" (an adult whose household member is registered with the
                seal "household_seal"), "demo:ROLE" (a fixed demo resident, juki.DEMO_RESIDENTS) or a resident id
  "guarantor"   "registered": another registered adult; "$guarantor" is their registration number
  "settings"    {"card_numbering": "registry" | "preprinted"}: the case runs with that setting (CASE_SETTINGS),
                restored when it ends (finish)
  "setup"       ["office_seal" | "suspended" | "pin_set" | "guarantor_suspended", …] (handlers/casework/setups.py)
  how it starts "events": [change, …] recorded in the simulated register and processed as the worker does (the
                instance is the one the last event started; handlers/casework/events.py); "message": {"name",
                "event"} starts the flow by that message directly; otherwise a counter clerk starts the process for
                the applicant
  steps         ["$juki", "", change]: a change of the applicant recorded and processed meanwhile;
                ["$mail_letter", "", {"days_ago": N}]: the queued 照会書兼回答書 printed in a batch and the case's
                letter recorded as mailed N days ago (default: INKAN_INQUIRY_MIN_WAIT_DAYS, so its answer counts
                today; 0: mailed today, the answer is too early) — handlers/casework/mail.py;
                ["$registered_elsewhere", "", {}]: another counter registers the applicant meanwhile (the factory
                writes the 原票), so this flow's own 4.1.2.1 finds them registered;
                ["$setup", "", {"name": one of "setup"}]: that set-up applied meanwhile (e.g. the guarantor
                suspended while the stamp waits for the clerk)
  "expect"      "history": {reason: {key: value}}: the registration's history entry with that reason has those
                after-values (placeholders filled in)
Placeholders: handlers/casework/placeholders.py.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any, Protocol

from sqlalchemy.orm import Session, sessionmaker

from handlers.casework.errors import CaseError
from handlers.casework.events import deliver, message_payload, record_change, started_by
from handlers.casework.factory import register_directly
from handlers.casework.mail import mail_letter
from handlers.casework.placeholders import fill
from handlers.casework.residents import fresh_adults
from handlers.casework.setups import SETUPS
from handlers.environment import HandlerServices
from juki import DEMO_RESIDENTS
from registry.seals import records

__all__ = ["EngineDoors", "RegistryWorld"]

JUKI_STEP = "$juki"
MAIL_STEP = "$mail_letter"
SETUP_STEP = "$setup"
REGISTERED_ELSEWHERE_STEP = "$registered_elsewhere"
COUNTER_ROLE = "madoguchi"
# Settings a case may set for itself alone (restored when it ends): the 5.3 / 4.1.2 card numbering mode.
CASE_SETTINGS = {"card_numbering": ("registry", "preprinted")}
RECORDED = "recorded_events"  # the context's list of the resident events the case recorded so far


class EngineDoors(Protocol):
    """What the world asks of the workflow engine (engine.casework.doors.RunnerDoors; handlers do not import it)."""

    def start(self, process_id: str, role: str, data: dict[str, Any]) -> int: ...

    def start_by_message(self, name: str, payload: dict[str, Any]) -> int: ...

    def instance_data(self, instance_id: int) -> dict: ...

    def process_events(self) -> None:
        """The worker's round over the resident-event intake (handlers.linkage.processing, as wired)."""


class RegistryWorld:
    """Cases on a product database seeded with the simulated population (a sandbox copy, or the test database).

    `used` holds the residents already handed out on this database (shared with the tests' own drivers).
    """

    def __init__(self, session_factory: sessionmaker[Session], services: HandlerServices, doors: EngineDoors,
                 used: set[str] | None = None) -> None:
        self.session_factory, self.services, self.doors = session_factory, services, doors
        self._saved_settings: Any = None  # the settings a case replaced for itself (restored by finish)
        self.used = used if used is not None else set()

    def prepare(self, case: dict) -> dict[str, Any]:
        if case.get("settings"):
            self._override_settings(case["settings"])
        with self.session_factory.begin() as session:
            context: dict[str, Any] = {"applicant": self._applicant(session, case), RECORDED: []}
            if case.get("guarantor") == "registered":
                context["guarantor"] = self._registered(session).registration_number
            for name in case.get("setup", []):
                self._apply_setup(session, name, context)
        return context

    def _override_settings(self, changes: Any) -> None:
        """The case's own settings (only CASE_SETTINGS), restored by finish() when the case ends."""
        if not isinstance(changes, dict) or not set(changes) <= set(CASE_SETTINGS) \
                or any(value not in CASE_SETTINGS[name] for name, value in changes.items()):
            raise CaseError(f"設定 {changes!r} は使えません（{CASE_SETTINGS}）")
        self._saved_settings = self.services.settings
        self.services.settings = dataclasses.replace(self.services.settings, **changes)

    def finish(self, context: dict[str, Any]) -> None:
        saved = self._saved_settings
        if saved is not None:
            self.services.settings, self._saved_settings = saved, None

    def _apply_setup(self, session: Session, name: Any, context: dict[str, Any]) -> None:
        if name not in SETUPS:
            raise CaseError(f"不明な準備 {name!r}（{', '.join(SETUPS)}）")
        SETUPS[name](session, self.services, context)

    def start(self, process_id: str, case: dict, context: dict[str, Any]) -> int:
        if "events" in case:
            started, outcome = None, "異動がありません"
            for change in case["events"]:
                started, outcome = self._change_and_process(change, context)
            if started is None:
                raise CaseError(f"最後の異動の通知で業務が始まりませんでした（{outcome}）")
            return started
        if "message" in case:
            with self.session_factory() as session:
                payload = message_payload(session, self.services, case["message"].get("event", {}),
                                          context["applicant"])
            return self.doors.start_by_message(case["message"]["name"], payload)
        return self.doors.start(process_id, COUNTER_ROLE, {"resident_id": context["applicant"]})

    def perform(self, step: str, data: dict, context: dict[str, Any]) -> None:
        if step == MAIL_STEP:
            days_ago = data.get("days_ago", self.services.settings.inquiry_min_wait_days)
            mail_letter(self.session_factory, self.services, context["instance_id"], days_ago)
            return
        if step == SETUP_STEP:
            with self.session_factory.begin() as session:
                self._apply_setup(session, data.get("name"), context)
            return
        if step == REGISTERED_ELSEWHERE_STEP:
            with self.session_factory.begin() as session:
                register_directly(session, self.services, context["applicant"])
            return
        if step != JUKI_STEP:
            raise CaseError(f"不明な手順 {step}（$timers、{JUKI_STEP}、{MAIL_STEP}、{SETUP_STEP}、{REGISTERED_ELSEWHERE_STEP}）")
        started, outcome = self._change_and_process(data, context)
        if started is None:
            raise CaseError(f"異動の通知で業務が始まりませんでした（{outcome}）")

    def resolve(self, value: Any, context: dict[str, Any]) -> Any:
        if not _has_placeholder(value):
            return value
        with self.session_factory.begin() as session:
            return fill(session, self.services, value, context,
                        lambda: self.doors.instance_data(context["instance_id"]))

    def check_records(self, data: dict, expect: dict, context: dict[str, Any]) -> None:
        if "history" not in expect:
            return
        registration_id = (data.get("registration") or data.get("event") or {}).get("registration_id")
        if registration_id is None:
            raise CaseError("登録が行われていません（履歴を確認できません）")
        wanted = self.resolve(expect["history"], context)  # e.g. "$guarantor"
        with self.session_factory() as session:
            entries = records.history_of(session, registration_id)
            for reason, values in wanted.items():
                entry = next((e for e in entries if e.reason == reason), None)
                if entry is None:
                    raise CaseError(f"履歴「{reason}」がありません（{[e.reason for e in entries]}）")
                after = json.loads(entry.after_json)
                for key, value in values.items():
                    if after.get(key) != value:
                        raise CaseError(f"履歴 {reason}.{key}={after.get(key)!r}（期待 {value!r}）")

    def _applicant(self, session: Session, case: dict) -> str:
        kind = case.get("applicant", "fresh")
        today = self.services.today()
        if kind == "fresh":
            return fresh_adults(session, today, self.used)[0]
        if kind == "registered":
            return self._registered(session).resident_id
        if kind == "household_member_registered":
            first, second = fresh_adults(session, today, self.used, count=2, alone=False)
            register_directly(session, self.services, first, seal_text=case.get("household_seal", "登録"))
            return second
        if kind.startswith("demo:"):
            if kind[5:] not in DEMO_RESIDENTS:
                raise CaseError(f"見本の住民 {kind[5:]!r} はいません（{', '.join(DEMO_RESIDENTS)}）")
            return DEMO_RESIDENTS[kind[5:]]
        return kind

    def _registered(self, session: Session):
        return register_directly(session, self.services, fresh_adults(session, self.services.today(), self.used)[0])

    def _change_and_process(self, change: dict, context: dict[str, Any]) -> tuple[int | None, str]:
        """Record a change of the applicant, deliver it, run the worker's round: the instance its last event
        started (None when it started none) and what the intake made of that event."""
        with self.session_factory.begin() as session:
            events = record_change(session, self.services, context["applicant"], change, context[RECORDED])
            deliver(session, events)
        context[RECORDED].extend(events)
        self.doors.process_events()
        if not events:
            return None, "異動がありません"
        with self.session_factory() as session:
            return started_by(session, events[-1].event_id)


def _has_placeholder(value: Any) -> bool:
    if isinstance(value, dict):
        return any(_has_placeholder(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_placeholder(v) for v in value)
    return isinstance(value, str) and value.startswith("$")
