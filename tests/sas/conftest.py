"""A SAS-speaking HTTP client for the tests: Bearer token, SAS media types, paths under the gateway."""
import json
import time

import pytest
import requests

from jobgate.settings import Settings
from jobgate.testing.parts import TOKENS, Gateway

JOB = "application/vnd.sas.job.execution.job+json"
JOB_REQUEST = "application/vnd.sas.job.execution.job.request+json"
ENDED = {"completed", "failed", "canceled", "timedOut"}


class Sas:
    def __init__(self, base: str, token: str | None):
        self.base = base
        self.http = requests.Session()
        if token:
            self.http.headers["Authorization"] = f"Bearer {token}"

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        return self.http.request(method, self.base + path, timeout=10, **kwargs)

    def __getattr__(self, method):
        return lambda path, **kwargs: self.request(method.upper(), path, **kwargs)

    def definition_uri(self, job: str) -> str:
        found = self.get("/jobDefinitions/definitions", params={"filter": f"eq(name,'{job}')"}).json()["items"]
        assert len(found) == 1, found
        return f"/jobDefinitions/definitions/{found[0]['id']}"

    def submit(self, job: str, arguments: dict | None = None, **request) -> dict:
        body = {"jobDefinitionUri": self.definition_uri(job), "arguments": arguments or {}, **request}
        response = self.post("/jobExecution/jobs", json=body, headers={"Content-Type": JOB_REQUEST, "Accept": JOB})
        assert response.status_code == 201, response.text
        return response.json()

    def wait(self, job_id: str, until=ENDED, timeout: float = 30) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            job = self.get(f"/jobExecution/jobs/{job_id}").json()
            if job["state"] in until or time.monotonic() > deadline:
                return job
            time.sleep(0.1)


@pytest.fixture
def sas(base_url):
    return Sas(base_url, TOKENS["alice"])


@pytest.fixture
def as_user(base_url):
    return lambda who, token=None: Sas(base_url, token if token is not None else TOKENS.get(who))


#: SAS definition type -> step, as an operator would configure JOBGATE_SAS_JOB_TYPES
JOB_TYPES = {"Compute": {"type": "python", "params": {"callable": "jobgate.testing.jobs:count"}}}


@pytest.fixture(scope="session")
def typed_base(gateway_env, workers):
    """A gateway whose SAS dialect serves the Compute definition type, beside the suite's own one."""
    server = Gateway(Settings.from_env({**gateway_env, "JOBGATE_SAS_JOB_TYPES": json.dumps(JOB_TYPES)}))
    yield server.url
    server.close()
