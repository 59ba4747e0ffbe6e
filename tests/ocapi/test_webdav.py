"""Execution logs at the WebDAV paths OCAPI clients read, with the same Bearer token."""
import pytest

from jobgate.testing.parts import TOKENS
from tests.ocapi.check import fault_of
from tests.ocapi.conftest import Ocapi

IMPEX = "//on/demandware.servlet/webdav/Sites/Impex/log/"
ROOT = "//on/demandware.servlet/webdav"


@pytest.fixture(scope="module")
def finished(base_url):
    client = Ocapi(base_url, TOKENS["alice"], data="/s/-/dw/data/v25_6")
    done = client.wait("QuickJob", client.run("QuickJob", [{"name": "greeting", "value": "webdav"}])["id"])
    return client, done


def test_log_by_name_under_impex_and_by_log_file_path(finished):
    client, done = finished
    by_name = client.call("GET", IMPEX + done["log_file_name"])
    by_path = client.call("GET", ROOT + done["log_file_path"])
    assert by_name.status_code == by_path.status_code == 200
    assert by_name.headers["Content-Type"].startswith("text/plain")
    assert by_name.text == by_path.text
    assert "greeting=webdav" in by_name.text and "counted to 3" in by_name.text


def test_no_log_before_the_execution_writes_one(ocapi):
    parked = ocapi.run("ParkedJob")
    try:
        fault_of(ocapi.call("GET", IMPEX + parked["log_file_name"]), 404, "NotFoundException", None)
    finally:
        ocapi.native("POST", f"/executions/{parked['id']}/cancel")


def test_log_needs_the_bearer_token_and_the_tenant(finished, as_user):
    _, done = finished
    anonymous = as_user("nobody")
    anonymous.http.headers.pop("Authorization")
    fault_of(anonymous.call("GET", IMPEX + done["log_file_name"]), 401, "InvalidAuthorizationHeaderException", None)
    fault_of(as_user("carol").call("GET", IMPEX + done["log_file_name"]), 404, "NotFoundException", None)


@pytest.mark.parametrize("path", [
    IMPEX + "Job-QuickJob-20000101000000000.log",
    IMPEX + "not-a-log-name.txt",
    ROOT + "/Sites/LOGS/jobs/FailingJob/{name}",
])
def test_unknown_logs_are_not_found(finished, path):
    client, done = finished
    fault_of(client.call("GET", path.format(name=done["log_file_name"])), 404, "NotFoundException", None)


@pytest.mark.parametrize("stamp", ["20261399999999999", "99999999999999999", "00000000000000000"])
def test_a_log_name_that_is_no_time_is_not_found(ocapi, stamp):
    response = ocapi.call("GET", f"{IMPEX}Job-QuickJob-{stamp}.log")
    assert response.status_code == 404 and "Traceback" not in response.text
