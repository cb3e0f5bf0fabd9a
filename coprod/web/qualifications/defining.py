"""An organisation's qualifications: its list, and defining, editing and archiving one."""

from __future__ import annotations

from typing import TypedDict

from flask import flash, render_template, request
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField

from coprod import policy
from coprod.db import db, utcnow
from coprod.i18n import _, _l
from coprod.models import Organisation, Verifier
from coprod.services import organisations
from coprod.services.capacity import qualifications as quals
from coprod.web.forms import ButtonForm, SelectField
from coprod.web.helpers import commit, form_status, page_args, public, run_service, viewer
from coprod.web.qualifications import bp
from coprod.web.qualifications._common import _me, _qualification, _to_show


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


def _org(org_id: int) -> Organisation:
    return organisations.get_organisation(db.session(), viewer(), org_id)


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
