"""The home page (what needs the signed-in person, or the public welcome), the privacy
notice, and the icon browsers ask for at /favicon.ico."""

from __future__ import annotations

from dataclasses import dataclass

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import refresh
from flask_wtf.csrf import CSRFError, validate_csrf
from wtforms.validators import ValidationError

from coprod import i18n
from coprod.db import db, utcnow
from coprod.extensions import csrf
from coprod.i18n import _
from coprod.services import home as home_service
from coprod.services import profile
from coprod.services.capacity import matching
from coprod.web.helpers import public, safe_next, viewer

bp = Blueprint("main", __name__)


@dataclass(frozen=True)
class PrivacyNotice:
    """The figures the privacy notice states, from the settings the retention job applies."""

    version: str
    email_days: int
    audit_detail_days: int
    inactive_years: int


@bp.route("/")
@public
def index() -> ResponseReturnValue:
    actor = viewer()
    if actor is None:
        return render_template("main/index.html")
    session, now = db.session(), utcnow()
    return render_template(
        "main/home.html",
        home=home_service.home(session, actor, now),
        fit=matching.home_suggestions(session, actor, now=now),
    )


@bp.route("/privacy")
@public
def privacy() -> ResponseReturnValue:
    """The privacy notice: what is kept, why, for how long (the retention settings) and who
    sees it; registering accepts this version of it."""
    config = current_app.config
    notice = PrivacyNotice(
        version=config["PRIVACY_NOTICE_VERSION"],
        email_days=config["RETENTION_EMAIL_DAYS"],
        audit_detail_days=config["RETENTION_AUDIT_DETAIL_DAYS"],
        inactive_years=config["RETENTION_INACTIVE_YEARS"],
    )
    return render_template("main/privacy.html", notice=notice)


@bp.route("/favicon.ico")
@public
def favicon() -> ResponseReturnValue:
    """Browsers fetch this path on their own, whatever the page links to."""
    assert current_app.static_folder is not None
    return send_from_directory(current_app.static_folder, "favicon.ico", max_age=7 * 24 * 3600)


@bp.route("/language", methods=["POST"])
@public
@csrf.exempt
def language() -> ResponseReturnValue:
    """The language switcher at the foot of every page (a form: no JavaScript needed). A
    visitor's choice is kept in a cookie; a signed-in person's goes into their profile too.

    A visitor's form carries no CSRF token: a token would put a session cookie on every
    public page, which could then no longer be shared (coprod/cache.py), and a forged switch
    changes nothing but a cookie. A signed-in person's form carries one, checked here before
    their profile changes."""
    back = safe_next(request.form.get("next"), url_for("main.index"))
    if viewer() is not None and current_app.config.get("WTF_CSRF_ENABLED", True):
        try:
            validate_csrf(request.form.get("csrf_token"))
        except ValidationError as err:  # the same "Form expired" page as any other form
            raise CSRFError(str(err)) from None
    code = i18n.known_language(request.form.get("language"))
    if code is None:
        flash(_("Choose one of the languages offered."), "error")
        return redirect(back, code=303)
    actor = viewer()
    if actor is not None and actor.language != code:
        profile.update_profile(
            db.session(),
            actor,
            language=code,
            secret=current_app.config["SECRET_KEY"],
            now=utcnow(),
        )
        db.session.commit()
    refresh()  # the message below is in the language just chosen
    flash(_("Pages are now in %(language)s.", language=i18n.language_name(code)), "success")
    response = redirect(back, code=303)
    response.set_cookie(
        i18n.COOKIE,
        code,
        max_age=i18n.COOKIE_MAX_AGE,
        secure=request.is_secure,
        httponly=True,
        samesite="Lax",
    )
    return response
