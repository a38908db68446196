"""Issue 15 point 10: the 4.1.5.1 scan measured through the imaging pool (INKAN_IMAGING_WORKERS) gives what the
request thread gives; a killed pool process costs the clerk nothing, and a pool that cannot work leaves the case
whole (an incident the administrator retries, or a 503 on the scan page) with nothing half written."""

from __future__ import annotations

import io
import multiprocessing
import os
import signal
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor

import pytest

import imaging
from engine.actor import Actor
from engine.evidence.audit import events_of_instance
from engine.models import Incident
from engine.runtime.queries import instance_detail, open_tasks_of_instance
from handlers import imaging_pool
from handlers.imaging_pool import ImagingPool, Limits, read_scan
from registry.blobs.store import put_blob
from tests.support.flow import BACK

ADMIN = Actor("admin", "admin")
SEAL = dict(size_mm=15.0, dpi=600)


class DyingPool(ImagingPool):
    """A pool whose every process dies as it starts (out of memory, killed by the operator …)."""

    def _start(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(self.size, mp_context=multiprocessing.get_context("forkserver"),
                                   initializer=os._exit, initargs=(3,))


def _installed(product, monkeypatch, pool_class: type[ImagingPool]) -> Iterator[ImagingPool]:
    pool = pool_class(1, Limits.of(product.services.settings))
    monkeypatch.setattr(product.services, "imaging_pool", pool)
    yield pool
    pool.shutdown()


@pytest.fixture
def pooled(product, monkeypatch) -> Iterator[ImagingPool]:
    """The product's impression work in a pool of one process for this test."""
    yield from _installed(product, monkeypatch, ImagingPool)


@pytest.fixture
def dying(product, monkeypatch) -> Iterator[ImagingPool]:
    """The product's impression work in a pool whose process dies as it starts."""
    yield from _installed(product, monkeypatch, DyingPool)


def scan_step(driver, text: str) -> tuple[int, str, bytes]:
    """A 4.1.2 at its scan task; (instance id, the stored scan's hash, the scan)."""
    outcome = driver.to_scan(driver.fresh_resident())
    data = imaging.make_seal_scan(text, **SEAL)
    with driver.product.session_factory.begin() as session:
        return outcome.instance_id, put_blob(session, data, "image/png"), data


def complete_scan(driver, instance_id: int, sha: str):
    return driver.runner.complete(driver.open_task(instance_id), BACK, {"scan_blob_id": sha})


def measured(product, instance_id: int) -> dict:
    with product.session_factory() as session:
        return instance_detail(session, product.specs, instance_id).data.get("impression") or {}


def open_steps(product, instance_id: int) -> list[str]:
    with product.session_factory() as session:
        return [task.spec_name for task in open_tasks_of_instance(session, instance_id)]


def test_a_scan_measured_through_the_pool_is_the_scan_measured_in_the_request_thread(product, driver, pooled):
    instance_id, sha, data = scan_step(driver, "池田")
    outcome = complete_scan(driver, instance_id, sha)
    assert outcome.incident_id is None and open_steps(product, instance_id) == ["task_review"]
    here = read_scan(data, None, Limits.of(product.services.settings))
    impression = measured(product, instance_id)
    assert impression["acceptable"] and impression["square_mm"] == imaging.measurement_to_dict(
        here.measurement)["square_mm"] and impression["dpi"] == here.dpi == 600
    assert here.normalized is not None and impression["mm_per_px"] == here.normalized.mm_per_px


def test_a_killed_pool_process_is_replaced_and_the_scan_step_completes(product, driver, pooled):
    (pid,) = pooled.warm()
    os.kill(pid, signal.SIGKILL)
    instance_id, sha, _ = scan_step(driver, "池内")
    outcome = complete_scan(driver, instance_id, sha)
    assert outcome.incident_id is None and open_steps(product, instance_id) == ["task_review"]
    assert measured(product, instance_id)["acceptable"]
    assert pooled.warm() != [pid]


def test_a_pool_that_cannot_work_leaves_an_incident_that_a_retry_resolves(product, driver, dying, monkeypatch):
    instance_id, sha, _ = scan_step(driver, "池上")
    outcome = complete_scan(driver, instance_id, sha)
    assert outcome.incident_id is not None and open_steps(product, instance_id) == []
    with product.session_factory() as session:
        incident = session.get_one(Incident, outcome.incident_id)
        assert incident.error_code == "imaging_unavailable" and "印影の処理" in incident.message
    assert measured(product, instance_id) == {}, "nothing of the failed measurement was kept"

    monkeypatch.setattr(product.services, "imaging_pool", ImagingPool(0))
    product.runner.retry(outcome.incident_id, ADMIN)
    assert open_steps(product, instance_id) == ["task_review"] and measured(product, instance_id)["acceptable"]


def test_the_scan_page_answers_503_and_records_nothing_when_the_pool_cannot_work(product, driver, login, dying):
    instance_id, _, data = scan_step(driver, "池野")
    task_id = driver.open_task(instance_id)
    response = login("backyard").post(f"/tasks/{task_id}/scan", content_type="multipart/form-data",
                                      data={"scan_field": "scan_blob_id", "scan_dpi": "",
                                            "scan_blob_id__file": (io.BytesIO(data), "scan.png", "image/png")})
    assert response.status_code == 503 and "印影の処理" in response.get_data(as_text=True)
    with product.session_factory() as session:
        assert [e for e in events_of_instance(session, instance_id) if e.kind == "scan_read"] == []


@pytest.mark.parametrize("dpi", [None, 600])
def test_the_api_reads_the_scan_before_the_completion_and_the_measurement_uses_that_reading(
        product, driver, client, api_token, monkeypatch, dpi):
    """The reading is done outside the completion's transaction (which holds the audit chain lock every other
    clerk's write waits for); inside it, 4.1.5.1 finds it read."""
    instance_id, sha, _ = scan_step(driver, "池袋")
    task_id = driver.open_task(instance_id)
    monkeypatch.setattr(product.services, "imaging_pool", ImagingPool(0, Limits.of(product.services.settings)))
    reads = []
    real = imaging_pool.read_scan
    monkeypatch.setattr(imaging_pool, "read_scan", lambda *args, **kwargs: reads.append(args[1]) or real(*args, **kwargs))
    complete = product.runner.complete
    monkeypatch.setattr(product.runner, "complete", lambda *args, **kwargs: reads.append("complete") or complete(
        *args, **kwargs))
    assert client.post(f"/api/v1/tasks/{task_id}/claim", headers=api_token("backyard")).status_code == 200
    answer = client.post(f"/api/v1/tasks/{task_id}/complete", headers=api_token("backyard"),
                         json={"data": {"scan_blob_id": sha} | ({"scan_dpi": dpi} if dpi else {})})
    assert answer.status_code == 200 and open_steps(product, instance_id) == ["task_review"]
    assert reads == [dpi, "complete"] and measured(product, instance_id)["dpi"] == 600
