"""The HTML side: blueprints, the login gate, error pages, security headers."""

from __future__ import annotations

import importlib

from flask import Flask, abort, flash, redirect, render_template, request, session
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Request, Response

from coprod import policy
from coprod.db import db, sqlite_begin, unavailable
from coprod.errors import Conflict, DomainError, Invalid, TooMany
from coprod.i18n import _, _l
from coprod.services.accounts import EmailNotConfirmed
from coprod.web.helpers import is_safe_url

# Each module under coprod/web owns one area of the site, in its blueprint `bp`.
BLUEPRINTS = [
    "main",
    "auth",
    "orgs",
    "programmes",
    "tasks",
    "signups",
    "contributions",
    "reports",
    "impact",
    "admin",
    "notifications",
    "tokens",
    "recovery",
    "letters",
    "proposals",
    "feedback",
    "moderation",
    "matching",
    "qualifications",
    "agreements",
    "decisions",
    "pilots",
    "commitments",
]


def register_web(app: Flask) -> None:
    for name in BLUEPRINTS:
        app.register_blueprint(importlib.import_module(f"coprod.web.{name}").bp)
    _register_proxy(app)
    _register_gate(app)
    _register_errors(app)
    _register_headers(app)
    _register_flash_redirects(app)
    _register_template_helpers(app)


def _register_proxy(app: Flask) -> None:
    """Trust X-Forwarded-For/-Proto only from as many proxies as configured (none by default)."""
    x_for, x_proto = app.config.get("PROXY_FIX_X_FOR", 0), app.config.get("PROXY_FIX_X_PROTO", 0)
    if x_for or x_proto:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=x_for, x_proto=x_proto)  # type: ignore[method-assign]


def _register_gate(app: Flask) -> None:
    @app.before_request
    def _gate() -> ResponseReturnValue | None:
        # Read-only requests need no write lock on SQLite (see coprod.db).
        sqlite_begin.set("BEGIN" if request.method in ("GET", "HEAD") else "BEGIN IMMEDIATE")
        if request.endpoint is None or request.endpoint == "static":
            return None
        if not request.path.startswith("/api/") and _has_nul(request):
            # No person types a null byte; PostgreSQL cannot store one. Refuse it up front.
            abort(
                400,
                description=_(
                    "The form contained a character that is not allowed (a null byte). "
                    "Go back, remove it and try again."
                ),
            )
        view = app.view_functions.get(request.endpoint)
        if getattr(view, "_public", False) or current_user.is_authenticated:
            return None
        refused: Response = app.login_manager.unauthorized()  # type: ignore[attr-defined]
        return refused


def _has_nul(req: Request) -> bool:
    """True when a query or form parameter (name or value) contains a null byte."""
    for values in (req.args, req.form):
        for key, value in values.items(multi=True):
            if "\x00" in key or "\x00" in value:
                return True
    return False


# The headings of error pages, in the reader's language: a domain error's title (coprod.errors,
# and the services' own), then an HTTP error's (werkzeug's name) by its status.
DOMAIN_TITLES = {
    "Bad request": _l("Bad request"),
    "Not found": _l("Not found"),
    "Forbidden": _l("Forbidden"),
    "Conflict": _l("Conflict"),
    "Invalid input": _l("Invalid input"),
    "Email address not confirmed": _l("Email address not confirmed"),
    "Too many requests": _l("Too many requests"),
    "Service unavailable": _l("Service unavailable"),
}
HTTP_TITLES = {
    400: _l("Bad Request"),
    401: _l("Unauthorized"),
    403: _l("Forbidden"),
    404: _l("Not Found"),
    405: _l("Method Not Allowed"),
    410: _l("Gone"),
    413: _l("Request Entity Too Large"),
    500: _l("Internal Server Error"),
    503: _l("Service Unavailable"),
}
# What werkzeug says for its errors (when the code raising one gave no words of its own).
HTTP_MESSAGES = {
    400: _l("The browser (or proxy) sent a request that this server could not understand."),
    401: _l(
        "The server could not verify that you are authorized to access the URL requested. You "
        "either supplied the wrong credentials (e.g. a bad password), or your browser doesn't "
        "understand how to supply the credentials required."
    ),
    403: _l(
        "You don't have the permission to access the requested resource. It is either "
        "read-protected or not readable by the server."
    ),
    404: _l(
        "The requested URL was not found on the server. If you entered the URL manually please "
        "check your spelling and try again."
    ),
    405: _l("The method is not allowed for the requested URL."),
    410: _l(
        "The requested URL is no longer available on this server and there is no forwarding "
        "address. If you followed a link from a foreign page, please contact the author of "
        "this page."
    ),
    413: _l("The data value transmitted exceeds the capacity limit."),
    500: _l(
        "The server encountered an internal error and was unable to complete your request. "
        "Either the server is overloaded or there is an error in the application."
    ),
    503: _l(
        "The server is temporarily unable to service your request due to maintenance downtime "
        "or capacity problems. Please try again later."
    ),
}


def _http_title(err: HTTPException, status: int) -> str:
    return str(HTTP_TITLES.get(status) or err.name)


def _http_message(err: HTTPException, status: int) -> str:
    """The error's own description when the code gave one, else ours in the reader's language
    (werkzeug's defaults are English)."""
    default = type(err).description
    if err.description and err.description != default:
        return str(err.description)
    return str(HTTP_MESSAGES.get(status) or err.description or "")


def _register_errors(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def _domain_error(err: DomainError) -> ResponseReturnValue:
        db.session.rollback()
        # A refused button action (sign up twice, a stale review) goes back with the reason.
        back = _path_of(request.referrer or "")
        goes_back = isinstance(err, Conflict | Invalid | EmailNotConfirmed | TooMany)
        if request.method == "POST" and goes_back and is_safe_url(back):
            flash(err.message, "error")
            return redirect(back, code=303)
        return render_template(
            "errors/error.html",
            status=err.status,
            title=str(DOMAIN_TITLES.get(err.title, err.title)),
            message=err.message,
        ), err.status

    @app.errorhandler(DBAPIError)
    def _database_error(err: DBAPIError) -> ResponseReturnValue:
        """A database that could not be reached or was lost (outside the retried view: the
        sign-in check) is a 503 saying so; any other database error stays a bug (500)."""
        down = unavailable(err)
        if down is None:
            raise err
        return _domain_error(down)

    @app.errorhandler(CSRFError)
    def _csrf_error(err: CSRFError) -> ResponseReturnValue:
        message = _("Your form expired or was sent from elsewhere. Go back, reload and try again.")
        return render_template(
            "errors/error.html", status=400, title=_("Form expired"), message=message
        ), 400

    @app.errorhandler(429)
    def _too_many(err: HTTPException) -> ResponseReturnValue:
        message = _("Too many attempts. Wait a few minutes, then try again.")
        return render_template(
            "errors/error.html", status=429, title=_("Too many attempts"), message=message
        ), 429

    @app.errorhandler(HTTPException)
    def _http_error(err: HTTPException) -> ResponseReturnValue:
        if request.path.startswith("/api/"):
            return err
        status = err.code or 500
        return render_template(
            "errors/error.html",
            status=status,
            title=_http_title(err, status),
            message=_http_message(err, status),
        ), status

    @app.errorhandler(500)
    def _server_error(err: Exception) -> ResponseReturnValue:
        db.session.rollback()
        return render_template(
            "errors/error.html",
            status=500,
            title=_("Something went wrong"),
            message=_("Something went wrong on our side. Nothing was changed."),
        ), 500


def _path_of(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.netloc and parts.netloc != request.host:
        return ""
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _register_headers(app: Flask) -> None:
    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if request.is_secure:
            max_age = app.config.get("HSTS_MAX_AGE", 31536000)
            response.headers.setdefault(
                "Strict-Transport-Security", f"max-age={max_age}; includeSubDomains"
            )
        return response


def _register_flash_redirects(app: Flask) -> None:
    """A redirect that carries a flash message lands at the top of the page, not at a
    `#fragment`: the browser would scroll past the banner (sign up on a task page, jump to
    its shifts, and the "You're signed up" message sits above the screen)."""

    @app.after_request
    def _keep_flash_in_view(response: Response) -> Response:
        location = response.headers.get("Location")
        redirect_codes = (301, 302, 303, 307, 308)
        if (
            response.status_code in redirect_codes
            and location
            and "#" in location
            and session.get("_flashes")
        ):
            response.headers["Location"] = location.split("#", 1)[0]
        return response


def _register_template_helpers(app: Flask) -> None:
    app.jinja_env.globals.update(can=policy.can)
