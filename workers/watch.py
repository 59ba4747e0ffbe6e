"""The watcher beside a run: heartbeats, cancel requests, overrun deadlines, orphaning.

It lives in the work horse but is not step code, so a slow step keeps
heartbeating. A cancel first asks the step (ctx.cancelled()); a step that has
not stopped after the kill grace, or a run past its deadline, is ended here:
its process group is killed, the execution ends, and RQ's stop-job command
takes the horse down. If the worker itself vanishes, the watcher kills the
step's processes and exits, so the heartbeat goes stale and the run is DIED.
Asked to stop (workers.shutdown), it lets the run go on for the shutdown grace,
then stops its step like a cancel; a step that still has not stopped after the
kill grace has its processes killed, the run is recorded as interrupted, and
the horse exits (its worker puts a run queued again back on RQ's queue).
While Redis is unreachable it only keeps looking: heartbeats resume when Redis
is back, and the sweep that declares runs DIED waits a full `stale_after` after
an outage (jobgate.rules.lifecycle), so a live run is not taken for a dead one.
"""
from __future__ import annotations

import contextvars
import logging
import os
import signal
import threading
import time

from jobgate.model import State, to_ms
from workers.patience import until_reachable

log = logging.getLogger("jobgate.watch")
#: How often the watcher looks, in seconds.
POLL = 0.5
#: Extra seconds, beyond the kill grace, a step gets to stop by itself.
SLACK = 2.0


def kill_group(pgid: int | None, sig: int = signal.SIGKILL) -> None:
    if pgid:
        try:
            os.killpg(pgid, sig)
        except (ProcessLookupError, PermissionError):
            pass


class Watcher(threading.Thread):
    def __init__(self, run):
        super().__init__(name="jobgate-watcher", daemon=True)
        self.run_ = run
        self.parent = os.getppid()
        self.grace = run.settings.kill_grace + SLACK
        self.ended = False
        self._halt = threading.Event()
        self._cancel_seen: float | None = None
        self._context = contextvars.copy_context()     # its log lines name the run, as the horse's do

    def stop(self) -> None:
        self._halt.set()
        self.join(5)

    def run(self) -> None:
        self._context.run(self._watch)

    def _watch(self) -> None:
        store, execution_id = self.run_.store, self.run_.execution_id
        last_beat = time.monotonic()
        while not self._halt.wait(POLL):
            if os.getppid() != self.parent:
                self._orphaned()
            self._mind_the_stop()      # before anything that needs Redis: the grace holds while it is away
            try:
                if time.monotonic() - last_beat >= self.run_.settings.heartbeat_interval:
                    store.heartbeat(execution_id)
                    last_beat = time.monotonic()
                current = store.get(execution_id)
            except Exception:        # Redis away: the step goes on, look again
                continue
            if current is None or current.state is not State.RUNNING or to_ms(current.started) != self.run_.started:
                self._abandon()       # deleted, expired, ended or queued again by someone else (a sweep)
            elif current.cancel_requested:
                self.run_.cancel.set()
                self._cancel_seen = self._cancel_seen or time.monotonic()
                if time.monotonic() - self._cancel_seen > self.grace:
                    self._force(State.CANCELED, 143, current.canceled_message)
            elif self.run_.deadline_at and time.monotonic() > self.run_.deadline_at + self.grace:
                self._force(State.FAILED, 124, self.run_.deadline_message)

    def _force(self, state: State, code: int, message: str) -> None:
        """End a run whose step will not stop: kill its processes, end it, stop the horse."""
        log.warning("execution %s: %s; stopping the work horse", self.run_.execution_id, message)
        self._kill_step()
        self.ended = self.run_.finish(state, code, message)
        self._halt.set()
        until_reachable(self.run_.service.queue.stop, self.run_.execution_id)

    def _mind_the_stop(self) -> None:
        """Past the shutdown grace, stop the step like a cancel; past the kill grace after that, end it."""
        overdue = self.run_.stop.overdue(self.run_.settings.shutdown_grace)
        if overdue is None or overdue < 0:
            return
        self.run_.interrupting.set()
        if overdue > self.grace:
            log.warning("execution %s: interrupted by a shutdown; stopping the work horse", self.run_.execution_id)
            self._kill_step()
            self.ended = True
            self.run_.interrupt()
            os._exit(1)

    def _abandon(self) -> None:
        """The execution is no longer this run's to end: stop its work and the horse."""
        log.warning("execution %s ended elsewhere; stopping its work", self.run_.execution_id)
        self.run_.cancel.set()
        self._kill_step()
        self.ended = True
        self._halt.set()
        until_reachable(self.run_.service.queue.stop, self.run_.execution_id)

    def _kill_step(self) -> None:
        self.run_.end_step_processes()
        kill_group(self.run_.durable.process_group(self.run_.execution_id))
        self.run_.durable.set_process_group(self.run_.execution_id, None)

    def _orphaned(self) -> None:
        """The worker is gone: leave nothing running, stop heartbeating, exit (at once,
        even if Redis cannot say where the step's processes are)."""
        try:
            self.run_.end_step_processes()
            kill_group(self.run_.store.process_group(self.run_.execution_id))
        finally:
            os._exit(1)
