"""`/metrics`: Prometheus figures of the gateway, its requests and the whole deployment.

Requests (by dialect, URL rule, method and status, with latency histograms) and the
gateway's Redis errors are counted in each process by prometheus_client; under gunicorn
(several processes) its multiprocess mode sums them: PROMETHEUS_MULTIPROC_DIR, which
jobgate.tools.gunicorn_conf sets when the operator has not. Everything else is state
that lives in Redis and is read from there at each scrape (jobgate.store.metrics):
executions by state and origin, queue depth and oldest queued age, live workers, the
step durations the workers recorded, the Redis errors they met. So every process answers
the same, whichever the scrape reaches. Unauthenticated, like /healthz and /readyz: it
shows counts, never a job, tenant or principal.
"""
from __future__ import annotations

import os
import time

from flask import Flask, Response, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

from jobgate.kit.blueprint import DIALECTS, SERVICE
from jobgate.rules.schedules import ScheduleBook
from jobgate.store import connection
from jobgate.store.connection import StoreUnavailable
from jobgate.store.metrics import Figures

#: the process's own counters; exposed directly, or summed over processes from their files
OWN = CollectorRegistry(auto_describe=True)
REQUESTS = Counter("jobgate_http_requests", "HTTP requests answered", ("dialect", "route", "method", "status"),
                   registry=OWN)
LATENCY = Histogram("jobgate_http_request_duration_seconds", "Time to answer an HTTP request",
                    ("dialect", "route", "method"), registry=OWN,
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0))
REDIS_ERRORS = Counter("jobgate_redis_errors", "Times the gateway found Redis unreachable", registry=OWN)
#: the label of requests outside every dialect (health, metrics) and of paths no rule matches
NONE, UNMATCHED = "-", "<unmatched>"


def install(app: Flask) -> None:
    """Time and count every request, and serve /metrics. Installed before the app's other
    request hooks, so a request's time includes reading its body."""
    mounts = sorted(((m.static_prefix, d.name) for d in app.extensions[DIALECTS].values() for m in d.mounts()),
                    key=lambda item: -len(item[0]))
    if REDIS_ERRORS.inc not in connection.unreachable_listeners:
        connection.unreachable_listeners.append(REDIS_ERRORS.inc)
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)
    else:
        registry.register(_Own())
    registry.register(StoreCollector(app))

    @app.before_request
    def started():
        g.metrics_started = time.perf_counter()

    @app.after_request
    def counted(response):
        dialect = next((name for prefix, name in mounts if request.path.startswith(prefix)), NONE)
        route = request.url_rule.rule if request.url_rule else UNMATCHED
        REQUESTS.labels(dialect, route, request.method, str(response.status_code)).inc()
        if "metrics_started" in g:
            LATENCY.labels(dialect, route, request.method).observe(time.perf_counter() - g.metrics_started)
        return response

    @app.get("/metrics")
    def metrics():
        return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)


class _Own:
    """This process's counters, for a registry that also holds the store's figures."""

    def collect(self):
        return OWN.collect()


class StoreCollector:
    """The figures that are state, read from Redis at each scrape. With Redis away only
    `jobgate_store_up 0` is shown, so the scrape itself still answers."""

    def __init__(self, app: Flask):
        self.app = app

    def collect(self):
        service = self.app.extensions[SERVICE]
        up = GaugeMetricFamily("jobgate_store_up", "Whether Redis answered this scrape")
        try:
            families = list(self._figures(service))
        except StoreUnavailable:
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from families

    def _figures(self, service):
        figures = Figures(service.redis)
        origins = [*self.app.extensions[DIALECTS], ScheduleBook.CATALOG_ORIGIN]
        executions = GaugeMetricFamily("jobgate_executions", "Executions by state and origin dialect",
                                       labels=("state", "origin"))
        tenants = figures.tenants() | service.auth.tenants()
        for (state, origin), count in sorted(figures.executions(tenants, origins).items()):
            executions.add_metric([state, origin], count)
        yield executions
        depth = GaugeMetricFamily("jobgate_queue_depth", "Jobs waiting on an RQ queue", labels=("queue",))
        age = GaugeMetricFamily("jobgate_queue_oldest_age_seconds", "Age of the oldest job waiting on a queue",
                                labels=("queue",))
        for queue, (waiting, oldest) in figures.queues(service.settings.queues).items():
            depth.add_metric([queue], waiting)
            age.add_metric([queue], oldest)
        yield depth
        yield age
        yield GaugeMetricFamily("jobgate_workers_live", "Workers whose heartbeat is fresh (see /readyz)",
                                value=service.queue.live_workers(service.settings.stale_after))
        steps = HistogramMetricFamily("jobgate_step_duration_seconds", "Durations of the steps workers ran",
                                      labels=("type",))
        for step_type, (buckets, total) in figures.step_times.read().items():
            steps.add_metric([step_type], buckets, total)
        yield steps
        yield CounterMetricFamily("jobgate_worker_redis_errors", "Times workers found Redis unreachable",
                                  value=figures.worker_redis_errors())
