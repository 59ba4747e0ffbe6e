"""Idempotent submits through one dialect's wire: a submit sent again with its Idempotency-Key
answers the execution the first one made (in the dialect's own document and status, saying
`Idempotent-Replayed: true`), the key sent with another request is refused in the dialect's
fault format, racing submits with one key make one execution, and keys are per tenant.

A driver reads the refusal as the kind `idempotency_key_reused`, and sends the header through
`WireDriver.sending`."""
from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import unquote, urlsplit

import pytest
import requests

from jobgate.model import Principal
from jobgate.testing.driver import WireError
from jobgate.testing.requirements import requires
from jobgate.testing.suite.support import canonical
from jobgate.testing.suite.test_openapi import _document, _operation, _undocumented

HEADER = "Idempotency-Key"
ALICE = Principal("alice", "acme")


def _keyed(driver, key: str | None = None):
    """The driver sending a fresh key (or `key`) with every request, and the answers to its POSTs."""
    answers: list[requests.Response] = []
    keyed = driver.sending({HEADER: key or f"suite-{uuid.uuid4()}"})
    keyed.http.hooks["response"].append(
        lambda response, *args, **kwargs: answers.append(response) if response.request.method == "POST" else None)
    return keyed, answers


def _made(service, job: str) -> int:
    """How many executions of `job` alice's tenant has."""
    return service.page(ALICE, definition=job, limit=1).total


def test_a_submit_sent_again_answers_the_same_execution(driver, service):
    keyed, answers = _keyed(driver)
    before = _made(service, "QuickJob")
    first = keyed.submit("QuickJob")
    assert keyed.wait(first).state == "SUCCEEDED"
    again = keyed.submit("QuickJob")
    assert again == first
    assert _made(service, "QuickJob") == before + 1
    assert answers[-1].status_code == answers[0].status_code, answers
    assert answers[-1].headers.get("Idempotent-Replayed") == "true"
    assert "Idempotent-Replayed" not in answers[0].headers
    assert keyed.get(again).state == "SUCCEEDED"          # the execution itself, as it is now


def test_the_key_with_another_request_is_refused(driver, service):
    keyed, _ = _keyed(driver)
    first = keyed.submit("QuickJob")
    before = _made(service, "FuzzedJob")
    with pytest.raises(WireError) as caught:
        keyed.submit("FuzzedJob")
    assert (caught.value.status, caught.value.kind) in {(409, "idempotency_key_reused"),
                                                        (422, "idempotency_key_reused")}, caught.value
    assert _made(service, "FuzzedJob") == before
    assert keyed.submit("QuickJob") == first              # the first request still answers its execution
    keyed.wait(first)


@requires.execution_parameters
def test_the_key_with_other_parameters_is_refused(driver):
    keyed, _ = _keyed(driver)
    first = keyed.submit("QuickJob", {"greeting": "hello"})
    with pytest.raises(WireError) as caught:
        keyed.submit("QuickJob", {"greeting": "goodbye"})
    assert caught.value.kind == "idempotency_key_reused", caught.value
    keyed.wait(first)


def test_a_key_that_is_not_one_is_refused(driver):
    keyed, _ = _keyed(driver, key="x" * 256)
    with pytest.raises(WireError) as caught:
        keyed.submit("QuickJob")
    assert (caught.value.status, caught.value.kind) == (400, "invalid"), caught.value


def test_racing_submits_with_one_key_make_one_execution(as_user, service):
    racing, key = 8, f"suite-{uuid.uuid4()}"
    start = threading.Barrier(racing)
    before = _made(service, "QuickJob")

    def attempt(_):
        keyed, _ = _keyed(as_user("alice"), key)
        start.wait()
        try:
            return keyed.submit("QuickJob")
        except WireError as error:
            return error
    with ThreadPoolExecutor(racing) as pool:
        outcomes = list(pool.map(attempt, range(racing)))
    assert len(set(outcomes)) == 1 and isinstance(outcomes[0], str), outcomes
    assert _made(service, "QuickJob") == before + 1
    as_user("alice").wait(outcomes[0])


def test_another_tenant_with_the_same_key_gets_its_own(as_user, service):
    key = f"suite-{uuid.uuid4()}"
    alice, _ = _keyed(as_user("alice"), key)
    carol, _ = _keyed(as_user("carol"), key)
    mine, theirs = alice.submit("QuickJob"), carol.submit("QuickJob")
    assert canonical(service, alice, mine).tenant == "acme"
    with pytest.raises(WireError) as caught:
        carol.get(mine)
    assert caught.value.status == 404
    assert carol.wait(theirs).state == "SUCCEEDED" and alice.wait(mine).state == "SUCCEEDED"
    assert carol.submit("QuickJob") == theirs


def test_the_header_and_its_refusal_are_documented(driver, requirements, suite_gateway):
    keyed, answers = _keyed(driver)
    keyed.wait(keyed.submit("QuickJob"))
    keyed.submit("QuickJob")
    with pytest.raises(WireError):
        keyed.submit("FuzzedJob")
    document = _document(requirements, suite_gateway)
    problems = [problem for response in answers for problem in _undocumented(document, response)]
    assert not problems, "\n".join(problems)
    submit = answers[0].request
    operation = _operation(document, submit.method.lower(), unquote(urlsplit(submit.url).path))
    assert HEADER in [p["name"] for p in operation.get("parameters", []) if p["in"] == "header"], operation


__all__ = [name for name in dir() if name.startswith("test_")]
