"""Retention: how long coprod keeps personal data it no longer needs (config.py's
RETENTION_* settings). Bodies of sent emails are cleared after RETENTION_EMAIL_DAYS; personal
fields in audit before/after detail are removed after RETENTION_AUDIT_DETAIL_DAYS; accounts
nobody signed in to for RETENTION_INACTIVE_YEARS are anonymised like a deletion (their approved
hours stay in every report). Nothing is deleted, so no total changes. One plan, two uses: the
dry run prints it, the purge applies it; one item that fails is counted and the rest go on.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import String, cast, func, or_, select
from sqlalchemy.orm import Session

from coprod.models import AuditEntry, JobState, OutboxMessage, OutboxStatus, User
from coprod.services.account_deletion import (
    PERSONAL_KEYS,
    REMOVED,
    anonymise,
    organisations_needing_handover,
    scrub_detail,
)

log = logging.getLogger("coprod.retention")
# The job_state row that remembers up to when audit detail has been cleared.
AUDIT_STATE = "privacy.purge.audit"
KINDS = ("email_bodies", "audit_details", "inactive_accounts")
ACTIONS = {
    "email_bodies": "cleared (sent emails' bodies)",
    "audit_details": "stripped of personal fields (audit entries)",
    "inactive_accounts": "anonymised (accounts not signed in to for too long)",
}


@dataclass(frozen=True)
class Settings:
    email_days: int
    audit_detail_days: int
    inactive_years: int

    @classmethod
    def from_config(cls, config: dict[str, object]) -> Settings:
        return cls(
            email_days=int(str(config["RETENTION_EMAIL_DAYS"])),
            audit_detail_days=int(str(config["RETENTION_AUDIT_DETAIL_DAYS"])),
            inactive_years=int(str(config["RETENTION_INACTIVE_YEARS"])),
        )


@dataclass
class Plan:
    """The ids of what is due, per kind; after a purge, how many were done and failed."""

    ids: dict[str, list[int]] = field(default_factory=lambda: {k: [] for k in KINDS})
    done: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    failed: dict[str, list[int]] = field(default_factory=lambda: {k: [] for k in KINDS})
    skipped: list[int] = field(default_factory=list)  # last admins of an organisation
    audit_cutoff: datetime | None = None


def plan(session: Session, settings: Settings, *, now: datetime) -> Plan:
    """What a purge at `now` would do (reads only)."""
    result = Plan()
    result.ids["email_bodies"] = _due_emails(session, now - timedelta(days=settings.email_days))
    cutoff = now - timedelta(days=settings.audit_detail_days)
    result.audit_cutoff = cutoff
    result.ids["audit_details"] = _due_audit(session, _audit_done_until(session), cutoff)
    inactive = _inactive(session, now - timedelta(days=365 * settings.inactive_years))
    for user in inactive:
        if organisations_needing_handover(session, user):
            result.skipped.append(user.id)
        else:
            result.ids["inactive_accounts"].append(user.id)
    return result


def _due_emails(session: Session, cutoff: datetime) -> list[int]:
    stmt = select(OutboxMessage.id).where(
        OutboxMessage.status == OutboxStatus.SENT,
        OutboxMessage.sent_at < cutoff,
        or_(OutboxMessage.body_text != "", OutboxMessage.body_html != ""),
    )
    return list(session.scalars(stmt.order_by(OutboxMessage.id)))


def _audit_done_until(session: Session) -> datetime | None:
    """Audit entries older than this were cleared by an earlier purge (none: never ran)."""
    state = session.get(JobState, AUDIT_STATE)
    return state.cursor if state is not None else None


def _due_audit(session: Session, since: datetime | None, cutoff: datetime) -> list[int]:
    """Entries older than the cutoff (and not older than what earlier purges cleared, so a
    day's run reads one day of entries) whose detail still holds a personal field's value."""
    names = [f'%"{key}"%' for key in sorted(PERSONAL_KEYS)]
    text = func.coalesce(cast(AuditEntry.before, String), "") + func.coalesce(
        cast(AuditEntry.after, String), ""
    )
    stmt = select(AuditEntry).where(
        AuditEntry.created_at < cutoff, or_(*(text.like(n) for n in names))
    )
    if since is not None:
        stmt = stmt.where(AuditEntry.created_at >= since)
    return [e.id for e in session.scalars(stmt.order_by(AuditEntry.id)) if _holds_personal(e)]


def _holds_personal(entry: AuditEntry) -> bool:
    return any(
        side is not None and scrub_detail(side, None, "") != side
        for side in (entry.before, entry.after)
    )


def _inactive(session: Session, cutoff: datetime) -> list[User]:
    """Accounts last seen before the cutoff (never None: set at creation and by the
    migration that added it; a None would mean "unknown", which is kept). Site admins are
    kept: anonymising the last one would leave nobody to run the site; another site admin
    deletes one on request."""
    stmt = select(User).where(
        User.deleted_at.is_(None), User.last_seen_at < cutoff, User.is_site_admin.is_(False)
    )
    stmt = stmt.order_by(User.id)
    return list(session.scalars(stmt))


def purge(session: Session, settings: Settings, *, now: datetime) -> Plan:
    """Apply the plan, each item in its own savepoint: one that fails is rolled back, logged
    and counted, and the others are still done."""
    result = plan(session, settings, now=now)
    steps = {
        "email_bodies": _clear_email,
        "audit_details": _clear_audit_detail,
        "inactive_accounts": _anonymise_inactive,
    }
    for kind, step in steps.items():
        for item_id in result.ids[kind]:
            try:
                with session.begin_nested():
                    step(session, item_id, now)
                result.done[kind] += 1
            except Exception:  # one bad item must not stop the purge
                log.exception("retention: %s %s failed", kind, item_id)
                result.failed[kind].append(item_id)
    if not result.failed["audit_details"] and result.audit_cutoff is not None:
        _mark_audit_done(session, result.audit_cutoff)
    return result


def _mark_audit_done(session: Session, cutoff: datetime) -> None:
    """Remember how far audit detail is cleared (never moving back: a longer setting keeps
    what was already removed removed)."""
    state = session.get(JobState, AUDIT_STATE) or JobState(job_id=AUDIT_STATE)
    if state.cursor is None or cutoff > state.cursor:
        state.cursor = cutoff
    session.add(state)
    session.flush()


def _clear_email(session: Session, message_id: int, now: datetime) -> None:
    message = session.get(OutboxMessage, message_id)
    if message is not None:
        message.body_text = ""
        message.body_html = ""
        session.flush()


def _clear_audit_detail(session: Session, entry_id: int, now: datetime) -> None:
    entry = session.get(AuditEntry, entry_id)
    if entry is None:
        return
    for side in ("before", "after"):
        value = getattr(entry, side)
        if value is not None:
            setattr(entry, side, scrub_detail(value, None, ""))
    session.flush()


def _anonymise_inactive(session: Session, user_id: int, now: datetime) -> None:
    user = session.get(User, user_id)
    if user is None or user.deleted_at is not None:
        return
    anonymise(session, None, user, now=now, action="user.anonymised_inactive")
    session.flush()


__all__ = ["ACTIONS", "KINDS", "REMOVED", "Plan", "Settings", "plan", "purge"]
