"""Keeping `jobgate up`'s workers running: a worker that exits is started again.

A worker outlives Redis outages by itself; what ends one is a crash, the OOM
killer or a person's `kill`. One that keeps exiting soon after it started
(a broken catalog, say) is started again after a pause that doubles, so it
does not spin.
"""
from __future__ import annotations

import subprocess
import sys
import time

#: A child that ran this long was healthy: the next start is immediate.
STEADY = 10.0
#: The pause before starting again a child that exited soon after it started: first, longest.
FIRST_PAUSE, LONGEST_PAUSE = 1.0, 30.0


class Supervisor:
    """`count` processes of one command, each started again when it exits."""

    def __init__(self, argv: list[str], count: int, *, name: str = "worker", **popen):
        self.argv, self.name, self.popen = argv, name, popen
        self.children: list[subprocess.Popen | None] = [None] * count
        self._started = [0.0] * count
        self._pause = [0.0] * count
        self._due = [0.0] * count

    @property
    def running(self) -> list[subprocess.Popen]:
        return [child for child in self.children if child is not None and child.poll() is None]

    def start(self) -> None:
        for slot in range(len(self.children)):
            self._spawn(slot)

    def tend(self) -> None:
        """Start again each child that has exited, once its pause is over."""
        for slot, child in enumerate(self.children):
            moment = time.monotonic()
            if child is not None:
                if child.poll() is None:
                    continue
                lived = moment - self._started[slot]
                pause = 0.0 if lived >= STEADY else min(max(2 * self._pause[slot], FIRST_PAUSE), LONGEST_PAUSE)
                self._pause[slot], self._due[slot], self.children[slot] = pause, moment + pause, None
                print(f"{self.name} {slot + 1} (pid {child.pid}) exited with code {child.returncode}; "
                      f"starting it again" + (f" in {pause:g} s" if pause else ""), file=sys.stderr, flush=True)
            if moment >= self._due[slot]:
                self._spawn(slot)

    def stop(self, grace: float) -> None:
        """SIGTERM each (a worker lets its run finish within its own grace); SIGKILL those still
        running after `grace` seconds. Ctrl-C (or SIGTERM, which the caller may turn into one)
        meanwhile signals them again: a worker's second signal cuts its grace short."""
        children = self.running
        for child in children:
            child.terminate()
        deadline = time.monotonic() + grace
        for child in children:
            while True:
                try:
                    child.wait(max(0.0, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    child.kill()
                    child.wait()
                except KeyboardInterrupt:
                    for other in children:
                        if other.poll() is None:
                            other.terminate()
                    continue
                break

    def _spawn(self, slot: int) -> None:
        self.children[slot] = subprocess.Popen(self.argv, **self.popen)
        self._started[slot] = time.monotonic()
