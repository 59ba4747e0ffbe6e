"""Execution control over the native API with real workers: timeouts, retries,
forced cancel, later and after, cron schedules, client heartbeats and expiry."""
import time
from datetime import UTC, datetime, timedelta

from tests.test_native_api import api, assert_fault, wait


def submit(base_url, definition, **body):
    response = api(base_url, "POST", "/executions", json={"definition": definition, **body})
    assert response.status_code == 201, response.text
    return response.json()


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def wait_state(base_url, ref, state, timeout=15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = api(base_url, "GET", f"/executions/{ref}").json()
        if body["state"] == state:
            return body
        time.sleep(0.1)
    raise AssertionError(f"{ref} never became {state}: {body}")


def test_step_overrunning_the_job_timeout_fails_naming_it(base_url):
    done = wait(base_url, submit(base_url, "ShortTimeoutJob")["id"])
    assert done["state"] == "FAILED" and "timed out after 1 s" in done["message"]


def test_python_step_that_ignores_its_timeout_is_stopped_by_the_watcher(base_url):
    done = wait(base_url, submit(base_url, "ShortTimeoutPythonJob")["id"], timeout=30)
    assert done["state"] == "FAILED" and "job timed out after 1 s" in done["message"]
    assert wait(base_url, submit(base_url, "QuickJob")["id"])["state"] == "SUCCEEDED"   # workers still serve


def test_cancel_of_a_step_that_never_checks_is_forced_after_the_grace(base_url):
    ref = submit(base_url, "BusyJob")["id"]
    wait_state(base_url, ref, "RUNNING")
    asked = api(base_url, "POST", f"/executions/{ref}/cancel").json()
    assert asked["state"] == "RUNNING" and asked["cancel_requested"] and asked["canceled_by"] == "alice"
    done = wait(base_url, ref, timeout=30)
    assert done["state"] == "CANCELED" and "alice" in done["message"]
    assert_fault(api(base_url, "POST", f"/executions/{ref}/cancel"), 409, "conflict")


def test_retries_show_each_attempt_and_end_with_the_last(base_url, tmp_path):
    done = wait(base_url, submit(base_url, "FlakyJob", parameters={"marker": str(tmp_path / "m")})["id"])
    assert done["state"] == "SUCCEEDED" and done["attempt"] == 3
    log = api(base_url, "GET", f"/executions/{done['id']}/log").text
    assert "attempt 1 of 3 failed" in log and "attempt 2 of 3 failed" in log
    failed = wait(base_url, submit(base_url, "FlakyJob", parameters={
        "marker": str(tmp_path / "n"), "succeed_on": 9})["id"])
    assert failed["state"] == "FAILED" and failed["attempt"] == 3 and "attempt 3 failed" in failed["message"]


def test_start_at_waits_in_created(base_url):
    start = datetime.now(UTC) + timedelta(seconds=2)
    execution = submit(base_url, "QuickJob", start_at=iso(start))
    assert execution["state"] == "CREATED" and execution["queued"] is None
    done = wait(base_url, execution["id"], timeout=30)
    assert done["state"] == "SUCCEEDED" and done["started"] >= iso(start)


def test_cancel_of_a_scheduled_execution(base_url, service):
    execution = submit(base_url, "QuickJob", start_at=iso(datetime.now(UTC) + timedelta(hours=1)))
    assert api(base_url, "POST", f"/executions/{execution['id']}/cancel").json()["state"] == "CANCELED"
    assert service.redis.zscore("rq:scheduled:default", execution["id"]) is None


def test_chain_runs_in_order(base_url):
    first = submit(base_url, "QuickJob")
    second = submit(base_url, "QuickJob", after=[first["id"]])
    third = submit(base_url, "QuickJob", after=[second["id"]])
    assert second["state"] == "CREATED"
    done = [wait(base_url, e["id"]) for e in (first, second, third)]
    assert [d["state"] for d in done] == ["SUCCEEDED"] * 3
    assert done[0]["ended"] <= done[1]["started"] and done[1]["ended"] <= done[2]["started"]


def test_chain_after_a_failure_is_canceled_naming_the_cause(base_url):
    # the failing one waits two seconds, so the chain is in place before it fails
    first = submit(base_url, "FailingJob", start_at=iso(datetime.now(UTC) + timedelta(seconds=2)))
    second = submit(base_url, "QuickJob", after=[first["id"]])
    third = submit(base_url, "QuickJob", after=[second["id"]])
    assert wait(base_url, first["id"], timeout=30)["state"] == "FAILED"
    for waiting, cause in ((second, first), (third, second)):
        done = wait_state(base_url, waiting["id"], "CANCELED")
        assert cause["id"] in done["message"] and "prerequisite" in done["message"]
    error = assert_fault(api(base_url, "POST", "/executions", json={"definition": "QuickJob", "after": [first["id"]]}),
                         400, "invalid")
    assert "FAILED" in error["message"]


def fired_by(base_url, schedule_id):
    page = api(base_url, "GET", "/executions", params={"definition": "QuickJob", "limit": 200}).json()
    return [e for e in page["items"] if e["attributes"].get("schedule", {}).get("id") == schedule_id]


def test_cron_schedule_fires_once_per_tick_and_pauses(base_url):
    created = api(base_url, "POST", "/schedules", json={"definition": "QuickJob", "cron": "* * * * * */2",
                                                        "parameters": {"greeting": "cron"}})
    assert created.status_code == 201, created.text
    schedule = created.json()
    assert schedule["id"] in [s["id"] for s in api(base_url, "GET", "/schedules").json()["items"]]
    deadline = time.monotonic() + 20
    fired = []
    while len(fired) < 3 and time.monotonic() < deadline:
        fired = fired_by(base_url, schedule["id"])
        time.sleep(0.3)
    assert len(fired) >= 3
    dues = [e["attributes"]["schedule"]["due"] for e in fired]
    assert len(dues) == len(set(dues)), "a due time fired twice"
    assert all(e["trigger"] == "schedule" for e in fired)
    paused = api(base_url, "POST", f"/schedules/{schedule['id']}/pause").json()
    assert paused["paused"] is True and paused["next_run"] is None
    time.sleep(1)                                   # a firing claimed just before the pause may land
    count = len(fired_by(base_url, schedule["id"]))
    time.sleep(4.5)                                 # two intervals and more
    assert len(fired_by(base_url, schedule["id"])) == count
    assert api(base_url, "DELETE", f"/schedules/{schedule['id']}").status_code == 204
    assert_fault(api(base_url, "GET", f"/schedules/{schedule['id']}"), 404, "not_found")
    assert_fault(api(base_url, "POST", "/schedules", json={"definition": "QuickJob", "cron": "every tuesday"}),
                 400, "invalid")


def test_client_heartbeat_on_running_only(base_url):
    ref = submit(base_url, "SlowJob")["id"]
    wait_state(base_url, ref, "RUNNING")
    before = api(base_url, "GET", f"/executions/{ref}").json()["heartbeat"]
    time.sleep(0.01)
    beat = api(base_url, "POST", f"/executions/{ref}/heartbeat")
    assert beat.status_code == 200 and beat.json()["heartbeat"] > before
    api(base_url, "POST", f"/executions/{ref}/cancel")
    wait(base_url, ref)
    assert_fault(api(base_url, "POST", f"/executions/{ref}/heartbeat"), 409, "conflict")


def test_expiry_after_the_end_removes_execution_log_and_result(base_url):
    ref = submit(base_url, "QuickJob", expire_after=1)["id"]
    done = wait(base_url, ref)
    assert done["expires"] is not None
    time.sleep(1.2)
    assert_fault(api(base_url, "GET", f"/executions/{ref}"), 404, "execution_not_found")
    other = wait(base_url, submit(base_url, "QuickJob")["id"])
    expired = api(base_url, "PUT", f"/executions/{other['id']}/expiry",
                  json={"at": iso(datetime.now(UTC) - timedelta(seconds=1))})
    assert expired.status_code == 200
    assert_fault(api(base_url, "GET", f"/executions/{other['id']}/log"), 404, "execution_not_found")


def test_a_python_step_overrunning_its_own_timeout_is_stopped(base_url):
    done = wait(base_url, submit(base_url, "StepTimeoutJob")["id"], timeout=30)
    assert done["state"] == "FAILED" and "step Busy timed out after 1 s" in done["message"]


def test_a_slow_but_live_step_is_never_taken_for_dead(base_url, settings):
    """The step runs past JOBGATE_STALE_AFTER without a word; the watcher's heartbeats keep it alive."""
    ref = submit(base_url, "BusyJob", parameters={"seconds": settings.stale_after + 2})["id"]
    done = wait(base_url, ref, timeout=30)
    assert done["state"] == "SUCCEEDED", done["message"]


def test_a_chained_execution_keeps_its_start_time(base_url):
    first = submit(base_url, "QuickJob")
    start = datetime.now(UTC) + timedelta(seconds=3)
    second = submit(base_url, "QuickJob", after=[first["id"]], start_at=iso(start))
    assert wait(base_url, first["id"])["state"] == "SUCCEEDED"
    assert api(base_url, "GET", f"/executions/{second['id']}").json()["state"] == "CREATED"
    done = wait(base_url, second["id"], timeout=30)
    assert done["state"] == "SUCCEEDED" and done["started"] >= iso(start)


def test_catalog_schedule_fires_as_its_tenant(base_url):
    carol = {"Authorization": "Bearer tok-carol"}
    deadline = time.monotonic() + 20
    fired = []
    while len(fired) < 2 and time.monotonic() < deadline:
        fired = api(base_url, "GET", "/executions", headers=carol, params={"definition": "TickJob"}).json()["items"]
        time.sleep(0.3)
    assert len(fired) >= 2
    assert all(e["trigger"] == "schedule" and e["attributes"]["schedule"]["id"] == "catalog-TickJob" for e in fired)
    assert len({e["attributes"]["schedule"]["due"] for e in fired}) == len(fired)
    schedules = api(base_url, "GET", "/schedules", headers=carol).json()["items"]
    assert [s["cron"] for s in schedules if s["id"] == "catalog-TickJob"] == ["* * * * * */3"]
    assert api(base_url, "GET", "/executions", params={"definition": "TickJob"}).json()["total"] == 0   # not acme's
    assert api(base_url, "POST", "/schedules/catalog-TickJob/pause", headers=carol).json()["paused"] is True
