"""CDQ wire documents, both directions: camelCase JSON, integers as JSON numbers (strings
tolerated on input), timestamps `YYYY-MM-DDTHH:MM:SSZ` out and lenient ISO 8601 in."""
from marshmallow import EXCLUDE, Schema, fields, validate

from adapters.cdq.wire import JOB_STATUSES
from jobgate.kit.fields import Timestamp

#: JobType words: catalog job ids in CDQ's style (any slug resolves; unknown ones are a 400)
JOB_TYPE = validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,127}$", error="not a job type")
RESULT_DATA_MAX = 65535
JOBS_PAGE_MAX, RESULTS_PAGE_MAX = 100, 5000


class Csv(fields.List):
    """An array query parameter: repeated (`a=1&a=2`) or comma-separated (`a=1,2`), or both."""

    def _deserialize(self, value, attr, data, **kwargs):
        items = value if isinstance(value, list) else [value]
        split = [part.strip() for item in items for part in str(item).split(",") if part.strip()]
        return super()._deserialize(split, attr, data, **kwargs)


def Stamp(**kwargs) -> Timestamp:
    return Timestamp(precision="s", suffix="Z", **kwargs)


class Error(Schema):
    code = fields.Integer(metadata={"example": 40400000})
    technicalKey = fields.String(metadata={"example": "NOT_FOUND"})
    message = fields.String()


# -- jobs ---------------------------------------------------------------------------
class JobDependency(Schema):
    jobId = fields.UUID(required=True)


class StartJobRequest(Schema):
    class Meta:
        unknown = EXCLUDE        # CDQ clients send fields jobgate has no use for (features, locks ...)

    type = fields.String(required=True, validate=JOB_TYPE)
    name = fields.String(validate=validate.Length(max=500))
    description = fields.String(validate=validate.Length(max=5000))
    organizationId = fields.String()
    workspaceId = fields.String()
    storageId = fields.String()
    resultStorageId = fields.String()
    tags = fields.List(fields.String(validate=validate.Length(max=200)), validate=validate.Length(max=50))
    labels = fields.List(fields.Raw(), validate=validate.Length(max=50))
    input = fields.Dict(keys=fields.String())
    jobDependencies = fields.List(fields.Nested(JobDependency), validate=validate.Length(max=8))
    commands = fields.List(fields.String(), validate=validate.Length(max=100))
    dockerImageUrl = fields.String()
    domain = fields.String()
    environmentVariables = fields.List(fields.Dict(), validate=validate.Length(max=100))
    inputUri = fields.String()
    resourceRequest = fields.Dict()


class UpdateJobRequest(Schema):
    name = fields.String(validate=validate.Length(max=500))
    description = fields.String(validate=validate.Length(max=5000))
    tags = fields.List(fields.String(validate=validate.Length(max=200)), validate=validate.Length(max=50))
    labels = fields.List(fields.Raw(), validate=validate.Length(max=50))


class ResultDataRequest(Schema):
    resultData = fields.String(required=True, validate=validate.Length(max=RESULT_DATA_MAX))


class Job(Schema):
    id = fields.String()
    type = fields.String()
    name = fields.String()
    description = fields.String()
    jobStatus = fields.String(metadata={"enum": list(JOB_STATUSES)})
    lastJobStatus = fields.String(metadata={"enum": list(JOB_STATUSES)})
    message = fields.String()
    progress = fields.Integer()
    totalItems = fields.Integer()
    processedItems = fields.Integer()
    failedItems = fields.Integer()
    createdAt = Stamp()
    modifiedAt = Stamp()
    startedAt = Stamp()
    finishedAt = Stamp()
    expiresAt = Stamp()
    user = fields.String()
    organizationId = fields.String()
    workspaceId = fields.String()
    storageId = fields.String()
    tags = fields.List(fields.String())
    labels = fields.List(fields.Raw())
    resultData = fields.String()
    reportUri = fields.String()
    attachments = fields.List(fields.Dict())
    metrics = fields.List(fields.Dict())
    jobDependencies = fields.List(fields.Dict())
    commands = fields.List(fields.String())
    dockerImageUrl = fields.String()
    domain = fields.String()
    environmentVariables = fields.List(fields.Dict())
    inputUri = fields.String()
    resourceRequest = fields.Dict()


class ListJobsQuery(Schema):
    user = fields.String()
    organizationId = fields.String()
    storageId = fields.String()
    jobType = Csv(fields.String(validate=JOB_TYPE), validate=validate.Length(max=100))
    jobStatus = Csv(fields.String(validate=validate.OneOf(JOB_STATUSES)), validate=validate.Length(max=50))
    tags = Csv(fields.String(), validate=validate.Length(max=50))
    sort = fields.String(validate=validate.OneOf(["createdAt", "+createdAt", "-createdAt"]), load_default="createdAt")
    limit = fields.Integer(validate=validate.Range(min=1, max=JOBS_PAGE_MAX), load_default=25)
    startAfter = fields.UUID()
    features = Csv(fields.String(validate=validate.OneOf(
        ["NUMBER_OF_TOTAL", "TAGS_CONJUNCTION", "IGNORE_ORGANIZATION_RESTRICTIONS"])), load_default=list)


class JobPage(Schema):
    startAfter = fields.String()
    nextStartAfter = fields.String()
    limit = fields.Integer()
    total = fields.Integer()
    values = fields.List(fields.Nested(Job))


class JobType(Schema):
    type = fields.String()
    name = fields.String()
    description = fields.String()


class JobTypes(Schema):
    values = fields.List(fields.Nested(JobType))


# -- OAuth -----------------------------------------------------------------------------
class TokenRequest(Schema):
    grant_type = fields.String(required=True, metadata={"enum": ["client_credentials"]})
    client_id = fields.String()
    client_secret = fields.String()


class Token(Schema):
    access_token = fields.String()
    token_type = fields.String()
    expires_in = fields.Integer()


class OAuthError(Schema):
    error = fields.String()
    error_description = fields.String()


# -- job results -------------------------------------------------------------------------
RESULT_ID = validate.Regexp(r"^[0-9a-f]{24}$", error="not a job result id")


class JobResult(Schema):
    id = fields.String()
    jobId = fields.String()
    dataSourceId = fields.String()
    businessPartnerId = fields.String()
    addressId = fields.String()
    externalId = fields.String()
    addressExternalId = fields.String()
    jobType = fields.String()
    resultData = fields.String()
    status = fields.String(metadata={"enum": ["OK", "FAILED"]})
    message = fields.String()
    countryShortName = fields.String()
    executedAt = Stamp()


class ResultsQuery(Schema):
    storageId = fields.String(required=True)
    businessPartnerId = Csv(fields.String(), validate=validate.Length(max=500))
    dataSourceId = fields.String()
    externalId = Csv(fields.String(), validate=validate.Length(max=500))
    startAfter = fields.String(validate=RESULT_ID)
    features = Csv(fields.String(validate=validate.OneOf(["USE_NEXT_START_AFTER"])), load_default=list)
    status = fields.String(validate=validate.OneOf(["OK", "FAILED"]))
    limit = fields.Integer(validate=validate.Range(min=1, max=RESULTS_PAGE_MAX), load_default=100)


class ResultPage(Schema):
    startAfter = fields.String()
    nextStartAfter = fields.String()
    limit = fields.Integer()
    total = fields.Integer()
    values = fields.List(fields.Nested(JobResult))


class FetchLastRequest(Schema):
    jobType = fields.String(required=True, validate=JOB_TYPE)
    storageId = fields.String(required=True)


# -- scheduled jobs ------------------------------------------------------------------------
class ScheduledJobCreate(Schema):
    """ScheduledJobCreate: the reference's name, description, organizationId, workspaceId, clientId,
    plus [inferred] the schedule (`cronExpression`) and the job it starts, as StartJobRequest has it."""
    class Meta:
        unknown = EXCLUDE

    name = fields.String(validate=validate.Length(max=500))
    description = fields.String(validate=validate.Length(max=5000))
    organizationId = fields.String()
    workspaceId = fields.String()
    clientId = fields.String()
    cronExpression = fields.String(required=True, metadata={"example": "0 3 * * *"})
    type = fields.String(required=True, validate=JOB_TYPE)
    input = fields.Dict(keys=fields.String())
    storageId = fields.String()
    tags = fields.List(fields.String(validate=validate.Length(max=200)), validate=validate.Length(max=50))
    labels = fields.List(fields.Raw(), validate=validate.Length(max=50))


class CreateScheduledJobRequest(Schema):
    scheduledJob = fields.Nested(ScheduledJobCreate, required=True)


class ScheduledJob(Schema):
    id = fields.String()
    name = fields.String()
    description = fields.String()
    organizationId = fields.String()
    workspaceId = fields.String()
    clientId = fields.String()
    cronExpression = fields.String()
    type = fields.String()
    input = fields.Dict()
    storageId = fields.String()
    tags = fields.List(fields.String())
    labels = fields.List(fields.Raw())
    status = fields.String(metadata={"enum": ["ACTIVE", "PAUSED"]})
    nextRunAt = Stamp()
    createdAt = Stamp()
    user = fields.String()


class ScheduledJobsQuery(Schema):
    limit = fields.Integer(validate=validate.Range(min=1, max=JOBS_PAGE_MAX), load_default=25)
    startAfter = fields.String()


class ScheduledJobPage(Schema):
    startAfter = fields.String()
    nextStartAfter = fields.String()
    limit = fields.Integer()
    values = fields.List(fields.Nested(ScheduledJob))


# -- processing logs -----------------------------------------------------------------------
class ProcessingLogQuery(Schema):
    businessPartnerId = Csv(fields.String(), validate=validate.Length(max=500))
    dataSourceId = Csv(fields.String(), validate=validate.Length(max=500))
    externalId = Csv(fields.String(), validate=validate.Length(max=500))
    excludeFeatures = Csv(fields.String(validate=validate.OneOf(["FETCH_RESULT_DATA", "NUMBER_OF_TOTAL"])),
                          load_default=list)
    resultDataFields = Csv(fields.String(), validate=validate.Length(max=100))
    status = fields.String(validate=validate.OneOf(["OK", "FAILED"]))
    createdAtFrom = Stamp()
    createdAtTo = Stamp()
    startAfter = fields.String(validate=RESULT_ID)
    limit = fields.Integer(validate=validate.Range(min=1, max=RESULTS_PAGE_MAX), load_default=100)


class ProcessingLogRecord(JobResult):
    storageId = fields.String()
    processingLogId = fields.String()
    createdAt = Stamp()


class ProcessingLogPage(Schema):
    startAfter = fields.String()
    nextStartAfter = fields.String()
    limit = fields.Integer()
    total = fields.Integer()
    values = fields.List(fields.Nested(ProcessingLogRecord))
