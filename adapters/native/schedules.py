"""Native routes for cron schedules: list, create, show, pause, resume, delete."""
from flask.views import MethodView

from adapters.native import schemas
from adapters.native.routes import NAME, blp
from jobgate.kit.blueprint import principal, service


@blp.route("/schedules")
class Schedules(MethodView):
    @blp.response(200, schemas.ScheduleList)
    def get(self):
        return {"items": service().schedules.list(principal())}

    @blp.arguments(schemas.ScheduleIn)
    @blp.response(201, schemas.ScheduleOut)
    def post(self, body):
        return service().schedules.create(principal(), body["definition"], body["cron"], body["parameters"],
                                         origin=NAME)


@blp.route("/schedules/<schedule_id>")
class ScheduleItem(MethodView):
    @blp.response(200, schemas.ScheduleOut)
    def get(self, schedule_id):
        return service().schedules.get(principal(), schedule_id)

    @blp.response(204)
    def delete(self, schedule_id):
        service().schedules.delete(principal(), schedule_id)


@blp.route("/schedules/<schedule_id>/pause", methods=["POST"])
@blp.response(200, schemas.ScheduleOut)
def pause(schedule_id):
    return service().schedules.pause(principal(), schedule_id)


@blp.route("/schedules/<schedule_id>/resume", methods=["POST"])
@blp.response(200, schemas.ScheduleOut)
def resume(schedule_id):
    return service().schedules.resume(principal(), schedule_id)
