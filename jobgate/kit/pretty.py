"""Pretty-printed JSON responses, for dialects whose clients read bodies line by line.

Some legacy clients grep `"key": value` lines out of a response instead of
parsing it (Datameer's shell monitoring scripts do), so every property must
sit on its own line. `pretty_json(blueprint)` re-renders a blueprint's JSON
responses that way; `pretty_response` builds one directly (fault renderers,
which run outside the blueprint).
"""
from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, current_app

INDENT = 2


def dumps(document: Any) -> str:
    """Two-space indentation, one property per line, `": "` between key and value."""
    return json.dumps(document, indent=INDENT, separators=(",", ": "), ensure_ascii=False) + "\n"


def pretty_response(document: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return current_app.response_class(dumps(document), status=status, headers=headers, mimetype="application/json")


def pretty_json(blueprint: Blueprint) -> None:
    """Every JSON response of `blueprint` pretty-printed (empty bodies stay empty)."""

    @blueprint.after_request
    def reformat(response: Response) -> Response:
        if response.is_json and not response.is_streamed and response.get_data():
            response.set_data(dumps(json.loads(response.get_data())))
        return response
