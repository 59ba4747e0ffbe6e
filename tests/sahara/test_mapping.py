"""The one state table: every canonical state has a Sahara word, and the words lead back."""
import pytest

from adapters.sahara.mapping import STATES
from jobgate.model import Execution, State, StepExecution


def execution(state, **fields):
    return Execution(id="e", seq=1, definition_id="d", tenant="t", state=state, **fields)


@pytest.mark.parametrize("state", list(State))
def test_every_canonical_state_maps_and_maps_back(state):
    word = STATES.wire(execution(state))
    assert state in STATES.states(word)


def test_every_row_is_reachable_and_every_sahara_word_is_known():
    assert set(STATES.values()) == {
        "PENDING", "RUNNING", "TOBEKILLED", "SUCCEEDED", "DONEWITHERROR", "FAILED", "KILLED"}
    assert STATES.wire(execution(State.RUNNING, cancel_requested=True)) == "TOBEKILLED"


@pytest.mark.parametrize("step, expected", [
    (StepExecution("s", "shell", state=State.FAILED, exit_code=3, message="exit code 3", process_exit=3),
     "DONEWITHERROR"),
    (StepExecution("s", "shell", state=State.FAILED, exit_code=3, message="exit code 3"), "FAILED"),
    (StepExecution("s", "shell", state=State.FAILED, exit_code=137, message="killed by signal 9"), "FAILED"),
    (StepExecution("s", "shell", state=State.FAILED, exit_code=124, message="step timed out after 1 s"), "FAILED"),
    (StepExecution("s", "python", state=State.FAILED, exit_code=1, message="RuntimeError: boom"), "FAILED"),
    (StepExecution("s", "shell", state=State.FAILED, exit_code=1, message="FileNotFoundError: x"), "FAILED"),
])
def test_done_with_error_only_for_a_process_that_exited_non_zero(step, expected):
    assert STATES.wire(execution(State.FAILED, steps=[step])) == expected
