"""One log format for the gateway and the workers: jobgate's and Flask's lines, gunicorn's
error and access logs, RQ's own worker lines, all through the root logger's one handler.
Readable text by default; one JSON object a line (python-json-logger) when
`JOBGATE_LOG_FORMAT=json`, for log routers and search.

Each line carries what is known of the work it is about (jobgate.kit.context): a request's
id, dialect and tenant, and the execution id and tenant of the job a worker runs (`bound`
around the job; its work horse, forked inside, inherits them).

The format is read from the environment directly, not through Settings: logging is set up
first, so that a bad setting is itself logged in the chosen format.
"""
from __future__ import annotations

import logging
import logging.config
import os
from collections.abc import Mapping

from gunicorn import glogging

from jobgate.kit import context

VARIABLE = "JOBGATE_LOG_FORMAT"
FORMATS = ("text", "json")
#: what a line may carry of the work it is about, when known
FIELDS = ("request_id", "dialect", "tenant", "execution_id")
TEXT = "%(asctime)s %(name)s %(levelname)s %(message)s"
JSON = "%(levelname)s %(name)s %(process)d %(message)s"
#: lines logged inside `with bound(execution_id=..., tenant=...)` carry those fields
bound = context.bound


def log_format(env: Mapping[str, str] | None = None) -> str:
    value = (os.environ if env is None else env).get(VARIABLE, "text").strip().lower() or "text"
    if value not in FORMATS:
        raise ValueError(f"{VARIABLE}: expected one of {', '.join(FORMATS)}; got {value!r}")
    return value


def config(fmt: str = "text") -> dict:
    """The dictConfig of every process (also gunicorn's logconfig_dict): the root logger's one
    handler, to standard output; gunicorn's and RQ's loggers hand their lines to it."""
    formatters = {
        "text": {"()": Text, "format": TEXT},
        "json": {"()": "pythonjsonlogger.json.JsonFormatter", "fmt": JSON, "timestamp": "time",
                 "rename_fields": {"levelname": "level", "name": "logger"}},
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": Context}},
        "formatters": {fmt: formatters[fmt]},
        "handlers": {"out": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout",
                             "formatter": fmt, "filters": ["context"]}},
        "root": {"level": "INFO", "handlers": ["out"]},
        # gunicorn gives these handlers of their own and stops them propagating; RQ would give
        # its own (rq.logutils.setup_loghandlers) to a logger with none above it
        "loggers": {name: {"handlers": [], "propagate": True}
                    for name in ("gunicorn.error", "gunicorn.access", "rq.worker", "rq.job")},
    }


def configure(env: Mapping[str, str] | None = None) -> None:
    logging.config.dictConfig(config(log_format(env)))
    logging.captureWarnings(True)


class Context(logging.Filter):
    """Adds to each line the fields known of the work at hand."""

    def filter(self, record: logging.LogRecord) -> bool:
        known = context.current()
        for name in FIELDS:
            if name in known and getattr(record, name, None) is None:
                setattr(record, name, known[name])
        return True


class Text(logging.Formatter):
    """TEXT, followed by the line's fields: `... message  [request_id=... tenant=...]`."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        known = " ".join(f"{name}={value}" for name in FIELDS if (value := getattr(record, name, None)))
        return super().formatMessage(record) + (f"  [{known}]" if known else "")


class GunicornLogger(glogging.Logger):
    """gunicorn's logger (set up from `config`, as gunicorn's logconfig_dict); its access line,
    logged once the app has answered, carries the request's fields from its WSGI environ."""

    def setup(self, cfg) -> None:
        super().setup(cfg)
        logging.captureWarnings(True)     # Python's warnings (gevent's among them) in the same format

    def access(self, resp, req, environ, request_time) -> None:
        with bound(**context.fields(environ)):
            super().access(resp, req, environ, request_time)
