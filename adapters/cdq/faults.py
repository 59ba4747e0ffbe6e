"""Every failure under the CDQ prefix as `{"code", "technicalKey", "message"}` (wire.FAULTS), 503s included."""
from flask import Response, jsonify

from adapters.cdq.wire import error_document
from jobgate.kit import oauth
from jobgate.kit.faults import Fault


def render(fault: Fault) -> Response:
    status, body = error_document(fault)
    response = jsonify(body)
    response.status_code = status
    return response


render_oauth = oauth.render_error
