"""Content negotiation as SAS services do it, media type parameters ignored.

`Accept: */*`, `application/*`, `application/json` or no Accept get the first
served type (`application/json` is answered as `application/json`); a `+json`
type also matches its bare form. Anything else is 406; a body of a type the
route does not read is 415.
"""
from __future__ import annotations

import json

from flask import Response, request
from werkzeug.exceptions import NotAcceptable, UnsupportedMediaType

ANY = ("*/*", "application/*")
JSON = "application/json"


def _base(media: str) -> str:
    return media.split(";", 1)[0].strip().lower()


def negotiate(*served: str) -> str:
    """The served media type the request's Accept prefers (406 when it takes none)."""
    header = request.headers.get("Accept", "").strip()
    if not header:
        return served[0]
    offered = {_base(s): s for s in served} | {_base(s).removesuffix("+json"): s for s in served}
    for value, quality in request.accept_mimetypes:
        value = _base(value)
        if quality <= 0:
            continue
        if value in ANY:
            return served[0]
        if value == JSON and served[0].endswith("json"):
            return JSON
        if value in offered:
            return offered[value]
    raise NotAcceptable(f'The value ({header}) for the request header field "Accept" does not specify a '
                        f'supported media type; supported: {", ".join(served)}.')


def require_body(*accepted: str) -> None:
    """415 unless the body's Content-Type is one of `accepted` (JSON types also take application/json)."""
    given = _base(request.content_type or "")
    wanted = [_base(a) for a in accepted] + ([JSON] if any(a.endswith("+json") for a in accepted) else [])
    if given not in wanted:
        raise UnsupportedMediaType(f'The value ({given or "none"}) for the request header field "Content-Type" '
                                   f'does not specify a supported media type; specify one of: '
                                   f'{", ".join(dict.fromkeys(wanted))}.')


def is_text_body() -> bool:
    return _base(request.content_type or "") == "text/plain"


def send(doc, media: str, status: int = 200, headers: dict | None = None) -> Response:
    """A document in the negotiated media type."""
    return Response(json.dumps(doc), status=status, headers=headers or {}, content_type=media)


def send_text(value: str | None, status: int = 200) -> Response:
    if value is None:
        return Response(status=204)
    return Response(value, status=status, content_type="text/plain")


def body_is_empty() -> bool:
    """No body, or an empty JSON object (pyviyatools sends `{}` on every call)."""
    raw = request.get_data()
    if not raw.strip():
        return True
    try:
        return json.loads(raw) == {}
    except ValueError:
        return False
