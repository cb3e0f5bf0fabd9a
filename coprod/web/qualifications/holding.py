"""Holding qualifications: a qualification's page and its awards; my qualifications and skills.

For its verifiers, the page lists the holders and has the award form; an award is revoked
after a page that asks to confirm.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.fields import DateField

from coprod import policy
from coprod.db import db, utcnow
from coprod.i18n import _, _l
from coprod.models import Qualification
from coprod.services.capacity import qualifications as quals
from coprod.services.localtime import format_day
from coprod.web.forms import ButtonForm
from coprod.web.helpers import form_status, page_args, public, run_service, viewer
from coprod.web.qualifications import bp
from coprod.web.qualifications._common import _me, _qualification, _to_show


class AwardForm(FlaskForm):
    email = StringField(_l("Email address of the person"))
    awarded_on = DateField(_l("Awarded on"))
    evidence = TextAreaField(_l("Evidence (optional)"))


class MyProfileForm(FlaskForm):
    skills = StringField(_l("Your skills"))
    open_to_invitations = BooleanField(
        _l("Coordinators may invite me to understaffed shifts I qualify for")
    )


def _show(qualification: Qualification, award_form: AwardForm | None = None) -> str:
    session, actor = db.session(), viewer()
    holders = None
    if policy.can(actor, "qualification.verify", qualification):
        page_no, per_page = page_args()
        holders = quals.list_holders(
            session, actor, qualification, now=utcnow(), page=page_no, per_page=per_page
        )
    today = quals.org_today(qualification.organisation, utcnow())
    return render_template(
        "qualifications/show.html",
        qualification=qualification,
        trainings=quals.training_tasks(session, actor, qualification, now=utcnow()),
        holders=holders,
        award_form=award_form or AwardForm(formdata=None, awarded_on=today),
        button=ButtonForm(),
        format_day=format_day,
    )


@bp.route("/qualifications/<int:qualification_id>")
@public
def show(qualification_id: int) -> ResponseReturnValue:
    return _show(_qualification(qualification_id))


@bp.route("/qualifications/<int:qualification_id>/awards", methods=["POST"])
def award(qualification_id: int) -> ResponseReturnValue:
    session, actor = db.session(), _me()
    qualification = _qualification(qualification_id)
    policy.require(actor, "qualification.verify", qualification)
    form = AwardForm()
    if form.validate_on_submit():
        made = run_service(
            form,
            lambda: quals.award(
                session,
                actor,
                qualification,
                email=form.email.data or "",
                awarded_on=form.awarded_on.data,
                evidence=form.evidence.data or "",
                now=utcnow(),
            ),
        )
        if made is not None:
            flash(
                _(
                    "%(person)s now holds “%(name)s”.",
                    person=made.holder.display_name,
                    name=qualification.name,
                ),
                "success",
            )
            return _to_show(qualification)
        qualification = _qualification(qualification_id)
    return _show(qualification, form), 422


@bp.route("/awards/<int:award_id>/revoke", methods=["GET", "POST"])
def revoke(award_id: int) -> ResponseReturnValue:
    """Revoke an award, after a page that asks to confirm."""
    session, actor = db.session(), _me()
    found = quals.get_award(session, actor, award_id)
    policy.require(actor, "award.revoke", found)
    form = ButtonForm()
    if form.validate_on_submit():
        done = run_service(form, lambda: quals.revoke(session, actor, found, now=utcnow()))
        if done is not None:
            flash(
                _(
                    "The award of “%(name)s” to %(person)s is revoked.",
                    name=done.qualification.name,
                    person=done.holder.display_name,
                ),
                "success",
            )
            return _to_show(done.qualification)
        found = quals.get_award(session, actor, award_id)
    return render_template(
        "qualifications/revoke.html", award=found, form=form, format_day=format_day
    ), form_status(form)


@bp.route("/my/qualifications", methods=["GET", "POST"])
def mine() -> ResponseReturnValue:
    session, actor = db.session(), _me()
    form = MyProfileForm()
    if request.method == "GET":
        form.skills.data = ", ".join(quals.my_skills(session, actor))
        form.open_to_invitations.data = actor.open_to_invitations
    if form.validate_on_submit():
        done = run_service(
            form,
            lambda: quals.update_my_profile(
                session,
                actor,
                skills=form.skills.data or "",
                open_to_invitations=bool(form.open_to_invitations.data),
            ),
        )
        if done is not None:
            flash(_("Your skills and choices are saved."), "success")
            return redirect(url_for("qualifications.mine"), code=303)
    return render_template(
        "qualifications/mine.html",
        form=form,
        holdings=quals.my_awards(session, actor, now=utcnow()),
        format_day=format_day,
    ), form_status(form)
