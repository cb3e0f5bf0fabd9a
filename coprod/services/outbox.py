"""The outbox as site admins see it: what is waiting, sent or failed, and sending a failed
message again."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from coprod import policy
from coprod.errors import Conflict, NotFound
from coprod.i18n import _, _l
from coprod.models import OutboxMessage, OutboxStatus, User
from coprod.services import audit
from coprod.services.keyset import Key, Window, window

OUTBOX_FILTERS = ("problems", "pending", "failed", "sent", "all")
# A message's status in a sentence ("This message is sent, so…").
STATUS_WORDS = {
    OutboxStatus.PENDING: _l("pending"),
    OutboxStatus.SENDING: _l("sending"),
    OutboxStatus.SENT: _l("sent"),
    OutboxStatus.FAILED: _l("failed"),
}


# Newest first, the id breaking ties: ix_outbox_message_created_id, and for one status
# ix_outbox_message_status_created.
OUTBOX_KEYS = (
    Key(OutboxMessage.created_at.expression, datetime, descending=True),
    Key(OutboxMessage.id.expression, descending=True),
)


def list_outbox(
    session: Session,
    actor: User,
    show: str,
    *,
    after: str | None = None,
    before: str | None = None,
    per_page: int = 20,
) -> Window[OutboxMessage]:
    """The outbox newest first (the window after or before a cursor): by default what is
    waiting or has failed."""
    policy.require(actor, "outbox.view")
    stmt = select(OutboxMessage)
    if show == "problems":
        stmt = stmt.where(
            OutboxMessage.status.in_(
                (OutboxStatus.PENDING, OutboxStatus.SENDING, OutboxStatus.FAILED)
            )
        )
    elif show in ("pending", "failed", "sent"):
        stmt = stmt.where(OutboxMessage.status == OutboxStatus(show))
    return window(session, stmt, OUTBOX_KEYS, after=after, before=before, per_page=per_page)


def get_message(session: Session, actor: User, message_id: int) -> OutboxMessage:
    policy.require(actor, "outbox.view")
    message = session.get(OutboxMessage, message_id)
    if message is None:
        raise NotFound(_("No such message."))
    return message


def retry_message(
    session: Session, actor: User, message_id: int, *, now: datetime
) -> OutboxMessage:
    """A site admin sends a failed message again: it goes back in the queue with fresh tries."""
    policy.require(actor, "outbox.retry")
    message = get_message(session, actor, message_id)
    done = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message.id, OutboxMessage.status == OutboxStatus.FAILED)
        .values(status=OutboxStatus.PENDING, attempts=0, next_attempt_at=now, claim_token=None),
        execution_options={"synchronize_session": False},
    )
    session.refresh(message)
    if getattr(done, "rowcount", 0) != 1:
        raise Conflict(
            _(
                "This message is %(status)s, so it cannot be retried.",
                status=STATUS_WORDS.get(message.status, message.status.value),
            )
        )
    audit.record(
        session,
        actor,
        "outbox.retry",
        message,
        before={"status": "failed"},
        after={"status": "pending"},
    )
    return message
