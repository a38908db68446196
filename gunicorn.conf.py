"""gunicorn reads this file from the working directory: web processes started as docs/operations.md says
(`gunicorn … 'webui:create_app()'`) warm up at their start and stop their imaging pool at their end, as
`inkan serve`'s do (webui/server.py)."""


def post_worker_init(worker) -> None:
    from webui.server import warm_web_process

    warm_web_process(worker.wsgi)


def worker_exit(_server, worker) -> None:
    if getattr(worker, "wsgi", None) is not None:
        from webui.server import stop_web_process

        stop_web_process(worker.wsgi)
