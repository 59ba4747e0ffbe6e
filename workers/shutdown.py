"""A stop asked of a work horse, and the grace its run gets.

A horse is asked to stop by SIGTERM: from the platform (Heroku signals every
process of a dyno at once, then SIGKILLs what is left 30 s later) or from its
own worker, which forwards the SIGTERM it got. The run goes on for the
`shutdown_grace` setting; a run still going then is stopped like a cancel and,
if that does not end it, its processes are killed (workers.watch). A run that
did not succeed once a stop was asked was interrupted, not failed: it is queued
again as its next attempt when its job allows, else it ends DIED saying so
(Lifecycle.rerun_or_die). RQ's horse takes SIGTERM's default action (death);
the worker installs this handler in each horse instead (JobgateWorker).
"""
from __future__ import annotations

import signal
import time

#: What an interrupted run, and its step, say.
INTERRUPTED = "interrupted by worker shutdown"
#: A step killed by SIGTERM may have been hit by the same shutdown as this horse, whose own
#: SIGTERM may land a moment later: the run waits this long for it before calling it a failure.
SETTLE = 1.0


class Stop:
    """When a stop was asked of this process (None: not asked). Set from a signal handler,
    so only a plain attribute: no lock a handler could deadlock on."""

    def __init__(self) -> None:
        self.asked_at: float | None = None

    def ask(self, *_signal) -> None:
        if self.asked_at is None:
            self.asked_at = time.monotonic()

    @property
    def asked(self) -> bool:
        return self.asked_at is not None

    def overdue(self, grace: float) -> float | None:
        """Seconds past the grace (negative within it); None when no stop was asked."""
        return None if self.asked_at is None else time.monotonic() - self.asked_at - grace

    def wait(self, seconds: float) -> bool:
        """Whether a stop is asked within `seconds`."""
        deadline = time.monotonic() + seconds
        while not self.asked and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.asked


#: This process's stop; SIGTERM asks it once `listen()` ran (in each work horse).
STOP = Stop()


def listen() -> None:
    """SIGTERM asks this process's stop (instead of killing it)."""
    signal.signal(signal.SIGTERM, STOP.ask)
