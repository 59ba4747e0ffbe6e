"""How the gateway is served: gunicorn's settings, one module for `jobgate serve`, the
Procfile's `web:` line and the bench alike:

    gunicorn -c python:jobgate.tools.gunicorn_conf --bind 0.0.0.0:$PORT 'jobgate.kit.app:create_app()'

Each worker process (jobgate.tools.httpworker) serves every connection on a gevent
greenlet, not on a thread of its own: a client that sends its body slowly or stops, or
that does not read its answer, holds one cheap greenlet while the others are served. It
is also dropped once it has been silent for `JOBGATE_CLIENT_TIMEOUT` seconds (a body that
stops coming is a 408 in the dialect's format; see jobgate.kit.app); headers that do not
all come, and an idle keep-alive connection, are closed after `keepalive` seconds.

Argon2 password hashes (about 0.1 s of C each) run on gevent's pool of real threads
(`post_worker_init`), so a login does not hold up the process's other requests.

Its error and access logs are in jobgate's one format (jobgate.tools.logs: text, or JSON when
JOBGATE_LOG_FORMAT=json), each access line with the request's id, dialect and tenant.

Request metrics are summed over the worker processes by prometheus_client's multiprocess
mode (jobgate.kit.metrics): each process writes its counters to files in
$PROMETHEUS_MULTIPROC_DIR, a folder of this server's own (made here, and removed at exit,
when the operator names none; emptied at start when they do), and a process that exits
is marked dead there.

The worker count is gunicorn's: `--workers`, else $WEB_CONCURRENCY (Heroku sets it), else 1.
The work in a request is CPU and Redis round trips; those go through redis-py's sockets,
which gevent makes cooperative (gunicorn patches the worker before it loads the app).
"""
from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

import gevent

from jobgate.rules import passwords
from jobgate.settings import Settings, SettingsError
from jobgate.tools import logs

#: gunicorn's gevent worker with a client timeout, answering its own refusals as faults
worker_class = "jobgate.tools.httpworker.Worker"
#: connections one worker process serves at once (slow ones included)
worker_connections = 1000
keepalive = 5
#: seconds a SIGTERM leaves the requests in progress, within the 30 s after which Heroku kills
graceful_timeout = 25
accesslog = "-"
logconfig_dict = logs.config(logs.log_format())
logger_class = logs.GunicornLogger

#: set before any process imports prometheus_client, which reads it once
MULTIPROC = "PROMETHEUS_MULTIPROC_DIR"
_own_metrics_dir = MULTIPROC not in os.environ
if _own_metrics_dir:
    os.environ[MULTIPROC] = tempfile.mkdtemp(prefix="jobgate-metrics-")


def on_starting(server) -> None:
    """A bad setting stops the server in one line, before any worker boots (the Procfile's `web:`
    line does not pass through the CLI's check). Counters of an earlier run would add to this one's."""
    try:
        Settings.from_env()
    except SettingsError as exc:
        server.log.error("%s", exc)
        on_exit(server)
        sys.exit(2)
    folder = Path(os.environ[MULTIPROC])
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.db"):
        stale.unlink()


def child_exit(server, worker) -> None:
    from prometheus_client import multiprocess  # in the master: after the folder is set
    multiprocess.mark_process_dead(worker.pid)


def on_exit(server) -> None:
    if _own_metrics_dir:
        shutil.rmtree(os.environ[MULTIPROC], ignore_errors=True)


def post_worker_init(worker) -> None:
    """Password hashes run on gevent's pool of real threads, not on the one all requests share."""
    pool = gevent.get_hub().threadpool
    passwords.run_slow = lambda function, *args: pool.apply(function, args)
