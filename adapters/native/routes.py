"""Native API routes: parse, call the service, dump."""
from flask import Response
from flask.views import MethodView

from adapters.native import schemas
from jobgate.errors import Invalid
from jobgate.kit.blueprint import DialectBlueprint, etag, if_match, principal, service
from jobgate.kit.states import IDENTITY

NAME = "native"
blp = DialectBlueprint(NAME, __name__, description="jobgate's own job API")


@blp.route("/definitions")
class Definitions(MethodView):
    @blp.response(200, schemas.DefinitionList)
    def get(self):
        items = service().definitions(principal())
        return {"items": items, "total": len(items)}

    @blp.arguments(schemas.DefinitionIn)
    @blp.response(201, schemas.DefinitionOut)
    def post(self, body):
        return service().create_definition(principal(), body)


@blp.route("/definitions/<ref>")
class DefinitionItem(MethodView):
    @blp.response(200, schemas.DefinitionOut)
    def get(self, ref):
        definition = service().definition(principal(), ref)
        return definition, 200, etag(definition.version)

    @blp.arguments(schemas.DefinitionPatch(partial=True))
    @blp.response(200, schemas.DefinitionOut)
    def patch(self, body, ref):
        definition = service().update_definition(principal(), ref, body, expected_version=if_match())
        return definition, 200, etag(definition.version)

    @blp.response(204)
    def delete(self, ref):
        service().delete_definition(principal(), ref)


@blp.route("/executions")
class Executions(MethodView):
    @blp.arguments(schemas.ListQuery, location="query")
    @blp.response(200, schemas.ExecutionPage)
    def get(self, query):
        return service().page(
            principal(), definition=query.get("definition"), state=_state(query.get("state")),
            origin=query.get("origin"), newest_first=query["order"] == "newest",
            offset=query["offset"], limit=query["limit"], cursor=query.get("cursor"))

    @blp.arguments(schemas.SubmitIn)
    @blp.response(201, schemas.SubmitOut)
    @blp.creates
    def post(self, body):
        return service().submit(principal(), body["definition"], body["parameters"], origin=NAME,
                                start_at=body.get("start_at"), after=body["after"],
                                expires=body.get("expires_at"), expire_after=body.get("expire_after"),
                                callback_url=body.get("callback_url"))


@blp.route("/executions/<ref>")
class ExecutionItem(MethodView):
    @blp.response(200, schemas.ExecutionOut)
    def get(self, ref):
        execution = service().get(principal(), ref)
        return execution, 200, etag(execution.version)

    @blp.response(204)
    def delete(self, ref):
        service().delete(principal(), ref, expected_version=if_match())


@blp.route("/executions/<ref>/cancel", methods=["POST"])
@blp.response(200, schemas.ExecutionOut)
def cancel(ref):
    return service().cancel(principal(), ref)


@blp.route("/executions/<ref>/restart", methods=["POST"])
@blp.response(201, schemas.ExecutionOut)
@blp.creates
def restart(ref):
    return service().restart(principal(), ref, origin=NAME)


@blp.route("/executions/<ref>/heartbeat", methods=["POST"])
@blp.response(200, schemas.ExecutionOut)
def heartbeat(ref):
    return service().heartbeat(principal(), ref)


@blp.route("/executions/<ref>/expiry", methods=["PUT"])
@blp.arguments(schemas.ExpiryIn)
@blp.response(200, schemas.ExecutionOut)
def expiry(body, ref):
    if ("at" in body) == ("after_end" in body):
        raise Invalid("give exactly one of at, after_end", details={"at": ["or after_end"]})
    return service().set_expiry(principal(), ref, at=body.get("at"), after_end=body.get("after_end"))


@blp.route("/executions/<ref>/log")
@blp.arguments(schemas.LogQuery, location="query")
@blp.alt_response(200, schema={"type": "string"}, content_type="text/plain", success=True,
                  description="The log from `offset` on", headers={"X-Log-Offset": {
                      "description": "the offset to ask for next", "schema": {"type": "integer"}}})
def log(query, ref):
    text = service().log(principal(), ref, query["offset"])
    response = Response(text, mimetype="text/plain")
    response.headers["X-Log-Offset"] = str(query["offset"] + len(text))
    return response


@blp.route("/executions/<ref>/result")
@blp.alt_response(200, schema=schemas.ResultOut, success=True, description="The run's result data")
def result(ref):
    return {"result": service().result(principal(), ref)}


def _state(wire: str | None):
    return next(iter(IDENTITY.states(wire))) if wire else None
