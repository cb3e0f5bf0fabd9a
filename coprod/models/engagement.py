"""Community engagement: citizens' proposals for tasks, their supporters, volunteers' feedback
on the tasks they worked on, and the flags anyone raises on what is shown in public."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coprod.db import Base, utcnow
from coprod.models._types import str_enum
from coprod.models.accounts import User
from coprod.models.programmes import Programme
from coprod.models.tasks import Shift, Task


class ProposalStatus(StrEnum):
    OPEN = "open"  # proposed, not yet answered
    UNDER_REVIEW = "under_review"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    ALREADY_PLANNED = "already_planned"


# The agency's decisions: a proposal in one of these is answered for good.
DECIDED = (ProposalStatus.ACCEPTED, ProposalStatus.DECLINED, ProposalStatus.ALREADY_PLANNED)
# Waiting for the agency: counted as overdue after PROPOSAL_ANSWER_DAYS.
WAITING = (ProposalStatus.OPEN, ProposalStatus.UNDER_REVIEW)


class Proposal(Base):
    """A citizen's idea for a task in a programme that accepts proposals."""

    __tablename__ = "proposal"
    __table_args__ = (
        CheckConstraint("supports >= 0", name="supports_non_negative"),
        Index("ix_proposal_programme_status", "programme_id", "status", "created_at"),
        Index("ix_proposal_programme_supports", "programme_id", "supports", "id"),
        Index("ix_proposal_programme_created", "programme_id", "created_at", "id"),
        Index("ix_proposal_author_created", "author_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"))
    # None once the account is gone; the proposal stays, by "a resident".
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    # Shown as "a resident" instead of the author's display name.
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    title: Mapped[str] = mapped_column(String(200))
    what: Mapped[str] = mapped_column(Text, default="")  # what and where
    location: Mapped[str] = mapped_column(String(300), default="")
    why: Mapped[str] = mapped_column(Text, default="")
    contribution: Mapped[str] = mapped_column(Text, default="")  # what the author could do
    status: Mapped[ProposalStatus] = mapped_column(
        str_enum(ProposalStatus), default=ProposalStatus.OPEN
    )
    # The number of supports (the rows in proposal_support), kept with them for sorting.
    supports: Mapped[int] = mapped_column(default=0)
    # The agency's public answer to the latest status change.
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[datetime | None]
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    # The draft task made when the proposal was accepted.
    task_id: Mapped[int | None] = mapped_column(
        ForeignKey("task.id", ondelete="SET NULL"), unique=True
    )
    # What the accepted task has achieved so far (approved hours, volunteers, outcomes), as
    # last computed by the scheduler with the reports; None before the first run.
    impact: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    impact_built_at: Mapped[datetime | None]
    # Moderation: hidden by lead staff with a reason the author sees.
    hidden_at: Mapped[datetime | None]
    hidden_reason: Mapped[str] = mapped_column(String(500), default="")
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    programme: Mapped[Programme] = relationship()
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    answered_by: Mapped[User | None] = relationship(foreign_keys=[answered_by_id])
    task: Mapped[Task | None] = relationship()

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None


class ProposalSupport(Base):
    """One person's support for a proposal (one per person; withdrawing deletes the row)."""

    __tablename__ = "proposal_support"
    __table_args__ = (UniqueConstraint("proposal_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    proposal: Mapped[Proposal] = relationship()
    person: Mapped[User] = relationship()


class Feedback(Base):
    """A volunteer's rating (1-5) and comment on a task they attended a shift of, or logged
    hours on; one per person and task. A public comment is shown without the author's name."""

    __tablename__ = "feedback"
    __table_args__ = (
        UniqueConstraint("task_id", "user_id"),
        CheckConstraint("rating >= 1 AND rating <= 5", name="rating_range"),
        # Reports read a programme's ratings by date.
        Index("ix_feedback_report", "programme_id", "date", "task_id", "rating"),
        Index("ix_feedback_changed", "changed_at"),
        # A task's feedback, newest first, read by keyset windows.
        Index("ix_feedback_task_created", "task_id", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Denormalised from the task so reports read a programme's rows without a join.
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"))
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"))
    # The attended shift the feedback is about, if any.
    shift_id: Mapped[int | None] = mapped_column(ForeignKey("shift.id", ondelete="SET NULL"))
    # None once the account is gone (the rating stays in the reports).
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    rating: Mapped[int]
    comment: Mapped[str] = mapped_column(Text, default="")
    # True: the comment is shown on the task's public page (without a name); False: only the
    # task's coordinators and the lead agency's staff read it.
    public: Mapped[bool] = mapped_column(Boolean, default=False)
    # The programme-local day it was given: the report period it counts in.
    date: Mapped[date]
    hidden_at: Mapped[datetime | None]
    hidden_reason: Mapped[str] = mapped_column(String(500), default="")
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When it was given or hidden: the report sweep rebuilds the periods changed since its run.
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)

    task: Mapped[Task] = relationship()
    shift: Mapped[Shift | None] = relationship()
    author: Mapped[User | None] = relationship(foreign_keys=[user_id])

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None


class ContentFlag(Base):
    """Someone's report that a proposal or a public feedback comment should not be shown;
    exactly one of proposal_id and feedback_id is set, one flag per person and item."""

    __tablename__ = "content_flag"
    __table_args__ = (
        CheckConstraint("(proposal_id IS NULL) <> (feedback_id IS NULL)", name="one_item"),
        UniqueConstraint("proposal_id", "user_id"),
        UniqueConstraint("feedback_id", "user_id"),
        Index("ix_content_flag_open", "resolved_at", "programme_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The item's programme, so its lead staff's moderation queue reads one index.
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"))
    proposal_id: Mapped[int | None] = mapped_column(
        ForeignKey("proposal.id", ondelete="CASCADE"), index=True
    )
    feedback_id: Mapped[int | None] = mapped_column(
        ForeignKey("feedback.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set when lead staff hid the item or dismissed the flag.
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    proposal: Mapped[Proposal | None] = relationship()
    feedback: Mapped[Feedback | None] = relationship()
    flagged_by: Mapped[User | None] = relationship(foreign_keys=[user_id])


__all__ = [
    "DECIDED",
    "WAITING",
    "ContentFlag",
    "Feedback",
    "Proposal",
    "ProposalStatus",
    "ProposalSupport",
]
