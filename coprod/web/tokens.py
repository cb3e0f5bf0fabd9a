"""API tokens on the account page: list, create (the secret shown once), revoke with a
confirmation step."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import StringField

from coprod.db import db, utcnow
from coprod.i18n import _, _l
from coprod.services import tokens
from coprod.services.pagination import clamp
from coprod.web.forms import ButtonForm
from coprod.web.helpers import commit, run_service

bp = Blueprint("tokens", __name__)


class TokenForm(FlaskForm):
    name = StringField(_l("Token name"))


def _page(form: TokenForm, secret: str | None = None, status: int = 200) -> tuple[str, int]:
    number, per_page = clamp(request.args.get("page"), 20)
    page = tokens.list_tokens(db.session(), current_user, number, per_page)
    body = render_template("auth/tokens.html", form=form, page=page, secret=secret, confirm=None)
    return body, status


@bp.route("/account/tokens")
def index() -> ResponseReturnValue:
    return _page(TokenForm())


@bp.route("/account/tokens", methods=["POST"])
def create() -> ResponseReturnValue:
    form = TokenForm()
    created = None
    if form.validate_on_submit():
        created = run_service(
            form, lambda: tokens.create_token(db.session(), current_user, form.name.data or "")
        )
    if created is None:
        return _page(form, status=422)
    # The secret is shown on this one page and never again: not redirected (it would have to
    # travel in the session cookie), and the page is not cached.
    body, status = _page(TokenForm(formdata=None), secret=created[1])
    return body, status, {"Cache-Control": "no-store"}


@bp.route("/account/tokens/<int:token_id>/revoke", methods=["GET", "POST"])
def revoke(token_id: int) -> ResponseReturnValue:
    session = db.session()
    token = tokens.get_token(session, current_user, token_id)
    form = ButtonForm()
    if form.validate_on_submit():
        tokens.revoke_token(session, current_user, token, utcnow())
        commit()
        flash(_("The token “%(name)s” is revoked: it no longer works.", name=token.name), "success")
        return redirect(url_for("tokens.index"), code=303)
    return render_template("auth/tokens.html", confirm=token, form=form, page=None, secret=None)
