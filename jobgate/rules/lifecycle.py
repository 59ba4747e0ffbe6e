"""What happens around an execution's end: chains, dead workers, releases.

An execution submitted `after` others waits in CREATED with no RQ job. When
a prerequisite ends, `settle` either releases the waiting execution (all its
prerequisites succeeded: enqueue, then QUEUED) or cancels it with the cause,
and that cancel settles its own dependents in turn. Races are harmless: the
transition table lets only one release or cancel win.
"""
from __future__ import annotations

import logging
import time

from jobgate.errors import Conflict, NotFound, Unavailable
from jobgate.model import SUCCESS, Execution, State, from_ms, now, to_ms
from jobgate.store.executions import Store
from jobgate.store.queue import JobQueue

log = logging.getLogger("jobgate.lifecycle")


class Lifecycle:
    def __init__(self, store: Store, queue: JobQueue):
        self.store, self.queue = store, queue

    def settle(self, ended: Execution) -> None:
        """Release or cancel the executions waiting on one that just ended; remove it
        if a delete was asked for while it ran."""
        for dependent_id in self.store.dependents(ended.id):
            dependent = self.store.get(dependent_id)
            if dependent is not None and dependent.state is State.CREATED:
                self.release_if_ready(dependent)
        if ended.delete_on_end:
            self.store.purge(ended.id, only_ended=True)

    def release_if_ready(self, waiting: Execution) -> None:
        prerequisites = [self.store.get(ref) for ref in waiting.after]
        for prerequisite, ref in zip(prerequisites, waiting.after, strict=False):
            if prerequisite is None or (prerequisite.finished and prerequisite.state not in SUCCESS):
                cause = f"{ref} ended {prerequisite.state.value}" if prerequisite else f"{ref} is gone"
                self._end(waiting, State.CANCELED, f"canceled: prerequisite {cause}")
                return
        if all(p.state in SUCCESS for p in prerequisites):
            plan = self.store.get_plan(waiting.id)
            start_at = from_ms(plan.get("start_at"))
            self.queue.enqueue_alone(waiting.id, plan.get("queue", "default"), plan.get("timeout"), start_at)
            if start_at and start_at > now():
                return     # stays CREATED until RQ's scheduler releases it at its time
            try:
                self.store.transition(waiting.id, State.QUEUED, {"queued": to_ms(now())}, allowed=(State.CREATED,))
            except Conflict:
                pass   # released by a racing settle, or canceled: the runner checks the state

    def die(self, execution_id: str, why: str) -> None:
        """A run whose worker vanished: DIED, its slot freed, its RQ job failed."""
        execution = self.store.get(execution_id)
        if execution is None:
            return
        if self._end(execution, State.DIED, why, allowed=(State.RUNNING,)):
            self.queue.abandon(execution.id, execution.queue, why)

    def _end(self, execution: Execution, state: State, message: str, allowed=None) -> bool:
        try:
            ended = self.store.transition(execution.id, state, {
                "ended": to_ms(now()), "message": message, "exit_message": message, "exit_code": 1}, allowed=allowed)
        except (Conflict, NotFound):
            return False
        log.info("execution %s %s: %s", execution.id, state.value, message)
        self.settle(ended)
        return True

    def sweep(self, stale_after: float) -> int:
        """Mark RUNNING executions with no heartbeat for `stale_after` seconds DIED."""
        cutoff = to_ms(now()) - int(stale_after * 1000)
        stale = self.store.stale(cutoff)
        for execution_id in stale:
            self.die(execution_id, f"worker stopped heartbeating (no heartbeat for {stale_after:g} s)")
        return len(stale)


class Housekeeper:
    """Purges expired executions and sweeps dead runs, at most once a second per process.

    Both the gateway and the workers call it, so a lone worker's death is still
    noticed. After Redis was unreachable it waits a full `stale_after` before
    sweeping again: heartbeats could not be written meanwhile, and a live run
    must not be taken for a dead one.
    """

    def __init__(self, lifecycle: Lifecycle, stale_after: float, every: float = 1.0):
        self.lifecycle, self.stale_after, self.every = lifecycle, stale_after, every
        self._last = 0.0
        self._reachable_since = time.monotonic()

    def run(self) -> None:
        moment = time.monotonic()
        if moment - self._last < self.every:
            return
        self._last = moment
        try:
            self.lifecycle.store.purge_expired()
            if moment - self._reachable_since >= self.stale_after:
                self.lifecycle.sweep(self.stale_after)
        except Unavailable:
            self._reachable_since = float("inf")
            return
        if self._reachable_since == float("inf"):
            self._reachable_since = moment
