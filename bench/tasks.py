"""The two WSGI apps gunicorn serves, with the same settings, in the HTTP phase."""
from __future__ import annotations

import json
import os

import redis
from flask import Flask, jsonify, request

#: the bare status read's record, about the size of an execution's
RECORD = {"id": "0" * 32, "state": "QUEUED", "definition": "Noop", "parameters": {}, "message": "",
          "steps": [{"id": "Nothing", "state": "QUEUED", "message": ""}], "progress": {"percent": 0},
          "created": "2026-12-02T00:00:00+00:00", "started": None, "ended": None, "tenant": "bench"}


def gateway():
    """jobgate as operators run it (`gunicorn 'bench.tasks:gateway()'`), configured by env."""
    from jobgate.kit.app import create_app
    from jobgate.settings import Settings
    return create_app(Settings.from_env(os.environ))


def bare():
    """The HTTP floor: the same Flask and server. `/bare` is one JSON endpoint with no work
    behind it (the submit and list baseline); `/bare/status` reads one record from Redis
    (one GET, parsed and returned) so a status read is compared with one round trip."""
    app = Flask("bare")
    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    client.set("bench:bare:record", json.dumps(RECORD))

    @app.route("/bare", methods=["GET", "POST"])
    def endpoint():
        body = request.get_json(silent=True) or {}
        return jsonify({"ok": True, **body}), 201 if request.method == "POST" else 200

    @app.route("/bare/status")
    def status():
        return jsonify(json.loads(client.get("bench:bare:record")))
    return app
