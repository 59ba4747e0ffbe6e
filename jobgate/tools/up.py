"""`jobgate up`: everything on one machine, for a person trying jobgate out.

Embedded Redis if needed, the gateway, workers (a worker that exits is started
again). Before it starts anything it checks the dialects' own settings (a bad
one is a SettingsError: one line, exit 2), that no other `up` runs in this
folder, the principals (a warning when there are none) and that its port is
free (one line and exit 1 if not). It says it is up only once the gateway
answers, and writes the gateway's URL to .jobgate/url, where the client
commands run in this folder read it. Stopping (Ctrl-C, SIGTERM) stops the
workers first, their runs interrupted within their grace and queued again,
then the gateway, then whatever is left below this process (a subreaper: the
steps of a worker that had to be killed), then Redis.
"""
from __future__ import annotations

import fcntl
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from jobgate.rules.auth import NO_PRINCIPALS, load_principals
from jobgate.rules.passwords import hash_password
from jobgate.settings import Settings, SettingsError
from jobgate.tools import folder, processes
from jobgate.tools.supervise import Supervisor

DEV_PRINCIPALS = """# Written by `jobgate up` for local use; point JOBGATE_PRINCIPALS at your own file.
[[principal]]
name = "dev"
tenant = "dev"
password = "{password}"   # dev
tokens = ["dev-token"]
"""
#: Seconds, beyond their runs' shutdown and kill graces, `up` gives stopping workers before SIGKILL
STOP_MARGIN = 10.0
#: Seconds the gateway has to answer /healthz before `up` gives up on it
READY_WITHIN = 60.0


def _example_catalog() -> str | None:
    for candidate in (Path("examples/catalog.toml"), Path(__file__).resolve().parents[2] / "examples" / "catalog.toml"):
        if candidate.is_file():
            return str(candidate.resolve())
    return None


def _hold_folder(base: str):
    """The lock of this folder's `up`, held while this process lives (the kernel drops it on any exit)."""
    folder.STATE_DIR.mkdir(exist_ok=True)
    lock = open(folder.LOCK_FILE, "a+")      # noqa: SIM115 - held open for the life of the process
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        lock.seek(0)
        holder = lock.read().strip() or "another process"
        raise SystemExit(f"jobgate: `jobgate up` already runs in this folder ({holder}); use it, stop it "
                         "(Ctrl-C in its terminal), or run another from a different folder") from None
    lock.truncate(0)
    lock.write(f"pid {os.getpid()}, {base}\n")
    lock.flush()
    return lock


def _check_port(port: int) -> None:
    """Exit with one line when something already listens on the port the gateway is to bind."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)    # as gunicorn binds: TIME_WAIT is no clash
        try:
            probe.bind(("127.0.0.1", port))
        except OSError as exc:
            raise SystemExit(f"jobgate: port {port} on 127.0.0.1 is taken ({exc.strerror}); stop what listens "
                             "there or choose another with `jobgate up --port N`") from None


def _wait_ready(gateway: subprocess.Popen, base: str) -> None:
    if processes.answers_within(gateway, f"{base}/healthz", READY_WITHIN, every=0.2):
        return
    why = f"exited with code {gateway.returncode}" if gateway.poll() is not None else f"not up after {READY_WITHIN:g} s"
    raise SystemExit(f"jobgate: the gateway {why} (its messages are above)")


def _principals(env: dict) -> tuple[str, str]:
    """The credential the banner shows: the development one `up` writes unless JOBGATE_PRINCIPALS is set."""
    if env.get("JOBGATE_PRINCIPALS"):
        try:
            if not load_principals(env["JOBGATE_PRINCIPALS"]):
                print(f"jobgate: warning: {NO_PRINCIPALS}", file=sys.stderr)
        except ValueError as exc:
            raise SystemExit(f"jobgate: JOBGATE_PRINCIPALS: {exc}") from None
        return os.environ.get("JOBGATE_TOKEN", "<token>"), "<tenant>"
    (folder.STATE_DIR / "principals.toml").write_text(DEV_PRINCIPALS.format(password=hash_password("dev")))
    env["JOBGATE_PRINCIPALS"] = str((folder.STATE_DIR / "principals.toml").resolve())
    return "dev-token", "dev"


def _dialects(env: dict) -> list:
    """The dialects the gateway will mount, their own settings checked (a bad one stops `up` as a SettingsError)."""
    from jobgate.kit import dialect

    settings = Settings.from_env(env)
    try:
        mounted = dialect.load(settings.dialects)
        for each in mounted:
            each.configure(settings)
    except (LookupError, ValueError) as exc:
        raise SettingsError(str(exc)) from None
    return mounted


def _banner(env: dict, base: str, port: int, token: str, tenant: str, mounted: list) -> None:
    print(f"jobgate is up at {base}  (Redis: {env['REDIS_URL']})")
    if port != folder.DEFAULT_PORT:
        print(f"client commands run in this folder find it in {folder.URL_FILE}; elsewhere first run")
        print(f"  export JOBGATE_URL={base}")
    print(f"credential: Bearer / X-Auth-Token {token}" + ("  (user dev, password dev)" if token == "dev-token" else ""))
    for each in mounted:
        if each.example:
            print(f"  {each.name:9} {each.example.format(base=base, token=token, tenant=tenant)}")
    print("Ctrl-C stops everything.", flush=True)


def up(port: int, workers: int) -> int:
    from jobgate.tools.embedded import EmbeddedRedis, die_with_parent

    base = f"http://127.0.0.1:{port}"
    env = dict(os.environ)
    mounted = _dialects(env)
    lock = _hold_folder(base)
    if not env.get("JOBGATE_CATALOG") and (catalog := _example_catalog()):
        env["JOBGATE_CATALOG"] = catalog
        # its python steps call examples.jobs, importable from the folder above
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(Path(catalog).parent.parent), env.get("PYTHONPATH")]))
    token, tenant = _principals(env)
    _check_port(port)
    redis_server = None
    if not env.get("REDIS_URL"):
        redis_server = EmbeddedRedis(folder.REDIS_DIR)
        env["REDIS_URL"] = redis_server.start()
    linux = sys.platform.startswith("linux")
    processes.subreaper()
    # own process groups: a terminal's Ctrl-C reaches only this process, which stops them in order
    spawn = dict(env=env, preexec_fn=die_with_parent() if linux else None, process_group=0)
    gateway = subprocess.Popen([sys.executable, "-m", "jobgate", "serve", "--port", str(port)], **spawn)
    pool = Supervisor([sys.executable, "-m", "jobgate", "worker"], workers, **spawn)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        pool.start()
        _wait_ready(gateway, base)
        folder.URL_FILE.write_text(base + "\n")
        _banner(env, base, port, token, tenant, mounted)
        while gateway.poll() is None:
            pool.tend()
            time.sleep(0.5)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        signal.signal(signal.SIGTERM, signal.default_int_handler)    # another one, like Ctrl-C: hurry
        folder.URL_FILE.unlink(missing_ok=True)
        settings = Settings.from_env(env)
        pool.stop(grace=settings.shutdown_grace + settings.kill_grace + STOP_MARGIN)
        processes.stop(gateway)
        processes.end_descendants(spare=[redis_server.pid] if redis_server and redis_server.pid else [])
        if redis_server:
            redis_server.stop()
        lock.close()
