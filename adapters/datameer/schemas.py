"""Marshmallow schemas of Datameer's wire format: v1 camelCase records, v2 kebab-case documents.

They dump the dicts `wire` builds (field order is the documented order) and
parse the few inputs the job commands take (history paging, the trigger's
`configuration`, the sequential trigger's file list).
"""
from marshmallow import Schema, ValidationError, fields, validate

from jobgate import limits


class Strict(Schema):
    class Meta:
        ordered = True


# -- inputs --------------------------------------------------------------------
class HistoryQuery(Schema):
    start = fields.Integer(load_default=0, validate=validate.Range(min=0, max=limits.MAX_INT),
                           metadata={"description": "0-based offset, newest run first"})
    length = fields.Integer(load_default=25, validate=validate.Range(min=1, max=limits.PAGE_MAX),
                            metadata={"description": "how many runs (default 25)"})


class TriggerQuery(Schema):
    configuration = fields.Integer(required=True, validate=validate.Range(min=0, max=limits.MAX_INT),
                                   metadata={"description": "the job configuration id"})


class FileRef(fields.Field):
    """A file id (integer), uuid or path, as the v2 URL segment takes it."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, (int, str)) or value == "":
            raise ValidationError("must be a file id, uuid or path")
        return str(value)


class SequenceBody(Schema):
    files = fields.List(FileRef(), required=True, validate=validate.Length(min=1, max=limits.PAGE_MAX),
                        metadata={"description": "file ids, uuids or paths, run in this order"})


# -- v1 records ------------------------------------------------------------------
class JobStatus(Strict):
    id = fields.Integer(metadata={"description": "the latest run's job execution id"})
    jobStatus = fields.String()


class RunningJob(Strict):
    id = fields.Integer()
    jobConfigurationId = fields.Integer(allow_none=True)
    jobStatus = fields.String()


class JobDetails(Strict):
    id = fields.Integer()
    jobConfigurationId = fields.Integer(allow_none=True, metadata={
        "description": "the job the run belongs to, as list-running names it (jobgate's addition)"})
    jobStatus = fields.String()
    startTime = fields.String(allow_none=True, metadata={"example": "2012-07-06 18:19:09.0"})
    stopTime = fields.String(allow_none=True)
    successCount = fields.Integer()
    failureCount = fields.Integer()
    counters = fields.Dict(keys=fields.String(), values=fields.Integer())
    message = fields.String(metadata={"description": "why the run ended as it did (jobgate's addition)"})


class DataDeleted(Strict):
    id = fields.Integer()


class ErrorRecord(Strict):
    error = fields.String()


# -- v2 documents ----------------------------------------------------------------
class Status(Strict):
    status = fields.String(metadata={"example": "success"})
    file_id = fields.Integer(data_key="file-id", attribute="file-id", allow_none=True)
    job_execution_id = fields.Integer(data_key="job-execution-id", attribute="job-execution-id")
    job_status = fields.String(data_key="job-status", attribute="job-status")
    start_time = fields.String(data_key="start-time", attribute="start-time", allow_none=True,
                               metadata={"example": "Sep 28, 2018 6:44:56 PM"})
    estimate_time = fields.String(data_key="estimate-time", attribute="estimate-time")
    job_progress = fields.String(data_key="job-progress", attribute="job-progress")
    stop_time = fields.String(data_key="stop-time", attribute="stop-time", allow_none=True)


class RunningStatus(Status):
    class Meta:
        exclude = ("status",)


class RunningList(Strict):
    status = fields.String()
    job_executions = fields.List(fields.Nested(RunningStatus), data_key="job-executions", attribute="job-executions")


class Triggered(Strict):
    status = fields.String()
    job_execution_id = fields.Integer(data_key="job-execution-id", attribute="job-execution-id")
    job_execution_user = fields.String(data_key="job-execution-user", attribute="job-execution-user")
    job_execution_trigger = fields.String(data_key="job-execution-trigger", attribute="job-execution-trigger",
                                          metadata={"example": "RESTAPI"})


class SequenceItem(Strict):
    file_id = fields.Integer(data_key="file-id", attribute="file-id")
    job_execution_id = fields.Integer(data_key="job-execution-id", attribute="job-execution-id")


class SequenceTriggered(Triggered):
    job_executions = fields.List(fields.Nested(SequenceItem), data_key="job-executions", attribute="job-executions")


class Failure(Strict):
    status = fields.String(metadata={"example": "failure"})
    reason = fields.String()
