"""The error statuses each route documents in the OpenAPI document, with its fault body."""
from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema

#: what any authenticated route may answer
COMMON = {401: "no or wrong credentials (`WWW-Authenticate: Basic`)", 503: "the job store is unreachable"}
UNKNOWN = {404: "unknown id, or another tenant's"}


def answers(blp: Blueprint, fault: type[Schema], statuses: dict[int, str]):
    """A decorator documenting `statuses` (and the common ones) with the `fault` body."""
    def decorate(view):
        for status, description in sorted({**COMMON, **statuses}.items()):
            view = blp.alt_response(status, schema=fault, description=description)(view)
        return view
    return decorate
