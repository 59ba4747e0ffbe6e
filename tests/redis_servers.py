"""Redis servers a test starts by itself from Debian's binaries (redis-server, redis-sentinel):
a primary with a replica watched by three Sentinels, and a server that speaks TLS only.
Each runs on loopback ports of its own with its files in the test's folder, and is stopped
(or killed) by its pid. Like EmbeddedRedis, `start()` gives the REDIS_URL and `stop()` ends it.
"""
from __future__ import annotations

import shutil
import socket
import subprocess
from pathlib import Path

import redis

from jobgate.tools import processes
from tests.test_steps import wait_for

SERVICE = "jobgate"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """One redis-server (or redis-sentinel) process, its config file and log in `folder`."""

    def __init__(self, binary: str, folder: Path, config: str):
        self.binary, self.folder, self.port = binary, folder, free_port()
        folder.mkdir(parents=True, exist_ok=True)
        self.config = folder / "redis.conf"
        self.config.write_text(f"port {self.port}\nbind 127.0.0.1\ndir {folder}\nsave \"\"\n"
                               f"daemonize no\nlogfile {folder / 'redis.log'}\n{config}\n")
        self.process: subprocess.Popen | None = None

    def start(self, *options: str) -> None:
        """Start it, with command-line `options` over its config file's."""
        self.process = subprocess.Popen([self.binary, str(self.config), *options], stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)

    def kill(self) -> None:
        """SIGKILL, as a host that vanishes."""
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None

    def stop(self) -> None:
        if self.process is not None:
            processes.stop(self.process)
            self.process = None

    def client(self, **options) -> redis.Redis:
        return redis.Redis("127.0.0.1", self.port, socket_timeout=1, **options)

    def answers(self) -> bool:
        try:
            return bool(self.client().ping())
        except redis.RedisError:
            return False


def binary(name: str) -> str | None:
    return shutil.which(name)


class SentinelSet:
    """A primary, one replica of it and three Sentinels (quorum 2) that fail it over within
    seconds of its death (down-after 1 s)."""

    def __init__(self, folder: Path):
        server, sentinel = binary("redis-server"), binary("redis-sentinel")
        # a replica that (re)joins is sent its copy at once, not after the default 5 s wait for others
        data = "appendonly no\nrepl-diskless-sync-delay 0"
        self.primary = Server(server, folder / "primary", data)
        self.replica = Server(server, folder / "replica", f"{data}\nreplicaof 127.0.0.1 {self.primary.port}")
        watch = (f"sentinel monitor {SERVICE} 127.0.0.1 {self.primary.port} 2\n"
                 f"sentinel down-after-milliseconds {SERVICE} 1000\n"
                 f"sentinel failover-timeout {SERVICE} 3000\n")
        self.sentinels = [Server(sentinel, folder / f"sentinel-{n}", watch) for n in range(3)]

    @property
    def url(self) -> str:
        hosts = ",".join(f"127.0.0.1:{s.port}" for s in self.sentinels)
        return f"redis+sentinel://{hosts}/{SERVICE}/0"

    def start(self, timeout: float = 20) -> str:
        """Start them all; return once the replica is in sync and each Sentinel knows the others.
        The Sentinels start once the replica is in sync: the first INFO they read lists it (the
        next would be 10 s later)."""
        self.primary.start()
        self.replica.start()
        in_sync = wait_for(self._in_sync, timeout=timeout)
        for sentinel in self.sentinels:
            sentinel.start()
        if not (in_sync and wait_for(self._watched, timeout=timeout)):
            self.stop()
            raise RuntimeError(f"the Sentinel set was not ready within {timeout:g} s")
        return self.url

    def _in_sync(self) -> bool:
        try:
            return self.replica.client().info("replication").get("master_link_status") == "up"
        except redis.RedisError:
            return False

    def _watched(self) -> bool:
        try:
            for sentinel in self.sentinels:
                master = _master_state(sentinel)
                if int(master["num-other-sentinels"]) < 2 or int(master["num-slaves"]) < 1:
                    return False
            return True
        except redis.RedisError:
            return False

    def failed_over(self) -> bool:
        """Every Sentinel has finished promoting the replica (while a failover is in progress
        the primary it names may still be demoted again, and a restarted primary win)."""
        try:
            states = [_master_state(sentinel) for sentinel in self.sentinels]
        except redis.RedisError:
            return False
        return all(int(state["port"]) == self.replica.port and "failover_in_progress" not in state["flags"]
                   for state in states)

    def stop(self) -> None:
        for part in (*self.sentinels, self.replica, self.primary):
            part.stop()


def _master_state(sentinel: Server) -> dict[str, str]:
    """SENTINEL MASTER's fields (redis-py 6.4's sentinel_master() fails on a plain client)."""
    flat = sentinel.client(decode_responses=True).execute_command("SENTINEL", "MASTER", SERVICE)
    return dict(zip(flat[::2], flat[1::2], strict=True))


class TlsRedis:
    """A redis-server answering TLS only (no plain port), with the certificate and key given."""

    def __init__(self, folder: Path, cert: Path, key: Path, ca: Path):
        self.tls_port = free_port()
        self.server = Server(binary("redis-server"), folder, f"port 0\ntls-port {self.tls_port}\ntls-cert-file {cert}\n"
                             f"tls-key-file {key}\ntls-ca-cert-file {ca}\ntls-auth-clients no\nappendonly no")

    @property
    def url(self) -> str:
        return f"rediss://127.0.0.1:{self.tls_port}/0"

    def start(self, timeout: float = 10) -> str:
        self.server.start()
        if not wait_for(self._listening, timeout=timeout):
            self.stop()
            raise RuntimeError(f"redis-server with TLS did not listen within {timeout:g} s")
        return self.url

    def _listening(self) -> bool:
        with socket.socket() as probe:
            return probe.connect_ex(("127.0.0.1", self.tls_port)) == 0

    def stop(self) -> None:
        self.server.stop()

