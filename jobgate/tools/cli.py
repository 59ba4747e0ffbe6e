"""`jobgate up | serve | worker | status` for operators, `submit | ls | show | cancel | logs | watch` for people."""
from __future__ import annotations

import argparse
import getpass
import os
import sys
from importlib.metadata import entry_points, version

from jobgate.rules.passwords import hash_password
from jobgate.settings import Settings, SettingsError
from jobgate.tools import client, folder, help_text

#: the commands that read the operator's settings: a bad one stops them before they start anything
READ_SETTINGS = {"up", "serve", "worker", "status"}


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


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="jobgate", description=__doc__, epilog=help_text.epilog(),
                                  formatter_class=argparse.RawDescriptionHelpFormatter)
    top.add_argument("--version", action="version", version=f"%(prog)s {version('jobgate')}")
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    p = commands.add_parser("up", help="embedded Redis (unless REDIS_URL is set), gateway and workers")
    p.add_argument("--port", type=int, default=folder.DEFAULT_PORT,
                   help=f"the gateway's port on 127.0.0.1 (default {folder.DEFAULT_PORT})")
    p.add_argument("--workers", type=int, default=2, help="RQ worker processes (default 2)")
    p = commands.add_parser("serve", help="the HTTP gateway under gunicorn")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=os.environ.get("PORT", str(folder.DEFAULT_PORT)),
                   help=f"port to listen on (default $PORT, else {folder.DEFAULT_PORT})")
    p.add_argument("--processes", type=int, default=2, help="gunicorn worker processes (default 2)")
    p.add_argument("--certfile", help="TLS certificate (PEM), with --keyfile")
    p.add_argument("--keyfile", help="TLS private key (PEM), with --certfile")
    p = commands.add_parser("worker", help="one RQ worker on the configured queues")
    p.add_argument("--burst", action="store_true", help="exit when the queues are empty")
    p = commands.add_parser("status", help="queues, workers and executions by state, read from Redis "
                                           "(REDIS_URL, else the embedded one of `jobgate up` in this folder)")
    p.add_argument("--json", action="store_true", help="as JSON, for scripts")
    commands.add_parser("hash-password", help="a salted hash of a password, for the principals file "
                                              "(asks for it, or reads one line from standard input)")
    client.add_commands(commands)
    return top


def main(argv: list[str] | None = None) -> int:
    top = parser()
    args = top.parse_args(argv)
    if args.command == "serve" and bool(args.certfile) != bool(args.keyfile):
        top.error("--certfile and --keyfile go together")
    try:
        if args.command in READ_SETTINGS:
            Settings.from_env()
        return _run(args)
    except SettingsError as exc:
        print(f"jobgate: {exc}", file=sys.stderr)
        return 2


def _run(args) -> int:
    # imported when used: `serve` imports as little as it can before gevent patches (jobgate.tools.httpworker)
    if args.command == "up":
        from jobgate.tools.up import up
        return up(args.port, args.workers)
    if args.command == "status":
        from jobgate.tools.status import run
        return run(args.json)
    if args.command == "serve":
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
