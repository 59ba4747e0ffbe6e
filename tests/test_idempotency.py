"""Idempotent submits beyond the conformance suite (jobgate.testing.suite.test_idempotency):
a replay is not counted against the tenant's quota, a request that submits several times answers
each of its executions again, keys expire with JOBGATE_IDEMPOTENCY_TTL, and the setting is read.

The service-level tests submit ParkedJob, which runs on a queue no worker serves, so what is
accepted stays unfinished until the test cancels it.
"""
from __future__ import annotations

import uuid
from dataclasses import replace

import pytest

from jobgate.errors import TooManyActive
from jobgate.model import Principal
from jobgate.rules import idempotency
from jobgate.rules.quotas import Quota, Quotas
from jobgate.rules.service import Service
from jobgate.settings import Settings, SettingsError
from jobgate.store.idempotency import Place
from jobgate.testing.suite.support import eventually
from tests.dialects import datameer

ALICE = Principal("alice", "acme")


def keyed_submit(service: Service, principal: Principal, key: str) -> str:
    """A ParkedJob submit as a request carrying `key` makes it."""
    with idempotency.bound(idempotency.Claim.of(key, "one request")):
        return service.submit(principal, "ParkedJob", origin="native").id


def test_a_replay_at_a_full_quota_answers_its_execution(service):
    one = Service(service.settings, service.redis, service.catalog, service.auth,
                  Quotas(tenants={"idem-q": Quota(executions=1)}))
    alone = Principal("iq", "idem-q")
    key = f"quota-{uuid.uuid4()}"
    first = keyed_submit(one, alone, key)
    try:
        with pytest.raises(TooManyActive):
            keyed_submit(one, alone, f"other-{uuid.uuid4()}")
        with idempotency.bound(idempotency.Claim.of(key, "one request")) as claim:
            assert one.submit(alone, "ParkedJob", origin="native").id == first
        assert claim.replayed
    finally:
        one.cancel(alone, first)


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
        return keyed_submit(service, ALICE, key)
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
