"""Site administration: organisations awaiting verification, all organisations, the audit log."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice

from coprod.db import db
from coprod.services import audit, organisations
from coprod.web.helpers import page_args

bp = Blueprint("admin", __name__, url_prefix="/admin")

WAITING_SHOWN = 10
STATUS_CHOICES = [
    SelectChoice("", "All organisations"),
    SelectChoice("waiting", "Agencies awaiting verification"),
]


class OrgFilterForm(FlaskForm):
    class Meta:
        csrf = False

    status = SelectField("Show", choices=STATUS_CHOICES, validate_choice=False)


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False

    action = SelectField("Action", validate_choice=False)
    object_type = SelectField("Object type", validate_choice=False)


def _me() -> Any:
    return current_user._get_current_object()


@bp.route("")
def index() -> Any:
    session = db.session()
    form = OrgFilterForm(request.args)
    page, per_page = page_args()
    # The service lets only site admins (org.verify) see the waiting agencies.
    waiting = organisations.list_awaiting_verification(session, _me(), 1, WAITING_SHOWN)
    if form.status.data == "waiting":
        listed = organisations.list_awaiting_verification(session, _me(), page, per_page)
    else:
        listed = organisations.list_organisations(session, _me(), page, per_page)
    return render_template("admin/index.html", waiting=waiting, page=listed, form=form)


@bp.route("/audit", endpoint="audit")
def audit_log() -> Any:
    session = db.session()
    form = AuditFilterForm(request.args)
    actions, types = audit.list_filters(session, _me())
    form.action.choices = [SelectChoice("", "Any action"), *[SelectChoice(a, a) for a in actions]]
    form.object_type.choices = [
        SelectChoice("", "Any object"),
        *[SelectChoice(t, t) for t in types],
    ]
    page, per_page = page_args()
    entries = audit.list_entries(
        session, _me(), form.action.data, form.object_type.data, page, per_page
    )
    return render_template("admin/audit.html", form=form, page=entries)
