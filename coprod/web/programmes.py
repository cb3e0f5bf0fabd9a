"""Programmes: the public list and page, creating and editing, partners and metrics."""

from __future__ import annotations

from typing import TypedDict

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from coprod.db import db
from coprod.errors import NotAllowed
from coprod.i18n import _, _l
from coprod.models import Programme, User
from coprod.services import money, organisations, partners, programmes
from coprod.web.forms import SelectField
from coprod.web.helpers import form_status, page_args, public, run_service, signed_in, viewer
from coprod.web.orgs import zone_choices

bp = Blueprint("programmes", __name__, url_prefix="/programmes")

DATE_HINT = _l("For example 2026-09-30.")


@bp.app_context_processor
def _labels() -> dict[str, object]:
    """An organisation's kind in words (the task status's words come from the tasks views)."""
    return {"org_kind_label": organisations.kind_label}


class SearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("Search programmes"))


class ProgrammeValues(TypedDict):
    """The programme form's values, as create_programme and update_programme take them (the
    services clean each: a blank or missing text is the same to them)."""

    name: str
    description: str
    starts_on: str | None
    ends_on: str | None
    is_pilot: bool
    hypothesis: str | None
    evaluation_starts_on: str | None
    evaluation_ends_on: str | None
    hourly_rate: str | None
    currency: str | None
    timezone: str | None
    letter_signatory: str | None
    accepts_proposals: bool


class ProgrammeForm(FlaskForm):
    name = StringField(_l("Name"))
    description = TextAreaField(_l("Description"))
    starts_on = StringField(_l("Start date"))
    ends_on = StringField(_l("End date"))
    hourly_rate = StringField(_l("Value of one volunteered hour"))
    currency = SelectField(_l("Currency"), validate_choice=False)
    is_pilot = BooleanField(_l("This programme is a pilot"))
    hypothesis = TextAreaField(_l("Hypothesis"))
    evaluation_starts_on = StringField(_l("Evaluation starts"))
    evaluation_ends_on = StringField(_l("Evaluation ends"))
    timezone = SelectField(_l("Time zone"), validate_choice=False)
    letter_signatory = StringField(_l("Signature line on service letters"))
    accepts_proposals = BooleanField(_l("Residents may propose tasks for this programme"))

    def __init__(self, *args: object, lead_zone: str | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        lead = (
            _("The lead agency's time zone (%(zone)s)", zone=lead_zone)
            if lead_zone
            else _("The lead agency's time zone")
        )
        self.timezone.choices = zone_choices(lead)
        self.currency.choices = [SelectChoice(c, label) for c, label in money.currency_choices()]
        if not self.is_submitted() and not self.currency.data:
            self.currency.data = money.default_currency()

    def values(self) -> ProgrammeValues:
        """Every field of coprod.services.programmes.FIELDS, as the services take them."""
        return ProgrammeValues(
            name=self.name.data or "",
            description=self.description.data or "",
            starts_on=self.starts_on.data,
            ends_on=self.ends_on.data,
            is_pilot=self.is_pilot.data,
            hypothesis=self.hypothesis.data,
            evaluation_starts_on=self.evaluation_starts_on.data,
            evaluation_ends_on=self.evaluation_ends_on.data,
            hourly_rate=self.hourly_rate.data,
            currency=self.currency.data,
            timezone=self.timezone.data,
            letter_signatory=self.letter_signatory.data,
            accepts_proposals=self.accepts_proposals.data,
        )


class NewProgrammeForm(ProgrammeForm):
    org = SelectField(_l("Lead agency"), coerce=int, validate_choice=False)


class PartnerForm(FlaskForm):
    organisation = StringField(_l("Organisation name"))
    role = StringField(_l("Role in the programme"))
    responsibilities = TextAreaField(_l("Responsibilities"))
    commitments = TextAreaField(_l("Commitments"))


class EditPartnerForm(FlaskForm):
    role = StringField(_l("Role in the programme"))
    responsibilities = TextAreaField(_l("Responsibilities"))
    commitments = TextAreaField(_l("Commitments"))


class MetricForm(FlaskForm):
    name = StringField(_l("Outcome"))
    unit = StringField(_l("Unit"))
    target = StringField(_l("Target"))
    target_date = StringField(_l("Target date"))


class RemovePartnerForm(FlaskForm):
    confirm = BooleanField(_l("Yes, remove this partner from the programme"))


def _me() -> User:
    return signed_in()


def _programme(programme_id: int) -> Programme:
    return programmes.get_programme(db.session(), viewer(), programme_id)


def _managed(programme_id: int) -> Programme:
    return programmes.get_programme_to_manage(db.session(), _me(), programme_id)


def _to_show(programme: Programme, anchor: str | None = None) -> ResponseReturnValue:
    target = url_for("programmes.show", programme_id=programme.id, _anchor=anchor)
    return redirect(target, code=303)


@bp.route("")
@public
def index() -> ResponseReturnValue:
    form = SearchForm(request.args)
    page, per_page = page_args()
    result = programmes.list_programmes(db.session(), viewer(), form.q.data, page, per_page)
    return render_template("programmes/index.html", page=result, form=form)


@bp.route("/<int:programme_id>")
@public
def show(programme_id: int) -> ResponseReturnValue:
    return render_template("programmes/show.html", programme=_programme(programme_id))


@bp.route("/new", methods=["GET", "POST"])
def new() -> ResponseReturnValue:
    agencies = organisations.staff_agencies(db.session(), _me())
    if not agencies:
        raise NotAllowed(
            _(
                "Only staff of a verified agency can create programmes. "
                "Ask your agency's admin to give you the staff role."
            )
        )
    form = NewProgrammeForm()
    form.org.choices = [SelectChoice(str(a.id), a.name) for a in agencies]
    if not form.is_submitted():
        form.org.data = request.args.get("org", type=int)
    if form.validate_on_submit():
        lead = organisations.get_organisation(db.session(), _me(), form.org.data or 0)
        created = run_service(
            form,
            lambda: programmes.create_programme(db.session(), _me(), lead, **form.values()),
        )
        if created is not None:
            flash(
                _("%(name)s is created. Add its partners and objectives.", name=created.name),
                "success",
            )
            return _to_show(created)
    return render_template("programmes/new.html", form=form), form_status(form)


@bp.route("/<int:programme_id>/edit", methods=["GET", "POST"])
def edit(programme_id: int) -> ResponseReturnValue:
    programme = _managed(programme_id)
    form = ProgrammeForm(obj=programme, lead_zone=programme.lead_organisation.timezone)
    if form.validate_on_submit():
        done = run_service(
            form,
            lambda: programmes.update_programme(db.session(), _me(), programme, **form.values()),
        )
        if done is not None:
            flash(_("The programme is saved."), "success")
            return _to_show(programme)
    return render_template("programmes/edit.html", form=form, programme=programme), form_status(
        form
    )


@bp.route("/<int:programme_id>/partners/new", methods=["GET", "POST"])
def add_partner(programme_id: int) -> ResponseReturnValue:
    programme = _managed(programme_id)
    form = PartnerForm(data={"organisation": request.args.get("name", "")})
    if form.validate_on_submit():
        session = db.session()
        partner = run_service(
            form,
            lambda: partners.add_partner(
                session,
                _me(),
                programme,
                partners.find_organisation(session, form.organisation.data or ""),
                form.role.data or "",
                form.commitments.data or "",
                responsibilities=form.responsibilities.data or "",
            ),
        )
        if partner is not None:
            flash(_("%(name)s is now a partner.", name=partner.organisation.name), "success")
            return _to_show(programme, "partners")
    return render_template(
        "programmes/partner_form.html", form=form, programme=programme
    ), form_status(form)


@bp.route("/<int:programme_id>/partners/<int:partner_id>/edit", methods=["GET", "POST"])
def edit_partner(programme_id: int, partner_id: int) -> ResponseReturnValue:
    programme = _managed(programme_id)
    partner = partners.get_partner(db.session(), programme, partner_id)
    form = EditPartnerForm(obj=partner)
    if form.validate_on_submit():
        done = run_service(
            form,
            lambda: partners.edit_partner(
                db.session(),
                _me(),
                partner,
                role=form.role.data,
                responsibilities=form.responsibilities.data,
                commitments=form.commitments.data,
            ),
        )
        if done is not None:
            flash(_("%(name)s's terms are saved.", name=partner.organisation.name), "success")
            return _to_show(programme, "partners")
    return render_template(
        "programmes/edit_partner.html", form=form, programme=programme, partner=partner
    ), form_status(form)


@bp.route("/<int:programme_id>/partners/<int:partner_id>/remove", methods=["GET", "POST"])
def remove_partner(programme_id: int, partner_id: int) -> ResponseReturnValue:
    programme = _managed(programme_id)
    partner = partners.get_partner(db.session(), programme, partner_id)
    name = partner.organisation.name
    form = RemovePartnerForm()
    if form.validate_on_submit():
        if not form.confirm.data:
            form.confirm.errors = [_("Tick the box to confirm, or go back to keep the partner.")]
        elif run_service(form, lambda: partners.remove_partner(db.session(), _me(), partner)):
            flash(_("%(name)s is no longer a partner.", name=name), "success")
            return _to_show(programme, "partners")
    return render_template(
        "programmes/remove_partner.html", form=form, programme=programme, partner=partner
    ), form_status(form)


@bp.route("/<int:programme_id>/metrics/new", methods=["GET", "POST"])
def add_metric(programme_id: int) -> ResponseReturnValue:
    programme = _managed(programme_id)
    form = MetricForm()
    if form.validate_on_submit():
        metric = run_service(
            form,
            lambda: programmes.add_metric(
                db.session(),
                _me(),
                programme,
                form.name.data or "",
                form.unit.data or "",
                form.target.data,
                form.target_date.data,
            ),
        )
        if metric is not None:
            flash(_("The objective “%(name)s” is added.", name=metric.name), "success")
            return _to_show(programme, "objectives")
    return render_template(
        "programmes/metric_form.html", form=form, programme=programme
    ), form_status(form)
