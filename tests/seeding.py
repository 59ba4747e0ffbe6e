"""Executions written straight through the store, in every state and mark a list can show.

For list tests that need many executions of one job in known states quickly:
no RQ job is queued, and the RUNNING ones are out of the heartbeat index, so
neither a worker nor the DIED sweep touches them while a test reads them.
"""
from __future__ import annotations

import uuid

from jobgate.model import Execution, State, StepExecution, dump, now, to_ms
from jobgate.store import keys
from jobgate.store.executions import Store

#: the shapes seeded in turn: (state it reaches, cancel asked, exit of its failed step's process)
SHAPES = (
    (State.CREATED, False, None), (State.QUEUED, False, None), (State.RUNNING, False, None),
    (State.RUNNING, True, None), (State.SUCCEEDED, False, None), (State.SUCCEEDED_WITH_WARNINGS, False, None),
    (State.FAILED, False, 2), (State.FAILED, False, None), (State.FAILED, False, 0), (State.CANCELED, False, None),
    (State.DIED, False, None),
)


def seed(store: Store, tenant: str, definition: str, count: int, origin: str = "native") -> list[Execution]:
    """`count` executions of `definition`, cycling through SHAPES, oldest first."""
    made = []
    for n in range(count):
        state, cancel, exit_status = SHAPES[n * 7 % len(SHAPES)]
        execution = Execution(id=str(uuid.uuid4()), seq=store.next_seq(), definition_id=definition, tenant=tenant,
                              origin=origin, state=State.CREATED if state is State.CREATED else State.QUEUED,
                              created=now(), steps=[StepExecution(id="only", type="shell")])
        store.create(execution, {"steps": []}, exclusive=False)
        made.append(_reach(store, execution, state, cancel, exit_status))
    return made


def _reach(store: Store, execution: Execution, state: State, cancel: bool, exit_status: int | None) -> Execution:
    if state in (State.CREATED, State.QUEUED):
        return execution
    if state is State.CANCELED:
        return store.transition(execution.id, State.CANCELED, {"ended": to_ms(now())})
    running = store.transition(execution.id, State.RUNNING, {"started": to_ms(now())})
    store.redis.zrem(keys.HEARTBEATS, execution.id)
    if state is State.RUNNING:
        return store.transition(execution.id, None, {"cancel_requested": True}) if cancel else running
    step = StepExecution(id="only", type="shell", state=State.FAILED if state is State.FAILED else state,
                         process_exit=exit_status)
    return store.transition(execution.id, state, {"ended": to_ms(now()), "steps": [dump(step)]})
