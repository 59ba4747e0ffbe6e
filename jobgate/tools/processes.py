"""Stopping the child processes jobgate (and its tests and benchmarks) started."""
from __future__ import annotations

import subprocess


def stop(*processes: subprocess.Popen, grace: float = 10.0) -> None:
    """SIGTERM every one still running, then SIGKILL those not gone after `grace` seconds."""
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
