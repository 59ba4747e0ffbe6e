"""Every example of the public Datameer pages, rebuilt from canonical executions by the
dialect's document builders, text included (clients grep the pretty-printed lines)."""
from datetime import UTC, datetime, timedelta

import pytest

from adapters.datameer import wire
from jobgate.kit.pretty import dumps
from jobgate.model import Execution, Progress, State

UTC = UTC


def at(text: str) -> datetime:
    return datetime.strptime(text, "%b %d, %Y %I:%M:%S %p").replace(tzinfo=UTC)


def run(seq: int, state: State, started: str | None = None, ended: str | None = None, **fields) -> Execution:
    return Execution(id=f"00000000-0000-4000-8000-{seq:012d}", seq=seq, definition_id="QuickJob", tenant="acme",
                     state=state, started=at(started) if started else None, ended=at(ended) if ended else None,
                     **fields)


# -- v1 Job Status (DAS70), verbatim text -------------------------------------------
V1_STATUS = [
    (49, State.RUNNING, '{\n  "id": 49,\n  "jobStatus": "RUNNING"\n}'),
    (30, State.SUCCEEDED, '{\n  "id": 30,\n  "jobStatus": "COMPLETED"\n}'),
    (32, State.SUCCEEDED_WITH_WARNINGS, '{\n  "id": 32,\n  "jobStatus": "COMPLETED_WITH_Warnings"\n}'),
    (36, State.FAILED, '{\n  "id": 36,\n  "jobStatus": "ERROR"\n}'),
    (39, State.CANCELED, '{\n  "id": 39,\n  "jobStatus": "CANCELED"\n}'),
]


@pytest.mark.parametrize("seq, state, text", V1_STATUS)
def test_v1_job_status_examples(seq, state, text):
    assert dumps(wire.v1_status(run(seq, state))) == text + "\n"


def test_v1_job_status_of_a_job_never_triggered_is_empty():
    assert dumps(wire.v1_status(None)) == "{}\n"


def test_v1_waiting_and_queued_words():
    assert wire.STATES.wire(run(1, State.CREATED, after=["x"])) == "WAITING_FOR_OTHER_JOB"
    assert wire.STATES.wire(run(1, State.CREATED)) == wire.STATES.wire(run(1, State.QUEUED)) == "QUEUED"
    assert wire.STATES.wire(run(1, State.DIED)) == "ERROR"


# -- v2 Job Status (DAS70/DAS100/DAS110) ------------------------------------------------
def test_v2_never_run():
    assert dumps(wire.v2_status(None, None, UTC)) == '{\n  "status": "success",\n  "job-status": "_NONE"\n}\n'


def test_v2_running():
    started = datetime.now(UTC) - timedelta(seconds=11)
    running = Execution(id="r", seq=3, definition_id="QuickJob", tenant="acme", state=State.RUNNING,
                        started=started)
    document = wire.v2_status(running, 48, UTC)
    assert list(document) == ["status", "file-id", "job-execution-id", "job-status", "start-time",
                              "estimate-time", "job-progress"]
    assert document["start-time"] == wire.medium(started, UTC)
    assert (document["status"], document["file-id"], document["job-execution-id"], document["job-status"],
            document["estimate-time"], document["job-progress"]) == ("success", 48, 3, "RUNNING", "0s", "0")


def test_v2_running_estimate_follows_progress():
    started = datetime.now(UTC) - timedelta(seconds=30)
    halfway = Execution(id="r", seq=3, definition_id="Q", tenant="acme", state=State.RUNNING, started=started,
                        progress=Progress(percent=50.0))
    document = wire.v2_status(halfway, 48, UTC)
    assert document["job-progress"] == "50"
    assert document["estimate-time"] in ("30s", "31s")


V2_ENDED = [
    (run(3, State.SUCCEEDED, "Sep 28, 2018 6:44:56 PM", "Sep 28, 2018 6:44:58 PM"), 48,
     '{\n  "status": "success",\n  "file-id": 48,\n  "job-execution-id": 3,\n  "job-status": "COMPLETED",\n'
     '  "start-time": "Sep 28, 2018 6:44:56 PM",\n  "stop-time": "Sep 28, 2018 6:44:58 PM"\n}'),
    (run(4, State.SUCCEEDED_WITH_WARNINGS, "Sep 28, 2018 10:09:47 AM", "Sep 28, 2018 10:09:52 AM"), 46,
     '{\n  "status": "success",\n  "file-id": 46,\n  "job-execution-id": 4,\n  "job-status": "COMPLETED_WITH_WARNINGS",\n'
     '  "start-time": "Sep 28, 2018 10:09:47 AM",\n  "stop-time": "Sep 28, 2018 10:09:52 AM"\n}'),
    (run(4, State.QUEUED), 48,
     '{\n  "status": "success",\n  "file-id": 48,\n  "job-execution-id": 4,\n  "job-status": "QUEUED",\n'
     '  "start-time": null\n}'),
    (run(4, State.CANCELED, None, "Sep 28, 2018 6:58:41 PM"), 48,
     '{\n  "status": "success",\n  "file-id": 48,\n  "job-execution-id": 4,\n  "job-status": "CANCELED",\n'
     '  "start-time": null,\n  "stop-time": "Sep 28, 2018 6:58:41 PM"\n}'),
]


@pytest.mark.parametrize("execution, file_id, text", V2_ENDED, ids=["completed", "warnings", "queued", "canceled"])
def test_v2_status_examples(execution, file_id, text):
    assert dumps(wire.v2_status(execution, file_id, UTC)) == text + "\n"


def test_v2_failed_run_is_error():
    assert wire.v2_status(run(5, State.FAILED, "Sep 28, 2018 6:44:56 PM", "Sep 28, 2018 6:44:57 PM"), 1,
                          UTC)["job-status"] == "ERROR"


def test_v2_triggered_example():
    triggered = run(3, State.QUEUED, principal="analyst")
    assert dumps(wire.v2_triggered(triggered)) == (
        '{\n  "status": "success",\n  "job-execution-id": 3,\n  "job-execution-user": "analyst",\n'
        '  "job-execution-trigger": "RESTAPI"\n}\n')


# -- v1 Job Details (the HS fixture from the DAS30 docs) --------------------------------
def test_v1_job_details_fields_and_timestamps():
    started = datetime(2012, 7, 6, 18, 19, 9, tzinfo=UTC)
    done = Execution(id="d", seq=7, definition_id="Q", tenant="acme", state=State.SUCCEEDED, started=started,
                     ended=datetime(2012, 7, 6, 18, 21, 7, tzinfo=UTC),
                     progress=Progress(percent=100.0, total=494400, processed=494400, failed=0))
    details = wire.v1_details(done, {"IMPORT_BYTES": 23911522, "note": "text", "flag": True}, UTC)
    fixture = {"failureCount": 0, "jobStatus": "COMPLETED", "startTime": "2012-07-06 18:19:09.0",
               "stopTime": "2012-07-06 18:21:07.0", "successCount": 494400}
    assert {key: details[key] for key in fixture} == fixture
    assert details["counters"] == {"RECORDS": 494400, "DROPPED_RECORDS": 0, "TOTAL_RECORDS": 494400,
                                   "IMPORT_BYTES": 23911522}


@pytest.mark.parametrize("micro, text", [(0, "18:19:09.0"), (120000, "18:19:09.12"), (5000, "18:19:09.005")])
def test_v1_timestamp_fraction_as_java_sql_timestamp(micro, text):
    assert wire.timestamp(datetime(2012, 7, 6, 18, 19, 9, micro, tzinfo=UTC), UTC) == f"2012-07-06 {text}"


@pytest.mark.parametrize("hour, text", [(0, "12:05:00 AM"), (11, "11:05:00 AM"), (12, "12:05:00 PM"),
                                        (23, "11:05:00 PM")])
def test_v2_medium_date_hours(hour, text):
    assert wire.medium(datetime(2018, 9, 8, hour, 5, tzinfo=UTC), UTC) == f"Sep 8, 2018 {text}"


def test_every_canonical_state_has_both_words():
    for state in State:
        assert wire.STATES.wire(state) in {"WAITING_FOR_OTHER_JOB", "QUEUED", "RUNNING", "COMPLETED",
                                           "COMPLETED_WITH_Warnings", "ERROR", "CANCELED"}
        assert wire.V2_STATES.wire(state) in {"QUEUED", "RUNNING", "COMPLETED", "COMPLETED_WITH_WARNINGS", "ERROR",
                                              "CANCELED"}
