"""Qualifications: an organisation's list and the forms to define, edit and archive them; a
qualification's public page with, for its verifiers, the holders, the award form and revoking;
and the person's own qualifications and skills (/my/qualifications)."""

from __future__ import annotations

from typing import TypedDict

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.fields import DateField

from coprod import policy
from coprod.db import db, utcnow
from coprod.i18n import _, _l, ngettext
from coprod.models import Organisation, Qualification, User, Verifier
from coprod.services import organisations
from coprod.services.capacity import how_to_get
from coprod.services.capacity import qualifications as quals
from coprod.services.localtime import format_day
from coprod.web.forms import ButtonForm
from coprod.web.helpers import commit, form_status, page_args, public, run_service, viewer

bp = Blueprint("qualifications", __name__)


@bp.app_context_processor
def _helpers() -> dict[str, object]:
    """An award's state and a qualification's validity in words, for every template."""
    return {
        "award_state_label": quals.state_label,
        "validity_text": validity_text,
        "qualification_how_to_get": how_to_get,
    }


def validity_text(qualification: Qualification) -> str:
    months = qualification.validity_months
    if months is None:
        return _("Does not expire")
    if months % 12 == 0:
        return ngettext("%(num)d year", "%(num)d years", months // 12)
    return ngettext("%(num)d month", "%(num)d months", months)


class QualificationForm(FlaskForm):
    name = StringField(_l("Name"))
    description = TextAreaField(_l("What it is"))
    how_to_get = TextAreaField(_l("How to get it"))
    validity_months = StringField(_l("Valid for (months)"))
    verifier = SelectField(_l("Who verifies it"), validate_choice=False)
    programme_id = SelectField(_l("Programme whose lead agency verifies it"), validate_choice=False)

    def __init__(self, org: Organisation, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.verifier.choices = [
            (v.value, str(label)) for v, label in quals.VERIFIER_LABELS.items()
        ]
        self.programme_id.choices = [("", _("None"))] + [
            (str(p.id), p.name) for p in quals.programmes_for(db.session(), org)
        ]


class AwardForm(FlaskForm):
    email = StringField(_l("Email address of the person"))
    awarded_on = DateField(_l("Awarded on"))
    evidence = TextAreaField(_l("Evidence (optional)"))


class MyProfileForm(FlaskForm):
    skills = StringField(_l("Your skills"))
    open_to_invitations = BooleanField(
        _l("Coordinators may invite me to understaffed shifts I qualify for")
    )


def _me() -> User:
    actor = viewer()
    assert actor is not None  # the login gate
    return actor


def _org(org_id: int) -> Organisation:
    return organisations.get_organisation(db.session(), viewer(), org_id)


def _qualification(qualification_id: int) -> Qualification:
    return quals.get_qualification(db.session(), viewer(), qualification_id)


def _to_show(qualification: Qualification) -> ResponseReturnValue:
    return redirect(url_for("qualifications.show", qualification_id=qualification.id), code=303)


class QualificationValues(TypedDict):
    """What the qualification form holds, as define/update_qualification take it."""

    name: str
    description: str
    how_to_get: str
    validity_months: str
    verifier: str
    programme_id: str | None


def _values(form: QualificationForm) -> QualificationValues:
    return {
        "name": form.name.data or "",
        "description": form.description.data or "",
        "how_to_get": form.how_to_get.data or "",
        "validity_months": form.validity_months.data or "",
        "verifier": form.verifier.data or Verifier.COORDINATORS.value,
        "programme_id": form.programme_id.data or None,
    }


@bp.route("/orgs/<int:org_id>/qualifications")
@public
def index(org_id: int) -> ResponseReturnValue:
    session, actor = db.session(), viewer()
    org = _org(org_id)
    archived = request.args.get("archived") == "1" and policy.can(
        actor, "org.manage_qualifications", org
    )
    page_no, per_page = page_args()
    page = quals.list_qualifications(
        session, actor, org, archived=archived, page=page_no, per_page=per_page
    )
    return render_template(
        "qualifications/index.html", org=org, page=page, archived=archived, button=ButtonForm()
    )


@bp.route("/orgs/<int:org_id>/qualifications/new", methods=["GET", "POST"])
def new(org_id: int) -> ResponseReturnValue:
    session, actor = db.session(), _me()
    org = _org(org_id)
    policy.require(actor, "org.manage_qualifications", org)
    form = QualificationForm(org)
    if form.validate_on_submit():
        made = run_service(
            form,
            lambda: quals.define_qualification(session, actor, org, now=utcnow(), **_values(form)),
        )
        if made is not None:
            flash(_("“%(name)s” is defined.", name=made.name), "success")
            return _to_show(made)
    return render_template(
        "qualifications/form.html", form=form, org=org, qualification=None
    ), form_status(form)


@bp.route("/qualifications/<int:qualification_id>/edit", methods=["GET", "POST"])
def edit(qualification_id: int) -> ResponseReturnValue:
    session, actor = db.session(), _me()
    qualification = _qualification(qualification_id)
    org = qualification.organisation
    policy.require(actor, "org.manage_qualifications", org)
    form = QualificationForm(org, obj=qualification)
    if request.method == "GET":
        form.validity_months.data = str(qualification.validity_months or "")
        form.verifier.data = qualification.verifier.value
        form.programme_id.data = str(qualification.programme_id or "")
    if form.validate_on_submit():
        done = run_service(
            form,
            lambda: quals.update_qualification(
                session, actor, qualification, now=utcnow(), **_values(form)
            ),
        )
        if done is not None:
            flash(_("“%(name)s” is saved.", name=done.name), "success")
            return _to_show(done)
    return render_template(
        "qualifications/form.html", form=form, org=org, qualification=qualification
    ), form_status(form)


@bp.route("/qualifications/<int:qualification_id>/archive", methods=["POST"])
def archive(qualification_id: int) -> ResponseReturnValue:
    """Archive (archived=yes) or bring back (anything else) a qualification."""
    session, actor = db.session(), _me()
    qualification = _qualification(qualification_id)
    if ButtonForm().validate_on_submit():
        archived = request.form.get("archived") == "yes"
        quals.set_archived(session, actor, qualification, archived, now=utcnow())
        commit()
        if archived:
            flash(
                _(
                    "“%(name)s” is archived: it is no longer offered for tasks or awards. "
                    "Awards already made stay.",
                    name=qualification.name,
                ),
                "success",
            )
        else:
            flash(_("“%(name)s” is offered again.", name=qualification.name), "success")
    return _to_show(qualification)


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


__all__ = ["bp"]
