"""jobgate's native API, version 1.

API and version: jobgate native v1, mounted at ``/api/v1``.
Paths: ``/definitions[/{id}]``, ``/executions[/{id}]``, ``/executions/{id}/cancel``, ``/restart``,
``/heartbeat``, ``/expiry``, ``/executions/{id}/log`` (plain text, ``?offset=`` to tail),
``/executions/{id}/result``, ``/schedules[/{id}]`` with ``/pause`` and ``/resume``;
server-sent events: ``/executions/{id}/events`` (one execution's, log lines included, ending with it) and
``/events`` (the tenant's, ``?definition=&state=&origin=``), resumable with ``Last-Event-ID``;
``/webhooks[/{id}]`` and ``/webhooks/{id}/deliveries`` (signed event deliveries; a submit may
carry a ``callback_url``).
Auth: ``Authorization: Bearer <token>`` (a principal's static or issued token).
Id style: executions by uuid or integer seq (uuid shown); definitions by id, uuid or seq.
Paging: ``offset``/``limit`` with ``total``, or ``cursor`` (keyset, from ``next_cursor``).
Versions: single documents carry ``ETag: "<version>"``; ``If-Match`` on PATCH of a definition
and DELETE of an execution makes a changed resource a 412 ``version_mismatch``.
Restart: one new execution per ended one (``restart_of`` on it, ``restarted_as`` on the old one);
asked again, or twice at once, the restart answers that same execution (201).
State map: the canonical states, unchanged (``jobgate.kit.states.IDENTITY``).
Faults: ``{"error": {"code", "message", "details", "request_id"}}`` with the HTTP status
(``jobgate.kit.faults.CANONICAL``).
Not supported: nothing is left out; this API is the reference the others map onto.
"""
from adapters.native import events, routes, schedules, webhooks  # noqa: F401  (they add routes to routes.blp)
from jobgate.kit import ids
from jobgate.kit.dialect import Dialect, Mount


class Native(Dialect):
    name = "native"
    title = "jobgate native API"
    version = "1"
    prefix = "/api/v1"
    capabilities = frozenset({"definitions", "cancel", "restart", "delete", "log", "result", "steps",
                              "cursor_paging", "schedules"})
    ids = ids.ANY
    paging = "offset/limit or cursor"
    example = ("curl -H 'Authorization: Bearer {token}' {base}/api/v1/executions"
               " -H 'Content-Type: application/json' -d '{{\"definition\": \"Wait\"}}'")

    def mounts(self):
        return [Mount(routes.blp, self.prefix)]


dialect = Native()
