"""CDQ's state table: every canonical state shows a JobStatus that reads back to it."""
from adapters.cdq.wire import JOB_STATUSES, STATES
from jobgate.model import State


def test_every_canonical_state_maps_and_reads_back():
    for state in State:
        word = STATES.wire(state)
        assert word in JOB_STATUSES and state in STATES.states(word)
    assert STATES.wire(State.DIED) == "DIED" and STATES.wire(State.QUEUED) == "SCHEDULED"


def test_words_jobgate_has_no_state_for_match_nothing():
    assert [w for w in JOB_STATUSES if not STATES.states(w)] == ["UNKNOWN", "CREATED", "PERSISTED"]
