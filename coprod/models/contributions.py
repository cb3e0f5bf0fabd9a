"""Contribution logs: who did what for which task, with outcomes and in-kind items."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coprod.db import Base, utcnow
from coprod.models._types import hours_type, money, quantity_type, str_enum
from coprod.models.accounts import User
from coprod.models.organisations import Organisation
from coprod.models.programmes import Metric
from coprod.models.tasks import Shift, Task


class LogStatus(StrEnum):
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"
    CHANGES_REQUESTED = "changes_requested"
    # An approved log replaced by its approved correction: kept for history, never counted.
    SUPERSEDED = "superseded"


class ContributionLog(Base):
    __tablename__ = "contribution_log"
    __table_args__ = (
        CheckConstraint("hours > 0 AND hours <= 24", name="hours_range"),
        Index("ix_contribution_log_user_date", "user_id", "date"),
        Index("ix_contribution_log_status_task", "status", "task_id"),
        Index("ix_contribution_log_programme_status_date", "programme_id", "status", "date"),
        # The review queue reads one status oldest submission first: an ordered index walk.
        Index("ix_contribution_log_status_submitted", "status", "submitted_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    # Set when the log is made on behalf of an organisation; otherwise the hours are a citizen's.
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL"), index=True
    )
    # Denormalised from the task so review queues and reports filter without a join.
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"))
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"))
    shift_id: Mapped[int | None] = mapped_column(ForeignKey("shift.id", ondelete="SET NULL"))
    date: Mapped[date]
    hours: Mapped[Decimal] = mapped_column(hours_type())
    notes: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[LogStatus] = mapped_column(str_enum(LogStatus), default=LogStatus.SUBMITTED)
    corrects_id: Mapped[int | None] = mapped_column(
        ForeignKey("contribution_log.id", ondelete="SET NULL"), index=True
    )
    review_comment: Mapped[str] = mapped_column(Text, default="")
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None]
    # When the log last entered or left the approved set; the report job sweeps on it.
    counted_changed_at: Mapped[datetime | None] = mapped_column(index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    contributor: Mapped[User | None] = relationship(foreign_keys=[user_id])
    organisation: Mapped[Organisation | None] = relationship()
    task: Mapped[Task] = relationship()
    shift: Mapped[Shift | None] = relationship()
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    corrects: Mapped[ContributionLog | None] = relationship(remote_side=[id])
    outcomes: Mapped[list[OutcomeQuantity]] = relationship(
        back_populates="log", cascade="all, delete-orphan", order_by="OutcomeQuantity.id"
    )
    in_kind: Mapped[list[InKindItem]] = relationship(
        back_populates="log", cascade="all, delete-orphan", order_by="InKindItem.id"
    )


class OutcomeQuantity(Base):
    __tablename__ = "outcome_quantity"
    __table_args__ = (
        UniqueConstraint("log_id", "metric_id"),
        CheckConstraint("quantity >= 0", name="quantity_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    log_id: Mapped[int] = mapped_column(ForeignKey("contribution_log.id", ondelete="CASCADE"))
    metric_id: Mapped[int] = mapped_column(ForeignKey("metric.id", ondelete="CASCADE"), index=True)
    quantity: Mapped[Decimal] = mapped_column(quantity_type())

    log: Mapped[ContributionLog] = relationship(back_populates="outcomes")
    metric: Mapped[Metric] = relationship()


class InKindItem(Base):
    __tablename__ = "in_kind_item"
    __table_args__ = (CheckConstraint("value >= 0", name="value_non_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    log_id: Mapped[int] = mapped_column(
        ForeignKey("contribution_log.id", ondelete="CASCADE"), index=True
    )
    description: Mapped[str] = mapped_column(String(300))
    value: Mapped[Decimal] = mapped_column(money())

    log: Mapped[ContributionLog] = relationship(back_populates="in_kind")
