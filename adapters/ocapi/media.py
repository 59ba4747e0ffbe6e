"""JSON only: `format=xml`, an Accept without JSON, or an XML body get `415`.

OCAPI once offered XML, but no public source shows its XML rendering and the
current docs say XML is no longer supported, so jobgate answers with the 415
the docs name for an unsupported `format` or Accept, as a JSON fault.
"""
from flask import request

from adapters.ocapi.errors import OcapiFault

JSON = "application/json"


def require_json() -> None:
    wanted = request.args.get("format")
    if wanted is not None and wanted.lower() != "json":
        _refuse(wanted)
    if request.headers.get("Accept") and request.accept_mimetypes.quality(JSON) == 0:
        _refuse(request.headers["Accept"])
    if request.content_length and request.mimetype not in (JSON, ""):
        _refuse(request.mimetype)


def _refuse(media_type: str) -> None:
    raise OcapiFault("UnsupportedMediaTypeException", f"Media type '{media_type}' is not supported; use JSON.",
                     status=415, mediaType=media_type)
