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
from datetime import timedelta

from jobgate.errors import Conflict, NotFound, Unavailable
from jobgate.model import SUCCESS, Execution, State, dump, from_ms, log_line, now, to_ms
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
            self.queue.enqueue_alone(waiting, plan.get("timeout"), start_at)
            if start_at and start_at > now():
                return     # stays CREATED until RQ's scheduler releases it at its time
            try:
                self.store.transition(waiting.id, State.QUEUED, {"queued": to_ms(now())}, allowed=(State.CREATED,))
            except Conflict:
                pass   # released by a racing settle, or canceled: the runner checks the state

    def die(self, execution_id: str, why: str) -> None:
        """A run whose worker vanished: queued again as its next attempt if its job allows one
        (its RQ job back on its queue with it, after the job's retry delay), else DIED, its slot
        freed, its RQ job failed."""
        after = self.rerun_or_die(execution_id, why, requeue=True)
        if after is not None and after.state is State.DIED:
            self.queue.abandon(after.id, after.queue, why)

    def rerun_or_die(self, execution_id: str, why: str, *, interrupted: bool = False,
                     requeue: bool = False) -> Execution | None:
        """A RUNNING run that could not end by itself (its worker died, or shut down): QUEUED again as
        its next attempt while it has attempts left (1 + the job's retries; a run `interrupted` by a
        shutdown, not by its own doing, also when its job is restartable), else DIED saying why.
        One whose cancel was asked ends CANCELED. With `requeue`, its RQ job is queued again in the
        same step; else the caller puts it back (through RQ's retry). None if it was not RUNNING."""
        execution = self.store.get(execution_id)
        if execution is None or execution.state is not State.RUNNING:
            return None
        if execution.cancel_requested:
            return self._end(execution, State.CANCELED, execution.canceled_message, allowed=(State.RUNNING,))
        plan = self.store.get_plan(execution_id) or {}
        attempts = 1 + int(plan.get("retries") or 0)
        if execution.attempt >= attempts and not (interrupted and plan.get("restartable")):
            return self._end(execution, State.DIED, why, allowed=(State.RUNNING,))
        attempt = execution.attempt + 1
        message = f"{why}; queued again as attempt {attempt}"
        delay = float(plan.get("retry_delay") or 0)

        def enqueue(pipe) -> None:
            at = now() + timedelta(seconds=delay) if delay else None
            self.queue.requeue(pipe, execution, plan.get("timeout"), at)

        try:
            again = self.store.transition(execution_id, State.QUEUED, {
                "queued": to_ms(now()), "attempt": attempt, "message": message,
                "steps": [dump(s) for s in execution.fresh_steps()]}, allowed=(State.RUNNING,),
                enqueue=enqueue if requeue else None)
        except (Conflict, NotFound):
            return None
        self.store.append_log(execution_id, log_line(message))
        log.info("execution %s: %s", execution_id, message)
        return again

    def _end(self, execution: Execution, state: State, message: str, allowed=None) -> Execution | None:
        try:
            ended = self.store.transition(execution.id, state, {
                "ended": to_ms(now()), "message": message, "exit_message": message, "exit_code": 1}, allowed=allowed)
        except (Conflict, NotFound):
            return None
        log.info("execution %s %s: %s", execution.id, state.value, message)
        self.settle(ended)
        return ended

    def sweep(self, stale_after: float) -> int:
        """RUNNING executions with no heartbeat for `stale_after` seconds: DIED, or queued again (`die`)."""
        cutoff = to_ms(now()) - int(stale_after * 1000)
        stale = self.store.stale(cutoff)
        for execution_id in stale:
            self.die(execution_id, f"worker stopped heartbeating (no heartbeat for {stale_after:g} s)")
        return len(stale)


class Housekeeper:
    """Purges expired executions and sweeps dead runs, at most once a second per process.

    Each jobgate worker's maintenance thread calls it; the gateway does not, so
    a deployment with no jobgate worker left sweeps nothing. After Redis was
    unreachable it waits a full `stale_after` before sweeping again: heartbeats
    could not be written meanwhile, and a live run must not be taken for a dead
    one.
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
