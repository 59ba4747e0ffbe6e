"""An OCAPI client over real HTTP, as sfcc-ci and the B2C tooling talk to jobgate."""
import time

import pytest
import requests

from jobgate.testing.parts import TOKENS

DATA = "/s/-/dw/data/v19_5"
EXECUTING = {"RUNNING", "PENDING"}


class Ocapi:
    def __init__(self, base_url: str, token: str | None, data: str = DATA):
        self.base_url, self.data = base_url, data
        self.http = requests.Session()
        if token:
            self.http.headers["Authorization"] = f"Bearer {token}"

    def call(self, method: str, path: str, **kwargs) -> requests.Response:
        """`path` under the Data API base unless it starts with `//` (then from the server root)."""
        url = self.base_url + (path[1:] if path.startswith("//") else self.data + path)
        return self.http.request(method, url, timeout=10, **kwargs)

    def native(self, method: str, path: str) -> requests.Response:
        """jobgate's own API, for what OCAPI cannot do (cancel, restart) while arranging a test."""
        response = self.http.request(method, f"{self.base_url}/api/v1{path}", timeout=10)
        assert response.status_code < 400, response.text
        return response

    def run(self, job: str, parameters: list | None = None) -> dict:
        response = self.call("POST", f"/jobs/{job}/executions", json={"parameters": parameters or []})
        assert response.status_code == 200, response.text
        return response.json()

    def wait(self, job: str, execution_id: str, until: set | None = None, timeout: float = 30) -> dict:
        """Poll until `status` is in `until` (default: no longer RUNNING or PENDING)."""
        deadline = time.monotonic() + timeout
        while True:
            document = self.call("GET", f"/jobs/{job}/executions/{execution_id}").json()
            done = document["status"] in until if until else document["status"] not in EXECUTING
            if done or time.monotonic() > deadline:
                return document
            time.sleep(0.05)


@pytest.fixture
def ocapi(base_url):
    return Ocapi(base_url, TOKENS["alice"])


@pytest.fixture
def as_user(base_url):
    return lambda who, **options: Ocapi(base_url, TOKENS.get(who, who), **options)
