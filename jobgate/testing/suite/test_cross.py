"""A job started through one dialect is the same job through every other: each
reader, addressing it by its own id, shows its definition, state and end, and
(where both speak of them) its parameters and start."""
import pytest

from jobgate.testing.parts import TOKENS
from jobgate.testing.requirements import requires
from jobgate.testing.suite.support import as_text, canonical, truncated


def _read_elsewhere(driver, reader, drivers, suite_gateway, service, given):
    ref = driver.submit("QuickJob", given)
    assert driver.wait(ref).state == "SUCCEEDED"
    record = canonical(service, driver, ref)
    other = drivers[reader]
    through = other.driver(suite_gateway.url, TOKENS["alice"])
    own_id = through.ref(record.id, record.seq)
    return record, other, own_id, through.get(own_id)


def test_execution_submitted_here_reads_the_same_through_every_dialect(driver, reader, drivers, suite_gateway,
                                                                      service):
    record, other, own_id, seen = _read_elsewhere(driver, reader, drivers, suite_gateway, service, {})
    assert (seen.id, seen.definition, seen.state) == (own_id, "QuickJob", "SUCCEEDED"), seen
    assert seen.ended == truncated(record.ended, other.requirements.time_precision)


def test_start_time_is_the_same_through_every_dialect_that_shows_one(driver, reader, drivers, suite_gateway,
                                                                     service):
    refusal = drivers[reader].requirements.refusal("shows_start_times")
    if refusal:
        pytest.skip(refusal)
    record, other, _, seen = _read_elsewhere(driver, reader, drivers, suite_gateway, service, {})
    assert seen.started == truncated(record.started, other.requirements.time_precision)


@requires.execution_parameters
def test_parameters_given_here_are_shown_by_every_dialect_that_shows_parameters(driver, reader, drivers,
                                                                                suite_gateway, service):
    refusal = drivers[reader].requirements.refusal("execution_parameters")
    if refusal:
        pytest.skip(refusal)
    given = {"greeting": "across"}
    record, _, _, seen = _read_elsewhere(driver, reader, drivers, suite_gateway, service, given)
    assert as_text(given) <= as_text(seen.parameters) <= as_text(record.parameters), seen.parameters


__all__ = [name for name in dir() if name.startswith("test_")]
