"""A minimal dialect for the suite only (no entry point): proof that the kit is enough to add one.

/mini/runs: POST {"job", "args"}, GET ?job=&skip=&take= -> {"runs", "count"}; /mini/runs/<n>: GET, DELETE,
POST .../stop, GET .../log, .../output. A run: {"run", "job", "args", "phase", "note", "start", "end" (epoch ms)}.
Auth X-Mini-Key; ids the canonical seq; faults {"oops": code, "why": message}.
"""
from flask import Response, jsonify
from flask.views import MethodView
from marshmallow import Schema, fields, validate

from jobgate import limits
from jobgate.kit import ids
from jobgate.kit.blueprint import DialectBlueprint, principal, service
from jobgate.kit.credentials import api_key
from jobgate.kit.dialect import Dialect, Mount
from jobgate.kit.states import StateMap
from jobgate.model import State, to_ms

NAME = "minimal"
PHASES = StateMap({State.CREATED: "waiting", State.QUEUED: "waiting", State.RUNNING: "working",
                   State.SUCCEEDED: "done", State.SUCCEEDED_WITH_WARNINGS: "done", State.FAILED: "broken",
                   State.CANCELED: "stopped", State.DIED: "lost"})


class RunIn(Schema):
    job = fields.String(required=True)
    args = fields.Dict(keys=fields.String(), load_default=dict)


class RunQuery(Schema):
    job = fields.String()
    skip = fields.Integer(load_default=0, validate=validate.Range(min=0, max=limits.MAX_INT))
    take = fields.Integer(load_default=20, validate=validate.Range(min=1, max=limits.PAGE_MAX))


class RunOut(Schema):
    run, job = fields.String(attribute="seq"), fields.String(attribute="definition_id")
    args, note = fields.Dict(attribute="parameters"), fields.String(attribute="message")
    phase = fields.Function(PHASES.wire)
    start = fields.Function(lambda run: run.started and to_ms(run.started))
    end = fields.Function(lambda run: run.ended and to_ms(run.ended))


blp = DialectBlueprint(NAME, __name__, description="a minimal job API")


@blp.route("/runs")
class Runs(MethodView):
    @blp.arguments(RunQuery, location="query")
    @blp.alt_response(200, schema={"type": "object", "properties": {"runs": {"type": "array"}, "count": {
        "type": "integer"}}}, success=True)
    def get(self, query):
        page = service().page(principal(), definition=query.get("job"), offset=query["skip"], limit=query["take"])
        return {"runs": RunOut(many=True).dump(page.items), "count": page.total}

    @blp.arguments(RunIn)
    @blp.response(201, RunOut)
    @blp.creates
    def post(self, body):
        return service().submit(principal(), body["job"], body["args"], origin=NAME)


@blp.route("/runs/<n>")
class Run(MethodView):
    @blp.response(200, RunOut)
    def get(self, n):
        return blp.dialect.execution(n)

    @blp.response(204)
    def delete(self, n):
        service().delete(principal(), blp.dialect.execution(n).id)


@blp.route("/runs/<n>/stop", methods=["POST"])
@blp.response(200, RunOut)
def stop(n):
    return service().cancel(principal(), blp.dialect.execution(n).id)


@blp.route("/runs/<n>/log")
@blp.alt_response(200, schema={"type": "string"}, content_type="text/plain", success=True)
def log(n):
    return Response(service().log(principal(), blp.dialect.execution(n).id), mimetype="text/plain")


@blp.route("/runs/<n>/output")
@blp.alt_response(200, schema={"type": "object", "properties": {"output": {}}}, success=True)
def output(n):
    return {"output": service().result(principal(), blp.dialect.execution(n).id)}


class Minimal(Dialect):
    name, title, version, prefix, auth = NAME, "minimal job API", "0", "/mini", "`X-Mini-Key`"
    capabilities = frozenset({"cancel", "delete", "log", "result"})
    states, ids = PHASES, ids.SEQ
    credentials = (api_key("X-Mini-Key"),)

    def mounts(self):
        return [Mount(blp, self.prefix)]

    def render_fault(self, fault):
        response = jsonify({"oops": fault.code, "why": fault.message})
        response.status_code = fault.status
        return response


dialect = Minimal()
