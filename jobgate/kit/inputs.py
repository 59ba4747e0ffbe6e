"""What a request may carry, checked once for every dialect before any view or parser reads it.

A query string or form must be UTF-8 text (raw or percent-encoded); a body over the size
limit is a 413 however it is framed (a chunked one is cut short by werkzeug, not refused);
a JSON body may nest only so deep and spell numbers only so long, checked on its bytes
before a parser recurses into it (Python's decoder fails at ~1000 levels, its int() at 4300
digits), and its strings must be Unicode text (no lone surrogates). What fails answers in
the dialect's fault format: a bad query or form as a field error, a bad body as malformed.
A body that is not JSON at all is left to the dialect's parser, which says so in its words.

`Request` keeps a query string's raw bytes that are not UTF-8 percent-encoded (as werkzeug
keeps percent-encoded ones), so a fault renderer reading `request.args` never fails.
The front server's worker (jobgate.tools.httpworker) hands a request it refused in under
`REFUSED`, to be answered here in the same format.
"""
from __future__ import annotations

import json
import re
from array import array
from itertools import accumulate
from urllib.parse import parse_qsl, unquote_to_bytes

from flask import Flask, request
from flask import Request as FlaskRequest
from flask_smorest import abort
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.utils import cached_property

from jobgate import limits
from jobgate.kit.faults import MalformedBody

#: environ key (and app extension) under which the front server hands in a request it refused
REFUSED = "jobgate.refused"
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
_NESTING = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")     # one level in, one out (as signed bytes)
_FLAT = bytes(sorted(set(range(256)) - set(b"[]{}")))
_LONG_NUMBER = re.compile(rb"\d{%d}" % (limits.JSON_DIGITS_MAX + 1))


class Request(FlaskRequest):
    """Flask's, but raw query bytes that are not UTF-8 stay `%XX` in `args` rather than failing."""

    @cached_property
    def args(self):
        text = self.query_string.decode(errors="werkzeug.url_quote")
        return self.parameter_storage_class(parse_qsl(text, keep_blank_values=True, errors="werkzeug.url_quote"))


def install(app: Flask) -> None:
    app.request_class = Request
    app.extensions[REFUSED] = True
    app.before_request(check)


def check() -> None:
    refused = request.environ.get(REFUSED)
    if refused is not None:
        raise refused
    urlencoded(request.query_string, "query")
    if _chunked():
        _within_limit(request.get_data(cache=True))
    if request.mimetype == "application/x-www-form-urlencoded":
        urlencoded(request.get_data(cache=True), "form")
    elif request.is_json and (body := request.get_data(cache=True)):
        check_json(body)


def urlencoded(raw: bytes, location: str) -> None:
    """Names and values UTF-8 text, else a field error naming the first that is not."""
    try:
        unquote_to_bytes(raw).decode()
        return
    except UnicodeDecodeError:
        pass
    for pair in raw.split(b"&"):
        name, _, value = pair.partition(b"=")
        try:
            unquote_to_bytes(name).decode()
            unquote_to_bytes(value).decode()
        except UnicodeDecodeError:
            shown = unquote_to_bytes(name.replace(b"+", b" ")).decode(errors="replace")
            abort(400, messages={location: {shown: ["Not valid UTF-8 text."]}})


def check_json(body: bytes) -> None:
    structure = _STRING.sub(b"", body)              # strings hold no structure
    if max(accumulate(array("b", structure.translate(_NESTING, _FLAT))), default=0) > limits.JSON_DEPTH_MAX:
        raise MalformedBody(f"The JSON body nests deeper than {limits.JSON_DEPTH_MAX} levels.")
    if _LONG_NUMBER.search(structure):
        raise MalformedBody(f"A number in the JSON body has more than {limits.JSON_DIGITS_MAX} digits.")
    if b"\\u" not in body:                          # a surrogate in UTF-8 bytes is no UTF-8: the parser says so
        return
    try:
        json.dumps(json.loads(body), ensure_ascii=False).encode()
    except UnicodeEncodeError:
        raise MalformedBody("A string in the JSON body is not Unicode text (a lone surrogate escape).") from None
    except ValueError:
        pass                                        # not JSON: the dialect's parser says so


def _chunked() -> bool:
    return "chunked" in request.headers.get("Transfer-Encoding", "").lower()


def _within_limit(body: bytes) -> None:
    """werkzeug stops reading a chunked body at the limit; anything left beyond it is a 413."""
    limit = request.max_content_length
    if limit is not None and len(body) >= limit and request.environ["wsgi.input"].read(1):
        raise RequestEntityTooLarge()
