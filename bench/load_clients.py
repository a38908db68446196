"""Clerks at the API: each client drives whole 4.1.2 registrations (start, every task with its form data, the
scan uploaded to /api/v1/blobs, until the number exists) and 6.1 certificates, as a counter and a back-office
clerk would. A connection cut by kill -9 is survived the way a clerk would: read the case again and go on."""

from __future__ import annotations

import itertools
import random
import struct
import threading
import time
import zlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import httpx

COUNTER, BACK = "窓口", "バックヤード"
ATTEMPTS = 8
REGISTRATION_ANSWERS = {"received_items": ["application", "seal", "id_document"], "applicant": "self",
                        "identity_path": "photo_id", "photo_id_kind": "driving_licence",
                        "impression_decision": "accept", "impression_name": "full_name",
                        "card_kind": "registration_card", "handed_over": True}
CERTIFICATE_ANSWERS = {"applicant": "proxy", "card_kind": "registration_card", "copies": 1, "fee_decision": "paid",
                       "handed_over": True}


_scan_serials = itertools.count(1)


def scanned(seal: bytes, same_bytes: bool) -> bytes:
    """One scan of a seal as the scanner delivers it: its own bytes every time (a serial in a PNG tEXt chunk before
    IEND, the image untouched), or (same_bytes) the very same file every time, as a repeated upload would be."""
    if same_bytes:
        return seal
    text = b"Comment\x00scan " + str(next(_scan_serials)).encode()
    chunk = struct.pack(">I", len(text)) + b"tEXt" + text + struct.pack(">I", zlib.crc32(b"tEXt" + text))
    return seal[:-12] + chunk + seal[-12:]


@dataclass
class Stats:
    """Everything the clients saw, shared by all client threads."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: Counter = field(default_factory=Counter)
    transport_errors: Counter = field(default_factory=Counter)
    server_errors: list[dict] = field(default_factory=list)
    outcomes: Counter = field(default_factory=Counter)
    registrations: list[dict] = field(default_factory=list)  # what clients saw completed
    certificates: list[dict] = field(default_factory=list)
    oddities: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answered(self, kind: str, status: int, ms: float, body: str) -> None:
        with self.lock:
            self.latencies[kind].append(ms)
            self.statuses[status] += 1
            if status >= 500:
                self.server_errors.append({"kind": kind, "status": status, "body": body[:300]})

    def failed(self, kind: str) -> None:
        with self.lock:
            self.transport_errors[kind] += 1

    def note(self, outcome: str, detail: str | None = None) -> None:
        with self.lock:
            self.outcomes[outcome] += 1
            if detail and len(self.oddities) < 50:
                self.oddities.append(detail)


@dataclass
class People:
    """Residents nobody has registered yet (handed out once) and the people registered so far (for 6.1)."""

    unregistered: list[tuple[str, int]]  # (resident id, position in the household)
    registered: list[tuple[str, str]] = field(default_factory=list)  # (resident id, number)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take_unregistered(self) -> tuple[str, int] | None:
        with self.lock:
            return self.unregistered.pop() if self.unregistered else None

    def add_registered(self, resident_id: str, number: str) -> None:
        with self.lock:
            self.registered.append((resident_id, number))

    def any_registered(self) -> tuple[str, str] | None:
        with self.lock:
            return random.choice(self.registered) if self.registered else None


@dataclass
class Clerk:
    """One client: a counter clerk's token and a back-office clerk's token, used from one thread."""

    base_url: str
    tokens: dict[str, str]  # lane → bearer token
    people: People
    scans: list[bytes]  # one seal per household position: members of a household never share a seal
    stats: Stats
    stop_starting: float  # monotonic time after which no new flow starts
    give_up: float  # monotonic time after which a flow in progress is abandoned
    same_scans: bool = False  # every registration of a household position uploads byte-identical scans

    def run(self) -> None:
        with httpx.Client(base_url=f"{self.base_url}/api/v1", timeout=120) as self.http:
            flows = 0
            while time.monotonic() < self.stop_starting:
                flows += 1
                person = self.people.any_registered() if flows % 3 == 2 else None  # 2nd, 5th, 8th …: 6.1
                if person:
                    self.certificate(*person)
                else:
                    self.registration()

    # ---- flows ----------------------------------------------------------------------------------------------
    def registration(self) -> None:
        taken = self.people.take_unregistered()
        if taken is None:
            self.stats.note("no_resident_left")
            time.sleep(1)
            return
        resident_id, position = taken
        answers = REGISTRATION_ANSWERS | {"resident_id": resident_id}
        scan = scanned(self.scans[position % len(self.scans)], self.same_scans)
        detail = self.flow("sokuji_touroku", resident_id, answers, scan=scan)
        if detail is None:
            return
        number = (detail.get("data", {}).get("registration") or {}).get("registration_number")
        if detail["end_event"] == "end_registered" and number:
            self.stats.note("registered")
            with self.stats.lock:
                self.stats.registrations.append({"instance_id": detail["id"], "resident_id": resident_id,
                                                 "number": number})
            self.people.add_registered(resident_id, number)
            self.call("GET /registrations/{number}", "GET", f"/registrations/{number}", COUNTER)
        else:
            self.stats.note(f"registration_{detail['end_event']}", f"4.1.2 {detail['id']} ended {detail['end_event']}")

    def certificate(self, resident_id: str, number: str) -> None:
        answers = CERTIFICATE_ANSWERS | {"resident_id": resident_id, "card_number": number}
        detail = self.flow("shomeisho_kofu", resident_id, answers)
        if detail is None:
            return
        if detail["end_event"] == "end_issued":
            self.stats.note("certificate_issued")
            with self.stats.lock:
                self.stats.certificates.append({"instance_id": detail["id"], "number": number})
        else:
            self.stats.note(f"certificate_{detail['end_event']}", f"6.1 {detail['id']} ended {detail['end_event']}")

    def flow(self, process_id: str, resident_id: str, answers: dict, scan: bytes | None = None) -> dict | None:
        """Start the flow and work every task until it ends; the instance's final detail, or None (noted)."""
        self.call("GET /inbox", "GET", "/inbox", COUNTER, params={"lane": COUNTER, "per_page": 50})
        started = self.call("POST /instances", "POST", "/instances", COUNTER, idempotent=False,
                            json={"process_id": process_id, "data": {"resident_id": resident_id}})
        if started is None or started.status_code != 201:
            self.stats.note("start_failed", f"{process_id} start: {_said(started)}")
            return None
        instance_id, task_id = started.json()["instance_id"], started.json()["next_task_id"]
        while time.monotonic() < self.give_up:
            if task_id is None:
                detail = self.read_instance(instance_id)
                if detail is None:
                    continue
                if detail["status"] != "running":
                    return self.ended(detail)
                task_id, lane = _open_task(detail)
                if task_id is None:
                    time.sleep(0.2)
                    continue
            else:
                lane = None
            task_id = self.work(task_id, lane, answers, scan)
        self.stats.note("abandoned", f"{process_id} {instance_id} still running when the clients stopped")
        return None

    def ended(self, detail: dict) -> dict | None:
        if detail["status"] == "completed":
            return detail
        incidents = [i["message"] for i in detail["incidents"] if not i["resolved_at"]]
        self.stats.note(f"instance_{detail['status']}", f"{detail['process_id']} {detail['id']}: {incidents}")
        return None

    def work(self, task_id: int, lane: str | None, answers: dict, scan: bytes | None) -> int | None:
        """Claim, read and complete one task; the next task of the same clerk, or None (find it on the case)."""
        lanes = [lane] if lane else [COUNTER, BACK]
        task = None
        for lane in lanes:  # the counter's next task may belong to the back office: the form read tells
            task = self.call("GET /tasks/{id}", "GET", f"/tasks/{task_id}", lane)
            if task is not None and task.status_code == 200:
                break
        if task is None or task.status_code != 200 or not task.json()["is_open"]:
            return None
        lane = task.json()["lane"]
        claimed = self.call("POST /tasks/{id}/claim", "POST", f"/tasks/{task_id}/claim", lane, idempotent=False)
        if claimed is None or claimed.status_code != 200:
            return None
        data = self.form_data(task.json()["form"]["schema"], answers, scan, lane)
        if data is None:
            return None
        done = self.call("POST /tasks/{id}/complete", "POST", f"/tasks/{task_id}/complete", lane, idempotent=False,
                         json={"data": data})
        if done is None or done.status_code != 200:
            if done is not None and done.status_code not in (409,):
                self.stats.note("complete_refused", f"task {task_id}: {_said(done)}")
            return None
        return done.json()["next_task_id"]

    def form_data(self, schema: dict, answers: dict, scan: bytes | None, lane: str) -> dict | None:
        """Fill the form from the flow's answers; the scan is uploaded when the form asks for it."""
        if "scan_blob_id" in schema.get("properties", {}):
            uploaded = self.call("POST /blobs", "POST", "/blobs", lane,
                                 files={"file": ("scan.png", scan, "image/png")})
            if uploaded is None or uploaded.status_code != 201:
                self.stats.note("upload_failed", f"scan upload: {_said(uploaded)}")
                return None
            answers = answers | {"scan_blob_id": uploaded.json()["sha256"]}
        if not set(schema.get("required", [])) <= set(answers):
            self.stats.note("unexpected_form", f"{schema.get('title')}: no answer for {schema.get('required')}")
            return None
        return {key: value for key, value in answers.items() if key in schema.get("properties", {})}

    def read_instance(self, instance_id: int) -> dict | None:
        response = self.call("GET /instances/{id}", "GET", f"/instances/{instance_id}", COUNTER)
        return response.json() if response is not None and response.status_code == 200 else None

    # ---- HTTP ---------------------------------------------------------------------------------------------------
    def call(self, kind: str, method: str, path: str, lane: str, *, idempotent: bool = True,
             **kwargs) -> httpx.Response | None:
        """One request, timed; a cut connection is retried when repeating it is harmless (uploads and reads),
        otherwise None: the caller reads the case again."""
        headers = {"Authorization": f"Bearer {self.tokens[lane]}"}
        for attempt in range(ATTEMPTS):
            began = time.perf_counter()
            try:
                response = self.http.request(method, path, headers=headers, **kwargs)
            except httpx.TransportError:
                self.stats.failed(kind)
                if not idempotent:
                    return None
                time.sleep(min(0.25 * 2 ** attempt, 5))
                continue
            self.stats.answered(kind, response.status_code, (time.perf_counter() - began) * 1000,
                                _said(response) if response.status_code >= 500 else "")
            return response
        return None


def _open_task(detail: dict) -> tuple[int | None, str | None]:
    open_tasks = [t for t in detail["tasks"] if t["is_open"]]
    return (open_tasks[0]["task_id"], open_tasks[0]["lane"]) if open_tasks else (None, None)


def _said(response: httpx.Response | None) -> str:
    if response is None:
        return "connection lost"
    try:
        body = response.json()
        return f"{response.status_code} {body.get('error')} {body.get('message')}"
    except ValueError:
        return f"{response.status_code}"
