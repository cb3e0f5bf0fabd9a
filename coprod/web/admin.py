"""Site administration: organisations awaiting verification (verify or decline), all
organisations, the scheduled jobs' last runs, people's accounts, the audit log."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from wtforms import SearchField, TextAreaField
from wtforms.fields.choices import SelectChoice

from coprod import policy
from coprod.db import db, utcnow
from coprod.i18n import _, _l
from coprod.models import User
from coprod.services import (
    account_admin,
    account_deletion,
    audit,
    audit_display,
    job_status,
    organisations,
)
from coprod.web.forms import ButtonForm, SelectField
from coprod.web.helpers import (
    commit,
    form_status,
    page_args,
    run_service,
    signed_in,
    window_args,
)

bp = Blueprint("admin", __name__, url_prefix="/admin")

WAITING_SHOWN = 10
STATUS_CHOICES = [
    SelectChoice("", _l("All organisations")),
    SelectChoice("waiting", _l("Agencies awaiting verification")),
]


# The page of each kind of audit target (coprod.services.audit_display.Target): endpoint and
# the name of its id argument.
TARGET_PAGES = {
    "organisation": ("orgs.show", "org_id"),
    "programme": ("programmes.show", "programme_id"),
    "task": ("tasks.show", "task_id"),
    "roster": ("signups.roster", "shift_id"),
    "log": ("contributions.show", "log_id"),
    "account": ("admin.account", "user_id"),
    "email": ("notifications.outbox_message", "message_id"),
    "proposal": ("proposals.show", "proposal_id"),
    "decision": ("decisions.show", "decision_id"),
}


class OrgFilterForm(FlaskForm):
    class Meta:
        csrf = False

    status = SelectField(_l("Show"), choices=STATUS_CHOICES, validate_choice=False)


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False

    action = SelectField(_l("Action"), validate_choice=False)
    object_type = SelectField(_l("Object type"), validate_choice=False)


class AccountSearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = SearchField(_l("Name or email"))


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reason"))


@bp.context_processor
def _labels() -> dict[str, object]:
    """Roles and kinds of organisation in words, for the admin pages."""
    return {"role_labels": organisations.role_labels, "kind_label": organisations.kind_label}


def _me() -> User:
    return signed_in()


@bp.route("")
def index() -> ResponseReturnValue:
    session = db.session()
    form = OrgFilterForm(request.args)
    page, per_page = page_args()
    # The service lets only site admins (org.verify) see the waiting agencies.
    waiting = organisations.list_awaiting_verification(session, _me(), 1, WAITING_SHOWN)
    if form.status.data == "waiting":
        listed = organisations.list_awaiting_verification(session, _me(), page, per_page)
    else:
        listed = organisations.list_organisations(session, _me(), page, per_page)
    jobs = job_status.list_job_states(session, _me())
    return render_template("admin/index.html", waiting=waiting, page=listed, form=form, jobs=jobs)


@bp.route("/audit", endpoint="audit")
def audit_log() -> ResponseReturnValue:
    session = db.session()
    form = AuditFilterForm(request.args)
    actions, types = audit.list_filters(session, _me())
    named = sorted(((audit_display.action_name(a), a) for a in actions), key=lambda x: x[0])
    form.action.choices = [
        SelectChoice("", _("Any action")),
        *[SelectChoice(a, n) for n, a in named],
    ]
    form.object_type.choices = [
        SelectChoice("", _("Any object")),
        *[SelectChoice(t, audit_display.object_name(t)) for t in types],
    ]
    entries = audit.list_entries(
        session, _me(), form.action.data, form.object_type.data, **window_args()
    )
    targets = audit_display.entry_targets(session, _me(), entries.items)
    return render_template(
        "admin/audit.html",
        form=form,
        page=entries,
        targets=targets,
        pages=TARGET_PAGES,
        display=audit_display,
    )


@bp.route("/accounts")
def accounts() -> ResponseReturnValue:
    form = AccountSearchForm(request.args)
    listed = account_admin.list_accounts(
        db.session(), _me(), form.q.data, counted=True, **window_args()
    )
    return render_template("admin/accounts.html", form=form, page=listed.window, count=listed.count)


def _account_page(user: User, form: ReasonForm) -> ResponseReturnValue:
    return render_template(
        "admin/account.html", person=user, form=form, button=ButtonForm(formdata=None)
    ), form_status(form)


@bp.route("/accounts/<int:user_id>")
def account(user_id: int) -> ResponseReturnValue:
    user = account_admin.get_account(db.session(), _me(), user_id)
    return _account_page(user, ReasonForm(formdata=None))


@bp.route("/accounts/<int:user_id>/deactivate", methods=["POST"])
def deactivate(user_id: int) -> ResponseReturnValue:
    session = db.session()
    user = account_admin.get_account(session, _me(), user_id)
    form = ReasonForm()
    if form.validate_on_submit():
        done = run_service(
            form,
            lambda: account_admin.deactivate(
                session, _me(), user, form.reason.data or "", now=utcnow()
            ),
        )
        if done is not None:
            flash(
                _(
                    "%(person)s's account is deactivated: they are signed out.",
                    person=user.display_name,
                ),
                "success",
            )
            return redirect(url_for("admin.account", user_id=user.id), code=303)
    return _account_page(user, form)


@bp.route("/accounts/<int:user_id>/delete", methods=["GET", "POST"])
def delete_account(user_id: int) -> ResponseReturnValue:
    """Delete an account on its holder's request (a confirmation page with the reason)."""
    session = db.session()
    user = account_admin.get_account(session, _me(), user_id)
    form = ReasonForm()
    if form.validate_on_submit():
        name = user.display_name
        done = run_service(
            form,
            lambda: account_deletion.delete_on_request(
                session, _me(), user, form.reason.data or "", now=utcnow()
            ),
        )
        if done is not None:
            flash(_("%(person)s's account is deleted.", person=name), "success")
            return redirect(url_for("admin.accounts"), code=303)
    handover = account_deletion.organisations_needing_handover(session, user)
    return render_template(
        "admin/delete.html", person=user, form=form, handover=handover
    ), form_status(form)


@bp.route("/accounts/<int:user_id>/reactivate", methods=["POST"])
def reactivate(user_id: int) -> ResponseReturnValue:
    session = db.session()
    user = account_admin.get_account(session, _me(), user_id)
    form = ButtonForm()
    if form.validate_on_submit():
        account_admin.reactivate(session, _me(), user, now=utcnow())
        commit()
        flash(_("%(person)s's account is active again.", person=user.display_name), "success")
    return redirect(url_for("admin.account", user_id=user.id), code=303)


@bp.route("/accounts/<int:user_id>/password-reset", methods=["POST"])
def send_password_reset(user_id: int) -> ResponseReturnValue:
    session = db.session()
    user = account_admin.get_account(session, _me(), user_id)
    form = ButtonForm()
    if form.validate_on_submit():
        account_admin.send_password_reset(
            session, _me(), user, secret=current_app.config["SECRET_KEY"], now=utcnow()
        )
        commit()
        flash(_("A password-reset link is on its way to %(email)s.", email=user.email), "success")
    return redirect(url_for("admin.account", user_id=user.id), code=303)


@bp.route("/organisations/<int:org_id>/decline", methods=["GET", "POST"])
def decline(org_id: int) -> ResponseReturnValue:
    session = db.session()
    org = organisations.get_organisation(session, _me(), org_id)
    policy.require(_me(), "org.verify", org)
    form = ReasonForm()
    if form.validate_on_submit():
        done = run_service(
            form,
            lambda: organisations.decline_organisation(
                session, _me(), org, form.reason.data or "", now=utcnow()
            ),
        )
        if done is not None:
            flash(
                _("%(name)s is declined; its admins are emailed your reason.", name=org.name),
                "success",
            )
            return redirect(url_for("admin.index"), code=303)
    return render_template("admin/decline.html", org=org, form=form), form_status(form)
