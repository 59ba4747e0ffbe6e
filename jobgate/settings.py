"""Operator settings, read once from the environment (Heroku-style)."""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from jobgate import limits


def _list(value: str | None, default: tuple[str, ...] = ()) -> tuple[str, ...]:
    if value is None:
        return default
    return tuple(item.strip() for item in value.split(",") if item.strip())


def _counts(name: str, value: str | None, default: tuple[int, ...]) -> tuple[int, ...]:
    """A comma list of as many whole numbers >= 0 as `default` has."""
    items = _list(value, tuple(map(str, default)))
    if len(items) != len(default) or not all(item.isdigit() for item in items):
        raise ValueError(f"{name}: expected {len(default)} whole numbers >= 0, comma-separated; got {value!r}")
    return tuple(int(item) for item in items)


@dataclass(frozen=True)
class Settings:
    redis_url: str | None = None
    catalog_path: str | None = None
    principals_path: str | None = None
    dialects: tuple[str, ...] = ()                 # empty: every installed dialect
    queues: tuple[str, ...] = ("default",)
    #: module prefixes whose functions `python` steps may call
    python_allow: tuple[str, ...] = ("examples",)
    #: step types a definition created through an API may use (shell and http
    #: run operator-chosen commands and URLs, so only catalog jobs get them)
    api_step_types: tuple[str, ...] = ("sleep", "python")
    max_body: int = limits.BODY_MAX
    http_timeout: float = 30.0
    kill_grace: float = 3.0
    heartbeat_interval: float = 2.0
    stale_after: float = 15.0
    token_ttl: int = 3600
    page_limit: int = limits.PAGE_MAX
    #: the operator's per-tenant quotas (TOML); unset: limits.QUOTA_* for every tenant
    quotas_path: str | None = None
    #: seconds a finished execution without an expiry of its own is kept; 0 keeps it for ever
    retention: float = limits.RETENTION
    #: failed logins before waiting starts: per (user, address), per address, per user (0: not counted)
    login_failures: tuple[int, int, int] = (limits.LOGIN_FAILURES_USER_ADDRESS, limits.LOGIN_FAILURES_ADDRESS,
                                            limits.LOGIN_FAILURES_USER)
    login_window: float = limits.LOGIN_WINDOW
    login_backoff: float = limits.LOGIN_BACKOFF
    #: reverse proxies in front of the gateway whose X-Forwarded-For is believed (client addresses)
    trusted_proxies: int = 0
    #: seconds a stopping worker lets its running job go on before interrupting it (Heroku kills at 30)
    shutdown_grace: float = limits.SHUTDOWN_GRACE
    #: every JOBGATE_* variable, for the settings dialects declare themselves (Dialect.settings)
    environ: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False)
    #: seconds a client may stay silent while its request is served (the gunicorn worker's)
    client_timeout: float = limits.CLIENT_TIMEOUT
    #: live workers /readyz needs to answer 200 (0: a gateway that runs without workers)
    ready_workers: int = 1

    @classmethod
    def from_env(cls, env=None, **overrides) -> Settings:
        env = os.environ if env is None else env
        values = dict(
            redis_url=env.get("REDIS_URL") or None,
            catalog_path=env.get("JOBGATE_CATALOG") or None,
            principals_path=env.get("JOBGATE_PRINCIPALS") or None,
            dialects=_list(env.get("JOBGATE_DIALECTS")),
            queues=_list(env.get("JOBGATE_QUEUES"), ("default",)),
            python_allow=_list(env.get("JOBGATE_PYTHON_ALLOW"), ("examples",)),
            api_step_types=_list(env.get("JOBGATE_API_STEP_TYPES"), ("sleep", "python")),
            max_body=int(env.get("JOBGATE_MAX_BODY", limits.BODY_MAX)),
            http_timeout=float(env.get("JOBGATE_HTTP_TIMEOUT", 30)),
            kill_grace=float(env.get("JOBGATE_KILL_GRACE", 3)),
            heartbeat_interval=float(env.get("JOBGATE_HEARTBEAT_INTERVAL", 2)),
            stale_after=float(env.get("JOBGATE_STALE_AFTER", 15)),
            token_ttl=int(env.get("JOBGATE_TOKEN_TTL", 3600)),
            quotas_path=env.get("JOBGATE_QUOTAS") or None,
            retention=float(env.get("JOBGATE_RETENTION", limits.RETENTION)),
            login_failures=_counts("JOBGATE_LOGIN_FAILURES", env.get("JOBGATE_LOGIN_FAILURES"), cls.login_failures),
            login_window=float(env.get("JOBGATE_LOGIN_WINDOW", limits.LOGIN_WINDOW)),
            login_backoff=float(env.get("JOBGATE_LOGIN_BACKOFF", limits.LOGIN_BACKOFF)),
            trusted_proxies=int(env.get("JOBGATE_TRUSTED_PROXIES", 0)),
            shutdown_grace=float(env.get("JOBGATE_SHUTDOWN_GRACE", limits.SHUTDOWN_GRACE)),
            environ={k: v for k, v in env.items() if k.startswith("JOBGATE_")},
            client_timeout=float(env.get("JOBGATE_CLIENT_TIMEOUT", limits.CLIENT_TIMEOUT)),
            ready_workers=int(env.get("JOBGATE_READY_WORKERS", 1)),
        )
        values.update(overrides)
        return cls(**values)

    def option(self, name: str, default: str = "") -> str:
        """A dialect's own setting, `JOBGATE_<name>` (e.g. "SAHARA_JOB_TYPES")."""
        return self.environ.get(f"JOBGATE_{name}", default).strip()
