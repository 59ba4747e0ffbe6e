"""Cron schedules through a dialect's own wire: made, shown, firing as visible runs, paused."""
import time
import uuid

import pytest

from jobgate.testing.driver import WireError
from jobgate.testing.requirements import requires
from jobgate.testing.suite.support import canonical, eventually

EVERY_SECOND = "* * * * * *"


def fired(driver, service, schedule, at_least=0):
    """Runs of ScheduledJob that `schedule` started, as this dialect lists them (None while
    there are fewer than `at_least`); a run records the schedule that fired it."""
    refs, _ = driver.page("ScheduledJob", 0, 100)
    runs = [ref for ref in refs if canonical(service, driver, ref).attributes.get("schedule", {}).get("id") == schedule]
    return runs if len(runs) >= at_least else None


@requires.schedules
def test_schedule_fires_runs_seen_here_once_per_due_time_until_paused(driver, service):
    ref = driver.create_schedule("ScheduledJob", EVERY_SECOND, {"mark": uuid.uuid4().hex})
    shown = driver.schedule(ref)
    assert (shown.id, shown.definition, shown.cron, shown.paused) == (ref, "ScheduledJob", EVERY_SECOND, False)
    runs = eventually(lambda: fired(driver, service, ref, at_least=3))
    assert runs, "the schedule never fired three times"
    records = [canonical(service, driver, run) for run in runs]
    assert all(r.trigger == "schedule" for r in records)
    dues = [r.attributes["schedule"]["due"] for r in records]
    assert len(dues) == len(set(dues)), "a due time fired twice"
    assert all(driver.wait(run).state == "SUCCEEDED" for run in runs)
    driver.pause_schedule(ref)
    assert driver.schedule(ref).paused is True
    time.sleep(1.5)                                 # a firing claimed just before the pause may land
    count = len(fired(driver, service, ref))
    time.sleep(3.5)                                 # three due times and more
    assert len(fired(driver, service, ref)) == count, "a paused schedule fired"
    driver.delete_schedule(ref)
    with pytest.raises(WireError) as caught:
        driver.schedule(ref)
    assert (caught.value.status, caught.value.kind) == (404, "not_found")


@requires.schedules
def test_schedule_of_an_unknown_job_or_bad_cron_is_refused(driver):
    for job, cron in (("NoSuchJob", EVERY_SECOND), ("ScheduledJob", "every tuesday")):
        with pytest.raises(WireError) as caught:
            driver.create_schedule(job, cron, {})
        assert 400 <= caught.value.status < 500, caught.value


__all__ = [name for name in dir() if name.startswith("test_")]
