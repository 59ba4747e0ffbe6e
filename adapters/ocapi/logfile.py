"""Where an execution's log lives on the WebDAV side, and back.

OCAPI names a log `Job-{job_id}-{yyyyMMddHHmmssSSS}.log` after the moment the
execution was created; newer versions also give its WebDAV path under
`/Sites/LOGS/jobs/{job_id}/`. The name holds no execution id, so finding the
execution scans the job's executions newest first down to that moment.
"""
import re
from datetime import datetime, timezone

from jobgate.errors import NotFound
from jobgate.model import Execution
from jobgate.web import principal, service

NAME = re.compile(r"^Job-(?P<job>.+)-(?P<stamp>\d{17})\.log$")
STAMP = "%Y%m%d%H%M%S"
PAGE = 200


def name(execution: Execution) -> str:
    created = execution.created.astimezone(timezone.utc)
    return f"Job-{execution.definition_id}-{created.strftime(STAMP)}{created.microsecond // 1000:03d}.log"


def path(execution: Execution) -> str:
    return f"/Sites/LOGS/jobs/{execution.definition_id}/{name(execution)}"


def find(log_name: str) -> Execution:
    """The caller's execution whose log is `log_name`; NotFound also while the log is empty."""
    match = NAME.match(log_name)
    if match is None:
        raise NotFound(f"no log {log_name!r}")
    moment = datetime.strptime(match["stamp"][:14], STAMP).replace(
        microsecond=int(match["stamp"][14:]) * 1000, tzinfo=timezone.utc)
    cursor = None
    while True:
        page = service().page(principal(), definition=match["job"], limit=PAGE, cursor=cursor)
        for execution in page.items:
            if execution.created == moment and execution.log_size > 0:
                return execution
            if execution.created < moment:
                raise NotFound(f"no log {log_name!r}")
        if page.next_cursor is None:
            raise NotFound(f"no log {log_name!r}")
        cursor = page.next_cursor
