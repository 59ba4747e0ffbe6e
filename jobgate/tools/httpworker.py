"""The gunicorn worker jobgate is served with (jobgate/tools/gunicorn_conf.py: `jobgate serve`,
the Procfile): gunicorn's gevent worker, every connection on a greenlet of its own, whose
waits on a client while it serves its request (reading the body, writing the answer) end
after the client timeout; and which answers what gunicorn refuses before the app sees it
(a request line or headers over its limits, a malformed Content-Length or Transfer-Encoding)
with a fault document instead of gunicorn's HTML page.

gunicorn still decides (status, log lines, access log); the document comes from the app,
through its one fault handler (kit.inputs.REFUSED): in the dialect's format when gunicorn
had read the request's path, in jobgate's own JSON when it had not (a request line too
long, headers too large). An app that cannot take such a request keeps gunicorn's page.
"""
from __future__ import annotations

import contextlib

from gunicorn import util
from gunicorn.workers.ggevent import GeventWorker
from werkzeug.exceptions import HTTPException, InternalServerError, default_exceptions
from werkzeug.test import EnvironBuilder, run_wsgi_app

from jobgate.kit.inputs import REFUSED
from jobgate.settings import Settings


class Worker(GeventWorker):
    def init_process(self):
        self.client_timeout = Settings.from_env().client_timeout
        super().init_process()

    def handle_request(self, listener_name, req, sock, addr):
        sock.settimeout(self.client_timeout)
        try:
            return super().handle_request(listener_name, req, sock, addr)
        except TimeoutError:
            self.log.info("closed the connection of %s: silent for %s s", addr, self.client_timeout)
            raise StopIteration() from None
        finally:
            # Between requests gunicorn's keepalive bounds the wait, quietly (also for the rest
            # of a body the app did not read, which gunicorn reads and drops before the next).
            with contextlib.suppress(OSError):
                sock.settimeout(None)

    def handle_error(self, req, client, addr, exc):
        page = _Page()
        super().handle_error(req, page, addr, exc)
        path = getattr(req or getattr(exc, "req", None), "path", None)
        try:
            answer = _answer(self.wsgi, page.status(), exc, path) if REFUSED in getattr(self.wsgi, "extensions", ()) \
                else page.data
        except Exception:                       # noqa: BLE001  never worse than gunicorn's own page
            self.log.exception("could not answer a refused request as a fault")
            answer = page.data
        try:
            util.write_nonblock(client, answer)
        except OSError:
            self.log.debug("Failed to send error message.")


class _Page:
    """Stands in for the client's socket while gunicorn writes its page, keeping it."""

    def __init__(self):
        self.data = b""

    def gettimeout(self) -> float:
        return 0.0

    def sendall(self, data: bytes) -> None:
        self.data += data

    def status(self) -> int:
        return int(self.data.split(b" ", 2)[1])


def _answer(app, status: int, exc: Exception, path: str | None) -> bytes:
    """The app's fault for a request gunicorn refused with `status`, as the bytes of an HTTP response."""
    kind = default_exceptions.get(status, HTTPException)
    refused = kind(description=str(exc)) if status != 500 else InternalServerError()
    refused.code = status
    environ = EnvironBuilder(path=path or "/").get_environ()
    environ[REFUSED] = refused
    body, status_line, headers = run_wsgi_app(app, environ)
    head = [f"HTTP/1.1 {status_line}"] + [f"{k}: {v}" for k, v in headers if k.lower() != "connection"]
    return "\r\n".join([*head, "Connection: close", "", ""]).encode("latin-1") + b"".join(body)
