"""The RQ job function: run one execution's steps and report as it goes.

RQ calls `run(execution_id)` in its work horse. The execution record, not the
RQ job, is the truth clients read: this module moves it to RUNNING, records
each step, progress, log lines and the result, retries when the job allows,
and ends it in a terminal state. A watcher thread (`workers.watch`) heartbeats
and turns cancel requests, overrun deadlines and a vanished worker into action.

A Redis outage pauses the run's bookkeeping, not the run: what it must record
(step records, the result, its start and end) waits for the store
(workers.patience), log lines are kept in order until the store takes them,
and progress is written again with the next report. The run then ends as it
really ended, not as a failure of the store.

A shutdown (workers.shutdown) is no failure either: a run that has not
succeeded once its horse was asked to stop was interrupted, and is queued again
as its next attempt (RQ's own Retry puts its job back) or ends DIED saying so.
After every step, whatever processes the step left, escaped from its process
group or not, are killed (the horse is a child subreaper: jobgate.tools.processes).
"""
from __future__ import annotations

import threading
import time
from functools import lru_cache

from rq import Retry, get_current_job

from jobgate.errors import Conflict
from jobgate.model import Execution, State, dump, log_line, now, to_ms
from jobgate.rules.service import Service
from jobgate.settings import Settings
from jobgate.store.connection import StoreUnavailable
from jobgate.store.metrics import StepTimes
from jobgate.tools.processes import end_descendants
from workers import mirror, shutdown
from workers.patience import Patient, unless_unreachable, until_reachable
from workers.steps import CANCEL_EXIT, StepTimeout
from workers.watch import Watcher

#: Progress writes are coalesced to at most one per this many seconds.
PROGRESS_EVERY = 0.25
#: After the store was found unreachable, log and progress writes wait this long before trying again.
AWAY_PAUSE = 1.0
#: Log bytes kept while the store is unreachable; past this, logging waits for the store.
LOG_BACKLOG_MAX = 1 << 20


@lru_cache(maxsize=1)
def _service() -> Service:
    return Service.from_settings(Settings.from_env())


def warm() -> None:
    """Load settings, catalog and step types once in the worker, before it forks horses."""
    _service()


def run(execution_id: str) -> Retry | None:
    this = Run(_service(), execution_id, horse=True)
    if this.execute():    # interrupted, queued again: RQ requeues its job
        return Retry(max=(get_current_job().number_of_retries or 0) + 1)
    return mirror.raise_if_failed(this.ended or until_reachable(_service().store.get, execution_id))  # failed: RQ's too


class Run:
    """One execution on this worker; also the StepContext its steps see."""

    def __init__(self, service: Service, execution_id: str, *, horse: bool = False):
        self.service, self.store, self.settings = service, service.store, service.settings
        #: in a work horse every process below this one is its steps': ended after each step
        self.horse = horse
        #: a stop asked of this horse (a shutdown), and the watcher's sign that its grace is over
        self.stop, self.interrupting = shutdown.STOP, threading.Event()
        #: the store, waiting out an outage: for what the run must record
        self.durable = Patient(service.store)
        self.step_times = StepTimes(service.redis)     # for /metrics (store.metrics)
        self.execution_id = execution_id
        self.cancel = threading.Event()
        self.started: int | None = None      # this run's start stamp (ms): a later run of it has another
        self._step_index, self._step_count = 0, 1
        self._last_progress, self._pending_progress = 0.0, None
        self._written_progress: dict | None = None     # the last one flushed, which the end keeps
        self._tracked = False
        self._execution = None        # the record, read once for its tenant and job (result records)
        self.ended: Execution | None = None     # the record as this run's own end wrote it (not purged)
        self._log_backlog, self._backlog_size = [], 0     # lines not yet written, and their length
        self._log_lock = threading.Lock()
        self._away_until = 0.0
        #: when the current step must be over (monotonic), and what to say if it is not
        self.deadline_at: float | None = None
        self.deadline_message = ""

    # -- StepContext -------------------------------------------------------
    def progress(self, processed: int, total: int, failed: int = 0) -> None:
        fraction = min(1.0, processed / total) if total else 0.0
        percent = round(100 * (self._step_index + fraction) / self._step_count, 1)
        self._pending_progress = {"percent": percent, "total": total, "processed": processed, "failed": failed}
        if time.monotonic() - self._last_progress >= PROGRESS_EVERY:
            self._flush_progress()

    def log(self, line: str) -> None:
        with self._log_lock:
            self._log_backlog.append(log_line(line))
            self._backlog_size += len(self._log_backlog[-1])
            self._write_log(durably=self._backlog_size > LOG_BACKLOG_MAX)

    def set_result(self, data) -> None:
        self.durable.set_result(self.execution_id, data)
        self.durable.transition(self.execution_id, None, {"has_result": True})

    def record(self, keys: dict[str, str], *, failed: bool = False, message: str = "", data=None) -> None:
        """One item's outcome, kept with the execution and listed by its keys (service.records)."""
        if self._execution is None:
            self._execution = self.durable.get(self.execution_id)
        until_reachable(self.service.add_record, self._execution, keys, failed=failed, message=message, data=data)

    def track_process_group(self, pgid: int | None) -> None:
        if pgid is not None or self._tracked:
            self.durable.set_process_group(self.execution_id, pgid)
        self._tracked = pgid is not None

    def cancelled(self) -> bool:
        return self.cancel.is_set() or self.interrupting.is_set()

    # -- the run -----------------------------------------------------------
    def execute(self) -> bool:
        """Run it to its end; True when it was interrupted by a shutdown and queued again."""
        plan = self.durable.get_plan(self.execution_id)
        execution = self._start()
        if execution is None or plan is None:
            return False
        watcher = Watcher(self)
        watcher.start()
        deadline = None if plan.get("timeout") is None else time.monotonic() + plan["timeout"]
        try:
            state, code, message = self._attempts(execution, plan, deadline)
        except Exception as exc:   # a bug or a store error: the execution still ends
            state, code, message = State.FAILED, 1, f"{type(exc).__name__}: {exc}"
        finally:
            watcher.stop()
        if watcher.ended:       # the watcher already ended it (timeout / forced cancel)
            return False
        if self.stop.asked and state is not State.SUCCEEDED:
            return self.interrupt()
        if state is State.CANCELED:
            asked = self.durable.get(self.execution_id)
            message = asked.canceled_message if asked else "canceled"
        progress = self._pending_progress
        if state is State.SUCCEEDED:
            progress = {**dump(execution.progress), **(self._written_progress or {}), **(progress or {}),
                        "percent": 100.0}
        self.track_process_group(None)
        self.finish(state, code, message, {"progress": progress} if progress else {})
        return False

    def interrupt(self) -> bool:
        """End this run as interrupted by a shutdown: queued again as its next attempt when its job
        allows, else DIED saying so (a cancel asked meanwhile still ends it CANCELED). True when
        queued again."""
        self.track_process_group(None)
        with self._log_lock:
            self._write_log(durably=True)
        after = until_reachable(self.service.lifecycle.rerun_or_die, self.execution_id, shutdown.INTERRUPTED,
                                interrupted=True)
        return after is not None and after.state is State.QUEUED

    def finish(self, state: State, code: int, message: str, extra: dict | None = None) -> bool:
        """End the execution (once: a racing end is a Conflict, ignored) and settle its chain."""
        with self._log_lock:
            self._write_log(durably=True)
        try:
            ended = self._move(state, {"ended": to_ms(now()), "exit_code": code, "exit_message": message,
                                       "message": message, **(extra or {})}, "ended")
        except Conflict:
            return False
        self.ended = None if ended.delete_on_end else ended
        until_reachable(self.service.lifecycle.settle, ended)
        return True

    def _start(self):
        """QUEUED -> RUNNING in one step; a scheduled (CREATED) one passes through QUEUED."""
        stamp = self.started = to_ms(now())
        patch = {"started": stamp, "heartbeat": stamp}
        try:
            return self._move(State.RUNNING, patch, "started")
        except Conflict as refused:
            if refused.context.get("state") != State.CREATED.value:
                return None      # canceled (or otherwise ended) before a worker took it
        try:
            self._move(State.QUEUED, {"queued": stamp}, "queued", allowed=(State.CREATED,))
            return self._move(State.RUNNING, patch, "started")
        except Conflict:
            return None

    def _move(self, to: State, patch: dict, stamp: str, allowed=None) -> Execution:
        """A state change of this run, waiting out an outage. A timed-out attempt may still
        have been made (a hung Redis runs it when it wakes): a Conflict showing this run's
        own `stamp` field in the wanted state is that change, not a race lost."""
        try:
            return self.durable.transition(self.execution_id, to, patch, allowed=allowed)
        except Conflict:
            current = self.durable.get(self.execution_id)
            if current is None or current.state is not to or to_ms(getattr(current, stamp)) != patch[stamp]:
                raise
            return current

    def _attempts(self, execution, plan, deadline: float | None) -> tuple[State, int, str]:
        """The run's attempts (1 + retries, counting those of earlier runs of it: execution.attempt),
        all within the one job deadline; none more once a stop is asked."""
        attempts = 1 + int(plan.get("retries") or 0)
        attempt = execution.attempt
        while True:
            state, code, message = self._run_steps(execution, plan, deadline)
            if state is not State.FAILED or attempt >= attempts or self.stop.asked:
                return state, code, message
            self.log(f"attempt {attempt} of {attempts} failed: {message}; retrying")
            if self.cancel.wait(float(plan.get("retry_delay") or 0)):
                return State.CANCELED, 143, "canceled"
            attempt += 1
            execution.steps = execution.fresh_steps()
            self.durable.transition(self.execution_id, None, {"attempt": attempt})

    def _run_steps(self, execution, plan, deadline: float | None) -> tuple[State, int, str]:
        steps = execution.steps
        self._step_count = max(1, len(steps))
        for index, spec in enumerate(plan["steps"]):
            self._step_index = index
            record = steps[index]
            record.state, record.started = State.RUNNING, now()
            self._save_steps(steps)
            self.log(f"[{spec['id']}] started ({spec['type']})")
            began = time.monotonic()
            state, code, message, record.process_exit = self._run_step(spec, execution.parameters, deadline,
                                                                       plan.get("timeout"))
            unless_unreachable(self.step_times.observe, spec["type"], time.monotonic() - began)
            record.state, record.ended, record.exit_code, record.message = state, now(), code, message
            self.log(f"[{spec['id']}] {state.value.lower()}" + (f": {message}" if message else ""))
            self._save_steps(steps)
            if state is not State.SUCCEEDED:
                return state, code, f"step {spec['id']}: {message}" if state is State.FAILED else message
        return State.SUCCEEDED, 0, ""

    def _run_step(self, spec: dict, parameters: dict, deadline: float | None,
                  job_timeout: float | None) -> tuple[State, int, str, int | None]:
        """How the step ended: state, exit code, message, and its process's own exit status."""
        remaining = None if deadline is None else deadline - time.monotonic()
        step_timeout = spec.get("timeout")
        job_binds = remaining is not None and (step_timeout is None or remaining < step_timeout)
        timeout = remaining if job_binds else step_timeout
        if timeout is not None and timeout <= 0:
            return State.FAILED, 124, f"job timed out after {job_timeout:g} s", None
        # the watcher enforces this on steps that cannot stop themselves (python)
        self.deadline_at = None if timeout is None else time.monotonic() + timeout
        overrun = (f"job timed out after {job_timeout:g} s" if job_binds
                   else f"step {spec['id']} timed out after {step_timeout:g} s" if step_timeout else "")
        self.deadline_message = overrun
        try:
            step = self.service.step_types[spec["type"]](spec.get("params", {}), self.settings)
            outcome = step.run(parameters, self, timeout)
        except StepTimeout:
            return State.FAILED, 124, overrun, None
        except Exception as exc:
            if self.stop.asked:
                return State.DIED, CANCEL_EXIT, shutdown.INTERRUPTED, None
            if self.cancelled():
                return State.CANCELED, 143, "canceled", None
            return State.FAILED, 1, f"{type(exc).__name__}: {exc}", None
        finally:
            self.deadline_at = None
            self.end_step_processes(reap=True)
        if (outcome.exit_code or self.cancelled()) and (self.stop.asked or self._killed_by_a_shutdown(outcome)):
            return State.DIED, CANCEL_EXIT, shutdown.INTERRUPTED, outcome.process_exit
        if self.cancelled():
            return State.CANCELED, outcome.exit_code or 143, "canceled", outcome.process_exit
        if outcome.exit_code:
            return State.FAILED, outcome.exit_code, outcome.message, outcome.process_exit
        return State.SUCCEEDED, 0, outcome.message, outcome.process_exit

    def end_step_processes(self, reap: bool = False) -> None:
        """Kill what the step left running, in its process group or escaped from it (a horse's only:
        `reap` from the run's own thread, when no step waits on its process any more)."""
        if self.horse:
            end_descendants(reap=reap)

    def _killed_by_a_shutdown(self, outcome) -> bool:
        """A step's process killed by SIGTERM (or a shell saying so, 143), not by a cancel: a shutdown's
        (the platform signals every process), if this horse is asked to stop too within a moment."""
        return outcome.exit_code == CANCEL_EXIT and not self.cancelled() and self.stop.wait(shutdown.SETTLE)

    def _save_steps(self, steps) -> None:
        self.durable.transition(self.execution_id, None, {"steps": [dump(s) for s in steps]})

    def _flush_progress(self) -> None:
        self._last_progress = time.monotonic()
        pending = self._pending_progress
        if pending is not None and self._reachable(self.store.transition, self.execution_id, None,
                                                    {"progress": pending}):
            self._written_progress = pending
            if self._pending_progress is pending:
                self._pending_progress = None

    def _write_log(self, durably: bool = False) -> None:
        """Append the log lines not yet written, in order (the caller holds the log lock)."""
        if not self._log_backlog:
            return
        text = "".join(self._log_backlog)
        if durably:
            self.durable.append_log(self.execution_id, text)
        elif not self._reachable(self.store.append_log, self.execution_id, text):
            return
        self._log_backlog.clear()
        self._backlog_size = 0

    def _reachable(self, write, *args) -> bool:
        """Make a write the run can make again later; False, and a pause before the next
        such write, while the store is unreachable."""
        if time.monotonic() < self._away_until:
            return False
        try:
            write(*args)
        except StoreUnavailable:
            self._away_until = time.monotonic() + AWAY_PAUSE
            return False
        return True
