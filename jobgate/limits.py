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
#: The furthest ahead a start or an expiry may be set.
HORIZON = timedelta(days=3660)
#: Result records: identifiers per record, an identifier's length, a record's data (JSON bytes),
#: and the largest page of them one list answers.
RECORD_KEYS_MAX = 16
RECORD_KEY_MAX = 256
RECORD_DATA_MAX = 1 << 16
RECORDS_PAGE_MAX = 5000
#: Seconds a worker told to stop (SIGTERM) lets its running job go on before interrupting it;
#: with the kill grace and its bookkeeping it stays under Heroku's 30 s before SIGKILL.
SHUTDOWN_GRACE = 20.0
