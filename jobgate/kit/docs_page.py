"""Each dialect's `{prefix}/docs` page is Swagger UI, served by the gateway itself from the
swagger-ui-bundle package, so the page renders with no internet (no CDN)."""
from __future__ import annotations

from flask import Blueprint, Flask
from swagger_ui_bundle import swagger_ui_path

#: where the gateway serves Swagger UI's scripts and styles
ASSETS = "/_docs/swagger-ui/"


def install(app: Flask) -> None:
    """Serve the UI's assets (no credential: they are the docs pages')."""
    app.register_blueprint(Blueprint("docs_assets", __name__, static_folder=str(swagger_ui_path),
                                     static_url_path=ASSETS.rstrip("/")))


def config(prefix: str) -> dict:
    """flask-smorest's settings for a dialect's docs page, under its config prefix."""
    return {f"{prefix}OPENAPI_SWAGGER_UI_PATH": "docs", f"{prefix}OPENAPI_SWAGGER_UI_URL": ASSETS,
            # no call to the online validator; operation ids shown beside each operation
            f"{prefix}OPENAPI_SWAGGER_UI_CONFIG": {"validatorUrl": None, "displayOperationId": True}}
