"""Data API versions: `v17_2` in the URL, `"17.2"` as `_v` in every document.

Accepted: 17.2 up to 25.10 (minor 1-10, no leading zeros), the range real
clients send (sfcc-ci v19_5, B2C tooling v25_6). Anything else is refused
before authentication with `400 InvalidVersionException`, echoing what was sent.
"""
import re

from flask import g, request

from adapters.ocapi.errors import OcapiFault

SEGMENT = re.compile(r"^v(\d{2})_([1-9]\d?)$")
FIRST, LAST_MAJOR, LAST_MINOR = (17, 2), 25, 10
DATA_API = re.compile(r"/dw/data/([^/]*)")


def parse(segment: str) -> tuple[int, int] | None:
    """(major, minor) of a supported version segment, else None."""
    match = SEGMENT.match(segment or "")
    if not match:
        return None
    version = (int(match[1]), int(match[2]))
    return version if FIRST <= version and version[0] <= LAST_MAJOR and version[1] <= LAST_MINOR else None


def echo(segment: str) -> str:
    return segment.removeprefix("v").replace("_", ".")


def bind(blueprint) -> None:
    """Take `<version>` (and the site of `/s/<site>/...`) out of the view arguments, checked."""
    @blueprint.url_value_preprocessor
    def take(endpoint, values):
        values.pop("site", None)
        segment = values.pop("version", "")
        g.ocapi_version = parse(segment)
        if g.ocapi_version is None:
            raise OcapiFault("InvalidVersionException", f"Version '{segment}' is missing or malformed in request URL.")


def current() -> str:
    """The version of the request being answered, in document form."""
    major, minor = g.ocapi_version
    return f"{major}.{minor}"


def at_least(version: tuple[int, int]) -> bool:
    return g.ocapi_version >= version


def of_path() -> str | None:
    """`_v` for a fault: the version segment as sent, or None outside the Data API."""
    match = DATA_API.search(request.path)
    return echo(match[1]) if match else None


def path_is_valid() -> bool:
    match = DATA_API.search(request.path)
    return bool(match) and parse(match[1]) is not None
