"""Webhook use cases (service.webhooks): a tenant's subscriptions, their delivery logs, and what
the workers' dispatcher asks: which deliveries an event makes, when a failed one is tried again.

An event goes to each subscription of its tenant that names its type and existed when it
happened, and to its execution's callback URL (state changes and progress, as OGC API
Processes' subscribers are told of success, failure and progress). Every URL passes the
operator's allow-list (rules.outbound) when it is given, and again when it is called.
"""
from __future__ import annotations

import base64
import binascii
import json
import uuid
from datetime import timedelta

from jobgate import limits
from jobgate.errors import Invalid, NotFound, QuotaExceeded
from jobgate.model import SLUG, Delivery, Execution, Principal, Webhook, from_ms, now
from jobgate.rules import signing
from jobgate.rules.outbound import Policy
from jobgate.settings import Settings
from jobgate.store.events import Event
from jobgate.store.webhooks import Webhooks

#: what a subscription may ask for: the tenant stream's event types
EVENT_TYPES = ("state", "progress", "step.started", "step.ended")
#: what an execution's callback URL is told of
CALLBACK_EVENTS = ("state", "progress")
CALLBACK = "callback:"
#: each retry waits this many times longer than the one before
BACKOFF_FACTOR = 6
#: a secret's key bytes, as Standard Webhooks bounds them
SECRET_BYTES = (24, 64)


class WebhookBook:
    def __init__(self, settings: Settings, store: Webhooks):
        self.settings, self.store = settings, store
        self.policy = Policy.from_settings(settings)

    # -- subscriptions --------------------------------------------------------
    def create(self, principal: Principal, url: str, events: list[str], secret: str | None = None) -> Webhook:
        unknown = sorted(set(events) - set(EVENT_TYPES))
        if unknown or not events:
            raise Invalid(f"unknown event types {unknown}" if unknown else "name at least one event type",
                          details={"events": [f"each one of {', '.join(EVENT_TYPES)}"]})
        webhook = Webhook(id=uuid.uuid4().hex[:16], tenant=principal.tenant, url=self.policy.check_url(url),
                          events=sorted(set(events)), secret=check_secret(secret) if secret else signing.new_secret(),
                          principal=principal.name, created=now())
        if not self.store.save(webhook, limit=limits.WEBHOOKS_MAX):
            raise QuotaExceeded(f"tenant {principal.tenant} has {limits.WEBHOOKS_MAX} webhooks, as many as allowed; "
                                "delete one first", quota=limits.WEBHOOKS_MAX)
        return webhook

    def list(self, principal: Principal) -> list[Webhook]:
        return self.store.list(principal.tenant)

    def get(self, principal: Principal, webhook_id: str) -> Webhook:
        found = self.store.get(principal.tenant, webhook_id) if SLUG.match(webhook_id) else None
        if found is None:
            raise NotFound(f"no webhook {webhook_id!r}", id=webhook_id)
        return found

    def delete(self, principal: Principal, webhook_id: str) -> None:
        self.store.delete(self.get(principal, webhook_id))

    def deliveries(self, principal: Principal, webhook_id: str, limit: int = 50) -> list[Delivery]:
        return self.store.log(principal.tenant, self.get(principal, webhook_id).id, limit)

    def check_callback(self, url: str) -> str:
        return self.policy.check_url(url, field="callback_url")

    # -- for the dispatcher -------------------------------------------------------
    def fan_out(self, event: Event, subscriptions: list[Webhook], execution: Execution | None) -> list[Delivery]:
        """The deliveries one event makes (their ids the same however often it is read)."""
        happened = from_ms(int(event.id.split("-")[0]))
        targets = [(w.id, w.url) for w in subscriptions if event.type in w.events and w.created <= happened]
        if execution is not None and execution.callback_url and event.type in CALLBACK_EVENTS:
            targets.append((CALLBACK + execution.id, execution.callback_url))
        body = json.dumps({"type": event.type, "timestamp": _iso(happened),
                           "data": event.payload()}, separators=(",", ":"))
        return [Delivery(id=f"msg_{event.id}_{target.removeprefix(CALLBACK)[:16]}", tenant=event.tenant,
                         target=target, url=url, event=event.type, execution_id=event.execution, body=body,
                         created=now()) for target, url in targets]

    def secret_of(self, delivery: Delivery, execution: Execution | None) -> str | None:
        """The secret a delivery is signed with now; None when its subscription or execution is gone."""
        if delivery.target.startswith(CALLBACK):
            return execution.callback_secret if execution is not None else None
        webhook = self.store.get(delivery.tenant, delivery.target)
        return webhook.secret if webhook is not None else None

    def attempted(self, delivery: Delivery, status: int | None, error: str, ms: int) -> Delivery:
        """The delivery after one more attempt: settled, or due again after a growing wait."""
        ok = status is not None and 200 <= status < 300
        delivery.attempts.append({"at": _iso(now()), "status": status,
                                  "error": error, "ms": ms})
        tries = len(delivery.attempts)
        if ok or tries >= self.settings.webhook_attempts:
            delivery.outcome, delivery.next_attempt = ("succeeded" if ok else "failed"), None
        else:
            wait = min(self.settings.webhook_backoff * BACKOFF_FACTOR ** (tries - 1), limits.WEBHOOK_BACKOFF_MAX)
            delivery.next_attempt = now() + timedelta(seconds=wait)
        return delivery


def _iso(moment) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def check_secret(secret: str) -> str:
    """A client's own secret, in Standard Webhooks' form (whsec_ + base64 of 24 to 64 bytes)."""
    try:
        size = len(base64.b64decode(secret.removeprefix(signing.PREFIX), validate=True))
    except (binascii.Error, ValueError):
        size = 0
    if not secret.startswith(signing.PREFIX) or not SECRET_BYTES[0] <= size <= SECRET_BYTES[1]:
        raise Invalid("a secret is whsec_ followed by base64 of 24 to 64 bytes",
                      details={"secret": ["whsec_ + base64 of 24 to 64 random bytes"]})
    return secret
