"""Faults under load (issue 12): nothing acknowledged is lost, left unfinished or run twice.

200 submits, spread over 12 s by 16 client threads, go through the native, OCAPI and Sahara
wire formats to a stack of this module's own, shaped as production (tests.faults). Meanwhile one
worker is SIGKILLed in the middle of a run (a supervisor starts another), Redis is stopped and
started again on the same folder (its append-only file restores the data), and gunicorn's master
is stopped and started again on the same port. The scenario runs once; each test checks one
property of what it left.

A submit is acknowledged when its dialect answered 2xx with an id. One that failed on the
connection or with a 503 during a fault was refused: the client was told it did not happen; it
is counted, not retried. Running twice is one attempt of one execution starting more than once;
a later attempt (a retry after a failure, or after its worker died) is a new attempt, allowed.
"""
import pytest

from jobgate.testing.driver import TERMINAL
from tests import faults

pytestmark = pytest.mark.faults


@pytest.fixture(scope="module")
def outcome(gateway_env, tmp_path_factory):
    stack = faults.Stack(gateway_env, tmp_path_factory.mktemp("faults"))
    try:
        stack.start()
        played = faults.play(stack)
    finally:
        stack.stop()
    print(played.report)
    return played


def test_submits_are_refused_only_by_connection_errors_and_503s(outcome):
    refusals = {s.refused for s in outcome.submits if s.ref is None}
    assert not {why for why in refusals if why != "connection error" and not why.startswith("503 ")}, outcome.report
    assert {s.dialect for s in outcome.acknowledged} == set(faults.DRIVERS), outcome.report
    assert len(outcome.submits) == faults.SUBMITS


def test_every_acknowledged_execution_is_kept(outcome):
    listed = {e["id"] for e in outcome.every}
    lost = [s for s in outcome.acknowledged if outcome.shown[s.ref] is None or outcome.shown[s.ref]["id"] not in listed]
    assert not lost, f"acknowledged, then not found or not listed: {lost}\n{outcome.report}"


def test_every_execution_ends(outcome):
    unfinished = [(e["id"], e["state"]) for e in outcome.every if e["state"] not in TERMINAL]
    assert not unfinished, f"left unfinished after {faults.DRAIN:g} s: {unfinished}\n{outcome.report}"


def test_no_attempt_starts_twice(outcome):
    twice = {run: count for run, count in outcome.runs.items() if count > 1}
    assert not twice, f"(execution, attempt) started more than once: {twice}\n{outcome.report}"


def test_every_success_ran(outcome):
    ran = {execution for execution, _ in outcome.runs}
    never = [e["id"] for e in outcome.every if e["state"] == "SUCCEEDED" and e["id"] not in ran]
    assert not never, f"succeeded without its step starting: {never}\n{outcome.report}"


def test_no_execution_fails_without_having_run(outcome):
    ran = {execution for execution, _ in outcome.runs}
    failed = [(e["id"], e["message"]) for e in outcome.every if e["state"] == "FAILED" and e["id"] not in ran]
    assert not failed, f"failed without its step starting: {failed}\n{outcome.report}"


def test_rq_tells_the_same_story(outcome):
    """A failed RQ job is an execution that did not succeed, and the other way round."""
    unsuccessful = {e["id"] for e in outcome.every if e["state"] in ("FAILED", "DIED")}
    assert outcome.failed_jobs == unsuccessful, outcome.report
