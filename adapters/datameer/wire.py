"""Datameer's fixed-name tables and document builders: v1 (`/rest`) records and v2 (`/api`) documents.

Both generations' state words, their two date styles (java.sql.Timestamp's
`2012-07-06 18:19:09.0` in v1 job details, DateFormat.MEDIUM's
`Sep 28, 2018 6:44:56 PM` in v2), and the record each command answers, as the
public Datameer pages and the real clients show them. Integer ids are the
definition's and execution's `seq`.
"""
from __future__ import annotations

from datetime import datetime, tzinfo

from jobgate.kit.states import StateMap
from jobgate.model import Definition, Execution, State, now, to_ms

#: v1 `jobStatus`: mixed-case COMPLETED_WITH_Warnings verbatim from the docs; a chained run
#: that waits on its predecessor is WAITING_FOR_OTHER_JOB, as in Datameer's own job chains
STATES = StateMap([
    (State.CREATED, "WAITING_FOR_OTHER_JOB", lambda execution: bool(execution.after)),
    (State.CREATED, "QUEUED"),
    (State.QUEUED, "QUEUED"),
    (State.RUNNING, "RUNNING"),
    (State.SUCCEEDED, "COMPLETED"),
    (State.SUCCEEDED_WITH_WARNINGS, "COMPLETED_WITH_Warnings"),
    (State.FAILED, "ERROR"),
    (State.CANCELED, "CANCELED"),
    (State.DIED, "ERROR"),
])
#: v2 `job-status` (upper case throughout); `_NONE` is a file never run, not a state
V2_STATES = StateMap({
    State.CREATED: "QUEUED", State.QUEUED: "QUEUED", State.RUNNING: "RUNNING",
    State.SUCCEEDED: "COMPLETED", State.SUCCEEDED_WITH_WARNINGS: "COMPLETED_WITH_WARNINGS",
    State.FAILED: "ERROR", State.CANCELED: "CANCELED", State.DIED: "ERROR",
})
NEVER_RUN = "_NONE"
TRIGGER = "RESTAPI"
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


# -- dates -----------------------------------------------------------------
def medium(moment: datetime | None, zone: tzinfo) -> str | None:
    """Java DateFormat.MEDIUM in en_US: `Sep 28, 2018 6:44:56 PM` (no zone shown)."""
    if moment is None:
        return None
    local = moment.astimezone(zone)
    hour = local.hour % 12 or 12
    return (f"{MONTHS[local.month - 1]} {local.day}, {local.year} "
            f"{hour}:{local:%M:%S} {'AM' if local.hour < 12 else 'PM'}")


def timestamp(moment: datetime | None, zone: tzinfo) -> str | None:
    """java.sql.Timestamp.toString(): `2012-07-06 18:19:09.0`, trailing zeros of the fraction cut."""
    if moment is None:
        return None
    local = moment.astimezone(zone)
    fraction = f"{local.microsecond * 1000:09d}".rstrip("0") or "0"
    return f"{local:%Y-%m-%d %H:%M:%S}.{fraction}"


def estimate(execution: Execution) -> str:
    """Remaining seconds, from the time spent so far and the percent done (`0s` before any progress)."""
    percent = execution.progress.percent
    if not execution.started or not 0 < percent < 100:
        return "0s"
    spent = (to_ms(now()) - to_ms(execution.started)) / 1000
    return f"{round(spent * (100 - percent) / percent)}s"


# -- v1 records --------------------------------------------------------------
def v1_status(execution: Execution | None) -> dict:
    """Job status and history item: `{"id", "jobStatus"}` of a run (`{}` when there is none).
    Nothing else: a shell client takes the only number in a history item as the run id."""
    return {} if execution is None else {"id": execution.seq, "jobStatus": STATES.wire(execution)}


def v1_running(execution: Execution, file_id: int | None) -> dict:
    return {"id": execution.seq, "jobConfigurationId": file_id, "jobStatus": STATES.wire(execution)}


def counters(execution: Execution, result) -> dict[str, int]:
    """Record counters from the run's progress, and the integer entries of a result object."""
    progress = execution.progress
    found = {"RECORDS": max(progress.processed - progress.failed, 0), "DROPPED_RECORDS": progress.failed,
             "TOTAL_RECORDS": progress.total}
    if isinstance(result, dict):
        found.update({str(key): value for key, value in result.items()
                      if isinstance(value, int) and not isinstance(value, bool)})
    return found


def v1_details(execution: Execution, result, zone: tzinfo) -> dict:
    progress = execution.progress
    return {"id": execution.seq, "jobStatus": STATES.wire(execution),
            "startTime": timestamp(execution.started, zone), "stopTime": timestamp(execution.ended, zone),
            "successCount": max(progress.processed - progress.failed, 0), "failureCount": progress.failed,
            "counters": counters(execution, result), "message": execution.message}


# -- v2 documents ------------------------------------------------------------
def v2_status(execution: Execution | None, file_id: int | None, zone: tzinfo) -> dict:
    """The documented shapes: `_NONE`; `start-time` null until started; `stop-time` once ended;
    `estimate-time` and `job-progress` (a string) while running."""
    if execution is None:
        return {"status": "success", "job-status": NEVER_RUN}
    document = {"status": "success", "file-id": file_id, "job-execution-id": execution.seq,
                "job-status": V2_STATES.wire(execution), "start-time": medium(execution.started, zone)}
    if execution.state is State.RUNNING:
        document["estimate-time"] = estimate(execution)
        document["job-progress"] = str(int(execution.progress.percent))
    if execution.finished:
        document["stop-time"] = medium(execution.ended, zone)
    return document


def v2_triggered(execution: Execution) -> dict:
    return {"status": "success", "job-execution-id": execution.seq,
            "job-execution-user": execution.principal, "job-execution-trigger": TRIGGER}


def v2_running(execution: Execution, file_id: int | None, zone: tzinfo) -> dict:
    document = v2_status(execution, file_id, zone)
    del document["status"]
    return document


def path_of(definition: Definition) -> str:
    """The Datameer file path a definition answers to: its own (attributes), else one from its id."""
    return definition.attributes.get("datameer", {}).get("path") or f"{DERIVED_FOLDER}/{definition.id}"


DERIVED_FOLDER = "/Data/Jobs"
