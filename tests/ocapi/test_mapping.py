"""The state table covers every canonical state, and reads back by `status` word."""
from adapters.ocapi.mapping import FROM_STATUS, STATES, status_word
from jobgate.model import State

EXECUTION_STATUSES = {"pending", "running", "pausing", "paused", "resuming", "resumed", "restarting", "restarted",
                      "retrying", "retried", "aborting", "aborted", "finished", "unknown"}


def test_every_canonical_state_maps_to_a_documented_execution_status():
    assert {state for state, _, _ in STATES.rows} == set(State)
    for state, (execution_status, code, outcome), _ in STATES.rows:
        assert execution_status in EXECUTION_STATUSES
        assert (code is None) == (outcome is None) == (not state.terminal), state
        assert outcome in (None, "ok", "error")


def test_status_words_read_back_to_the_states_showing_them():
    assert FROM_STATUS["PENDING"] == {State.CREATED, State.QUEUED}
    assert FROM_STATUS["RUNNING"] == {State.RUNNING}
    assert FROM_STATUS["OK"] == {State.SUCCEEDED}
    assert FROM_STATUS["ERROR"] == {State.FAILED, State.DIED}
    assert all(state in FROM_STATUS[status_word(state)] for state in State)
    assert set().union(*FROM_STATUS.values()) == set(State)


def test_terminal_states_are_told_apart_by_execution_status_and_code():
    ended = [STATES.wire(s)[:2] for s in State if s.terminal]
    assert len(set(ended)) == len(ended)
