"""/metrics after real traffic through two dialects, served as production serves it (gunicorn,
two processes) over a stack of the test's own (Redis, two workers): the request counts are
exactly the requests made, whichever process each scrape reaches; executions by state and
origin equal jobgate's own counts; step durations count the steps the workers ran."""
from __future__ import annotations

import shutil
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from jobgate.model import State
from jobgate.settings import Settings
from jobgate.store.connection import connect
from jobgate.store.executions import Store
from jobgate.testing import parts
from tests.conftest import ROOT

NATIVE = "/api/v1"
OCAPI = "/s/-/dw/data/v19_5"
ENDED = {"SUCCEEDED", "FAILED"}
AUTH = {"Authorization": f"Bearer {parts.TOKENS['alice']}", "Connection": "close"}   # each call: any process


@pytest.fixture(scope="module")
def stack(gateway_env):
    folder = Path(tempfile.mkdtemp(prefix="jg-metrics-"))       # short: a unix socket's path is
    # the suite's own catalog only: this project's adds a catalog schedule, which would add runs
    made = parts.Stack(folder, {**gateway_env, "JOBGATE_CATALOG": str(parts.CATALOG)}, cwd=ROOT, workers=2)
    # the gateway also reports the "parked" queue, which no worker serves
    served = parts.ServedGateway({**made.env, "JOBGATE_QUEUES": "default,parked"}, ROOT, workers=2,
                                 log=folder / "gateway.log")
    served.start()
    yield made, served
    served.stop()
    made.close()
    shutil.rmtree(folder, ignore_errors=True)


class Traffic:
    """Calls to the served gateway, each counted as /metrics should count it."""

    def __init__(self, url: str):
        self.url = url
        self.made: Counter[tuple[str, str, str, str]] = Counter()

    def call(self, dialect: str, route: str, method: str, path: str, **kwargs) -> requests.Response:
        response = requests.request(method, self.url + path, headers=AUTH, timeout=10, **kwargs)
        self.made[dialect, route, method, str(response.status_code)] += 1
        return response

    def native_until_ended(self, execution_id: str) -> dict:
        return self._until(lambda: self.call("native", f"{NATIVE}/executions/<ref>", "GET",
                                              f"{NATIVE}/executions/{execution_id}").json()["state"])

    def ocapi_until_ended(self, job: str, execution_id: str) -> None:
        self._until(lambda: {"OK": "SUCCEEDED", "ERROR": "FAILED"}.get(self.call(
            "ocapi", "/s/<site>/dw/data/<version>/jobs/<job_id>/executions/<id>", "GET",
            f"{OCAPI}/jobs/{job}/executions/{execution_id}").json()["status"]))

    @staticmethod
    def _until(state, timeout: float = 30):
        deadline = time.monotonic() + timeout
        while (seen := state()) not in ENDED:
            assert time.monotonic() < deadline, f"still {seen}"
            time.sleep(0.1)
        return seen


def scrape(url: str) -> dict[str, list]:
    """family name -> its samples."""
    answer = requests.get(f"{url}/metrics", headers={"Connection": "close"}, timeout=10)
    assert answer.status_code == 200, answer.text
    return {family.name: family.samples for family in text_string_to_metric_families(answer.text)}


def values(samples, name: str, *labels: str, where=lambda s: True) -> dict[tuple, float]:
    return {tuple(s.labels[label] for label in labels): s.value for s in samples if s.name == name and where(s)}


@pytest.fixture(scope="module")
def traffic(stack):
    made, served = stack
    traffic = Traffic(served.url)
    native = traffic.call("native", f"{NATIVE}/executions", "POST", f"{NATIVE}/executions",
                          json={"definition": "QuickJob"})
    assert native.status_code == 201, native.text
    ocapi = traffic.call("ocapi", "/s/<site>/dw/data/<version>/jobs/<job_id>/executions", "POST",
                         f"{OCAPI}/jobs/FailingJob/executions", json={"parameters": []})
    assert ocapi.status_code == 200, ocapi.text
    parked = traffic.call("native", f"{NATIVE}/executions", "POST", f"{NATIVE}/executions",
                          json={"definition": "ParkedJob"})
    assert parked.status_code == 201, parked.text
    assert traffic.native_until_ended(native.json()["id"]) == "SUCCEEDED"
    traffic.ocapi_until_ended("FailingJob", ocapi.json()["id"])
    missing = traffic.call("native", f"{NATIVE}/executions/<ref>", "GET", f"{NATIVE}/executions/{uuid.uuid4()}")
    unrouted = traffic.call("ocapi", "<unmatched>", "GET", f"{OCAPI}/no-such-resource")
    assert (missing.status_code, unrouted.status_code) == (404, 404)
    traffic.ids = [native.json()["id"], ocapi.json()["id"]]
    return traffic


def test_requests_are_counted_exactly_whichever_process_answers(traffic):
    for _ in range(4):          # a new connection each time: the scrapes reach both processes
        samples = scrape(traffic.url)["jobgate_http_requests"]
        counted = values(samples, "jobgate_http_requests_total", "dialect", "route", "method", "status",
                         where=lambda s: s.labels["dialect"] != "-")
        assert counted == dict(traffic.made)
    latency = values(scrape(traffic.url)["jobgate_http_request_duration_seconds"],
                     "jobgate_http_request_duration_seconds_count", "dialect", "route", "method",
                     where=lambda s: s.labels["dialect"] != "-")
    by_route = Counter()
    for (dialect, route, method, _), count in traffic.made.items():
        by_route[dialect, route, method] += count
    assert latency == dict(by_route)


def test_executions_queues_workers_and_steps_are_read_from_redis(stack, traffic):
    made, served = stack
    families = scrape(served.url)
    store = Store(connect(made.env["REDIS_URL"]))
    executions = values(families["jobgate_executions"], "jobgate_executions", "state", "origin")
    for state in State:
        for origin in ("native", "ocapi"):
            _, total = store.page("acme", state=state.value, origin=origin)
            assert executions[state.value, origin] == total, (state, origin)
    assert {key: n for key, n in executions.items() if n} == {
        ("SUCCEEDED", "native"): 1, ("QUEUED", "native"): 1, ("FAILED", "ocapi"): 1}

    depth = values(families["jobgate_queue_depth"], "jobgate_queue_depth", "queue")
    age = values(families["jobgate_queue_oldest_age_seconds"], "jobgate_queue_oldest_age_seconds", "queue")
    assert depth == {("default",): 0, ("parked",): 1}
    assert age[("default",)] == 0 and 0 < age[("parked",)] < 120
    assert values(families["jobgate_workers_live"], "jobgate_workers_live") == {(): 2}
    assert values(families["jobgate_store_up"], "jobgate_store_up") == {(): 1}

    ran = Counter(step.type for i in traffic.ids for step in store.get(i).steps if step.started)
    assert ran == {"python": 1, "shell": 2}       # QuickJob: python then shell; FailingJob: shell
    steps = families["jobgate_step_duration_seconds"]
    assert values(steps, "jobgate_step_duration_seconds_count", "type") == {(t,): n for t, n in ran.items()}
    infinite = values(steps, "jobgate_step_duration_seconds_bucket", "type", where=lambda s: s.labels["le"] == "+Inf")
    assert infinite == {(t,): n for t, n in ran.items()}
    assert all(s.value > 0 for s in steps if s.name == "jobgate_step_duration_seconds_sum")


def test_with_redis_away_the_scrape_answers_and_counts_the_errors(gateway_env, tmp_path):
    away = parts.Gateway(Settings.from_env({**gateway_env, "REDIS_URL": f"unix://{tmp_path}/absent.sock"}))
    try:
        before = values(scrape(away.url)["jobgate_redis_errors"], "jobgate_redis_errors_total")[()]
        answer = requests.get(f"{away.url}{NATIVE}/executions", headers=AUTH, timeout=10)
        assert answer.status_code == 503
        families = scrape(away.url)
        assert values(families["jobgate_store_up"], "jobgate_store_up") == {(): 0}
        assert values(families["jobgate_redis_errors"], "jobgate_redis_errors_total")[()] >= before + 1   # the request's
        assert "jobgate_executions" not in families
    finally:
        away.close()
