"""The home page (what needs the signed-in person, or the public welcome), and the icon
browsers ask for at /favicon.ico."""

from __future__ import annotations

from typing import Any

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
from flask_babel import refresh

from coprod import i18n
from coprod.db import db, utcnow
from coprod.i18n import _
from coprod.services import home as home_service
from coprod.services import profile
from coprod.web.helpers import public, safe_next, viewer

bp = Blueprint("main", __name__)


@bp.route("/")
@public
def index() -> Any:
    actor = viewer()
    if actor is None:
        return render_template("main/index.html")
    return render_template("main/home.html", home=home_service.home(db.session(), actor, utcnow()))


@bp.route("/favicon.ico")
@public
def favicon() -> Any:
    """Browsers fetch this path on their own, whatever the page links to."""
    assert current_app.static_folder is not None
    return send_from_directory(current_app.static_folder, "favicon.ico", max_age=7 * 24 * 3600)


@bp.route("/language", methods=["POST"])
@public
def language() -> Any:
    """The language switcher at the foot of every page (a form: no JavaScript needed). A
    visitor's choice is kept in a cookie; a signed-in person's goes into their profile too."""
    back = safe_next(request.form.get("next"), url_for("main.index"))
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
