"""`Idempotency-Key` on the routes that create executions, once for every dialect.

An adapter marks each view that creates executions with `@blp.creates`. When a request to one
carries the header, the view runs with the key and the request's fingerprint bound
(rules.idempotency): every `service().submit` it makes answers the execution made at the same
place by the first request with that key, in the view's own document and status, and says so in
`Idempotent-Replayed: true`; the key sent again with another request is the canonical KeyReused,
in the dialect's fault format. The fingerprint is the method, the path, the query and the body
(JSON parsed and written canonically, so key order and spacing do not count; anything else as sent).
"""
from __future__ import annotations

import hashlib
import json
from functools import wraps

from flask import after_this_request, request

from jobgate import limits
from jobgate.rules import idempotency
from jobgate.rules.idempotency import HEADER

REPLAYED = "Idempotent-Replayed"
#: what the OpenAPI documents say of the header on each creating operation (kit.openapi)
PARAMETER = {"name": HEADER, "in": "header", "required": False,
             "schema": {"type": "string", "minLength": 1, "maxLength": limits.IDEMPOTENCY_KEY_MAX},
             "description": "The same key with the same request (method, path, query, body) within the key's "
                            "lifetime answers the execution the first request made; with another request it is "
                            "refused. Keys are per tenant."}


def creates(view):
    """Mark `view` as one that creates executions: it honours Idempotency-Key."""

    @wraps(view)
    def idempotent(*args, **kwargs):
        given = request.headers.get(HEADER)
        if given is None:
            return view(*args, **kwargs)
        with idempotency.bound(idempotency.Claim.of(given, fingerprint())) as claim:
            answer = view(*args, **kwargs)
        if claim.replayed:
            after_this_request(_replayed)
        return answer

    idempotent.creates_executions = True
    return idempotent


def is_creating(view) -> bool:
    return getattr(view, "creates_executions", False)


def fingerprint() -> str:
    body = request.get_data(cache=True)
    try:
        shown = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")) if request.is_json else None
    except ValueError:
        shown = None
    sent = [request.method, request.path, sorted(request.args.items(multi=True)), shown or body.hex()]
    return hashlib.sha256(json.dumps(sent).encode()).hexdigest()


def _replayed(response):
    response.headers[REPLAYED] = "true"
    return response
