"""A partner's commitments as figures: the page listing them against what it delivered this
period and to date, the lead staff's form to add one and the confirmation to remove one."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, StringField
from wtforms.fields.choices import SelectChoice

from coprod.db import db, utcnow
from coprod.i18n import _, _l
from coprod.models import Partner, User
from coprod.services import partners, programmes
from coprod.services.governance import commitments
from coprod.services.reports.exports import COMMITMENT_KINDS, STATUS_WORDS
from coprod.web.forms import SelectField
from coprod.web.helpers import form_status, run_service, signed_in

bp = Blueprint("commitments", __name__, url_prefix="/programmes")

KIND_CHOICES = [
    SelectChoice("hours", _l("Volunteer hours per period")),
    SelectChoice("in_kind", _l("In-kind value per period")),
    SelectChoice("outcome", _l("A quantity of a shared objective by a date")),
]
PERIOD_CHOICES = [
    SelectChoice("week", _l("a week")),
    SelectChoice("month", _l("a month")),
    SelectChoice("quarter", _l("a quarter")),
]


@bp.app_template_global("commitment_status_word")
def status_word(status: str) -> str:
    """A figure's flag in words (a flag is never a colour alone)."""
    return str(STATUS_WORDS[status])


@bp.app_template_global("commitment_kind_word")
def kind_word(kind: str) -> str:
    return str(COMMITMENT_KINDS[kind])


class CommitmentForm(FlaskForm):
    kind = RadioField(
        _l("What the partner commits to"), choices=KIND_CHOICES, validate_choice=False
    )
    amount = StringField(_l("Amount"))
    period = SelectField(_l("Per"), choices=PERIOD_CHOICES, validate_choice=False, default="month")
    metric_id = SelectField(_l("Shared objective"), validate_choice=False)
    due_on = StringField(_l("Due date"))
    starts_on = StringField(_l("Counted from"))


class RemoveForm(FlaskForm):
    confirm = BooleanField(_l("Yes, remove this figure"))


def _me() -> User:
    return signed_in()


def _partner(programme_id: int, partner_id: int) -> Partner:
    programme = programmes.get_programme(db.session(), _me(), programme_id)
    return partners.get_partner(db.session(), programme, partner_id)


def _form(partner: Partner) -> CommitmentForm:
    form = CommitmentForm()
    form.metric_id.choices = [
        SelectChoice(str(m.id), f"{m.name} ({m.unit})") for m in partner.programme.metrics
    ]
    return form


def _page(partner: Partner, form: CommitmentForm) -> str:
    result = commitments.partner_figures(db.session(), _me(), partner, now=utcnow())
    return render_template("commitments/show.html", page=result, form=form)


@bp.route("/<int:programme_id>/partners/<int:partner_id>/commitments", methods=["GET", "POST"])
def show(programme_id: int, partner_id: int) -> ResponseReturnValue:
    partner = _partner(programme_id, partner_id)
    form = _form(partner)
    if form.validate_on_submit():
        added = run_service(
            form,
            lambda: commitments.add_commitment(
                db.session(),
                _me(),
                partner,
                kind=form.kind.data,
                amount=form.amount.data,
                period=form.period.data,
                metric_id=form.metric_id.data,
                due_on=form.due_on.data,
                starts_on=form.starts_on.data,
                now=utcnow(),
            ),
        )
        if added is not None:
            flash(_("The figure is added."), "success")
            target = url_for("commitments.show", programme_id=programme_id, partner_id=partner_id)
            return redirect(target, code=303)
    return _page(partner, form), form_status(form)


@bp.route(
    "/<int:programme_id>/partners/<int:partner_id>/commitments/<int:commitment_id>/remove",
    methods=["GET", "POST"],
)
def remove(programme_id: int, partner_id: int, commitment_id: int) -> ResponseReturnValue:
    programme = programmes.get_programme_to_manage(db.session(), _me(), programme_id)
    partner = partners.get_partner(db.session(), programme, partner_id)
    commitments.get_commitment(partner, commitment_id)  # NotFound for another partner's
    result = commitments.partner_figures(db.session(), _me(), partner, now=utcnow())
    standing = next(s for s in result.standings if s.doc["id"] == commitment_id)
    form = RemoveForm()
    if form.validate_on_submit():
        if not form.confirm.data:
            form.confirm.errors = [_("Tick the box to confirm, or go back to keep the figure.")]
        elif run_service(
            form,
            lambda: commitments.remove_commitment(
                db.session(), _me(), partner, commitment_id, now=utcnow()
            ),
        ):
            flash(_("The figure is removed."), "success")
            target = url_for("commitments.show", programme_id=programme_id, partner_id=partner_id)
            return redirect(target, code=303)
    return render_template(
        "commitments/remove.html", form=form, page=result, standing=standing
    ), form_status(form)
