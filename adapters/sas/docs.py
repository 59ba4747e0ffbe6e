"""OpenAPI notes for the SAS routes: the faults each answers, in the format it answers them."""
from __future__ import annotations

from adapters.sas.schemas import Error2
from adapters.sas.wire import ERROR, TEXT

#: the text/plain faults: SAS's ErrorResponse[...] string
TEXT_ERROR = {"type": "string", "example": "ErrorResponse[version=2,status=404,err=0,id=<null>,message=...]"}
REASONS = {400: "Bad request (error2 errorCode says why)", 401: "Missing or invalid bearer token",
           404: "Not found", 405: "The job has finished (errorCode 31501)", 406: "Accept names no served type",
           409: "Conflict with the job's state", 412: "Precondition failed (errorCode 1013)",
           415: "Unsupported Content-Type", 428: "Precondition required (errorCode 1010)",
           503: "The job store is unavailable"}


def faults(blp, *statuses: int, text: bool = False):
    """Document error2 answers (text/plain ones for the text sub-resources), plus 401 and 503."""
    def decorate(view):
        for status in sorted({*statuses, 401, 503}, reverse=True):
            if text:
                view = blp.alt_response(status, schema=TEXT_ERROR, description=REASONS[status], content_type=TEXT)(view)
            else:
                view = blp.alt_response(status, schema=Error2, description=REASONS[status], content_type=ERROR)(view)
        return view
    return decorate


def body(*media: str, schema=None) -> dict:
    """A requestBody for blp.doc (bodies the view parses itself, to choose by Content-Type)."""
    content = {m: ({"schema": schema} if schema is not None else {"schema": {"type": "string"}}) for m in media}
    return {"requestBody": {"content": content, "required": False}}

