"""Service letters: ask for one, read and print it, download its PDF, revoke it; and the public
/verify/<code> page anyone holding a letter opens to check it is genuine."""

from __future__ import annotations

import segno
from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from wtforms import StringField

from coprod.db import db, utcnow
from coprod.extensions import verify_limits
from coprod.i18n import _, _l, in_language
from coprod.models import ServiceLetter, User
from coprod.services import letter_pdf, letters
from coprod.services.notifications import base_url
from coprod.web.forms import ButtonForm, SelectField
from coprod.web.helpers import commit, form_status, page_args, public, run_service, signed_in

bp = Blueprint("letters", __name__)


@bp.app_context_processor
def _helpers() -> dict[str, object]:
    return {
        "letter_intro": letter_pdf.intro,
        "programme_heading": letter_pdf.programme_heading,
        "letter_task_dates": letter_pdf.task_dates,
        "letter_total": lambda letter: letters.letter_figures(letter)["hours_total"],
    }


class LetterForm(FlaskForm):
    from_date = StringField(_l("First day"))
    to_date = StringField(_l("Last day"))
    programme_id = SelectField(_l("Programme"), validate_choice=False)


def _me() -> User:
    return signed_in()


def verify_url(letter: ServiceLetter) -> str:
    """The absolute address printed on the letter and in its QR code (PUBLIC_BASE_URL)."""
    return f"{base_url()}/verify/{letter.code}"


def _index(form: LetterForm) -> str:
    session = db.session()
    choices = letters.letter_programmes(session, _me())
    form.programme_id.choices = [("", _("All programmes")), *[(str(i), n) for i, n in choices]]
    number, per_page = page_args()
    page = letters.list_letters(session, _me(), number, per_page)
    return render_template("letters/index.html", form=form, page=page, has_hours=bool(choices))


@bp.route("/account/letters")
def index() -> ResponseReturnValue:
    today = utcnow().date()  # this year so far, the letter people ask for most
    form = LetterForm(data={"from_date": f"{today.year}-01-01", "to_date": today.isoformat()})
    return _index(form)


@bp.route("/account/letters", methods=["POST"])
def create() -> ResponseReturnValue:
    form = LetterForm()
    letter = None
    if form.validate_on_submit():
        letter = run_service(
            form,
            lambda: letters.issue_letter(
                db.session(),
                _me(),
                from_date=form.from_date.data,
                to_date=form.to_date.data,
                programme_id=form.programme_id.data or None,
                now=utcnow(),
            ),
        )
    if letter is None:
        return _index(form), 422
    flash(_("Your service letter is ready. Print it or download the PDF."), "success")
    return redirect(url_for("letters.show", letter_id=letter.id), code=303)


@bp.route("/account/letters/<int:letter_id>")
def show(letter_id: int) -> ResponseReturnValue:
    letter = letters.get_letter(db.session(), _me(), letter_id)
    url = verify_url(letter)
    with in_language(letter.language):  # the letter speaks its holder's language
        return render_template(
            "letters/show.html",
            letter=letter,
            figures=letters.letter_figures(letter),
            url=url,
            qr=segno.make(url, error="m").svg_data_uri(scale=4, border=2),
        )


@bp.route("/account/letters/<int:letter_id>/pdf")
def pdf(letter_id: int) -> ResponseReturnValue:
    letter = letters.get_letter(db.session(), _me(), letter_id)
    with in_language(letter.language):
        body = letter_pdf.render_pdf(letter, verify_url(letter))
    name = f"service-letter-{letter.issued_at:%Y-%m-%d}-{letter.id}.pdf"
    return Response(
        body,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.route("/account/letters/<int:letter_id>/revoke", methods=["GET", "POST"])
def revoke(letter_id: int) -> ResponseReturnValue:
    session = db.session()
    letter = letters.get_letter(session, _me(), letter_id)
    form = ButtonForm()
    if form.validate_on_submit():
        letters.revoke_letter(session, _me(), letter, now=utcnow())
        commit()
        flash(_("The letter is revoked: its code now shows “not valid”."), "success")
        return redirect(url_for("letters.index"), code=303)
    return render_template("letters/revoke.html", letter=letter, form=form), form_status(form)


@bp.route("/verify/<code>")
@public
@verify_limits
def verify(code: str) -> ResponseReturnValue:
    result = letters.verify(db.session(), code)
    body = render_template("letters/verify.html", result=result)
    # Not cached by shared caches: a revoked letter must read "not valid" at once.
    headers = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}
    return body, 200 if result.valid else 404, headers
