"""Per-tenant quotas, through the dialects' own wires: unfinished executions (racing submits get
exactly the quota), schedules and how often they fire, API-made jobs and how long their steps run.

A gateway of this module's own, with its own principals and quotas file (JOBGATE_QUOTAS):
tenant quota-a may have 4 unfinished executions; quota-b 2 schedules firing at most once a
minute, 2 API-made jobs and 5 s steps. ParkedJob runs on a queue no worker serves, so what is
accepted stays unfinished until the test cancels it.
"""
from __future__ import annotations

import threading
import uuid

import pytest
import requests

from jobgate.rules.quotas import Quota, load_quotas
from jobgate.settings import Settings
from jobgate.testing import WireError
from jobgate.testing.parts import Gateway
from tests.dialects import cdq, datameer, native, ocapi, sahara, sas

ACTIVE = 4
PRINCIPALS = """
[[principal]]
name = "qa"
tenant = "quota-a"
password = "qa-pw"
tokens = ["tok-qa"]

[[principal]]
name = "qb"
tenant = "quota-b"
password = "qb-pw"
tokens = ["tok-qb"]
"""
QUOTAS = f"""
[default]
schedule_interval = 1

[tenant.quota-a]
executions = {ACTIVE}

[tenant.quota-b]
schedules = 2
schedule_interval = 60
definitions = 2
step_seconds = 5
"""


@pytest.fixture(scope="module")
def base(gateway_env, tmp_path_factory, workers):
    folder = tmp_path_factory.mktemp("quotas")
    (folder / "principals.toml").write_text(PRINCIPALS)
    (folder / "quotas.toml").write_text(QUOTAS)
    settings = Settings.from_env({**gateway_env, "JOBGATE_PRINCIPALS": str(folder / "principals.toml"),
                                  "JOBGATE_QUOTAS": str(folder / "quotas.toml"),
                                  **sahara.Requirements.environment, **sas.Requirements.environment})
    server = Gateway(settings)
    yield server.url
    server.close()


def drivers(base: str, token: str, tenant: str, password: str):
    """Each dialect's wire driver holding this tenant's credential."""
    found = {kind.Driver.name: kind.Driver(base, token) for kind in (native, ocapi, cdq, sahara, sas, datameer)}
    found["sahara"].tenants = {token: tenant}
    found["datameer"].http.auth = (token.removeprefix("tok-"), password)
    return found


def native_api(base, method, path, token, **kwargs):
    return requests.request(method, f"{base}/api/v1{path}", headers={"Authorization": f"Bearer {token}"},
                            timeout=10, **kwargs)


#: how each dialect shows the unfinished-executions quota: (status, a check of the fault document)
REFUSED_ACTIVE = {
    "native": (429, lambda error: error["code"] == "too_many_active"),        # the driver keeps the inner one
    "ocapi": (429, lambda body: body["fault"]["type"] == "TooManyRequestsException"),
    "cdq": (429, lambda body: (body["code"], body["technicalKey"]) == (42900000, "TOO_MANY_REQUESTS")),
    "datameer": (429, lambda body: body["status"] == "failure" and "quota" in body["reason"]),
    "sas": (429, lambda body: body["httpStatusCode"] == 429 and "quota" in body["message"]),
    "sahara": (400, lambda body: body["error_name"] == "QUOTA_ERROR"),
}


def test_racing_submits_through_several_dialects_accept_exactly_the_quota(base):
    racers = ["native", "ocapi", "cdq", "datameer"] * 4
    barrier = threading.Barrier(len(racers))
    accepted, refused = [], []

    def submit(name):
        driver = drivers(base, "tok-qa", "quota-a", "qa-pw")[name]
        barrier.wait()
        try:
            accepted.append(driver.submit("ParkedJob"))
        except WireError as error:
            refused.append((name, error))

    threads = [threading.Thread(target=submit, args=(name,)) for name in racers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    try:
        assert len(accepted) == ACTIVE and len(refused) == len(racers) - ACTIVE, refused
        for name, error in refused:
            status, shows = REFUSED_ACTIVE[name]
            assert error.status == status and shows(error.body), (name, error)
        listed = native_api(base, "GET", "/executions", "tok-qa", params={"state": "QUEUED"}).json()
        assert listed["total"] == ACTIVE
        for name in ("sas", "sahara"):                   # full: their refusals in their own words
            with pytest.raises(WireError) as caught:
                drivers(base, "tok-qa", "quota-a", "qa-pw")[name].submit("ParkedJob")
            status, shows = REFUSED_ACTIVE[name]
            assert caught.value.status == status and shows(caught.value.body), caught.value
        first = listed["items"][0]["id"]
        assert native_api(base, "POST", f"/executions/{first}/cancel", "tok-qa").status_code == 200
        again = native_api(base, "POST", "/executions", "tok-qa", json={"definition": "ParkedJob"})
        assert again.status_code == 201, again.text                      # an ended one frees its place
        accepted.append(again.json()["id"])
    finally:
        for execution in native_api(base, "GET", "/executions", "tok-qa", params={"state": "QUEUED"}).json()["items"]:
            native_api(base, "POST", f"/executions/{execution['id']}/cancel", "tok-qa")


def test_schedules_firing_too_often_or_over_the_quota_are_refused(base):
    made = []
    try:
        seconds = native_api(base, "POST", "/schedules", "tok-qb", json={"definition": "ParkedJob",
                                                                          "cron": "* * * * * */10"})
        assert seconds.status_code == 400, seconds.text
        assert seconds.json()["error"]["code"] == "invalid" and "once every 60 s" in seconds.json()["error"]["message"]
        with pytest.raises(WireError) as caught:
            drivers(base, "tok-qb", "quota-b", "qb-pw")["cdq"].create_schedule("ParkedJob", "* * * * * *", {})
        assert caught.value.status == 400 and caught.value.body["technicalKey"] == "BAD_REQUEST"
        assert caught.value.body["message"].startswith("scheduledJob.cronExpression: ")
        made.append(drivers(base, "tok-qb", "quota-b", "qb-pw")["cdq"].create_schedule("ParkedJob", "* * * * *", {}))
        nightly = native_api(base, "POST", "/schedules", "tok-qb", json={"definition": "ParkedJob", "cron": "0 3 * * *"})
        assert nightly.status_code == 201
        made.append(nightly.json()["id"])
        third = native_api(base, "POST", "/schedules", "tok-qb", json={"definition": "ParkedJob", "cron": "0 4 * * *"})
        assert third.status_code == 403 and third.json()["error"]["code"] == "quota_exceeded", third.text
        with pytest.raises(WireError) as caught:
            drivers(base, "tok-qb", "quota-b", "qb-pw")["cdq"].create_schedule("ParkedJob", "0 4 * * *", {})
        assert caught.value.status == 403 and caught.value.body["code"] == 40300000
        assert native_api(base, "DELETE", f"/schedules/{made.pop()}", "tok-qb").status_code == 204
        replaced = native_api(base, "POST", "/schedules", "tok-qb", json={"definition": "ParkedJob",
                                                                           "cron": "0 4 * * *"})
        assert replaced.status_code == 201
        made.append(replaced.json()["id"])
    finally:
        for schedule in native_api(base, "GET", "/schedules", "tok-qb").json()["items"]:
            native_api(base, "DELETE", f"/schedules/{schedule['id']}", "tok-qb")


def sleeper(seconds: float, **step) -> dict:
    return {"id": f"Sleeper-{uuid.uuid4().hex[:8]}", "steps": [{"type": "sleep", "params": {"seconds": seconds},
                                                                  **step}]}


def test_an_api_job_longer_than_the_quota_is_refused_when_it_is_made(base):
    endless = native_api(base, "POST", "/definitions", "tok-qb", json=sleeper(1e9))
    assert endless.status_code == 400, endless.text
    assert endless.json()["error"]["message"] == \
        "step[0]: it runs 1000000000 s; a step may run at most 5 s (this tenant's quota)"
    timed = native_api(base, "POST", "/definitions", "tok-qb", json=sleeper(1, timeout=3600))
    assert timed.status_code == 400 and "its timeout is 3600 s" in timed.json()["error"]["message"]


def test_api_jobs_over_the_quota_are_refused_in_each_dialect(base):
    wire = drivers(base, "tok-qb", "quota-b", "qb-pw")
    made = []
    try:
        made.append(native_api(base, "POST", "/definitions", "tok-qb", json=sleeper(0)).json()["id"])
        made.append(wire["sas"].create_definition(f"made-{uuid.uuid4().hex[:6]}", "the second"))
        over = native_api(base, "POST", "/definitions", "tok-qb", json=sleeper(0))
        assert over.status_code == 403 and over.json()["error"]["code"] == "quota_exceeded", over.text
        with pytest.raises(WireError) as caught:
            wire["sahara"].create_definition(f"made-{uuid.uuid4().hex[:6]}", "one too many")
        assert caught.value.status == 400 and caught.value.body["error_name"] == "QUOTA_ERROR"
        with pytest.raises(WireError) as caught:
            wire["sas"].create_definition(f"made-{uuid.uuid4().hex[:6]}", "one too many")
        assert caught.value.status == 403 and caught.value.body["httpStatusCode"] == 403
    finally:
        native_api(base, "DELETE", f"/definitions/{made[0]}", "tok-qb")
        for ref in made[1:]:
            wire["sas"].delete_definition(ref)


def test_a_step_that_does_not_say_how_long_it_runs_is_stopped_at_the_quota(base):
    """A python step's length is unknown when it is made: its run stops at the tenant's 5 s."""
    busy = {"id": f"Busy-{uuid.uuid4().hex[:8]}",
            "steps": [{"id": "Busy", "type": "python", "params": {"callable": "tests.jobs:busy"}}]}
    made = native_api(base, "POST", "/definitions", "tok-qb", json=busy)
    assert made.status_code == 201, made.text
    try:
        driver = drivers(base, "tok-qb", "quota-b", "qb-pw")["native"]
        ended = driver.wait(driver.submit(busy["id"], {"seconds": 120}), timeout=60)
        assert ended.state == "FAILED" and "timed out after 5 s" in ended.message, ended
    finally:
        native_api(base, "DELETE", f"/definitions/{busy['id']}", "tok-qb")


def test_the_quotas_file_falls_back_to_its_default_and_names_each_mistake(tmp_path):
    path = tmp_path / "quotas.toml"
    path.write_text("[default]\nschedules = 3\n[tenant.acme]\nexecutions = 7\n")
    quotas = load_quotas(str(path))
    assert (quotas.of("acme").executions, quotas.of("acme").schedules) == (7, 3)
    assert (quotas.of("other").executions, quotas.of("other").schedules) == (Quota().executions, 3)
    for text, named in (("[default]\nexecutons = 1\n", "default.executons: unknown quota"),
                        ("[tenant.acme]\nexecutions = true\n", "tenant.acme.executions: must be a whole number"),
                        ("[tenant.acme]\nstep_seconds = 0\n", "tenant.acme.step_seconds: must be a number of seconds > 0"),
                        ("[tenants.acme]\n", "tenants: unknown table")):
        path.write_text(text)
        with pytest.raises(ValueError, match=named):
            load_quotas(str(path))
