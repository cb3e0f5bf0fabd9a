"""The queries of a person's data export: each reads only rows about that person and keeps,
of anything that names another person, only what coprod already shows the volunteer."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, selectinload

from coprod.models import (
    ApiToken,
    AuditEntry,
    ContributionLog,
    InKindItem,
    Membership,
    NotificationPreference,
    OutboxMessage,
    OutcomeQuantity,
    Shift,
    Signup,
    TaskInterest,
    User,
)
from coprod.services.audit import jsonable as plain
from coprod.services.audit_display import action_name

Row = dict[str, Any]


PROFILE = (
    "id",
    "email",
    "display_name",
    "phone",
    "language",
    "is_site_admin",
    "is_active",
    "deactivated_reason",
    "email_confirmed_at",
    "pending_email",
    "created_at",
)


def profile(session: Session, person: User) -> list[Row]:
    # Left out on purpose: the password hash, the session counter and the calendar key.
    return [{c: plain(getattr(person, c)) for c in PROFILE}]


def memberships(session: Session, person: User) -> list[Row]:
    rows = session.scalars(
        select(Membership)
        .options(selectinload(Membership.organisation))
        .where(Membership.user_id == person.id)
        .order_by(Membership.id)
    )
    return [
        {
            "organisation_id": m.organisation_id,
            "organisation": m.organisation.name,
            "role": plain(m.role),
            "since": plain(m.created_at),
        }
        for m in rows
    ]


def signups(session: Session, person: User) -> list[Row]:
    rows = session.scalars(
        select(Signup)
        .join(Signup.shift)
        .options(selectinload(Signup.shift).selectinload(Shift.task))
        .where(Signup.user_id == person.id)
        .order_by(Shift.starts_at, Signup.id)
    )
    return [
        {
            "id": s.id,
            "task_id": s.shift.task_id,
            "task": s.shift.task.title,
            "shift_id": s.shift_id,
            "starts_at": plain(s.shift.starts_at),
            "ends_at": plain(s.shift.ends_at),
            "status": plain(s.status),
            "placed_by_coordinator": s.assigned_by_id is not None,
            "queued_at": plain(s.queued_at),
            "created_at": plain(s.created_at),
            "updated_at": plain(s.updated_at),
        }
        for s in rows
    ]


def _own_logs(session: Session, person: User) -> list[ContributionLog]:
    return list(
        session.scalars(
            select(ContributionLog)
            .options(
                selectinload(ContributionLog.task),
                selectinload(ContributionLog.organisation),
                selectinload(ContributionLog.reviewed_by),
            )
            .where(ContributionLog.user_id == person.id)
            .order_by(ContributionLog.date, ContributionLog.id)
        )
    )


def logs(session: Session, person: User) -> list[Row]:
    return [
        {
            "id": log.id,
            "date": plain(log.date),
            "hours": plain(log.hours),
            "programme_id": log.programme_id,
            "task_id": log.task_id,
            "task": log.task.title,
            "shift_id": log.shift_id,
            "organisation": log.organisation.name if log.organisation else "",
            "notes": log.notes,
            "status": plain(log.status),
            "corrects_log_id": log.corrects_id,
            "logged_by_you": log.created_by_id == person.id,
            "submitted_at": plain(log.submitted_at),
            "updated_at": plain(log.updated_at),
        }
        for log in _own_logs(session, person)
    ]


def reviews(session: Session, person: User) -> list[Row]:
    # The reviewer's display name is on the volunteer's own log page already; nothing more.
    return [
        {
            "log_id": log.id,
            "decision": plain(log.status),
            "comment": log.review_comment,
            "reviewed_at": plain(log.reviewed_at),
            "reviewer": log.reviewed_by.display_name if log.reviewed_by else "",
        }
        for log in _own_logs(session, person)
        if log.reviewed_at is not None
    ]


def outcomes(session: Session, person: User) -> list[Row]:
    rows = session.scalars(
        select(OutcomeQuantity)
        .join(OutcomeQuantity.log)
        .options(selectinload(OutcomeQuantity.metric))
        .where(ContributionLog.user_id == person.id)
        .order_by(OutcomeQuantity.log_id, OutcomeQuantity.id)
    )
    return [
        {
            "log_id": o.log_id,
            "metric_id": o.metric_id,
            "metric": o.metric.name,
            "unit": o.metric.unit,
            "quantity": plain(o.quantity),
        }
        for o in rows
    ]


def in_kind(session: Session, person: User) -> list[Row]:
    rows = session.scalars(
        select(InKindItem)
        .join(InKindItem.log)
        .where(ContributionLog.user_id == person.id)
        .order_by(InKindItem.log_id, InKindItem.id)
    )
    return [
        {"log_id": i.log_id, "description": i.description, "value": plain(i.value)} for i in rows
    ]


def preferences(session: Session, person: User) -> list[Row]:
    rows = session.scalars(
        select(NotificationPreference)
        .where(NotificationPreference.user_id == person.id)
        .order_by(NotificationPreference.kind)
    )
    return [
        {"kind": plain(p.kind), "enabled": p.enabled, "updated_at": plain(p.updated_at)}
        for p in rows
    ]


MEMBERSHIP_ACTIONS = ("membership.added", "membership.roles_changed", "membership.removed")


def about_person(person: User) -> Any:
    """Audit rows whose object is the person or one of their own rows."""
    owned = {
        "Signup": select(Signup.id).where(Signup.user_id == person.id),
        "ContributionLog": select(ContributionLog.id).where(ContributionLog.user_id == person.id),
        "Membership": select(Membership.id).where(Membership.user_id == person.id),
        "ApiToken": select(ApiToken.id).where(ApiToken.user_id == person.id),
        "TaskInterest": select(TaskInterest.id).where(TaskInterest.user_id == person.id),
    }
    # Membership changes are recorded on the organisation, naming the member in the detail.
    member = or_(
        AuditEntry.after["user_id"].as_integer() == person.id,
        AuditEntry.before["user_id"].as_integer() == person.id,
    )
    return or_(
        and_(AuditEntry.object_type == "User", AuditEntry.object_id == person.id),
        and_(AuditEntry.action.in_(MEMBERSHIP_ACTIONS), member),
        *(
            and_(AuditEntry.object_type == kind, AuditEntry.object_id.in_(ids))
            for kind, ids in owned.items()
        ),
    )


def audit(session: Session, person: User) -> list[Row]:
    about = about_person(person)
    found = session.execute(
        select(AuditEntry, about.label("about"))
        .where(or_(AuditEntry.actor_id == person.id, about))
        .order_by(AuditEntry.created_at, AuditEntry.id)
    )
    rows = []
    for entry, is_about in found:
        # What changed is kept only when it changed something of the person's: an entry
        # where they acted on someone else's record shows that they acted, not that record.
        rows.append(
            {
                "id": entry.id,
                "at": plain(entry.created_at),
                "action": entry.action,
                "what": action_name(entry.action),
                "object_type": entry.object_type,
                "object_id": entry.object_id,
                "done_by_you": entry.actor_id == person.id,
                "before": entry.before if is_about else None,
                "after": entry.after if is_about else None,
            }
        )
    return rows


def emails(session: Session, person: User) -> list[Row]:
    rows = session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.user_id == person.id)
        .order_by(OutboxMessage.created_at, OutboxMessage.id)
    )
    return [
        {
            "id": m.id,
            "created_at": plain(m.created_at),
            "to": m.recipient,
            "kind": plain(m.kind),
            "subject": m.subject,
            "body": m.body_text,
            "status": plain(m.status),
            "sent_at": plain(m.sent_at),
        }
        for m in rows
    ]


def tokens(session: Session, person: User) -> list[Row]:
    # The name and dates of each token; never its hash (the secret itself is never stored).
    rows = session.scalars(
        select(ApiToken).where(ApiToken.user_id == person.id).order_by(ApiToken.id)
    )
    return [
        {
            "id": t.id,
            "name": t.name,
            "created_at": plain(t.created_at),
            "last_used_at": plain(t.last_used_at),
            "revoked_at": plain(t.revoked_at),
        }
        for t in rows
    ]


def interests(session: Session, person: User) -> list[Row]:
    rows = session.scalars(
        select(TaskInterest)
        .options(selectinload(TaskInterest.task))
        .where(TaskInterest.user_id == person.id)
        .order_by(TaskInterest.id)
    )
    return [
        {"task_id": i.task_id, "task": i.task.title, "since": plain(i.created_at)} for i in rows
    ]
