"""Job definitions through a dialect's own wire: list, read, create, update, run, delete."""
import uuid

import pytest

from jobgate.testing.driver import WireError
from jobgate.testing.requirements import requires


@requires.definitions
def test_definition_made_here_is_listed_read_changed_run_and_deleted(driver, as_user):
    name = f"Suite{uuid.uuid4().hex[:12]}"
    ref = driver.create_definition(name, "made by the suite")
    made = driver.definition(ref)
    assert (made.id, made.name, made.description) == (ref, name, "made by the suite")
    assert ref in [d.id for d in driver.definitions()]
    driver.update_definition(ref, "changed by the suite")
    assert driver.definition(ref).description == "changed by the suite"
    done = driver.wait(driver.submit(name))
    assert (done.state, done.definition) == ("SUCCEEDED", name), done
    with pytest.raises(WireError) as caught:
        as_user("carol").definition(ref)
    assert (caught.value.status, caught.value.kind) == (404, "not_found")
    assert ref not in [d.id for d in as_user("carol").definitions()]
    driver.delete_definition(ref)
    with pytest.raises(WireError) as caught:
        driver.definition(ref)
    assert (caught.value.status, caught.value.kind) == (404, "not_found")
    assert ref not in [d.id for d in driver.definitions()]


@requires.definitions
def test_catalog_definitions_are_listed_and_cannot_be_changed(driver):
    listed = {d.name: d for d in driver.definitions()}
    assert {"QuickJob", "FailingJob", "SlowJob"} <= set(listed)
    quick = listed["QuickJob"]
    assert driver.definition(quick.id) == quick
    with pytest.raises(WireError) as caught:
        driver.update_definition(quick.id, "not allowed")
    assert 400 <= caught.value.status < 500, caught.value
    assert driver.definition(quick.id).description == quick.description


__all__ = [name for name in dir() if name.startswith("test_")]
