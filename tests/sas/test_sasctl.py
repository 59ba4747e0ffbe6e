"""sasctl 1.12, unmodified, against the gateway over HTTP: its Session (token or SAS Logon
password grant), availability probe, generic get/post/request_link, and its PageIterator,
which fetches several pages concurrently, past the end, from the `next` link."""
import time

import pytest
from sasctl import Session
from sasctl._services.service import Service
from sasctl.core import HTTPError, PagedList, get, get_link, post, request_link
from sasctl.exceptions import AuthenticationError

from jobgate.testing.parts import TOKENS

JOB = "application/vnd.sas.job.execution.job+json"
JOB_REQUEST = "application/vnd.sas.job.execution.job.request+json"


class JobExecution(Service):
    """The call pattern of sasctl's (unmerged) job execution service: CRUD helpers on /jobs."""
    _SERVICE_ROOT = "/jobExecution"
    list_jobs, get_job, update_job, delete_job = Service._crud_funcs("/jobs", "job", "jobs")


def session(base_url, **auth):
    host, port = base_url.removeprefix("http://").split(":")
    return Session(host, protocol="http", port=int(port), verify_ssl=False, **auth)


@pytest.fixture
def sasctl_session(base_url):
    with session(base_url, token=TOKENS["alice"]) as opened:
        yield opened


def definition_uri(name):
    found = get("/jobDefinitions/definitions", params=f"filter=eq(name,'{name}')")   # one item: unwrapped
    return get_link(found, "self")["uri"]


def submit(uri, name):
    return post("/jobExecution/jobs", json={"name": name, "description": None, "jobDefinitionUri": uri,
                                            "arguments": {}},
                headers={"Content-Type": JOB_REQUEST, "Accept": JOB})


def test_probe_info_submit_state_update_and_delete(sasctl_session):
    assert JobExecution.is_available()
    assert JobExecution.info()["serviceId"] == "jobExecution"
    uri = definition_uri("SlowJob")
    job = submit(uri, "sasctl-slow")
    assert job["state"] in ("pending", "running") and job._headers["ETag"]
    assert get(f"/jobExecution/jobs/{job['id']}/state") in ("pending", "running")
    while get(f"/jobExecution/jobs/{job['id']}/state") == "pending":   # its start changes the ETag
        time.sleep(0.1)
    fetched = JobExecution.get_job(job["id"])
    assert fetched["id"] == job["id"]
    fetched["stateDetails"] = "from sasctl"
    updated = JobExecution.update_job(fetched)                  # If-Match + the GET's Content-Type, echoed
    assert updated["stateDetails"] == "from sasctl"
    assert request_link(updated, "updateState", params={"value": "canceled"},
                        headers={"Content-Type": "text/plain", "Accept": "text/plain"}) in ("running", "canceled")
    assert JobExecution.delete_job(updated) is None
    assert JobExecution.get_job("41e44582-e556-448e-95a0-5340d94ce55e") is None


def test_paging_prefetches_past_the_end_and_keeps_the_filter(sasctl_session):
    uri = definition_uri("QuickJob")
    submitted = [submit(uri, "sasctl-paging")["id"] for _ in range(7)]
    jobs = JobExecution.list_jobs(filter="eq(name,'sasctl-paging')", limit=2, sortBy="creationTimeStamp:ascending")
    assert isinstance(jobs, PagedList) and len(jobs) == 7
    assert [job["id"] for job in jobs] == submitted            # 4 pages, fetched by 4 threads, past the end
    unfiltered = get("/jobExecution/jobs", params="limit=2")
    assert len(unfiltered) > 7


def test_password_login_through_sas_logon(base_url):
    with session(base_url, username="alice", password="s3cret") as opened:
        assert opened.auth.access_token and opened.auth.access_token != TOKENS["alice"]
        assert get("/jobExecution/jobs", params="limit=1") is not None
    with pytest.raises(AuthenticationError):
        session(base_url, username="alice", password="wrong")


def test_errors_raise_sasctl_http_errors(sasctl_session):
    with pytest.raises(HTTPError) as caught:
        get("/jobExecution/jobs", params="filter=nojakj(x)")
    assert caught.value.code == 400 and '"errorCode":1100' in caught.value.msg.replace(" ", "")
