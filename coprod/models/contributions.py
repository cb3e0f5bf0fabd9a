"""Contribution logs: who did what for which task, with outcomes and in-kind items."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Connection,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    event,
    select,
    update,
)
from sqlalchemy.orm import Mapped, Mapper, attributes, mapped_column, relationship

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
    # Taken back by its contributor before review (or by undoing attendance): counted nowhere.
    WITHDRAWN = "withdrawn"


class ContributionLog(Base):
    __tablename__ = "contribution_log"
    __table_args__ = (
        CheckConstraint("hours > 0 AND hours <= 24", name="hours_range"),
        # My logs and the API's logs: newest date first, the id breaking ties (keyset windows).
        Index("ix_contribution_log_user_date_id", "user_id", "date", "id"),
        Index("ix_contribution_log_date_id", "date", "id"),
        Index("ix_contribution_log_status_task", "status", "task_id"),
        Index("ix_contribution_log_programme_status_date", "programme_id", "status", "date"),
        # The review queue reads one status oldest submission first: an ordered index walk.
        Index("ix_contribution_log_status_submitted", "status", "submitted_at", "id"),
        # ... and all statuses, and one programme's or one task's queue (keyset windows).
        Index("ix_contribution_log_submitted", "submitted_at", "id"),
        Index(
            "ix_contribution_log_programme_queue", "programme_id", "status", "submitted_at", "id"
        ),
        Index("ix_contribution_log_programme_submitted", "programme_id", "submitted_at", "id"),
        Index("ix_contribution_log_task_queue", "task_id", "status", "submitted_at", "id"),
        # A person's open logs on their home page: theirs (by user_id) or logged for others by
        # them; with this the OR is two index probes, not a filter over every open log.
        Index("ix_contribution_log_created_by_status", "created_by_id", "status"),
        # Covers the report builder: a programme's approved logs in (person, date) order, read
        # from the index alone, so first logs per person and period need neither sort nor hash.
        Index(
            "ix_contribution_log_report",
            "programme_id",
            "status",
            "user_id",
            "date",
            "organisation_id",
            "task_id",
            "hours",
            "id",
        ),
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
        Index(
            "ix_outcome_quantity_report", "programme_id", "date", "log_id", "metric_id", "quantity"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    log_id: Mapped[int] = mapped_column(ForeignKey("contribution_log.id", ondelete="CASCADE"))
    # Denormalised from the log (set on insert, see below) so a programme's report reads only
    # its own rows; a new date on the log is copied to its rows (see below).
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"))
    date: Mapped[date]
    metric_id: Mapped[int] = mapped_column(ForeignKey("metric.id", ondelete="CASCADE"), index=True)
    quantity: Mapped[Decimal] = mapped_column(quantity_type())

    log: Mapped[ContributionLog] = relationship(back_populates="outcomes")
    metric: Mapped[Metric] = relationship()


class InKindItem(Base):
    __tablename__ = "in_kind_item"
    __table_args__ = (
        CheckConstraint("value >= 0", name="value_non_negative"),
        Index("ix_in_kind_item_report", "programme_id", "date", "log_id", "value"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    log_id: Mapped[int] = mapped_column(
        ForeignKey("contribution_log.id", ondelete="CASCADE"), index=True
    )
    # Denormalised from the log (set on insert, see below).
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"))
    date: Mapped[date]
    description: Mapped[str] = mapped_column(String(300))
    value: Mapped[Decimal] = mapped_column(money())

    log: Mapped[ContributionLog] = relationship(back_populates="in_kind")


@event.listens_for(OutcomeQuantity, "before_insert")
@event.listens_for(InKindItem, "before_insert")
def _copy_from_log(_mapper: Mapper[Any], conn: Connection, row: Any) -> None:
    """Outcome and in-kind rows carry their log's programme and date (a log never changes
    programme, and its date changes only with these rows rewritten)."""
    if row.programme_id is not None and row.date is not None:
        return
    log = row.__dict__.get("log")  # the log in hand, without a lazy load mid-flush
    if log is not None and log.programme_id is not None and log.date is not None:
        row.programme_id, row.date = log.programme_id, log.date
    else:
        found = conn.execute(
            select(ContributionLog.programme_id, ContributionLog.date).where(
                ContributionLog.id == row.log_id
            )
        ).one()
        row.programme_id, row.date = found.programme_id, found.date


@event.listens_for(ContributionLog, "before_update")
def _move_rows_with_log(_mapper: Mapper[Any], conn: Connection, log: ContributionLog) -> None:
    """A log given a new date takes its outcome and in-kind rows along (rows inserted in the
    same flush copy the new date themselves)."""
    if not attributes.get_history(log, "date").has_changes():
        return
    conn.execute(
        update(OutcomeQuantity).where(OutcomeQuantity.log_id == log.id), {"date": log.date}
    )
    conn.execute(update(InKindItem).where(InKindItem.log_id == log.id), {"date": log.date})
    for row in [*log.__dict__.get("outcomes", ()), *log.__dict__.get("in_kind", ())]:
        attributes.set_committed_value(row, "date", log.date)
