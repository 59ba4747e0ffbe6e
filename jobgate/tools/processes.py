"""Stopping the child processes jobgate (and its tests and benchmarks) started, and every
process below them.

A process that leaves its process group or session (`setsid`, a daemonizing double
fork) escapes a group kill, and its parent's death hands it to PID 1. On Linux a
*child subreaper* (prctl PR_SET_CHILD_SUBREAPER) gets its orphaned descendants
instead, so everything a step starts stays below the process that ran it, found
by walking /proc's parent links, and can be killed. Elsewhere only what stays in
its process group is found.
"""
from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterable

import requests

PR_SET_CHILD_SUBREAPER = 36
#: How long ending a tree keeps finding and killing processes that are still being forked.
END_WITHIN = 5.0


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


def subreaper() -> bool:
    """Make this process the one its descendants' orphans are handed to (Linux): True if it is."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        return ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _table() -> dict[int, tuple[int, str, int]]:
    """pid -> (parent pid, state letter, process group) of every process /proc shows (nothing
    without /proc)."""
    table = {}
    try:
        entries = os.listdir("/proc")
    except OSError:
        return table
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as stat:
                fields = stat.read().rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            continue                      # gone meanwhile
        table[int(entry)] = (int(fields[1]), fields[0].decode(), int(fields[2]))
    return table


def _below(table: dict[int, tuple[int, str, int]], root: int, spare: Iterable[int] = ()) -> list[int]:
    children: dict[int, list[int]] = {}
    for pid, (parent, *_) in table.items():
        children.setdefault(parent, []).append(pid)
    found, todo, skip = [], list(children.get(root, [])), set(spare)
    while todo:
        pid = todo.pop()
        if pid not in skip:
            found.append(pid)
            todo += children.get(pid, [])
    return found


def descendants(root: int | None = None, spare: Iterable[int] = ()) -> list[int]:
    """The living processes below `root` (this process by default), but `spare` and theirs."""
    table = _table()
    return [pid for pid in _below(table, root or os.getpid(), spare) if table[pid][1] != "Z"]


def group_alive(pgid: int) -> bool:
    """Whether a process of the group still runs. A zombie does not count: below a subreaper the
    orphans of a killed group wait as zombies until it collects them."""
    table = _table()
    if not table:                          # no /proc: ask the kernel, zombies included
        try:
            os.killpg(pgid, 0)
            return True
        except ProcessLookupError:
            return False
    return any(group == pgid and state != "Z" for _, state, group in table.values())


def end_descendants(root: int | None = None, *, spare: Iterable[int] = (), reap: bool = True) -> list[int]:
    """SIGKILL every process below `root` (this process by default) but `spare` and theirs, again
    until none is left (they may be forking meanwhile); with `reap`, also collect the exit status of
    those that were, or became, this process's own children, so no zombie stays. `reap` must be
    False while another thread may be waiting on a child (a subprocess.Popen would lose its status).
    The pids killed."""
    me, root, spare = os.getpid(), root or os.getpid(), set(spare)
    killed: list[int] = []
    deadline = time.monotonic() + END_WITHIN
    while True:
        table = _table()
        below = _below(table, root, spare)
        if reap:
            for pid in below:
                if table[pid][:2] == (me, "Z"):
                    _reap(pid)
        living = [pid for pid in below if table[pid][1] != "Z"]
        if not living or time.monotonic() > deadline:
            return killed
        for pid in living:
            try:
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
            except (ProcessLookupError, PermissionError):
                pass
        time.sleep(0.01)


def _reap(pid: int) -> None:
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def answers_within(process: subprocess.Popen, url: str, seconds: float, every: float = 0.1) -> bool:
    """Whether the server `process` started answers `url` with a 2xx before it exits or `seconds` pass."""
    deadline = time.monotonic() + seconds
    while process.poll() is None and time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=1).ok:
                return True
        except requests.RequestException:    # not listening yet
            pass
        time.sleep(every)
    return False
