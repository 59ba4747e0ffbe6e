"""A CDQ client over real HTTP against a gateway serving the cdq dialect.

The suite's own gateway serves it once the dialect is installed; until then (a worktree
whose entry point is not installed yet) a gateway of this folder's own mounts it beside
the installed ones, on the suite's Redis and workers.
"""
import threading
import time

import pytest
import requests
from werkzeug.serving import make_server

from adapters.cdq import dialect as cdq_dialect
from jobgate.kit import dialect as dialects
from jobgate.kit.app import create_app
from tests.conftest import TOKENS

FINAL = {"FINISHED", "FAILED", "CANCELED", "DIED"}
STORAGE = "72d6900fce6b326088f5d9d91049e3e6"


class Cdq:
    def __init__(self, base: str, token: str | None = None, header: str = "X-API-KEY"):
        self.base = f"{base}/cdq"
        self.http = requests.Session()
        if token:
            self.http.headers[header] = token if header == "X-API-KEY" else f"Bearer {token}"

    def call(self, method: str, path: str, **kwargs) -> requests.Response:
        return self.http.request(method, self.base + path, timeout=10, **kwargs)

    def ok(self, method: str, path: str, status: int = 200, **kwargs):
        response = self.call(method, path, **kwargs)
        assert response.status_code == status, response.text
        return response.json() if response.content else None

    def start(self, type_: str = "DATA_VALIDATION_JOB", **body) -> dict:
        return self.ok("POST", "/v2/jobs", json={"type": type_, **body})

    def wait(self, job_id: str, until=FINAL, timeout: float = 30) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            job = self.ok("GET", f"/v2/jobs/{job_id}")
            if job["jobStatus"] in until or time.monotonic() > deadline:
                return job
            time.sleep(0.05)


def fault(response: requests.Response, status: int, key: str) -> str:
    """The CDQ error document's message, after checking its status, shape and code."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"code", "technicalKey", "message"}, body
    assert body["technicalKey"] == key and str(body["code"]).startswith(str(status)) and len(str(body["code"])) == 8
    return body["message"]


@pytest.fixture(scope="session")
def cdq_gateway(gateway, settings):
    """(base URL, Flask app) of a gateway that serves cdq."""
    if "cdq" in gateway.app.extensions["jobgate.dialects"]:
        yield gateway.url, gateway.app
        return
    app = create_app(settings, dialects=[*dialects.load(), cdq_dialect])
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}", app
    server.shutdown()


@pytest.fixture(scope="session")
def cdq_base(cdq_gateway):
    return cdq_gateway[0]


@pytest.fixture
def cdq(cdq_base):
    return Cdq(cdq_base, TOKENS["alice"])


@pytest.fixture
def cdq_for(cdq_base):
    return lambda who, **kw: Cdq(cdq_base, TOKENS.get(who, who), **kw)
