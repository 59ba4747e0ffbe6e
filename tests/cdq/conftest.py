"""A CDQ client over real HTTP against the suite's gateway (which serves every installed dialect)."""
import time

import pytest
import requests

from jobgate.testing.parts import TOKENS

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
def cdq_gateway(gateway):
    """(base URL, Flask app) of the gateway serving cdq."""
    return gateway.url, gateway.app


@pytest.fixture(scope="session")
def cdq_base(cdq_gateway):
    return cdq_gateway[0]


@pytest.fixture
def cdq(cdq_base):
    return Cdq(cdq_base, TOKENS["alice"])


@pytest.fixture
def cdq_for(cdq_base):
    return lambda who, **kw: Cdq(cdq_base, TOKENS.get(who, who), **kw)
