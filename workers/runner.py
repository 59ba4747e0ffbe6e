"""The RQ job function: run one execution's steps and report as it goes.

RQ calls `run(execution_id)` in its work horse. The execution record, not the
RQ job, is the truth clients read: this module moves it to RUNNING, records
each step, progress, log lines and the result, and ends it in a terminal
state. A side thread heartbeats and watches for a cancel request, so a slow
step is never taken for a dead one and a cancel reaches steps that poll.
"""
from __future__ import annotations

import threading
import time
from functools import lru_cache

from jobgate.catalog import step_types
from jobgate.config import Settings
from jobgate.connection import connect
from jobgate.errors import Conflict
from jobgate.model import State, dump, now, to_ms
from jobgate.store import Store

from workers.steps import StepTimeout

#: Progress writes are coalesced to at most one per this many seconds.
PROGRESS_EVERY = 0.25
#: How often a run looks for a cancel request, in seconds.
CANCEL_POLL = 0.5


@lru_cache(maxsize=1)
def _parts() -> tuple[Settings, Store, dict]:
    settings = Settings.from_env()
    return settings, Store(connect(settings.redis_url)), step_types()


def run(execution_id: str) -> None:
    settings, store, types = _parts()
    Run(store, settings, types, execution_id).execute()


class Run:
    """One execution on this worker; also the StepContext its steps see."""

    def __init__(self, store: Store, settings: Settings, types: dict, execution_id: str):
        self.store, self.settings, self.types = store, settings, types
        self.execution_id = execution_id
        self._cancel = threading.Event()
        self._done = threading.Event()
        self._step_index = 0
        self._step_count = 1
        self._last_progress = 0.0
        self._pending_progress: dict | None = None
        self.process_group: int | None = None

    # -- StepContext -------------------------------------------------------
    def progress(self, processed: int, total: int, failed: int = 0) -> None:
        fraction = min(1.0, processed / total) if total else 0.0
        percent = round(100 * (self._step_index + fraction) / self._step_count, 1)
        self._pending_progress = {"percent": percent, "total": total, "processed": processed, "failed": failed}
        if time.monotonic() - self._last_progress >= PROGRESS_EVERY:
            self._flush_progress()

    def log(self, line: str) -> None:
        stamp = now().isoformat(timespec="milliseconds").replace("+00:00", "Z")
        self.store.append_log(self.execution_id, f"{stamp} {line}\n")

    def set_result(self, data) -> None:
        self.store.set_result(self.execution_id, data)
        self.store.transition(self.execution_id, None, {"has_result": True})

    def track_process_group(self, pgid: int | None) -> None:
        self.process_group = pgid

    def cancelled(self) -> bool:
        return self._cancel.is_set()

    # -- the run -----------------------------------------------------------
    def execute(self) -> None:
        plan = self.store.get_plan(self.execution_id)
        try:
            execution = self.store.transition(self.execution_id, State.RUNNING,
                                              {"started": to_ms(now()), "heartbeat": to_ms(now())})
        except Conflict:
            return      # canceled (or otherwise ended) before a worker took it
        watcher = threading.Thread(target=self._watch, name="jobgate-heartbeat", daemon=True)
        watcher.start()
        try:
            state, code, message = self._run_steps(execution, plan)
        except Exception as exc:   # a bug or a store error: the execution still ends
            state, code, message = State.FAILED, 1, f"{type(exc).__name__}: {exc}"
        finally:
            self._done.set()
        self._flush_progress()
        if state is State.SUCCEEDED:
            self._pending_progress = {**dump(execution.progress), "percent": 100.0}
            self._flush_progress()
        self.store.transition(self.execution_id, state, {
            "ended": to_ms(now()), "exit_code": code, "exit_message": message, "message": message})

    def _run_steps(self, execution, plan) -> tuple[State, int, str]:
        steps = execution.steps
        self._step_count = max(1, len(steps))
        deadline = None if plan.get("timeout") is None else time.monotonic() + plan["timeout"]
        for index, spec in enumerate(plan["steps"]):
            self._step_index = index
            record = steps[index]
            record.state, record.started = State.RUNNING, now()
            self._save_steps(steps)
            self.log(f"[{spec['id']}] started ({spec['type']})")
            state, code, message = self._run_step(spec, execution.parameters, deadline)
            record.state, record.ended, record.exit_code, record.message = state, now(), code, message
            self._save_steps(steps)
            self.log(f"[{spec['id']}] {state.value.lower()}" + (f": {message}" if message else ""))
            if state is not State.SUCCEEDED:
                return state, code, f"step {spec['id']}: {message}" if state is State.FAILED else message
        return State.SUCCEEDED, 0, ""

    def _run_step(self, spec: dict, parameters: dict, deadline: float | None) -> tuple[State, int, str]:
        limits = [t for t in (spec.get("timeout"), deadline and deadline - time.monotonic()) if t is not None]
        timeout = min(limits) if limits else None
        if timeout is not None and timeout <= 0:
            return State.FAILED, 1, "job timed out before this step"
        try:
            step = self.types[spec["type"]](spec.get("params", {}), self.settings)
            outcome = step.run(parameters, self, timeout)
        except StepTimeout as exc:
            return State.FAILED, 124, str(exc)
        except Exception as exc:
            return State.FAILED, 1, f"{type(exc).__name__}: {exc}"
        if self.cancelled():
            return State.CANCELED, outcome.exit_code or 143, "canceled"
        if outcome.exit_code:
            return State.FAILED, outcome.exit_code, outcome.message
        return State.SUCCEEDED, 0, outcome.message

    def _save_steps(self, steps) -> None:
        self.store.transition(self.execution_id, None, {"steps": [dump(s) for s in steps]})

    def _flush_progress(self) -> None:
        if self._pending_progress is not None:
            self.store.transition(self.execution_id, None, {"progress": self._pending_progress})
            self._pending_progress = None
        self._last_progress = time.monotonic()

    def _watch(self) -> None:
        """Heartbeat for this run and notice a cancel request, until the run ends."""
        last_beat = time.monotonic()
        while not self._done.wait(CANCEL_POLL):
            try:
                if time.monotonic() - last_beat >= self.settings.heartbeat_interval:
                    self.store.heartbeat(self.execution_id)
                    last_beat = time.monotonic()
                current = self.store.get(self.execution_id)
            except Exception:      # Redis briefly away: keep trying, the step goes on
                continue
            if current is None or current.cancel_requested:
                self._cancel.set()
