"""Webhook subscriptions and their deliveries at rest.

Subscriptions: one hash per tenant, id -> JSON. Deliveries: one JSON record each (kept
`KEPT` seconds), listed newest first in their subscription's log (the newest `LOG_LENGTH`),
and, while one is to be attempted, in one due set scored by when. A worker takes a due
delivery by moving it a lease ahead (lua.TAKE_DELIVERY): no other worker takes it meanwhile,
and if the worker dies before it records the attempt, the delivery is due again once the
lease ends; none is lost.
"""
from __future__ import annotations

import json

import redis

from jobgate.model import Delivery, Webhook, dump, load, now, to_ms
from jobgate.store import keys, lua

#: deliveries each log keeps, and seconds a delivery record is kept
LOG_LENGTH = 100
KEPT = 7 * 86400


class Webhooks:
    def __init__(self, client: redis.Redis):
        self.redis = client
        self._take = client.register_script(lua.TAKE_DELIVERY)
        self._add = client.register_script(lua.ADD_DELIVERY)

    # -- subscriptions --------------------------------------------------------
    def save(self, webhook: Webhook, limit: int) -> bool:
        """Add a subscription unless its tenant has `limit` already: whether it was added."""
        key = keys.webhooks(webhook.tenant)

        def write(pipe) -> bool:
            if pipe.hlen(key) >= limit:
                return False
            pipe.multi()
            pipe.hset(key, webhook.id, json.dumps(dump(webhook)))
            return True

        return self.redis.transaction(write, key, value_from_callable=True)

    def get(self, tenant: str, webhook_id: str) -> Webhook | None:
        raw = self.redis.hget(keys.webhooks(tenant), webhook_id)
        return None if raw is None else load(Webhook, json.loads(raw))

    def list(self, tenant: str) -> list[Webhook]:
        found = [load(Webhook, json.loads(raw)) for raw in self.redis.hvals(keys.webhooks(tenant))]
        return sorted(found, key=lambda w: (w.created, w.id))

    def delete(self, webhook: Webhook) -> None:
        """The subscription and its log; its pending deliveries are dropped when next taken."""
        pipe = self.redis.pipeline()
        pipe.hdel(keys.webhooks(webhook.tenant), webhook.id)
        pipe.delete(keys.deliveries(webhook.tenant, webhook.id))
        pipe.execute()

    # -- deliveries -------------------------------------------------------------
    def add(self, deliveries: list[Delivery], stream: str, event_id: str) -> None:
        """Queue the deliveries one event made, due now (each unless it was added before), and
        acknowledge the event to the workers' group (store.feed), in one MULTI."""
        pipe = self.redis.pipeline()
        for delivery in deliveries:
            self._add(keys=[keys.delivery(delivery.id), keys.deliveries(delivery.tenant, delivery.target),
                            keys.WEBHOOKS_DUE],
                      args=[delivery.id, json.dumps(dump(delivery)), to_ms(delivery.created), LOG_LENGTH,
                            KEPT * 1000], client=pipe)
        pipe.xack(stream, keys.WEBHOOKS_GROUP, event_id)
        pipe.execute()

    def take(self, lease: float) -> Delivery | None:
        """The first due delivery, held for `lease` seconds; None when none is due."""
        while True:
            stamp = to_ms(now())
            taken = self._take(keys=[keys.WEBHOOKS_DUE], args=[stamp, stamp + int(lease * 1000)])
            if not taken:
                return None
            found = self.delivery(taken.decode())
            if found is not None:
                return found
            self.redis.zrem(keys.WEBHOOKS_DUE, taken)       # its record expired: nothing to send

    def delivery(self, delivery_id: str) -> Delivery | None:
        raw = self.redis.get(keys.delivery(delivery_id))
        return None if raw is None else load(Delivery, json.loads(raw))

    def record(self, delivery: Delivery) -> None:
        """Write its attempts so far; due again at `next_attempt`, or settled when there is none."""
        pipe = self.redis.pipeline()
        pipe.set(keys.delivery(delivery.id), json.dumps(dump(delivery)), px=KEPT * 1000)
        if delivery.next_attempt is None:
            pipe.zrem(keys.WEBHOOKS_DUE, delivery.id)
        else:
            pipe.zadd(keys.WEBHOOKS_DUE, {delivery.id: to_ms(delivery.next_attempt)})
        pipe.execute()

    def log(self, tenant: str, target: str, limit: int) -> list[Delivery]:
        """The newest `limit` deliveries to one target, newest first."""
        ids = self.redis.zrevrange(keys.deliveries(tenant, target), 0, limit - 1)
        raws = self.redis.mget([keys.delivery(i.decode()) for i in ids]) if ids else []
        return [load(Delivery, json.loads(raw)) for raw in raws if raw]
