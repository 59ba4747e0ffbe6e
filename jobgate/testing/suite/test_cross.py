"""One canonical store behind every dialect: an execution submitted through this
dialect reads the same through every installed one (and through itself), each
reader addressing it by its own id: definition, parameters, state and times."""
from jobgate.testing.parts import TOKENS
from jobgate.testing.suite.support import as_text, canonical, truncated


def test_execution_submitted_here_reads_the_same_through_every_dialect(driver, reader, drivers, suite_gateway,
                                                                      service):
    given = {"greeting": "across"}
    ref = driver.submit("QuickJob", given)
    assert driver.wait(ref).state == "SUCCEEDED"
    record = canonical(service, driver, ref)
    other = drivers[reader]
    through = other.driver(suite_gateway.url, TOKENS["alice"])
    own_id = through.ref(record.id, record.seq)
    seen = through.get(own_id)
    assert (seen.id, seen.definition, seen.state) == (own_id, "QuickJob", "SUCCEEDED"), seen
    assert as_text(given) <= as_text(seen.parameters) <= as_text(record.parameters), seen.parameters
    precision = other.requirements.time_precision
    assert (seen.started, seen.ended) == (truncated(record.started, precision), truncated(record.ended, precision))


__all__ = [name for name in dir() if name.startswith("test_")]
