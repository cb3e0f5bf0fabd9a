"""Interactive API docs at /api/v1/docs: Swagger UI served from static/swagger-ui (no CDN)."""

from __future__ import annotations

from flask import Blueprint, Response, url_for
from markupsafe import escape

blp = Blueprint("api_docs_ui", __name__, url_prefix="/api/v1")
IN_SPEC = False

# Swagger UI styles its widgets with inline style attributes; scripts stay 'self' only.
DOCS_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>coprod API documentation</title>
<link rel="stylesheet" href="{css}">
<link rel="stylesheet" href="{page_css}">
</head>
<body>
<main>
<h1 class="cp-visually-hidden">coprod API documentation</h1>
<div id="swagger-ui" data-spec-url="{spec}"></div>
</main>
<script src="{bundle}"></script>
<script src="{preset}"></script>
<script src="{init}"></script>
</body>
</html>
"""


def _static(name: str) -> str:
    return str(escape(url_for("static", filename=f"swagger-ui/{name}")))


@blp.route("/docs")
def docs() -> Response:
    """The OpenAPI document in Swagger UI, from our own copies of its files."""
    html = PAGE.format(
        css=_static("swagger-ui.css"),
        page_css=_static("docs.css"),
        bundle=_static("swagger-ui-bundle.js"),
        preset=_static("swagger-ui-standalone-preset.js"),
        init=_static("init.js"),
        spec=escape(url_for("api-docs.openapi_json")),
    )
    response = Response(html, mimetype="text/html")
    response.headers["Content-Security-Policy"] = DOCS_CSP
    return response
