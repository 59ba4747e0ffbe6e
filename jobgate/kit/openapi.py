"""Each dialect's OpenAPI document tells what its routes really do, decided here once.

An apispec plugin (`Documenter`) completes every operation as flask-smorest registers it:
an operationId and a summary; the dialect's security schemes (`Dialect.credentials`) on the
routes that authenticate (`DialectBlueprint`s; not login or token endpoints); and its error
responses as the mount's renderer really answers them. The faults an operation can meet are
read from its shape (every route: a bad query, the store down; authenticated ones: a wrong
credential, the login throttle; an id in the path: not found; writes: conflicts and quotas;
bodies: malformed, too large; views that create executions: the Idempotency-Key header and its
reuse for another request), each is rendered through the mount's own renderer, and the
statuses, media types and bodies documented are the ones it answered. Their schema is the
dialect's `error_schema`, or one drawn from those bodies. An adapter's own error responses
with a body (a text/plain fault) are kept; flask-smorest's generic ones are replaced.
"""
from __future__ import annotations

import re
from http import HTTPStatus

from apispec import BasePlugin
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask
from flask_smorest import Api
from werkzeug.exceptions import BadRequest, NotFound, RequestEntityTooLarge, UnprocessableEntity

from jobgate import errors
from jobgate.kit import idempotency
from jobgate.kit.blueprint import DialectBlueprint
from jobgate.kit.faults import MalformedBody, fault_from

REQUEST_ID = "5f1d2c3b4a596877"
WRITES = frozenset({"post", "put", "patch", "delete"})
BODIES = frozenset({"post", "put", "patch"})


def _refusal(kind: type, messages: dict) -> Exception:
    exc = kind()
    exc.data = {"messages": messages}
    return exc


#: one example of each fault an operation may meet, by name
CASES = {
    "bad_query": lambda: _refusal(BadRequest, {"query": {"q": ["Not valid UTF-8 text."]}}),    # kit.inputs'
    "invalid": lambda: _refusal(UnprocessableEntity, {"json": {"parameters": ["Not a valid mapping type."]}}),
    "unavailable": lambda: errors.Unavailable("the job store is unreachable", retry_after=2),
    "internal": lambda: errors.JobgateError(f"internal error; quote request id {REQUEST_ID}"),
    "unauthorized": lambda: errors.Unauthorized("no or a wrong credential"),
    "login_throttled": lambda: errors.LoginThrottled("too many failed logins from this address", retry_after=30),
    "execution_not_found": lambda: errors.ExecutionNotFound("no such execution"),
    "no_route": NotFound,
    "already_running": lambda: errors.AlreadyRunning("the job is already running"),
    "quota_exceeded": lambda: errors.QuotaExceeded("the tenant's quota is used up"),
    "too_many_active": lambda: errors.TooManyActive("too many unfinished jobs", retry_after=5),
    "malformed_body": lambda: MalformedBody("the body is not valid JSON"),
    "payload_too_large": RequestEntityTooLarge,
    "idempotency_key_reused": lambda: errors.KeyReused("the Idempotency-Key was used for another request"),
}
#: which of them, by what an operation is (see `_cases`)
EVERY = ("bad_query", "unavailable", "internal")
PARSED = ("invalid",)          # where webargs parses a query or body (flask-smorest documents its refusal)
AUTHENTICATED = ("unauthorized", "login_throttled")
ADDRESSED = ("execution_not_found", "no_route")
CHANGES = ("already_running",)
CREATES = ("quota_exceeded", "too_many_active")             # a POST may start or make something
BODY = ("malformed_body", "payload_too_large")
KEYED = ("idempotency_key_reused",)                        # a view that creates executions (kit.idempotency)


class Documenter(BasePlugin):
    """Completes each operation of one dialect's document (see the module docstring)."""

    def __init__(self, app: Flask, dialect):
        self.app, self.dialect = app, dialect
        self.mounts = {m.name or m.blueprint.name: m for m in dialect.mounts()}
        self.answers: dict[str, dict[str, tuple[int, str, object]]] = {}
        self.schemas: set[str] = set()

    def init_spec(self, spec):
        super().init_spec(spec)
        self.spec = spec
        for scheme in self.dialect.credentials:
            spec.components.security_scheme(scheme.name, dict(scheme.openapi))

    def operation_helper(self, path=None, operations=None, **kwargs):
        registered, endpoint = kwargs["rule"].endpoint.split(".", 1)
        authenticated = isinstance(self.mounts[registered].blueprint, DialectBlueprint)
        for method, operation in operations.items():
            operation.setdefault("operationId", f"{registered}.{endpoint}.{method}")
            operation.setdefault("summary", _summary(method, endpoint))
            cases = _cases(method, path, authenticated)
            if authenticated:
                operation["security"] = [{scheme.name: []} for scheme in self.dialect.credentials]
            if idempotency.is_creating(self._view(kwargs["rule"].endpoint, method)):
                operation.setdefault("parameters", []).append(dict(idempotency.PARAMETER))
                cases += KEYED
            self._document_faults(registered, path, operation, cases)

    def _view(self, endpoint: str, method: str):
        """The function serving `method` at `endpoint` (a MethodView's method)."""
        view = self.app.view_functions[endpoint]
        return getattr(getattr(view, "view_class", None), method, view)

    def _document_faults(self, registered: str, path: str, operation: dict, cases: list[str]) -> None:
        """flask-smorest's generic error responses out (a status they name stays if the renderer
        answers it), the renderer's answers to `cases` in, the adapter's own ones kept."""
        answers = self._answered(registered, path)
        responses = {str(int(code)) if str(code).isdigit() else code: response  # keys as apispec will write them
                     for code, response in operation.get("responses", {}).items()}
        # flask-smorest's own: a component's name (apispec makes it a $ref), or the catch-all default
        generic = [code for code, response in responses.items()
                   if code == "default" or isinstance(response, str) or "$ref" in response]
        if any(code in ("400", "422") for code in generic):
            cases = [*cases, *PARSED]
        statuses = {answers[case][0] for case in cases}
        statuses |= {int(code) for code in generic if code.isdigit()} & {a[0] for a in answers.values()}
        for code in generic:
            del responses[code]
        operation["responses"] = responses
        for status in sorted(statuses):
            responses.setdefault(str(status), self._response(registered, path, status))

    def _answered(self, registered: str, path: str | None = None) -> dict[str, tuple[int, str, object]]:
        """What the mount's renderer answers to each case under `path` (a renderer may choose its
        format by path: SAS's text sub-resources), else under the mount: status, media type, body."""
        mount = self.mounts[registered]
        where = re.sub(r"\{[^}]*\}", "x", path) if path else (mount.static_prefix or "/")
        if where not in self.answers:
            render = mount.render_fault or self.dialect.render_fault
            found = {}
            with self.app.test_request_context(where):
                for case, make in CASES.items():
                    response = render(fault_from(make(), REQUEST_ID))
                    body = response.get_json(silent=True) if response.is_json else response.get_data(as_text=True)
                    found[case] = (response.status_code, response.mimetype, body)
            self.answers[where] = found
        return self.answers[where]

    def _response(self, registered: str, path: str, status: int) -> dict:
        content: dict[str, dict] = {}
        for case, (answered, mimetype, body) in self._answered(registered, path).items():
            if answered == status:
                media = content.setdefault(mimetype, {"schema": self._schema(registered, mimetype), "examples": {}})
                media["examples"][case] = {"value": body}
        return {"description": HTTPStatus(status).phrase, "content": content}

    def _schema(self, registered: str, mimetype: str) -> dict:
        """The mount's fault document: its `fault_schema` (the dialect's `error_schema` where it renders
        the dialect's faults), else drawn from what it answered."""
        if not mimetype.endswith("json"):
            return {"type": "string"}
        mount = self.mounts[registered]
        own = mount.render_fault is not None
        declared = mount.fault_schema if own else self.dialect.error_schema
        if declared is not None:
            marshmallow = next(p for p in self.spec.plugins if isinstance(p, MarshmallowPlugin))
            return marshmallow.converter.resolve_nested_schema(declared)
        name = f"{registered}.Fault" if own else "Fault"
        if name not in self.schemas:
            self.schemas.add(name)
            bodies = [body for _, media, body in self._answered(registered).values() if media == mimetype]
            self.spec.components.schema(name, infer(bodies))
        return {"$ref": f"#/components/schemas/{name}"}


def _cases(method: str, path: str, authenticated: bool) -> list[str]:
    cases = [*EVERY]
    if authenticated:
        cases += [*AUTHENTICATED, *(CHANGES if method in WRITES else ()), *(CREATES if method == "post" else ())]
    elif method in BODIES:                       # a login endpoint: its body is the credential
        cases += [*AUTHENTICATED]
    if "{" in path:
        cases += [*ADDRESSED]
    if method in BODIES:
        cases += [*BODY]
    return cases


def _summary(method: str, endpoint: str) -> str:
    """A summary for a view with no docstring: its method and its name in words."""
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", endpoint).replace("_", " ").replace("-", " ").lower().split()
    if words and words[0] == method:
        words = words[1:]
    return " ".join([method.capitalize(), *words])


_TYPES = ((bool, "boolean"), (int, "integer"), (float, "number"), (str, "string"), (list, "array"), (dict, "object"))


def infer(values: list) -> dict:
    """A schema every one of `values` (JSON documents) meets: members present in all of them are
    required, a member whose documents disagree on its type is left untyped, others may be added."""
    types = {next((name for kind, name in _TYPES if isinstance(v, kind)), "null") for v in values}
    nullable = "null" in types
    types.discard("null")
    if len(types) != 1:
        return {}
    kind = types.pop()
    schema: dict = {"type": kind, **({"nullable": True} if nullable else {})}
    if kind == "object":
        documents = [v for v in values if isinstance(v, dict)]
        members = list(dict.fromkeys(key for document in documents for key in document))
        schema["properties"] = {key: infer([d[key] for d in documents if key in d]) for key in members}
        required = [key for key in members if all(key in d for d in documents)]
        if required:
            schema["required"] = required
    elif kind == "array":
        schema["items"] = infer([item for v in values if isinstance(v, list) for item in v])
    return schema


class DialectApi(Api):
    """flask-smorest's Api for one dialect: its operations completed by a `Documenter`, and
    none of flask-smorest's generic error responses (whose body no dialect sends)."""

    DEFAULT_ERROR_RESPONSE_NAME = None

    def __init__(self, app: Flask, dialect, **options):
        super().__init__(spec_kwargs={"extra_plugins": [Documenter(app, dialect)]}, **options)
        self.init_app(app)

    def _register_responses(self):
        """Not registered: each operation's fault responses are its dialect's (Documenter)."""
