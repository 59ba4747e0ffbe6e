"""Idempotent submits beyond the conformance suite (jobgate.testing.suite.test_idempotency):
a replay is not counted against the tenant's quota, a request that submits several times answers
each of its executions again, keys expire with JOBGATE_IDEMPOTENCY_TTL, and the setting is read.

A gateway of this module's own, with a tenant (idem-q) allowed one unfinished execution;
ParkedJob runs on a queue no worker serves, so what is accepted stays unfinished until the
test cancels it.
"""
from __future__ import annotations

import uuid
from dataclasses import replace

import pytest
import requests

from jobgate.model import Principal
from jobgate.rules import idempotency
from jobgate.rules.service import Service
from jobgate.settings import Settings, SettingsError
from jobgate.store.idempotency import Place
from jobgate.testing.parts import Gateway
from jobgate.testing.suite.support import eventually
from tests.dialects import datameer

PRINCIPALS = """
[[principal]]
name = "iq"
tenant = "idem-q"
password = "iq-pw"
tokens = ["tok-iq"]
"""
QUOTAS = """
[tenant.idem-q]
executions = 1
"""
ALICE = Principal("alice", "acme")


@pytest.fixture(scope="module")
def base(gateway_env, tmp_path_factory, workers):
    folder = tmp_path_factory.mktemp("idempotency")
    (folder / "principals.toml").write_text(PRINCIPALS)
    (folder / "quotas.toml").write_text(QUOTAS)
    settings = Settings.from_env({**gateway_env, "JOBGATE_PRINCIPALS": str(folder / "principals.toml"),
                                  "JOBGATE_QUOTAS": str(folder / "quotas.toml")})
    server = Gateway(settings)
    yield server.url
    server.close()


def submit(base: str, key: str, job: str = "ParkedJob") -> requests.Response:
    return requests.post(f"{base}/api/v1/executions", json={"definition": job}, timeout=10,
                         headers={"Authorization": "Bearer tok-iq", "Idempotency-Key": key})


def test_a_replay_at_a_full_quota_answers_its_execution(base):
    key = f"quota-{uuid.uuid4()}"
    first = submit(base, key)
    assert first.status_code == 201, first.text
    try:
        refused = submit(base, f"other-{uuid.uuid4()}")
        assert refused.status_code == 429 and refused.json()["error"]["code"] == "too_many_active", refused.text
        again = submit(base, key)
        assert again.status_code == 201, again.text
        assert again.json()["id"] == first.json()["id"] and again.headers["Idempotent-Replayed"] == "true"
    finally:
        requests.post(f"{base}/api/v1/executions/{first.json()['id']}/cancel", timeout=10,
                      headers={"Authorization": "Bearer tok-iq"})


def test_a_request_that_submits_several_answers_each_again(base_url):
    """Datameer's sequential trigger makes one execution per file: each has its place under the key."""
    driver = datameer.Driver(base_url, "tok-alice")
    driver.wait(driver.submit("QuickJob"))             # a file shows its id once it has run
    files = [driver._file_id("QuickJob")] * 2
    keyed = driver.sending({"Idempotency-Key": f"sequence-{uuid.uuid4()}"})
    first = keyed.call("POST", "/api/job-execution/sequential-trigger", json={"files": files}).json()
    again = keyed.call("POST", "/api/job-execution/sequential-trigger", json={"files": files}).json()
    made = [run["job-execution-id"] for run in first["job-executions"]]
    assert len(set(made)) == 2 and [run["job-execution-id"] for run in again["job-executions"]] == made, again
    for ref in made:
        assert driver.wait(str(ref)).state == "SUCCEEDED"


def test_a_key_expires_with_its_lifetime(settings):
    """Past JOBGATE_IDEMPOTENCY_TTL the key is free: the same request makes a new execution."""
    service = Service.from_settings(replace(settings, idempotency_ttl=1))
    key = f"expiring-{uuid.uuid4()}"

    def made() -> str:
        with idempotency.bound(idempotency.Claim.of(key, "one request")):
            return service.submit(ALICE, "ParkedJob", origin="native").id
    first = made()
    made_later = []
    try:
        assert made() == first
        assert 0 < service.redis.ttl(Place.of("acme", key, 0, "one request", 1).key) <= 1
        made_later.append(eventually(lambda: (again := made()) != first and again, timeout=5))
        assert made_later[0]
    finally:
        for execution_id in [first, *filter(None, made_later)]:
            service.cancel(ALICE, execution_id)


def test_the_lifetime_is_a_setting():
    assert Settings.from_env({}).idempotency_ttl == 86400
    assert Settings.from_env({"JOBGATE_IDEMPOTENCY_TTL": "600"}).idempotency_ttl == 600
    with pytest.raises(SettingsError, match="JOBGATE_IDEMPOTENCY_TTL"):
        Settings.from_env({"JOBGATE_IDEMPOTENCY_TTL": "0"})
