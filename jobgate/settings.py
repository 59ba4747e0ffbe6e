"""Operator settings, read once from the environment (Heroku-style).

Each field names its variable, says what it means and how it is parsed, in its
metadata: `from_env` reads them through environs (marshmallow fields) and the
`jobgate --help` epilog and README table are written from the same list, so
neither can drift from what is read. A bad value is one SettingsError naming
the variable and the value.
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields

from environs import Env, EnvError, ValidationError, validate

from jobgate import limits

_AT_LEAST_0 = validate.Range(min=0)
_ABOVE_0 = validate.Range(min=0, min_inclusive=False)


class SettingsError(ValueError):
    """A variable whose value cannot be used; its message is one line for the operator."""


class _MappingEnv(Env):
    """environs reading an explicit mapping instead of os.environ (tests and the bench pass one).
    `_get_value` is environs' single read of a variable (environs 15)."""

    def __init__(self, source: Mapping[str, str]):
        super().__init__(eager=True)
        self._source = source

    def _get_value(self, env_key, default):
        return self._source.get(env_key, default)


def _setting(variable: str, default, meaning: str, kind: str = "str", check=None, shown=None):
    """A Settings field read from `variable` as environs' `kind` (str, int, float, list, counts)."""
    metadata = {"variable": variable, "meaning": meaning, "kind": kind, "check": check,
                "shown": shown if shown is not None else _show(default)}
    return field(default=default, metadata=metadata)


def _show(default) -> str:
    if default is None:
        return "unset"
    if isinstance(default, tuple):
        return ",".join(map(str, default)) or "(empty)"
    return f"{default:g}" if isinstance(default, float) else str(default)


@dataclass(frozen=True)
class Settings:
    redis_url: str | None = _setting("REDIS_URL", None, "Redis to use (Heroku convention)",
                                     shown="unset: `jobgate up` starts an embedded server under .jobgate/redis")
    redis_ca: str | None = _setting("JOBGATE_REDIS_CA", None,
                                    "CA file a rediss:// REDIS_URL's certificate is checked against (its"
                                    " ?ssl_ca_certs= wins)", shown="unset: the system's CAs")
    redis_tls_verify: bool = _setting("JOBGATE_REDIS_TLS_VERIFY", True,
                                      "0: a rediss:// REDIS_URL's certificate is not checked (self-signed, as"
                                      " Heroku Redis's; its ?ssl_cert_reqs= wins)", "bool", shown="1")
    redis_wait_replicas: int = _setting("JOBGATE_REDIS_WAIT_REPLICAS", 0,
                                        "replicas that must confirm a submit (Redis WAIT) before it is answered"
                                        " 2xx, else 503; 0: not waited for", "int", _AT_LEAST_0)
    redis_wait_timeout: int = _setting("JOBGATE_REDIS_WAIT_TIMEOUT", 500,
                                       "milliseconds a submit waits for its replicas", "int", _ABOVE_0)
    catalog_path: str | None = _setting("JOBGATE_CATALOG", None, "the operator's catalog file (TOML, [[job]] tables)",
                                        shown="unset (`jobgate up`: examples/catalog.toml)")
    principals_path: str | None = _setting("JOBGATE_PRINCIPALS", None,
                                           "the principals file (TOML, [[principal]] tables)",
                                           shown="unset: every request is 401 (`jobgate up`: a development principal)")
    dialects: tuple[str, ...] = _setting("JOBGATE_DIALECTS", (), "comma list of dialects to mount", "list",
                                         shown="every installed one")
    queues: tuple[str, ...] = _setting("JOBGATE_QUEUES", ("default",), "queues a worker listens on", "list")
    python_allow: tuple[str, ...] = _setting("JOBGATE_PYTHON_ALLOW", ("examples",),
                                             "module prefixes whose functions `python` steps may call", "list")
    #: shell and http run operator-chosen commands and URLs, so only catalog jobs get them
    api_step_types: tuple[str, ...] = _setting("JOBGATE_API_STEP_TYPES", ("sleep", "python"),
                                               "step types a definition created through an API may use", "list")
    max_body: int = _setting("JOBGATE_MAX_BODY", limits.BODY_MAX, "request body limit in bytes (413 above it)",
                             "int", _ABOVE_0)
    http_timeout: float = _setting("JOBGATE_HTTP_TIMEOUT", 30.0, "seconds an `http` step waits for its answer",
                                   "float", _ABOVE_0)
    kill_grace: float = _setting("JOBGATE_KILL_GRACE", 3.0, "seconds between SIGTERM and SIGKILL of a step",
                                 "float", _AT_LEAST_0)
    heartbeat_interval: float = _setting("JOBGATE_HEARTBEAT_INTERVAL", 2.0, "seconds between a run's heartbeats",
                                         "float", _ABOVE_0)
    stale_after: float = _setting("JOBGATE_STALE_AFTER", 15.0,
                                  "seconds of heartbeat silence after which a run is DIED and a worker no longer"
                                  " counts as live", "float", _ABOVE_0)
    token_ttl: int = _setting("JOBGATE_TOKEN_TTL", 3600, "lifetime in seconds of tokens the login endpoints issue",
                              "int", _ABOVE_0)
    page_limit: int = field(default=limits.PAGE_MAX)        # not a variable: the dialects' page size cap
    quotas_path: str | None = _setting("JOBGATE_QUOTAS", None, "the per-tenant quotas file (TOML)",
                                       shown="unset: every tenant gets the limits.QUOTA_* defaults")
    retention: float = _setting("JOBGATE_RETENTION", limits.RETENTION,
                                "seconds a finished execution without an expiry of its own is kept; 0 keeps it",
                                "float", _AT_LEAST_0)
    login_failures: tuple[int, int, int] = _setting(
        "JOBGATE_LOGIN_FAILURES",
        (limits.LOGIN_FAILURES_USER_ADDRESS, limits.LOGIN_FAILURES_ADDRESS, limits.LOGIN_FAILURES_USER),
        "failed logins before waiting starts: per (user, address), per address, per user (0: never waits)", "counts")
    login_window: float = _setting("JOBGATE_LOGIN_WINDOW", limits.LOGIN_WINDOW,
                                   "seconds failed logins are remembered, and the longest wait", "float", _ABOVE_0)
    login_backoff: float = _setting("JOBGATE_LOGIN_BACKOFF", limits.LOGIN_BACKOFF,
                                    "seconds of the first wait after too many failed logins", "float", _AT_LEAST_0)
    trusted_proxies: int = _setting("JOBGATE_TRUSTED_PROXIES", 0,
                                    "reverse proxies in front of the gateway whose X-Forwarded-For names the client",
                                    "int", _AT_LEAST_0)
    shutdown_grace: float = _setting("JOBGATE_SHUTDOWN_GRACE", limits.SHUTDOWN_GRACE,
                                     "seconds a stopping worker lets its running job go on before interrupting it",
                                     "float", _AT_LEAST_0)
    idempotency_ttl: int = _setting("JOBGATE_IDEMPOTENCY_TTL", limits.IDEMPOTENCY_TTL,
                                    "seconds an Idempotency-Key answers the execution its first submit made",
                                    "int", _ABOVE_0)
    #: every JOBGATE_* variable, for the settings dialects declare themselves (Dialect.settings)
    environ: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False)
    client_timeout: float = _setting("JOBGATE_CLIENT_TIMEOUT", limits.CLIENT_TIMEOUT,
                                     "seconds a client may stay silent while sending a body (408) or reading an answer",
                                     "float", _ABOVE_0)
    ready_workers: int = _setting("JOBGATE_READY_WORKERS", 1,
                                  "live workers /readyz needs to answer 200; 0 for a gateway that runs without workers",
                                  "int", _AT_LEAST_0)
    log_format: str = _setting("JOBGATE_LOG_FORMAT", "text",
                               "text (readable) or json (one JSON object a line): every line of gateway, gunicorn,"
                               " workers and RQ", "str", validate.OneOf(("text", "json")))

    webhook_allow: tuple[str, ...] = _setting(
        "JOBGATE_WEBHOOK_ALLOW", (), "host patterns (*.example.com) and CIDRs webhook and callback URLs may reach;"
        " a name must still resolve to a public address, a CIDR admits any", "list",
        shown="unset: public addresses only (no loopback, link-local, private ranges, nor the Redis host)")
    webhook_attempts: int = _setting("JOBGATE_WEBHOOK_ATTEMPTS", 8,
                                     "attempts of one webhook delivery before it is marked failed", "int", _ABOVE_0)
    webhook_backoff: float = _setting("JOBGATE_WEBHOOK_BACKOFF", 5.0,
                                      "seconds before a webhook's first retry; each next waits 6 times longer"
                                      " (5 s, 30 s, 3 min ...), at most an hour", "float", _ABOVE_0)
    webhook_timeout: float = _setting("JOBGATE_WEBHOOK_TIMEOUT", 5.0,
                                      "seconds a webhook receiver has to answer", "float", _ABOVE_0)
    webhook_lease: float = _setting("JOBGATE_WEBHOOK_LEASE", 30.0,
                                    "seconds a worker holds an event or delivery it took; then another worker"
                                    " takes it (a dead worker's); keep it above the timeout", "float", _ABOVE_0)
    events_maxlen: int = _setting("JOBGATE_EVENTS_MAXLEN", limits.EVENTS_MAXLEN,
                                  "events kept (about) in each event stream, a tenant's and an execution's",
                                  "int", _ABOVE_0)
    events_keep: int = _setting("JOBGATE_EVENTS_KEEP", limits.EVENTS_KEEP,
                                "seconds an ended execution's own event stream is kept for clients to follow or resume",
                                "int", _ABOVE_0)
    events_heartbeat: float = _setting("JOBGATE_EVENTS_HEARTBEAT", limits.EVENTS_HEARTBEAT,
                                       "seconds between the comment lines that keep an idle event stream open",
                                       "float", _ABOVE_0)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides) -> Settings:
        """The settings `env` (default os.environ) gives; a bad value raises SettingsError."""
        env = os.environ if env is None else env
        reader = _MappingEnv(env)
        values = {item.name: _read(reader, env, item) for item in variables()}
        values["environ"] = {k: v for k, v in env.items() if k.startswith("JOBGATE_")}
        values.update(overrides)
        return cls(**values)

    def option(self, name: str, default: str = "") -> str:
        """A dialect's own setting, `JOBGATE_<name>` (e.g. "SAHARA_JOB_TYPES")."""
        return self.environ.get(f"JOBGATE_{name}", default).strip()


def variables() -> list:
    """The Settings fields read from a variable, in order (their metadata: variable, meaning, kind, shown)."""
    return [item for item in fields(Settings) if "variable" in item.metadata]


def _read(reader: Env, env: Mapping[str, str], item):
    name, kind, check = item.metadata["variable"], item.metadata["kind"], item.metadata["check"]
    if not env.get(name, "").strip():       # unset or blank: the default, as Heroku's empty config vars mean
        return item.default
    try:
        if kind == "list":
            return tuple(part.strip() for part in reader.list(name) if part.strip())
        if kind == "counts":
            counts = [validate.Length(equal=len(item.default)), _at_least_0]
            return tuple(reader.list(name, subcast=int, validate=counts))
        return getattr(reader, kind)(name, validate=check)
    except EnvError as exc:
        raise SettingsError(f"{name}={env[name]!r} is not valid: {_why(exc, kind, item.default)}") from None


def _at_least_0(numbers: list[int]) -> None:
    if any(number < 0 for number in numbers):
        raise ValidationError("negative")


def _why(exc: EnvError, kind: str, default) -> str:
    if kind == "counts":
        return f"expected {len(default)} whole numbers >= 0, comma-separated"
    messages = getattr(exc, "error_messages", None) or [str(exc)]
    return " ".join(str(message) for message in (messages if isinstance(messages, list) else [messages]))
