"""Canonical errors. The core raises these; each dialect renders them.

Every error carries an HTTP status hint and a stable `code`, so a dialect's
fault table can be a plain mapping from code to its own type name.
"""
from __future__ import annotations

from typing import Any


class JobgateError(Exception):
    status = 500
    code = "internal"

    def __init__(self, message: str = "", details: Any = None, *, retry_after: int | None = None, **context: Any):
        super().__init__(message or self.__class__.__doc__ or self.code)
        self.message = message or (self.__class__.__doc__ or self.code).strip()
        self.details = details
        self.context = context   # e.g. {"id": "..."} for dialects that echo arguments
        #: seconds after which the same request may succeed, when that is known (a Retry-After header)
        self.retry_after = retry_after


class Invalid(JobgateError):
    """The request is not valid."""
    status, code = 400, "invalid"


class Unauthorized(JobgateError):
    """A valid credential is required."""
    status, code = 401, "unauthorized"


class NotFound(JobgateError):
    """No such resource."""
    status, code = 404, "not_found"


class DefinitionNotFound(NotFound):
    """No such job."""
    code = "definition_not_found"


class ExecutionNotFound(NotFound):
    """No such job execution."""
    code = "execution_not_found"


class Conflict(JobgateError):
    """The resource is not in a state that allows this."""
    status, code = 409, "conflict"


class AlreadyRunning(Conflict):
    """The job does not allow concurrent executions and one is in progress."""
    code = "already_running"


class NotFinished(Conflict):
    """The execution has not finished."""
    code = "not_finished"


class NotRestartable(Conflict):
    """The job or execution cannot be restarted."""
    code = "not_restartable"


class KeyReused(Conflict):
    """The Idempotency-Key was used before for a different request; send a new key for a new request."""
    status, code = 422, "idempotency_key_reused"


class VersionMismatch(Conflict):
    """The resource has changed since the given version."""
    status, code = 412, "version_mismatch"


class Unavailable(JobgateError):
    """The job store is unreachable; try again shortly."""
    status, code = 503, "unavailable"


class TooManyRequests(JobgateError):
    """Too many requests; try again later."""
    status, code = 429, "too_many_requests"


class LoginThrottled(TooManyRequests):
    """Too many failed logins; try again later."""
    code = "login_throttled"


class QuotaExceeded(JobgateError):
    """The tenant's quota allows no more of these (until some are deleted or the operator raises it)."""
    status, code = 403, "quota_exceeded"


class TooManyActive(QuotaExceeded):
    """The tenant has as many unfinished job executions as its quota allows; try again once some have ended."""
    status, code = 429, "too_many_active"
