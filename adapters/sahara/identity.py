"""A minimal Keystone v3 identity endpoint, so OpenStack tools can log in with a password.

Only what keystoneauth's v3 Password plugin needs: the version document and
`POST /auth/tokens` (password method, project scope = the principal's tenant).
The token is one of jobgate's issued tokens (Redis, settings.token_ttl); its
catalog lists this gateway's Sahara endpoint as the `data-processing` service.
"""
from __future__ import annotations

from datetime import timedelta

from flask import jsonify, request
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from jobgate.errors import Unauthorized
from jobgate.kit.blueprint import login, service
from jobgate.kit.faults import Fault
from jobgate.model import now

PREFIX = "/identity/v3"
VERSION = "v3.14"
DOMAIN = {"id": "default", "name": "Default"}
#: jobgate has no roles: every principal is a member of its tenant (Keystone's default role)
ROLE = {"id": "member", "name": "member"}


class _Named(Schema):
    id = fields.String()
    name = fields.String()
    domain = fields.Dict()


class _User(_Named):
    password = fields.String(required=True)


class _Password(Schema):
    user = fields.Nested(_User, required=True)


class _Identity(Schema):
    methods = fields.List(fields.String(), required=True, validate=validate.ContainsOnly(["password"]))
    password = fields.Nested(_Password, required=True)


class _Scope(Schema):
    project = fields.Nested(_Named, required=True)


class _Auth(Schema):
    identity = fields.Nested(_Identity, required=True)
    scope = fields.Nested(_Scope)


class TokenRequest(Schema):
    auth = fields.Nested(_Auth, required=True)


def _stamp(moment) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f") + "Z"


blp = Blueprint("sahara-identity", __name__, description="Keystone v3 password login for OpenStack tools")


@blp.route("", methods=["GET"])
@blp.alt_response(200, schema={"type": "object", "properties": {"version": {"type": "object"}}, "required": ["version"]},
                  success=True, description="The Keystone v3 version document")
def version():
    return {"version": {"id": VERSION, "status": "stable", "updated": "2020-04-07T00:00:00Z",
                        "links": [{"rel": "self", "href": request.host_url + PREFIX.lstrip("/") + "/"}],
                        "media-types": [{"base": "application/json",
                                         "type": "application/vnd.openstack.identity-v3+json"}]}}


@blp.route("/auth/tokens", methods=["POST"])
@blp.arguments(TokenRequest)
@blp.alt_response(201, schema={"type": "object", "properties": {"token": {"type": "object"}}, "required": ["token"]},
                  success=True, description="A token: the `X-Subject-Token` header, its scope and catalog in the body",
                  headers={"X-Subject-Token": {"description": "the token", "schema": {"type": "string"}}})
def issue(body):
    auth = body["auth"]
    user = auth["identity"]["password"]["user"]
    principal = login(user.get("name") or user.get("id") or "", user["password"])
    project = auth.get("scope", {}).get("project", {})
    if (project.get("id") or project.get("name") or principal.tenant) != principal.tenant:
        raise Unauthorized(f"user {principal.name} has no role on project {project.get('id') or project.get('name')}")
    token, ttl = service().issue_token(principal)
    issued = now()
    base = request.host_url.rstrip("/")
    body = {"token": {
        "methods": ["password"], "issued_at": _stamp(issued), "expires_at": _stamp(issued + timedelta(seconds=ttl)),
        "user": {"id": principal.name, "name": principal.name, "domain": DOMAIN},
        "project": {"id": principal.tenant, "name": principal.tenant, "domain": DOMAIN},
        "roles": [ROLE],
        "catalog": [
            _service("data-processing", "sahara", f"{base}/v1.1/{principal.tenant}"),
            _service("identity", "keystone", f"{base}{PREFIX}"),
        ],
    }}
    response = jsonify(body)
    response.status_code = 201
    response.headers["X-Subject-Token"] = token
    return response


def _service(kind: str, name: str, url: str) -> dict:
    return {"type": kind, "name": name, "id": name,
            "endpoints": [{"id": f"{name}-public", "interface": "public", "region": "RegionOne",
                           "region_id": "RegionOne", "url": url}]}


def render_fault(fault: Fault):
    """Keystone's own error document, which keystoneauth reads."""
    status = 400 if fault.status == 422 else fault.status
    response = jsonify({"error": {"code": status, "title": _TITLES.get(status, "Error"), "message": fault.message}})
    response.status_code = status
    return response


_TITLES = {400: "Bad Request", 401: "Unauthorized", 404: "Not Found", 405: "Method Not Allowed",
           429: "Too Many Requests", 500: "Internal Server Error", 503: "Service Unavailable"}
