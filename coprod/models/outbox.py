"""The email outbox (one row per email, written with the change that causes it) and each
person's choice of which kinds of email they receive."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coprod.db import Base, utcnow
from coprod.models._types import str_enum
from coprod.models.accounts import User


class NotificationKind(StrEnum):
    SIGNUP = "signup"  # confirmed or waitlisted
    PROMOTED = "promoted"
    ASSIGNED = "assigned"
    SHIFT_CHANGED = "shift_changed"  # times changed, or the task cancelled
    REMINDER = "reminder"
    LOG_REVIEWED = "log_reviewed"
    REPORT_DIGEST = "report_digest"
    ROSTER_MESSAGE = "roster_message"
    PROPOSAL_ANSWERED = "proposal_answered"  # to the author of the proposal
    SUPPORTED_ANSWERED = "supported_answered"  # to each supporter of the proposal
    EXPIRING = "expiring"  # a qualification of theirs expires soon: the trainings that renew it
    WAITLIST_SKIPPED = "waitlist_skipped"  # a place went to the next: they lack a qualification
    INVITATION = "invitation"  # a coordinator invites them to an understaffed shift
    AGREEMENT = "agreement"  # a new version of a partnership agreement asks their organisation
    DECISION = "decision"  # a partnership decision opened for their organisation's vote, or closed
    # About the account itself: always sent, never a preference.
    PASSWORD_RESET = "password_reset"  # noqa: S105 - a kind of email, not a password
    CONFIRM_EMAIL = "confirm_email"
    REGISTER_ATTEMPT = "register_attempt"
    EMAIL_CHANGED = "email_changed"
    ORG_DECLINED = "org_declined"
    DATA_EXPORT = "data_export"  # the link to a person's data, built by the scheduler


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class OutboxMessage(Base):
    """One email to one person. `dedupe_key` (kind, object, recipient, occasion) is unique, so
    a reminder or a digest is never queued twice."""

    __tablename__ = "outbox_message"
    __table_args__ = (
        Index("ix_outbox_message_due", "status", "next_attempt_at"),
        # The outbox newest first, whole or by status (keyset windows).
        Index("ix_outbox_message_created_id", "created_at", "id"),
        Index("ix_outbox_message_status_created", "status", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    recipient: Mapped[str] = mapped_column(String(254))
    kind: Mapped[NotificationKind] = mapped_column(str_enum(NotificationKind))
    subject: Mapped[str] = mapped_column(String(200))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    status: Mapped[OutboxStatus] = mapped_column(
        str_enum(OutboxStatus), default=OutboxStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set when a deliverer claims the row; the token tells it which rows it won.
    claim_token: Mapped[str | None] = mapped_column(String(40))
    claimed_at: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(Text, default="")
    sent_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User | None] = relationship()


class NotificationPreference(Base):
    """A person's choice for one kind; without a row the kind's default applies."""

    __tablename__ = "notification_preference"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[NotificationKind] = mapped_column(str_enum(NotificationKind), primary_key=True)
    enabled: Mapped[bool]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
