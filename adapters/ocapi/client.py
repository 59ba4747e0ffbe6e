"""The client id an execution records and echoes as `client_id`.

OCAPI's precedence is token, then `client_id` query, then `x-dw-client-id`
header. A token issued by the Account Manager endpoint was obtained with a
client id (a principal's name serves as one), so it names its client; a
principal's static token is an operator credential that names none, so the
query and header are consulted, and the principal's name is the last resort.
"""
from flask import request

from jobgate.kit.blueprint import principal, service
from jobgate.kit.credentials import bearer


def client_id() -> str:
    caller = principal()
    credential = bearer(request)
    if credential is None or not service().auth.is_static(credential.token):
        return caller.name
    return request.args.get("client_id") or request.headers.get("x-dw-client-id") or caller.name
