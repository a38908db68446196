"""`inkan serve`: gunicorn (threads) in the foreground, with the background worker in the same process."""

from __future__ import annotations

from flask import Flask
from gunicorn.app.base import BaseApplication

from engine.runtime.worker import start_worker_thread


class _Gunicorn(BaseApplication):
    def __init__(self, app: Flask, options: dict):
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        return self.application


def serve(app: Flask, *, host: str, port: int, threads: int) -> None:
    """Serve until stopped; one process, several threads, plus the worker thread when configured."""
    from webui.demo import print_demo_banner

    print_demo_banner(app, f"http://{host}:{port}/")
    runner = app.extensions["inkan"].runner

    def post_fork(_server, _worker):
        # connections opened before the fork belong to the master; the worker opens its own
        runner.session_factory.kw["bind"].dispose(close=False)

    def post_worker_init(_worker):
        warm_web_process(app)
        if app.config["IN_PROCESS_WORKER"]:
            start_worker_thread(runner, float(app.config["WORKER_INTERVAL_SECONDS"]),
                                rounds=(app.extensions["inkan"].linkage_round,
                                        app.extensions["inkan"].process_resident_events))

    def worker_exit(_server, _worker):
        stop_web_process(app)

    # no gunicorn access log: it writes raw paths and query strings (personal data); webui/request_log.py
    # writes one JSON line per request instead
    options = {"post_fork": post_fork, "post_worker_init": post_worker_init,
               "worker_exit": worker_exit, "bind": f"{host}:{port}", "workers": 1,
               "threads": threads, "worker_class": "gthread", "timeout": 120, "accesslog": None, "errorlog": "-",
               "loglevel": "info"}
    _Gunicorn(app, options).run()


def warm_web_process(app: Flask) -> None:
    """A web process's start (after gunicorn's fork): its imaging pool started and everything warmed in the
    background (webui/warmup.py), not only at its first request."""
    if app.config["WARM_UP"]:
        from webui.warmup import start_warm_up

        start_warm_up(app.extensions["inkan"].services.imaging_pool)


def stop_web_process(app: Flask) -> None:
    """A web process's end: its imaging pool's processes end with it."""
    app.extensions["inkan"].services.imaging_pool.shutdown()
