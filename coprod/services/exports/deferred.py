"""Big exports: a person whose data is over the inline limit gets it by email. The request is
a row; the scheduler builds the ZIP, keeps it until the link expires and mails the link (a
signed token naming the export and its person, like the account links)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from itsdangerous import BadData, URLSafeSerializer
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from coprod import policy
from coprod.errors import NotFound
from coprod.i18n import _, _l
from coprod.models import (
    AuditEntry,
    ContributionLog,
    DataExport,
    ExportStatus,
    NotificationKind,
    OutboxMessage,
    Signup,
    User,
)
from coprod.services import notifications
from coprod.services.exports.rows import about_person

MAX_TOKEN_LENGTH = 200


def estimate_rows(session: Session, person: User) -> int:
    """The person's rows in the tables that grow without bound (a few counts, no reading)."""
    counts = [
        select(func.count()).where(ContributionLog.user_id == person.id),
        select(func.count()).where(Signup.user_id == person.id),
        select(func.count()).where(OutboxMessage.user_id == person.id),
        select(func.count())
        .select_from(AuditEntry)
        .where(or_(AuditEntry.actor_id == person.id, about_person(person))),
    ]
    return sum(session.scalar(query) or 0 for query in counts)


def queue_export(
    session: Session, actor: User | None, person: User, *, now: datetime
) -> DataExport:
    """Ask the scheduler to build the person's export; asking again while one waits is the
    same request."""
    policy.require(actor, "account.export", person)
    waiting = session.scalar(
        select(DataExport).where(
            DataExport.user_id == person.id, DataExport.status == ExportStatus.PENDING
        )
    )
    if waiting is not None:
        return waiting
    export = DataExport(user_id=person.id, status=ExportStatus.PENDING, requested_at=now)
    session.add(export)
    session.flush()
    return export


def _serializer(secret: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret, salt="coprod-data-export")


def make_token(secret: str, export: DataExport) -> str:
    return str(_serializer(secret).dumps([export.id, export.user_id]))


def link_expired() -> str:
    return _("This download link has expired. Ask for your data again on your account page.")


def get_download(
    session: Session, actor: User | None, token: str, secret: str, *, now: datetime
) -> DataExport:
    """The built export a live link points to, for its own person only (anyone else, or a
    forged or expired link, finds nothing)."""
    try:
        export_id, user_id = (int(v) for v in _serializer(secret).loads(token[:MAX_TOKEN_LENGTH]))
    except (BadData, TypeError, ValueError, OverflowError):
        raise NotFound(link_expired()) from None
    export = session.get(DataExport, export_id)
    if export is None or export.user_id != user_id or actor is None or actor.id != user_id:
        raise NotFound(link_expired())
    policy.require(actor, "account.export", actor)
    if export.status != ExportStatus.READY or export.expires_at is None or export.expires_at <= now:
        raise NotFound(link_expired())
    return export


def _claim(session: Session, export_id: int, now: datetime) -> bool:
    """Take one waiting request (a guarded update: of two schedulers, one wins)."""
    claimed = session.execute(
        update(DataExport)
        .where(DataExport.id == export_id, DataExport.status == ExportStatus.PENDING)
        .values(status=ExportStatus.READY, built_at=now)
    )
    return bool(claimed.rowcount)  # type: ignore[attr-defined]


log = logging.getLogger("coprod.exports")


def build_waiting(
    session: Session, *, now: datetime, secret: str, lifetime: timedelta, limit: int = 20
) -> int:
    """Build the waiting exports (oldest first), keep each until its link expires, and mail
    the link; returns how many were built."""
    from coprod.services.exports import build_export

    waiting = session.scalars(
        select(DataExport.id)
        .where(DataExport.status == ExportStatus.PENDING)
        .order_by(DataExport.requested_at, DataExport.id)
        .limit(limit)
    ).all()
    built = 0
    for export_id in waiting:
        # Each export in a savepoint of its own: one that fails is logged and stays waiting
        # (the next sweep tries it again), and the others are still built and mailed.
        try:
            with session.begin_nested():
                if not _claim(session, export_id, now):
                    continue
                export = session.get(DataExport, export_id, populate_existing=True)
                assert export is not None
                person = session.get(User, export.user_id)
                if person is None or not policy.can(person, "account.export", person):
                    export.status = ExportStatus.EXPIRED  # the account closed meanwhile
                    continue
                made = build_export(session, person, person, now=now)
                export.data, export.filename, export.rows = made.data, made.filename, made.rows
                export.expires_at = now + lifetime
                _mail_link(session, person, export, secret, lifetime, now)
                built += 1
        except Exception:
            log.exception("data export %s could not be built; it stays waiting", export_id)
    return built


def _mail_link(
    session: Session,
    person: User,
    export: DataExport,
    secret: str,
    lifetime: timedelta,
    now: datetime,
) -> None:
    base = notifications.base_url()
    notifications.queue(
        session,
        person,
        NotificationKind.DATA_EXPORT,
        f"export{export.id}",
        _l("Your data from coprod is ready to download"),
        {
            "download_url": f"{base}/account/export/{make_token(secret, export)}",
            "days": max(lifetime.days, 1),
        },
        now=now,
    )


def expire_old(session: Session, *, now: datetime) -> int:
    """Drop the ZIPs whose links have run out (the rows stay, empty, as a record)."""
    result = session.execute(
        update(DataExport)
        .where(DataExport.status == ExportStatus.READY, DataExport.expires_at <= now)
        .values(status=ExportStatus.EXPIRED, data=None)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
