"""create_app(): one Flask app mounting every configured dialect.

Each dialect gets its own flask-smorest Api (own OpenAPI document and docs
page under its prefix). Faults are rendered by one app-level handler that
picks the mount by URL prefix: blueprint handlers never see routing 404/405,
and flask-smorest's own handler is app-wide.
"""
from __future__ import annotations

import logging

from flask import Flask, g, jsonify, request
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from jobgate.errors import JobgateError
from jobgate.kit import context, docs_page, inputs, metrics
from jobgate.kit import dialect as dialects_module
from jobgate.kit.blueprint import DIALECT_SETTINGS, DIALECTS, SERVICE
from jobgate.kit.dialect import Dialect
from jobgate.kit.faults import fault_from, render_json, with_retry_after
from jobgate.kit.openapi import DialectApi
from jobgate.rules.service import Service
from jobgate.settings import Settings
from jobgate.store import connection


def create_app(settings: Settings | None = None, service: Service | None = None,
               dialects: list[Dialect] | None = None) -> Flask:
    """`dialects` mounts these instead of the installed ones (a dialect under test)."""
    settings = settings or Settings.from_env()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    app = Flask("jobgate")
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body
    if settings.trusted_proxies:     # client addresses (the login throttle's) from their X-Forwarded-For
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.trusted_proxies)
    app.json.sort_keys = False
    mounted = dialects if dialects is not None else dialects_module.load(settings.dialects)
    app.extensions[DIALECT_SETTINGS] = {d.name: d.configure(settings) for d in mounted}
    app.extensions[SERVICE] = service or Service.from_settings(settings)
    app.extensions[DIALECTS] = {d.name: d for d in mounted}
    for dialect in mounted:
        _mount(app, dialect)
    _install_fault_handler(app, mounted)
    metrics.install(app)                 # first of the request hooks: its time includes the rest
    _install_request_hooks(app, mounted)  # before the input checks: they read the body it read
    inputs.install(app)
    _install_health(app, settings)
    docs_page.install(app)
    return app


def _mount(app: Flask, dialect: Dialect) -> None:
    prefix = dialect.name.upper() + "_"
    app.config.update({
        f"{prefix}API_TITLE": dialect.title, f"{prefix}API_VERSION": dialect.version,
        f"{prefix}OPENAPI_VERSION": "3.0.3", f"{prefix}OPENAPI_URL_PREFIX": dialect.prefix,
        f"{prefix}OPENAPI_JSON_PATH": "openapi.json", **docs_page.config(prefix),
    })
    api = DialectApi(app, dialect, config_prefix=prefix)
    for mount in dialect.mounts():
        api.register_blueprint(mount.blueprint, url_prefix=mount.url_prefix,
                               **({"name": mount.name} if mount.name else {}))


def _by_prefix(mounted: list[Dialect]):
    """(prefix, dialect, mount) of every mount, the longest prefix first: a path's is the first it starts with."""
    return sorted(((m.static_prefix, d, m) for d in mounted for m in d.mounts()), key=lambda item: -len(item[0]))


def _install_fault_handler(app: Flask, mounted: list[Dialect]) -> None:
    renderers = [(prefix, m.render_fault or d.render_fault) for prefix, d, m in _by_prefix(mounted)]

    def render(exc: Exception):
        fault = fault_from(exc, getattr(g, "request_id", "") or context.new_id())
        render_fault = next((r for prefix, r in renderers if request.path.startswith(prefix)), render_json)
        response = render_fault(fault)
        response.headers.update(fault.headers)
        return with_retry_after(response)

    # Registered after every Api so these replace flask-smorest's handler.
    app.register_error_handler(HTTPException, render)
    app.register_error_handler(JobgateError, render)
    app.register_error_handler(Exception, render)


def _install_request_hooks(app: Flask, mounted: list[Dialect]) -> None:
    dialects = [(prefix, d.name) for prefix, d, _ in _by_prefix(mounted)]

    @app.before_request
    def start():
        """The whole body is read first: one that stops coming (the server's client
        timeout) is a 408 (kit.faults), and the store's one budget for the request starts after it."""
        dialect = next((name for prefix, name in dialects if request.path.startswith(prefix)), None)
        g.request_id = context.start(request.environ, request.headers.get("X-Request-Id"), dialect)
        request.get_data(cache=True)
        connection.set_budget()            # every store call of this request shares one budget

    @app.teardown_request
    def end(_exc):
        connection.set_budget(None)
        context.end()

    @app.after_request
    def echo_request_id(response):
        response.headers.setdefault("X-Request-Id", getattr(g, "request_id", ""))
        return response


def _install_health(app: Flask, settings: Settings) -> None:
    @app.get("/healthz")
    def healthz():
        return jsonify({"status": "ok"})

    @app.get("/readyz")
    def readyz():
        """503 while fewer workers than JOBGATE_READY_WORKERS are alive: jobs would wait for ever."""
        ready = app.extensions[SERVICE].ready()
        needed = settings.ready_workers
        if ready["workers"] >= needed:
            return jsonify({"status": "ok", **ready})
        reason = f"{ready['workers']} live worker(s), {needed} needed (JOBGATE_READY_WORKERS)"
        return jsonify({"status": "unavailable", "reason": reason, "needed": needed, **ready}), 503

