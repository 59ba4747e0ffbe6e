"""The response headers every OCAPI sample shows: JSON with a charset, never cached."""
from flask import Response

JSON = "application/json;charset=UTF-8"


def finish(response: Response) -> Response:
    if response.mimetype == "application/json":
        response.headers["Content-Type"] = JSON
    response.headers["Cache-Control"] = "no-cache,no-store,must-revalidate"
    response.headers["Expires"] = "Thu, 01-Jan-1970 00:00:00 GMT"
    return response
