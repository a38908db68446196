"""The system under load: its own PostgreSQL database, `inkan init`, N gunicorn processes and M `inkan worker`s,
and a supervisor that restarts dead workers and, when asked, kill -9s a random web or worker process."""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

REPO = Path(__file__).resolve().parent.parent
PG_ADMIN = os.environ.get("INKAN_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
PASSWORD = "load-test-password-2026"
TRACEBACK = "Traceback (most recent call last):"


def create_database() -> str:
    name = f"inkan_load_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"


def drop_database(url: str) -> None:
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)'))
    admin.dispose()


def initialise(url: str, secret: str, instance: Path, users: list[tuple[str, str]]) -> dict[str, str]:
    """`inkan init` (demo population, office seal, two registrations) and `inkan users add|token` for each
    (name, role); returns name → bearer token. Runs the commands in-process with a temporary instance folder."""
    from webui import create_app

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": secret, "IN_PROCESS_WORKER": False, "REQUEST_LOG": False})
    app.instance_path = str(instance)
    runner = app.test_cli_runner()
    _invoke(runner, "init")
    tokens = {}
    for name, role in users:
        _invoke(runner, "users", "add", name, "--role", role, "--password", PASSWORD)
        tokens[name] = _invoke(runner, "users", "token", name).strip()
    app.extensions["inkan"].session_factory.kw["bind"].dispose()
    return tokens


def _invoke(runner, *args: str) -> str:
    result = runner.invoke(args=list(args))
    if result.exit_code != 0:
        raise RuntimeError(f"inkan {' '.join(args)} failed: {result.output}")
    return result.output


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Cluster:
    """gunicorn (-w web) and `workers` × `inkan worker` on one database; logs in `folder`."""

    url: str
    secret: str
    folder: Path
    web: int = 2
    threads: int = 8
    workers: int = 2
    port: int = field(default_factory=free_port)
    master: subprocess.Popen | None = None
    worker_processes: list[subprocess.Popen] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def env(self) -> dict[str, str]:
        return os.environ | {"INKAN_DATABASE_URL": self.url, "INKAN_SECRET_KEY": self.secret,
                             "INKAN_IN_PROCESS_WORKER": "false", "INKAN_WORKER_INTERVAL_SECONDS": "2",
                             "PYTHONUNBUFFERED": "1"}

    def start(self) -> None:
        command = [sys.executable, "-m", "gunicorn", "-w", str(self.web), "-k", "gthread", "--threads",
                   str(self.threads), "-b", f"127.0.0.1:{self.port}", "--timeout", "120", "--graceful-timeout", "10",
                   "--no-control-socket", "webui:create_app()"]  # no control socket: others run gunicorn here too
        self.master = subprocess.Popen(command, cwd=REPO, env=self.env, stdout=self._log("web.log"),
                                       stderr=subprocess.STDOUT)
        self.worker_processes = [self._start_worker(n) for n in range(self.workers)]
        self._wait_until_ready()

    def _start_worker(self, n: int) -> subprocess.Popen:
        inkan = Path(sys.executable).with_name("inkan")
        return subprocess.Popen([str(inkan), "worker", "--interval", "2"], cwd=REPO, env=self.env,
                                stdout=self._log(f"worker-{n}.log"), stderr=subprocess.STDOUT)

    def _log(self, name: str):
        return (self.folder / name).open("ab")

    def _wait_until_ready(self, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.master.poll() is not None:
                raise RuntimeError(f"gunicorn exited: see {self.folder / 'web.log'}")
            try:
                if httpx.get(f"{self.base_url}/login", timeout=5).status_code == 200 and \
                        len(self.web_pids()) == self.web:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.5)
        raise RuntimeError("gunicorn did not answer in time")

    def web_pids(self) -> list[int]:
        """The gunicorn worker processes (children of the master)."""
        try:
            children = Path(f"/proc/{self.master.pid}/task/{self.master.pid}/children").read_text()
        except OSError:
            return []
        return [int(pid) for pid in children.split()]

    def restart_dead_workers(self) -> int:
        restarted = 0
        for n, process in enumerate(self.worker_processes):
            if process.poll() is not None:
                self.worker_processes[n] = self._start_worker(n)
                restarted += 1
        return restarted

    def stop(self) -> None:
        processes = [p for p in (self.master, *self.worker_processes) if p is not None]
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def request_lines(self) -> list[dict]:
        """The JSON request lines the web processes wrote (webui/request_log.py)."""
        lines = []
        for raw in (self.folder / "web.log").read_text(encoding="utf-8", errors="replace").splitlines():
            if raw.startswith("{") and '"request_id"' in raw:
                try:
                    lines.append(json.loads(raw))
                except ValueError:
                    continue  # a line cut by kill -9
        return lines

    def tracebacks(self) -> dict[str, list[str]]:
        """Log name → the exception line of each traceback in it (what went wrong, in the tool's words)."""
        found = {}
        for log in sorted(self.folder.glob("*.log")):
            chunks = log.read_text(encoding="utf-8", errors="replace").split(TRACEBACK)[1:]
            found[log.name] = [next((line for line in chunk.splitlines()[1:] if line and not line[0].isspace()),
                                    "?")[:300] for chunk in chunks]
        return found


class Background:
    """A thread running `_run` from the start of a `with` block to its end (`_stop` is set at the end)."""

    def __enter__(self):
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=type(self).__name__, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        raise NotImplementedError


@dataclass
class Supervisor(Background):
    """Every half second restart dead `inkan worker`s; every `kill_every` seconds kill -9 a random web or worker
    process (gunicorn's master forks a new web process itself)."""

    cluster: Cluster
    kill_every: float | None
    kills: list[dict] = field(default_factory=list)
    restarts: int = 0

    def _run(self) -> None:
        started = time.monotonic()
        next_kill = started + self.kill_every if self.kill_every else None
        while not self._stop.wait(0.5):
            self.restarts += self.cluster.restart_dead_workers()
            if next_kill is not None and time.monotonic() >= next_kill:
                self._kill_one(time.monotonic() - started)
                next_kill += self.kill_every

    def _kill_one(self, at: float) -> None:
        victims = [("web", pid) for pid in self.cluster.web_pids()]
        victims += [("worker", p.pid) for p in self.cluster.worker_processes if p.poll() is None]
        if not victims:
            return
        kind, pid = random.choice(victims)
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            return
        self.kills.append({"at_s": round(at, 1), "kind": kind, "pid": pid})
