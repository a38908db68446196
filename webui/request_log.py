"""One JSON line per request on the `inkan.request` logger (stderr): who asked for which route, the answer, the time.

The line names the URL rule (`/residents/<resident_id>`), never the raw path, the query string or the body: those
carry personal data. A request id links the line to the client's report: a sane incoming `X-Request-Id` is kept,
otherwise one is made; either way it is echoed in the response header.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime

from flask import Flask, current_app, g, request
from werkzeug.wrappers import Response

from engine.database import tally_statements

__all__ = ["HEADER", "LOGGER", "register_request_log"]

LOGGER = "inkan.request"
HEADER = "X-Request-Id"
SANE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")

log = logging.getLogger(LOGGER)


def register_request_log(app: Flask) -> None:
    """Stamp every request with an id and log it when answered (INKAN_REQUEST_LOG=false: id only, no line)."""
    if app.config.get("REQUEST_LOG", True):
        _log_to_stderr()
    app.before_request(_start)
    app.after_request(_finish)


def _log_to_stderr() -> None:
    """Plain JSON lines on stderr, once per process, not repeated by the root logger."""
    if not any(getattr(handler, "inkan_request_log", False) for handler in log.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        handler.inkan_request_log = True
        log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False


def _start() -> None:
    g.request_started, g.request_cpu_started = time.perf_counter(), time.thread_time()
    g.request_statements = tally_statements()
    incoming = request.headers.get(HEADER, "")
    g.request_id = incoming if SANE_ID.fullmatch(incoming) else uuid.uuid4().hex


def _finish(response: Response) -> Response:
    request_id = g.get("request_id") or uuid.uuid4().hex  # a request refused before _start ran
    response.headers[HEADER] = request_id
    if current_app.config.get("REQUEST_LOG", True):
        log.info(json.dumps(request_line(request_id, response.status_code), ensure_ascii=False))
    return response


def request_line(request_id: str, status: int) -> dict:
    """The fields of one request's line (no path, query string or body: they may name a person).

    Besides the duration: the request thread's own CPU time and its SQL statements' count and time. What is left
    of the duration was spent waiting (for the GIL held by other threads, a lock, the imaging pool)."""
    started, cpu_started, statements = g.get("request_started"), g.get("request_cpu_started"), \
        g.get("request_statements")
    user, role = _who()
    return {"time": datetime.now(UTC).isoformat(timespec="milliseconds"), "request_id": request_id,
            "user": user, "role": role, "method": request.method,
            "route": request.url_rule.rule if request.url_rule is not None else None, "status": status,
            "duration_ms": _ms(time.perf_counter() - started) if started else None,
            "cpu_ms": _ms(time.thread_time() - cpu_started) if cpu_started is not None else None,
            "sql_statements": statements.count if statements else None,
            "sql_ms": _ms(statements.seconds) if statements else None}


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def _who() -> tuple[str | None, str | None]:
    """The API caller or the signed-in clerk, as far as this request already knows them (never a new lookup)."""
    actor = g.get("actor")
    if actor is not None:
        return actor.username, actor.role
    user = g.get("_login_user")  # Flask-Login's cache: loaded only if the request needed the user
    if user is not None and getattr(user, "is_authenticated", False):
        return user.username, user.role
    return None, None
