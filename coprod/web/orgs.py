"""Organisations: mine, create, the public page with its members, verification."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice

from coprod import policy
from coprod.db import db, utcnow
from coprod.i18n import _, _l
from coprod.models import Organisation, OrgKind, Role, User
from coprod.services import localtime, organisations
from coprod.web.forms import ButtonForm, SelectField
from coprod.web.helpers import (
    commit,
    form_status,
    page_args,
    public,
    run_service,
    safe_next,
    signed_in,
    viewer,
    window_args,
)

bp = Blueprint("orgs", __name__, url_prefix="/orgs")

KIND_CHOICES = [
    SelectChoice("", _l("Choose…")),
    SelectChoice(OrgKind.AGENCY.value, _l("Government agency")),
    SelectChoice(OrgKind.NONPROFIT.value, _l("Nonprofit")),
    SelectChoice(OrgKind.COMMUNITY.value, _l("Community group")),
    SelectChoice(OrgKind.BUSINESS.value, _l("Business")),
]
ROLE_CHOICES = [
    SelectChoice(Role.MEMBER.value, _l("Member")),
    SelectChoice(Role.COORDINATOR.value, _l("Coordinator")),
    SelectChoice(Role.STAFF.value, _l("Staff")),
    SelectChoice(Role.REVIEWER.value, _l("Reviewer")),
    SelectChoice(Role.ADMIN.value, _l("Admin")),
]
ROLE_HINTS = {
    "member": _l("belongs to the organisation"),
    "coordinator": _l("runs rosters, logs for the organisation, reads the member list"),
    "staff": _l("creates programmes and tasks (agencies)"),
    "reviewer": _l("reviews contribution logs (agencies)"),
    "admin": _l("manages members; holds every role"),
}


@bp.context_processor
def _labels() -> dict[str, object]:
    """Roles and kinds of organisation in words, for the organisation pages (task statuses:
    the tasks views' task_status_label)."""
    return {
        "role_labels": organisations.role_labels,
        "kind_label": organisations.kind_label,
    }


def zone_choices(blank: str | None = None) -> list[SelectChoice]:
    """Every IANA zone name for a select (the service checks the value: a select offers
    choices, the rule lives in coprod/services/localtime.py)."""
    first = [SelectChoice("", blank)] if blank else []
    return first + [SelectChoice(name, name.replace("_", " ")) for name in localtime.zone_names()]


class TimeZoneForm(FlaskForm):
    timezone = SelectField(_l("Time zone"), validate_choice=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.timezone.choices = zone_choices()
        if not self.timezone.data:
            self.timezone.data = localtime.default_zone_name()


class OrgForm(TimeZoneForm):
    name = StringField(_l("Name"))
    kind = SelectField(_l("Kind of organisation"), choices=KIND_CHOICES, validate_choice=False)
    description = TextAreaField(_l("Description"))


class RolesForm(FlaskForm):
    roles = SelectMultipleField(_l("Roles"), choices=ROLE_CHOICES, validate_choice=False)


class MemberForm(RolesForm):
    email = EmailField(_l("Email address of their coprod account"))


class RemoveForm(FlaskForm):
    confirm = BooleanField(_l("Yes, remove this person from the organisation"))


def _me() -> User:
    return signed_in()


def _org(org_id: int) -> Organisation:
    return organisations.get_organisation(db.session(), viewer(), org_id)


@bp.route("")
def mine() -> ResponseReturnValue:
    page, per_page = page_args()
    result = organisations.list_my_organisations(db.session(), _me(), page, per_page)
    my_roles = {org.id: _my_roles(org) for org in result.items}
    return render_template("orgs/mine.html", page=result, my_roles=my_roles)


def _my_roles(org: Organisation) -> list[str]:
    held = {m.role for m in current_user.memberships if m.organisation_id == org.id}
    return [r.value for r in organisations.ROLE_ORDER if r in held]


@bp.route("/new", methods=["GET", "POST"])
def new() -> ResponseReturnValue:
    form = OrgForm()
    if form.validate_on_submit():
        org = run_service(
            form,
            lambda: organisations.create_organisation(
                db.session(),
                _me(),
                form.name.data or "",
                form.kind.data or "",
                form.description.data or "",
                form.timezone.data or "",
            ),
        )
        if org is not None:
            if org.kind == OrgKind.AGENCY:
                message = _(
                    "%(name)s is created and you are its admin. A site admin must verify it"
                    " before it can lead programmes.",
                    name=org.name,
                )
            else:
                message = _("%(name)s is created and you are its admin.", name=org.name)
            flash(message, "success")
            return redirect(url_for("orgs.show", org_id=org.id), code=303)
    return render_template("orgs/new.html", form=form), form_status(form)


def _render_show(
    org: Organisation, member_form: MemberForm, status: int = 200
) -> ResponseReturnValue:
    members = None
    if policy.can(viewer(), "org.view_members", org):  # the section is shown to them only
        members = organisations.list_members(db.session(), viewer(), org, **window_args())
    return render_template(
        "orgs/show.html",
        org=org,
        work=organisations.organisation_work(db.session(), viewer(), org),
        members=members,
        member_form=member_form,
        role_hints=ROLE_HINTS,
        button=ButtonForm(),
    ), status


@bp.route("/<int:org_id>")
@public
def show(org_id: int) -> ResponseReturnValue:
    return _render_show(_org(org_id), MemberForm(formdata=None))


@bp.route("/<int:org_id>/timezone", methods=["GET", "POST"])
def timezone(org_id: int) -> ResponseReturnValue:
    org = _org(org_id)
    policy.require(_me(), "org.manage", org)
    form = TimeZoneForm(obj=org)
    if form.validate_on_submit():
        done = run_service(
            form,
            lambda: organisations.set_organisation_timezone(
                db.session(), _me(), org, form.timezone.data
            ),
        )
        if done is not None:
            flash(
                _("%(name)s's time zone is now %(zone)s.", name=org.name, zone=org.timezone),
                "success",
            )
            return redirect(url_for("orgs.show", org_id=org.id), code=303)
    return render_template("orgs/timezone.html", form=form, org=org), form_status(form)


@bp.route("/<int:org_id>/verify", methods=["POST"])
def verify(org_id: int) -> ResponseReturnValue:
    org = _org(org_id)
    organisations.verify_organisation(db.session(), _me(), org, utcnow())
    commit()
    flash(_("%(name)s is verified.", name=org.name), "success")
    back = safe_next(request.form.get("next"), url_for("orgs.show", org_id=org.id))
    return redirect(back, code=303)


@bp.route("/<int:org_id>/members", methods=["POST"])
def add_member(org_id: int) -> ResponseReturnValue:
    org = _org(org_id)
    form = MemberForm()
    if form.validate_on_submit():
        user = run_service(
            form,
            lambda: organisations.add_member(
                db.session(), _me(), org, form.email.data or "", form.roles.data or []
            ),
        )
        if user is not None:
            flash(
                _(
                    "%(person)s is now a member of %(name)s.",
                    person=user.display_name,
                    name=org.name,
                ),
                "success",
            )
            return redirect(url_for("orgs.show", org_id=org.id, _anchor="members"), code=303)
    return _render_show(org, form, form_status(form) if form.is_submitted() else 200)


@bp.route("/<int:org_id>/members/<int:user_id>/roles", methods=["GET", "POST"])
def edit_roles(org_id: int, user_id: int) -> ResponseReturnValue:
    org = _org(org_id)
    member = organisations.get_member(db.session(), _me(), org, user_id, "org.manage")
    form = RolesForm(data={"roles": [r.value for r in member.roles]})
    if form.validate_on_submit():
        done = run_service(
            form,
            lambda: organisations.set_roles(
                db.session(), _me(), org, member.user, form.roles.data or []
            ),
        )
        if done is not None:
            flash(
                _("%(person)s's roles are changed.", person=member.user.display_name),
                "success",
            )
            return redirect(url_for("orgs.show", org_id=org.id, _anchor="members"), code=303)
    return render_template(
        "orgs/roles.html", org=org, member=member, form=form, role_hints=ROLE_HINTS
    ), form_status(form)


@bp.route("/<int:org_id>/members/<int:user_id>/remove", methods=["GET", "POST"])
def remove_member(org_id: int, user_id: int) -> ResponseReturnValue:
    org = _org(org_id)
    member = organisations.get_member(db.session(), _me(), org, user_id, "org.manage")
    form = RemoveForm()
    if form.validate_on_submit():
        if not form.confirm.data:
            form.confirm.errors = [_("Tick the box to confirm, or go back to keep them.")]
        else:
            done = run_service(
                form,
                lambda: organisations.remove_member(db.session(), _me(), org, member.user),
            )
            if done is not None:
                flash(
                    _(
                        "%(person)s is removed from %(name)s.",
                        person=member.user.display_name,
                        name=org.name,
                    ),
                    "success",
                )
                return redirect(url_for("orgs.show", org_id=org.id, _anchor="members"), code=303)
    return render_template("orgs/remove.html", org=org, member=member, form=form), form_status(form)
