"""Monthly report digests: when last month's report of a programme is built, its partners'
members who asked for digests get one email each (queued through the outbox, once)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from coprod.i18n import _
from coprod.models import (
    Membership,
    NotificationPreference,
    OutboxMessage,
    PeriodKind,
    Programme,
    ReportSnapshot,
    User,
)
from coprod.services.localtime import format_month, local_today
from coprod.services.notifications import Kind, Later, base_url, queue


def _previous_month(today: date) -> date:
    first = today.replace(day=1)
    return (
        first.replace(year=first.year - 1, month=12)
        if first.month == 1
        else first.replace(month=first.month - 1)
    )


def queue_report_digests(session: Session, *, now: datetime) -> int:
    """When last month's report of a programme is built, send its digest once to each member
    of the lead agency and the partner organisations who turned digests on."""
    # "Last month" is each programme's own (its time zone); zones are at most a day apart.
    starts = {_previous_month((now + timedelta(hours=h)).date()) for h in (-12, 0, 14)}
    snaps = [
        snap
        for snap in session.scalars(
            select(ReportSnapshot)
            .join(ReportSnapshot.programme)
            .where(ReportSnapshot.period == PeriodKind.MONTH, ReportSnapshot.start.in_(starts))
        )
        if snap.start == _previous_month(local_today(snap.programme, now))
    ]
    if not snaps:
        return 0
    opted_in = set(
        session.scalars(
            select(NotificationPreference.user_id).where(
                NotificationPreference.kind == Kind.REPORT_DIGEST,
                NotificationPreference.enabled.is_(True),
            )
        )
    )
    n = 0
    for snap in snaps:
        for user in _programme_people(session, snap.programme, opted_in):
            n += _digest(session, snap, user, now) is not None
    return n


def _programme_people(session: Session, programme: Programme, among: set[int]) -> list[User]:
    if not among:
        return []
    org_ids = {programme.lead_organisation_id} | {p.organisation_id for p in programme.partners}
    return list(
        session.scalars(
            select(User)
            .where(
                User.id.in_(among),
                User.id.in_(
                    select(Membership.user_id).where(Membership.organisation_id.in_(org_ids))
                ),
            )
            .order_by(User.id)
        )
    )


def _digest(
    session: Session, snap: ReportSnapshot, user: User, now: datetime
) -> OutboxMessage | None:
    programme = snap.programme
    start, name = snap.start, programme.name
    month = Later(lambda: format_month(start))  # "May 2026", "mayo de 2026": the reader's
    ctx = {
        "programme": programme,
        "month": month,
        "snapshot": snap,
        "report_url": f"{base_url()}/programmes/{programme.id}/reports?period=month",
    }
    subject = Later(
        lambda: _(
            "%(programme)s: shared-ownership report for %(month)s",
            programme=name,
            month=month,
        )
    )
    occasion = f"programme{programme.id}:month:{snap.start.isoformat()}"
    return queue(session, user, Kind.REPORT_DIGEST, occasion, subject, ctx, now=now)
