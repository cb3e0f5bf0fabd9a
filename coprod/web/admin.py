"""Site administration: organisations awaiting verification, all organisations, the audit log."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, render_template, request
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice

from coprod import policy
from coprod.db import db
from coprod.models import AuditEntry
from coprod.services import organisations
from coprod.services.pagination import Page, clamp, paginate

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


def _page_args() -> tuple[int, int]:
    default = int(current_app.config.get("PER_PAGE", 20))
    return clamp(request.args.get("page"), request.args.get("per_page"), default)


def _me() -> Any:
    return current_user._get_current_object()


@bp.route("")
def index() -> Any:
    policy.require(_me(), "org.verify")
    session = db.session()
    form = OrgFilterForm(request.args)
    page, per_page = _page_args()
    waiting = organisations.list_awaiting_verification(session, 1, WAITING_SHOWN)
    if form.status.data == "waiting":
        listed = organisations.list_awaiting_verification(session, page, per_page)
    else:
        listed = organisations.list_organisations(session, page, per_page)
    return render_template("admin/index.html", waiting=waiting, page=listed, form=form)


# The audit log is read only here; these two queries would move to services/audit.py
# (owned by the foundation) if another part of the site needs them.
def _audit_filters(session: Session) -> tuple[list[str], list[str]]:
    """The distinct actions and object types in the log, for the filter menus."""
    actions = session.scalars(select(AuditEntry.action).distinct().order_by(AuditEntry.action))
    types = session.scalars(
        select(AuditEntry.object_type).distinct().order_by(AuditEntry.object_type)
    )
    return list(actions), list(types)


def _audit_entries(
    session: Session, action: str | None, object_type: str | None, page: int, per_page: int
) -> Page[AuditEntry]:
    stmt = select(AuditEntry).options(joinedload(AuditEntry.actor))
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    if object_type:
        stmt = stmt.where(AuditEntry.object_type == object_type)
    stmt = stmt.order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
    return paginate(session, stmt, page, per_page)


@bp.route("/audit", endpoint="audit")
def audit_log() -> Any:
    policy.require(_me(), "audit.view")
    session = db.session()
    form = AuditFilterForm(request.args)
    actions, types = _audit_filters(session)
    form.action.choices = [SelectChoice("", "Any action"), *[SelectChoice(a, a) for a in actions]]
    form.object_type.choices = [
        SelectChoice("", "Any object"),
        *[SelectChoice(t, t) for t in types],
    ]
    page, per_page = _page_args()
    entries = _audit_entries(session, form.action.data, form.object_type.data, page, per_page)
    return render_template("admin/audit.html", form=form, page=entries)
