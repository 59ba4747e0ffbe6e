"""Native routes for webhook subscriptions: list, create (its secret shown once), show, delete,
and a subscription's delivery log."""
from flask.views import MethodView

from adapters.native import schemas
from adapters.native.routes import blp
from jobgate.kit.blueprint import principal, service


@blp.route("/webhooks")
class Webhooks(MethodView):
    @blp.response(200, schemas.WebhookList)
    def get(self):
        return {"items": service().webhooks.list(principal())}

    @blp.arguments(schemas.WebhookIn)
    @blp.response(201, schemas.WebhookCreated)
    def post(self, body):
        return service().webhooks.create(principal(), body["url"], body["events"], body.get("secret"))


@blp.route("/webhooks/<webhook_id>")
class WebhookItem(MethodView):
    @blp.response(200, schemas.WebhookOut)
    def get(self, webhook_id):
        return service().webhooks.get(principal(), webhook_id)

    @blp.response(204)
    def delete(self, webhook_id):
        service().webhooks.delete(principal(), webhook_id)


@blp.route("/webhooks/<webhook_id>/deliveries")
@blp.arguments(schemas.DeliveryQuery, location="query")
@blp.response(200, schemas.DeliveryList)
def deliveries(query, webhook_id):
    return {"items": service().webhooks.deliveries(principal(), webhook_id, query["limit"])}
