"""The people's commands (submit, ls, show, cancel, restart, logs, watch, schedule ...)
over the native API.

They speak HTTP to a running gateway (`--url`, default $JOBGATE_URL, else the
URL `jobgate up` wrote to .jobgate/url in this folder, else http://127.0.0.1:8080)
with a Bearer token ($JOBGATE_TOKEN, default the development token `jobgate up`
creates). A gateway they cannot reach is one line saying where they looked.
"""
from __future__ import annotations

import json
import os
import sys

import requests

from jobgate.tools import folder
from jobgate.tools.watching import follow_log, watch


def add_commands(commands) -> None:
    def command(name, help_text):
        p = commands.add_parser(name, help=help_text)
        p.add_argument("--url", help="the gateway (default: $JOBGATE_URL, else the URL `jobgate up` wrote to "
                                     f"{folder.URL_FILE}, else {folder.DEFAULT_URL})")
        p.add_argument("--token", default=os.environ.get("JOBGATE_TOKEN", "dev-token"),
                       help="Bearer token (default: $JOBGATE_TOKEN, else dev-token)")
        return p
    p = command("submit", "start an execution of a job")
    p.add_argument("definition", help="the job's id, e.g. CustomerImportJob")
    p.add_argument("params", nargs="*", metavar="NAME=VALUE", help="parameters (VALUE is read as JSON when it is)")
    p.add_argument("--watch", action="store_true", help="then watch it until it ends (step, counts, ETA)")
    p.add_argument("--follow-log", action="store_true", help="with --watch: print its log as it grows")
    p.add_argument("--at", help="start no earlier than this ISO-8601 time")
    p.add_argument("--after", action="append", default=[], metavar="ID", help="start once this one succeeded")
    p = command("ls", "list executions, newest first")
    p.add_argument("--definition", help="only executions of this job")
    p.add_argument("--state", help="only executions in this state (RUNNING, FAILED ...)")
    p.add_argument("--limit", type=int, default=20, help="at most this many (default 20)")
    for name, help_text in (("show", "one execution as JSON"), ("cancel", "cancel an execution"),
                            ("restart", "restart an ended execution"), ("heartbeat", "a client heartbeat")):
        command(name, help_text).add_argument("id", help="execution id (uuid or seq)")
    p = command("logs", "an execution's log")
    p.add_argument("id", help="execution id (uuid or seq)")
    p.add_argument("-f", "--follow", action="store_true", help="print the log as it is written, until the run ends")
    p = command("watch", "step, counts and ETA of an execution until it ends")
    p.add_argument("id", help="execution id (uuid or seq)")
    p.add_argument("--follow-log", action="store_true", help="print its log as it grows")
    p = command("schedule", "cron schedules: ls | add DEFINITION CRON [NAME=VALUE ...] | pause | resume | rm ID")
    p.add_argument("action", choices=["ls", "add", "pause", "resume", "rm"], help="what to do")
    p.add_argument("args", nargs="*", help="DEFINITION CRON [NAME=VALUE ...] for add; ID for pause, resume, rm")


class Api:
    def __init__(self, url: str | None, token: str):
        self.url, self.origin = (url, "--url") if url else folder.gateway_url()
        self.base = self.url.rstrip("/") + "/api/v1"
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"

    def call(self, method: str, path: str, **kwargs):
        try:
            response = self.session.request(method, self.base + path, timeout=30, **kwargs)
        except requests.RequestException as exc:
            raise SystemExit(f"jobgate: cannot reach the gateway at {self.url} ({self.origin}): "
                             f"{type(exc).__name__}; start one with `jobgate up`, or set JOBGATE_URL "
                             "(or --url) to the URL `jobgate up` printed") from None
        if response.status_code >= 400:
            error = response.json().get("error", {}) if response.headers.get("Content-Type", "").startswith(
                "application/json") else {"message": response.text}
            raise SystemExit(f"jobgate: {response.status_code} {error.get('message')}"
                             + (f" {json.dumps(error['details'])}" if error.get("details") else ""))
        return response


def _parse_params(pairs: list[str]) -> dict:
    params = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep:
            raise SystemExit(f"jobgate: parameter {pair!r} is not NAME=VALUE")
        try:
            params[name] = json.loads(value)
        except ValueError:
            params[name] = value
    return params


def run(args) -> int:
    api = Api(args.url, args.token)
    if args.command == "submit":
        body = {"definition": args.definition, "parameters": _parse_params(args.params), "after": args.after}
        execution = api.call("POST", "/executions", json={**body, **({"start_at": args.at} if args.at else {})}).json()
        print(execution["id"])
        return watch(api, execution["id"], follow_log=args.follow_log) if args.watch else 0
    if args.command == "ls":
        query = {k: v for k, v in (("definition", args.definition), ("state", args.state)) if v}
        page = api.call("GET", "/executions", params={**query, "limit": args.limit}).json()
        for item in page["items"]:
            print(f"{item['id']}  {item['seq']:>6}  {item['definition']:<28} {item['state']:<10} {item['created']}")
        print(f"({len(page['items'])} of {page['total']})")
        return 0
    if args.command == "show":
        print(json.dumps(api.call("GET", f"/executions/{args.id}").json(), indent=2))
        return 0
    if args.command in ("cancel", "heartbeat"):
        print(api.call("POST", f"/executions/{args.id}/{args.command}").json()["state"])
        return 0
    if args.command == "restart":
        print(api.call("POST", f"/executions/{args.id}/restart").json()["id"])
        return 0
    if args.command == "schedule":
        return schedule(api, args.action, args.args)
    if args.command == "logs" and args.follow:
        return follow_log(api, args.id)
    if args.command == "logs":
        sys.stdout.write(api.call("GET", f"/executions/{args.id}/log").text)
        return 0
    return watch(api, args.id, follow_log=args.follow_log)


def schedule(api: Api, action: str, args: list[str]) -> int:
    if action == "ls":
        for item in api.call("GET", "/schedules").json()["items"]:
            state = "paused" if item["paused"] else f"next {item['next_run']}"
            print(f"{item['id']}  {item['definition']:<28} {item['cron']:<18} {state}")
        return 0
    if action == "add":
        if len(args) < 2:
            raise SystemExit("jobgate: schedule add DEFINITION CRON [NAME=VALUE ...]")
        body = {"definition": args[0], "cron": args[1], "parameters": _parse_params(args[2:])}
        print(api.call("POST", "/schedules", json=body).json()["id"])
        return 0
    if len(args) != 1:
        raise SystemExit(f"jobgate: schedule {action} ID")
    if action == "rm":
        api.call("DELETE", f"/schedules/{args[0]}")
    else:
        api.call("POST", f"/schedules/{args[0]}/{action}")
    return 0
