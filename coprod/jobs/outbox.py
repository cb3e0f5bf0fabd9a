"""The outbox deliverer: sends due emails once each, retrying with backoff.

A deliverer claims rows with one guarded UPDATE (status pending -> sending, with its own claim
token) and commits the claim before talking to the mail server, so a second deliverer running
at the same time cannot take the same rows; on PostgreSQL the candidate rows are also read with
FOR UPDATE SKIP LOCKED so two deliverers split the work instead of waiting on each other. Each
result is committed on its own. A deliverer that dies mid-send leaves rows in `sending`; they
go back to the queue after STALE_CLAIM (at worst such a message is sent twice, never lost).
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from config import settings
from coprod.models import OutboxMessage, OutboxStatus
from coprod.services.mailer import Mailer, MailSettings, build_email

log = logging.getLogger("coprod.mail")

STALE_CLAIM = timedelta(minutes=15)
BATCH = 100


def claim_due(session: Session, *, now: datetime, limit: int = BATCH) -> list[OutboxMessage]:
    """Mark up to `limit` due pending messages as being sent by this deliverer, and return
    exactly those (rows another deliverer claimed first are not returned)."""
    session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.status == OutboxStatus.SENDING,
            OutboxMessage.claimed_at < now - STALE_CLAIM,
        )
        .values(status=OutboxStatus.PENDING, claim_token=None),
        execution_options={"synchronize_session": False},
    )
    candidates = (
        select(OutboxMessage.id)
        .where(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
    )
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True)
    ids = list(session.scalars(candidates))
    if not ids:
        return []
    token = uuid.uuid4().hex
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids), OutboxMessage.status == OutboxStatus.PENDING)
        .values(
            status=OutboxStatus.SENDING,
            claim_token=token,
            claimed_at=now,
            attempts=OutboxMessage.attempts + 1,
        ),
        execution_options={"synchronize_session": False},
    )
    return list(
        session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.claim_token == token)
            .order_by(OutboxMessage.id)
            .execution_options(populate_existing=True)
        )
    )


def mark_sent(message: OutboxMessage, *, now: datetime) -> None:
    message.status = OutboxStatus.SENT
    message.sent_at = now
    message.last_error = ""
    message.claim_token = None


def mark_failed(
    message: OutboxMessage, error: BaseException, settings: MailSettings, *, now: datetime
) -> None:
    """Try again later (the wait doubles each time), or give up after MAIL_MAX_ATTEMPTS."""
    message.last_error = f"{type(error).__name__}: {error}"[:2000]
    message.claim_token = None
    if message.attempts >= settings.max_attempts:
        message.status = OutboxStatus.FAILED
    else:
        message.status = OutboxStatus.PENDING
        message.next_attempt_at = now + settings.backoff(message.attempts)


def deliver_outbox(
    session: Session,
    *,
    now: datetime,
    settings: MailSettings | None = None,
    limit: int = BATCH,
) -> dict[str, int]:
    """Send every due message once: claim (committed) before any network I/O, then commit
    each result; a failure is retried with exponential backoff until MAIL_MAX_ATTEMPTS."""
    settings = settings or current_settings()
    claimed = claim_due(session, now=now, limit=limit)
    session.commit()
    counts = {"sent": 0, "retry": 0, "failed": 0}
    with Mailer(settings) as mailer:
        for message in claimed:
            try:
                mailer.send(build_email(settings, message))
            except Exception as err:
                mark_failed(message, err, settings, now=now)
                log.warning("email %s to %s not sent: %s", message.id, message.recipient, err)
                counts["failed" if message.status == OutboxStatus.FAILED else "retry"] += 1
            else:
                mark_sent(message, now=now)
                counts["sent"] += 1
            session.commit()
    return counts


def current_settings() -> MailSettings:
    """The MAIL_* settings of the running app (the scheduler pushes its context), else this
    process's settings (config.py)."""
    from flask import current_app, has_app_context

    config: Any = current_app.config if has_app_context() else settings()
    return MailSettings.from_config(config)
