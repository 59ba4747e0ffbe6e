"""`jobgate up | serve | worker` for operators, `submit | ls | show | cancel | logs | watch` for people."""
from __future__ import annotations

import argparse
import getpass
import os
import signal
import subprocess
import sys
import time
from importlib.metadata import entry_points
from pathlib import Path

from jobgate.rules.passwords import hash_password
from jobgate.settings import Settings
from jobgate.tools import client, processes
from jobgate.tools.supervise import Supervisor

DEV_PRINCIPALS = """# Written by `jobgate up` for local use; point JOBGATE_PRINCIPALS at your own file.
[[principal]]
name = "dev"
tenant = "dev"
password = "{password}"   # dev
tokens = ["dev-token"]
"""
STATE_DIR = Path(".jobgate")
#: Seconds, beyond their runs' shutdown and kill graces, `up` gives stopping workers before SIGKILL
STOP_MARGIN = 10.0


def serve(host: str, port: int, workers: int, certfile: str | None, keyfile: str | None) -> None:
    """The app under gunicorn with the Procfile's settings (TLS when given a certificate and key)."""
    from gunicorn.app.base import Application

    class Gateway(Application):
        def load_config(self):
            self.load_config_from_module_name_or_filename("python:jobgate.tools.gunicorn_conf")
            options = {"bind": f"{host}:{port}", "workers": workers, "certfile": certfile, "keyfile": keyfile}
            for key, value in options.items():
                if value is not None:
                    self.cfg.set(key, value)

        def load(self):
            # in each worker process: prometheus_client must first be imported after the
            # configuration has set its multiprocess folder (jobgate.tools.gunicorn_conf)
            from jobgate.kit.app import create_app
            return create_app()

    Gateway().run()


def _example_catalog() -> str | None:
    for candidate in (Path("examples/catalog.toml"), Path(__file__).resolve().parents[2] / "examples" / "catalog.toml"):
        if candidate.is_file():
            return str(candidate.resolve())
    return None


def up(port: int, workers: int) -> int:
    """Everything on one machine: embedded Redis if needed, the gateway, workers (a worker that
    exits is started again). Stopping (Ctrl-C, SIGTERM) stops the workers first, their runs
    interrupted within their grace and queued again, then the gateway, then whatever is left
    below this process (a subreaper: the steps of a worker that had to be killed), then Redis."""
    from jobgate.kit import dialect
    from jobgate.tools.embedded import EmbeddedRedis, die_with_parent

    env = dict(os.environ)
    redis_server = None
    if not env.get("REDIS_URL"):
        redis_server = EmbeddedRedis(STATE_DIR / "redis")
        env["REDIS_URL"] = redis_server.start()
    if not env.get("JOBGATE_CATALOG") and (catalog := _example_catalog()):
        env["JOBGATE_CATALOG"] = catalog
        # its python steps call examples.jobs, importable from the folder above
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(Path(catalog).parent.parent), env.get("PYTHONPATH")]))
    token, tenant = os.environ.get("JOBGATE_TOKEN", "<token>"), "<tenant>"
    if not env.get("JOBGATE_PRINCIPALS"):
        STATE_DIR.mkdir(exist_ok=True)
        (STATE_DIR / "principals.toml").write_text(DEV_PRINCIPALS.format(password=hash_password("dev")))
        env["JOBGATE_PRINCIPALS"] = str((STATE_DIR / "principals.toml").resolve())
        token, tenant = "dev-token", "dev"
    linux = sys.platform.startswith("linux")
    processes.subreaper()
    # own process groups: a terminal's Ctrl-C reaches only this process, which stops them in order
    spawn = dict(env=env, preexec_fn=die_with_parent() if linux else None, process_group=0)
    gateway = subprocess.Popen([sys.executable, "-m", "jobgate", "serve", "--port", str(port)], **spawn)
    pool = Supervisor([sys.executable, "-m", "jobgate", "worker"], workers, **spawn)
    pool.start()
    base = f"http://127.0.0.1:{port}"
    print(f"jobgate is up at {base}  (Redis: {env['REDIS_URL']})")
    print(f"credential: Bearer / X-Auth-Token {token}" + ("  (user dev, password dev)" if token == "dev-token" else ""))
    for mounted in dialect.load(Settings.from_env(env).dialects):
        if mounted.example:
            print(f"  {mounted.name:9} {mounted.example.format(base=base, token=token, tenant=tenant)}")
    print("Ctrl-C stops everything.", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        while gateway.poll() is None:
            pool.tend()
            time.sleep(0.5)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        signal.signal(signal.SIGTERM, signal.default_int_handler)    # another one, like Ctrl-C: hurry
        settings = Settings.from_env(env)
        pool.stop(grace=settings.shutdown_grace + settings.kill_grace + STOP_MARGIN)
        processes.stop(gateway)
        processes.end_descendants(spare=[redis_server.pid] if redis_server and redis_server.pid else [])
        if redis_server:
            redis_server.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="jobgate", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser("up", help="embedded Redis (unless REDIS_URL is set), gateway and workers")
    p.add_argument("--port", type=int, default=8080)
    p.add_argument("--workers", type=int, default=2)
    p = commands.add_parser("serve", help="the HTTP gateway under gunicorn")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=int(os.environ.get("PORT", 8080)))
    p.add_argument("--processes", type=int, default=2)
    p.add_argument("--certfile")
    p.add_argument("--keyfile")
    p = commands.add_parser("worker", help="one RQ worker on the configured queues")
    p.add_argument("--burst", action="store_true", help="exit when the queues are empty")
    commands.add_parser("hash-password", help="a salted hash of a password, for the principals file "
                                              "(asks for it, or reads one line from standard input)")
    client.add_commands(commands)
    args = parser.parse_args(argv)
    if args.command == "up":
        return up(args.port, args.workers)
    if args.command == "serve":
        if bool(args.certfile) != bool(args.keyfile):
            parser.error("--certfile and --keyfile go together")
        serve(args.host, args.port, args.processes, args.certfile, args.keyfile)
        return 0
    if args.command == "worker":
        # The worker lives in the workers package, found like a dialect: by entry point.
        (command,) = entry_points(group="jobgate.commands", name="worker")
        command.load()(burst=args.burst)
        return 0
    if args.command == "hash-password":
        print(hash_password(_read_password()))
        return 0
    return client.run(args)


def _read_password() -> str:
    if sys.stdin.isatty():
        return getpass.getpass("password: ")
    return sys.stdin.readline().rstrip("\r\n")
