"""A Datameer client over real HTTP, as curl, the Ruby gem and the Nagios plugins talk to jobgate."""
import time
from urllib.parse import quote

import pytest
import requests

from jobgate.model import Principal

ACCOUNTS = {"alice": ("alice", "s3cret"), "bob": ("bob", "test"), "carol": ("carol", "carol-pw")}
FINAL = {"COMPLETED", "COMPLETED_WITH_Warnings", "ERROR", "CANCELED"}


class Datameer:
    def __init__(self, base_url: str, auth: tuple[str, str] | None):
        self.base_url = base_url
        self.http = requests.Session()
        self.http.auth = auth

    def call(self, method: str, path: str, **kwargs) -> requests.Response:
        return self.http.request(method, self.base_url + path, timeout=10, allow_redirects=False, **kwargs)

    def ok(self, method: str, path: str, **kwargs):
        response = self.call(method, path, **kwargs)
        assert response.status_code == 200, (path, response.status_code, response.text)
        return response.json() if response.content else None

    def trigger(self, configuration: int) -> int:
        return self.ok("POST", f"/rest/job-execution?configuration={configuration}")["id"]

    def details(self, execution: int) -> dict:
        return self.ok("GET", f"/rest/job-execution/job-details/{execution}")

    def wait(self, execution: int, until=FINAL, timeout: float = 30) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            details = self.details(execution)
            if details["jobStatus"] in until or time.monotonic() > deadline:
                return details
            time.sleep(0.05)


def encoded(path: str) -> str:
    """A file path as the official Ruby client puts it in the URL (ERB::Util.url_encode)."""
    return quote(path, safe="")


@pytest.fixture
def datameer(base_url):
    return Datameer(base_url, ACCOUNTS["alice"])


@pytest.fixture
def as_user(base_url):
    return lambda who, password=None: Datameer(base_url, (who, password) if password else ACCOUNTS.get(who))


@pytest.fixture
def config_id(service):
    """A catalog job's configuration id (its definition seq)."""
    return lambda job: service.definition(Principal("alice", "acme"), job).seq
