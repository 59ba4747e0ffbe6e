"""The webhook dispatcher: a thread of every worker, beside its maintenance thread.

Each round it takes the events no worker has taken (store.feed: the tenants' streams as one
consumer group; an event a dead worker took is claimed again once idle a lease), turns each
into its deliveries (rules.webhooks) queued in the same MULTI that acknowledges it, then sends
the deliveries that are due, one at a time, each held for a lease while it is sent
(store.webhooks): a worker killed mid-delivery leaves it to another worker once the lease ends.
A receiver that answers anything but 2xx, or not within the timeout, is tried again with a
growing wait until the attempts run out. Deliveries are at least once: a receiver drops
duplicates by their webhook-id.
"""
from __future__ import annotations

import logging
import threading
import time

import requests

from jobgate.rules import signing
from jobgate.rules.outbound import Refused
from jobgate.rules.service import Service
from jobgate.rules.webhooks import CALLBACK
from jobgate.store.feed import Feed
from workers import outbound

log = logging.getLogger("jobgate.webhooks")
#: characters of an error kept in the delivery log
ERROR_MAX = 300


class Dispatcher(threading.Thread):
    def __init__(self, service: Service, consumer: str):
        super().__init__(name="jobgate-webhooks", daemon=True)
        self.service, self.book = service, service.webhooks
        self.feed = Feed(service.redis, consumer)
        self.http = outbound.session(self.book.policy)
        self.lease, self.timeout = service.settings.webhook_lease, service.settings.webhook_timeout
        self._halt = threading.Event()
        self._reclaimed = 0.0

    def stop(self) -> None:
        """Stops after its current read; a delivery still being sent is not waited for (a stopping
        worker has little time left): its lease hands it to another worker."""
        self._halt.set()
        self.join(self.feed.hold + 1)

    def run(self) -> None:
        while not self._halt.is_set():
            try:
                self.round()
            except Exception as exc:      # Redis away: try again shortly
                log.warning("webhooks skipped: %s", exc)
                self._halt.wait(1)

    def round(self) -> None:
        if time.monotonic() - self._reclaimed >= self.lease / 2:
            self._reclaimed = time.monotonic()
            self.fan_out(self.feed.reclaim(self.lease))
        self.fan_out(self.feed.read())
        while not self._halt.is_set() and (delivery := self.book.store.take(self.lease)):
            self.deliver(delivery)

    def fan_out(self, events) -> None:
        subscriptions = {}
        for stream, event in events:
            if event.tenant not in subscriptions:
                subscriptions[event.tenant] = self.book.store.list(event.tenant)
            execution = self.service.store.get(event.execution)
            self.book.store.add(self.book.fan_out(event, subscriptions[event.tenant], execution), stream, event.id)

    def deliver(self, delivery) -> None:
        callback = delivery.target.startswith(CALLBACK)
        secret = self.book.secret_of(delivery, self.service.store.get(delivery.execution_id) if callback else None)
        if secret is None:                # its subscription was deleted, or its execution purged
            delivery.outcome, delivery.next_attempt = "failed", None
            self.book.store.record(delivery)
            return
        body = delivery.body.encode()
        headers = signing.headers(secret, delivery.id, int(time.time()), body)
        status, error, started = None, "", time.monotonic()
        try:
            with self.http.post(delivery.url, data=body, headers=headers, timeout=self.timeout,
                                allow_redirects=False, stream=True) as response:
                status = response.status_code
                error = "" if 200 <= status < 300 else f"HTTP {status} {response.reason or ''}".strip()
        except Refused as exc:
            error = exc.message
        except requests.RequestException as exc:
            error = f"{type(exc).__name__}: {exc}"
        ms = int((time.monotonic() - started) * 1000)
        self.book.store.record(self.book.attempted(delivery, status, error[:ERROR_MAX], ms))
        log.info("webhook %s to %s: %s", delivery.id, delivery.url, error or status)
