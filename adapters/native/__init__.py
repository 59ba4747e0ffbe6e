"""jobgate's native API, version 1.

API and version: jobgate native v1, mounted at ``/api/v1``.
Paths: ``/definitions[/{id}]``, ``/executions[/{id}]``, ``/executions/{id}/cancel``,
``/executions/{id}/log`` (plain text, ``?offset=`` to tail), ``/executions/{id}/result``.
Auth: ``Authorization: Bearer <token>`` (a principal's static or issued token).
Id style: executions by uuid or integer seq; definitions by id, uuid or seq.
Paging: ``offset``/``limit`` with ``total``, or ``cursor`` (keyset, from ``next_cursor``).
Versions: single documents carry ``ETag: "<version>"``; ``If-Match`` on PATCH of a definition
and DELETE of an execution makes a changed resource a 412 ``version_mismatch``.
State map: the canonical states, unchanged (``mapping.STATES``).
Faults: ``{"error": {"code", "message", "details", "request_id"}}`` with the HTTP status.
Not supported: nothing is left out; this API is the reference the others map onto.
"""
from jobgate.kit.credentials import bearer
from jobgate.kit.dialect import Dialect
from jobgate.kit.faults import render_json

from adapters.native.routes import blueprint

dialect = Dialect(
    name="native", title="jobgate native API", version="1", prefix="/api/v1",
    blueprint=blueprint, extract_credential=bearer, render_fault=render_json,
    auth="`Authorization: Bearer`",
    capabilities=frozenset({"definitions", "cancel", "restart", "delete", "log", "result", "steps",
                            "cursor_paging", "schedules"}),
    example="curl -H 'Authorization: Bearer {token}' {base}/api/v1/executions"
            " -H 'Content-Type: application/json' -d '{{\"definition\": \"CustomerImportJob\"}}'",
)
