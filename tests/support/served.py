"""A WSGI app served on 127.0.0.1 in a thread, as a neighbour (the register) would be reached over HTTP."""

from __future__ import annotations

import threading

from werkzeug.serving import make_server


class Served:
    """A WSGI app on 127.0.0.1 in a thread; ``url`` is its base URL."""

    def __init__(self, app) -> None:
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
