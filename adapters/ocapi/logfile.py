"""Where an execution's log lives on the WebDAV side, and back.

OCAPI names a log `Job-{job_id}-{yyyyMMddHHmmssSSS}.log` after the moment the
execution was created; newer versions also give its WebDAV path under
`/Sites/LOGS/jobs/{job_id}/`. The name holds no execution id, so finding the
execution scans the job's executions newest first down to that moment.
"""
import re
from datetime import UTC, datetime, timedelta

from jobgate.errors import NotFound
from jobgate.kit.blueprint import principal, service
from jobgate.model import Execution

NAME = re.compile(r"^Job-(?P<job>.+)-(?P<stamp>\d{17})\.log$")
STAMP = "%Y%m%d%H%M%S"
#: Executions are listed by number; numbers and creation times of concurrent submits
#: may disagree by a moment, so the walk goes this far past the wanted time.
SETTLE = timedelta(seconds=1)


def name(execution: Execution) -> str:
    created = execution.created.astimezone(UTC)
    return f"Job-{execution.definition_id}-{created.strftime(STAMP)}{created.microsecond // 1000:03d}.log"


def path(execution: Execution) -> str:
    return f"/Sites/LOGS/jobs/{execution.definition_id}/{name(execution)}"


def find(log_name: str) -> Execution:
    """The caller's execution whose log is `log_name`; NotFound also while the log is empty."""
    match = NAME.match(log_name)
    if match is None:
        raise NotFound(f"no log {log_name!r}")
    try:
        moment = datetime.strptime(match["stamp"][:14], STAMP).replace(
            microsecond=int(match["stamp"][14:]) * 1000, tzinfo=UTC)
    except ValueError:              # 20261399... is no time: no such log
        raise NotFound(f"no log {log_name!r}") from None
    for execution in service().scan(principal(), definition=match["job"]):
        if execution.created == moment and execution.log_size > 0:
            return execution
        if execution.created < moment - SETTLE:     # newest first: the rest are older
            break
    raise NotFound(f"no log {log_name!r}")
