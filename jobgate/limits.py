"""Every limit jobgate puts on what clients and operators send, in one place.

Schemas, rules and the store read these names; no other module spells a limit.
"""
from datetime import timedelta

#: The largest offset, index or integer id Redis and the dialects' 32-bit fields take.
MAX_INT = 2**31 - 1
#: The largest page any list answers; dialects may cap lower, never higher.
PAGE_MAX = 200
#: A definition's retries, and the delay between them (seconds).
RETRIES_MAX = 100
RETRY_DELAY_MAX = 86400
#: Request bodies above this many bytes are refused with 413 (JOBGATE_MAX_BODY overrides).
BODY_MAX = 1 << 20
#: The most log bytes one read returns.
LOG_READ_MAX = 1 << 20
#: Entries kept (about: Redis trims whole nodes) in each event stream, a tenant's and an execution's;
#: a client resuming from an id trimmed away meanwhile misses what was trimmed.
EVENTS_MAXLEN = 10000
#: Seconds between the comment lines that keep an idle event stream open through proxies.
EVENTS_HEARTBEAT = 15.0
#: Seconds an ended execution's own event stream is kept (to follow or resume it): per stored
#: execution it would be the largest key (a stream's node is ~4 KB), so it goes soon after the end.
EVENTS_KEEP = 600
#: The furthest ahead a start or an expiry may be set.
HORIZON = timedelta(days=3660)
#: Result records: identifiers per record, an identifier's length, a record's data (JSON bytes),
#: and the largest page of them one list answers.
RECORD_KEYS_MAX = 16
RECORD_KEY_MAX = 256
RECORD_DATA_MAX = 1 << 16
RECORDS_PAGE_MAX = 5000
#: Failed logins (passwords: login endpoints and Basic), counted per (user, address) and per address:
#: from this many on, each failure makes that address wait LOGIN_BACKOFF seconds, doubling with every
#: further failure, up to LOGIN_WINDOW (429 meanwhile); a count is forgotten LOGIN_WINDOW after the
#: last failure's wait ended. Per user the threshold is higher, and only addresses that already failed
#: for that user wait, so the real user still logs in from a fresh address.
LOGIN_FAILURES_USER_ADDRESS = 5
LOGIN_FAILURES_ADDRESS = 50
LOGIN_FAILURES_USER = 200
LOGIN_WINDOW = 900
LOGIN_BACKOFF = 1.0
#: A tenant's quotas unless the operator's quotas file (JOBGATE_QUOTAS) says otherwise: unfinished
#: executions at once, schedules, the shortest time between two firings of one schedule (seconds),
#: jobs created through an API, and the longest one step of such a job may run (seconds).
QUOTA_EXECUTIONS = 100
QUOTA_SCHEDULES = 20
QUOTA_SCHEDULE_INTERVAL = 60
QUOTA_DEFINITIONS = 100
QUOTA_STEP_SECONDS = 86400
#: Seconds a finished execution without an expiry of its own is kept (JOBGATE_RETENTION; 0: forever).
RETENTION = 30 * 86400
#: Firings of a new schedule checked against its tenant's shortest interval.
SCHEDULE_SCAN = 1000
#: A JSON body nests arrays and objects this deep at most, and spells a number in this many digits
#: at most (checked before any parser recurses, or Python refuses an integer of over 4300 digits).
JSON_DEPTH_MAX = 64
JSON_DIGITS_MAX = 100
#: The most executions one submit may wait for (`after`): each is read before the submit is accepted.
AFTER_MAX = 100
#: Seconds a client may stay silent while it sends a request's body or takes its answer; then
#: its connection is dropped, a body that stopped coming answered 408 (JOBGATE_CLIENT_TIMEOUT overrides).
CLIENT_TIMEOUT = 10.0
#: Seconds a worker told to stop (SIGTERM) lets its running job go on before interrupting it;
#: with the kill grace and its bookkeeping it stays under Heroku's 30 s before SIGKILL.
SHUTDOWN_GRACE = 20.0
#: Seconds an Idempotency-Key stands for the execution its submit made (JOBGATE_IDEMPOTENCY_TTL overrides),
#: and the longest key a client may send.
IDEMPOTENCY_TTL = 86400
IDEMPOTENCY_KEY_MAX = 255
#: Webhook subscriptions one tenant keeps, and the longest wait between two attempts of a delivery (seconds).
WEBHOOKS_MAX = 20
WEBHOOK_BACKOFF_MAX = 3600
