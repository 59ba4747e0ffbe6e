"""The two WSGI apps gunicorn serves, with the same settings, in the HTTP phase."""
from __future__ import annotations

import os

from flask import Flask, jsonify, request


def gateway():
    """jobgate as operators run it (`gunicorn 'bench.tasks:gateway()'`), configured by env."""
    from jobgate.kit.app import create_app
    from jobgate.settings import Settings
    return create_app(Settings.from_env(os.environ))


def bare():
    """The HTTP floor: the same Flask and server, one JSON endpoint, no work behind it."""
    app = Flask("bare")

    @app.route("/bare", methods=["GET", "POST"])
    def endpoint():
        body = request.get_json(silent=True) or {}
        return jsonify({"ok": True, **body}), 201 if request.method == "POST" else 200
    return app

