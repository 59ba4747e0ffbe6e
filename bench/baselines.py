"""The bare app: what a user would write instead of jobgate, served by the same gunicorn
settings, doing the minimum honest work per operation against the same Redis.

- `POST /bare/submit`: one RQ enqueue of the no-op and one ZADD to an index, one pipeline;
- `GET /bare/status/<id>`: one HGETALL (the RQ job's hash), returned as JSON;
- `GET /bare/list`: one ZREVRANGE of the index and 10 HGETALLs, pipelined.
"""
from __future__ import annotations

import os
import time

import redis
from flask import Flask, jsonify, request
from rq import Queue

INDEX = "bare:index"
JOB = "bench.jobs.noop"


def bare():
    """The baseline app (`gunicorn 'bench.baselines:bare()'`), configured by REDIS_URL."""
    app = Flask("bare")
    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    queue = Queue("bare", connection=client)

    @app.post("/bare/submit")
    def submit():
        body = request.get_json(silent=True) or {}
        pipe = client.pipeline()
        job = queue.enqueue_call(JOB, kwargs=body.get("parameters") or {}, pipeline=pipe)
        pipe.zadd(INDEX, {job.id: time.time()})
        pipe.execute()
        return jsonify({"id": job.id, "status": "queued"}), 201

    @app.get("/bare/status/<job_id>")
    def status(job_id):
        found = client.hgetall(f"rq:job:{job_id}")
        if not found:
            return jsonify({"error": "not found"}), 404
        return jsonify(_shown(found))

    @app.get("/bare/list")
    def listing():
        pipe = client.pipeline(transaction=False)
        for job_id in client.zrevrange(INDEX, 0, 9):
            pipe.hgetall(b"rq:job:" + job_id)
        return jsonify({"items": [_shown(found) for found in pipe.execute()]})
    return app


def _shown(found: dict) -> dict:
    """The hash's text fields (RQ's pickled `data` is not for clients)."""
    return {k.decode(): v.decode("utf-8", "replace") for k, v in found.items() if k != b"data"}
