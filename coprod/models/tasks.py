"""Tasks, their shifts, and volunteers' sign-ups for shifts."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coprod.db import Base, utcnow
from coprod.models._types import str_enum
from coprod.models.accounts import User
from coprod.models.organisations import Organisation
from coprod.models.programmes import Metric, Programme

if TYPE_CHECKING:
    from coprod.models.capacity import Qualification, TaskSkill


class TaskStatus(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class SignupStatus(StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"
    ATTENDED = "attended"
    NO_SHOW = "no_show"
    # The shift itself was cancelled (bad weather): the place ended, the reason is the shift's.
    SHIFT_CANCELLED = "shift_cancelled"


# The task list's sort key for a task with no upcoming shift (ongoing, or every shift past or
# cancelled): after every real time. A key that is never NULL lets one row-value comparison on
# an index serve the list's windows (NULL takes part in no comparison).
NEVER = datetime(9999, 1, 1, tzinfo=UTC)

# Statuses that hold one of the shift's seats (counted in Shift.confirmed).
SEATED = (SignupStatus.CONFIRMED, SignupStatus.ATTENDED, SignupStatus.NO_SHOW)
# Statuses that keep the volunteer's time booked (used by the overlap rule).
ACTIVE = (SignupStatus.CONFIRMED, SignupStatus.WAITLISTED, SignupStatus.ATTENDED)


task_metric = Table(
    "task_metric",
    Base.metadata,
    Column("task_id", ForeignKey("task.id", ondelete="CASCADE"), primary_key=True),
    Column("metric_id", ForeignKey("metric.id", ondelete="CASCADE"), primary_key=True),
)


class Task(Base):
    __tablename__ = "task"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(
        ForeignKey("programme.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    location: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[TaskStatus] = mapped_column(str_enum(TaskStatus), default=TaskStatus.DRAFT)
    # An ongoing task has no shifts: people log hours whenever they do the work.
    ongoing: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    coordinating_organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL"), index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    # A person who coordinates the task beside its coordinating organisation's coordinators:
    # the citizen whose proposal became the task, when the agency added them. No foreign key
    # (SQLite cannot add one to an existing table without rebuilding it); the policy checks
    # the account is active.
    co_coordinator_id: Mapped[int | None] = mapped_column(default=None, index=True)
    # A training: attendance marked on its shifts awards this qualification (valid from the
    # shift's day). No foreign key, as co_coordinator_id; the service checks it exists.
    trains_qualification_id: Mapped[int | None] = mapped_column(default=None, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # The figures the task list shows, kept by coprod.services.task_figures in the same
    # transaction as every change that moves them (shifts, seats, the task's status): its
    # live shifts that had not started when they were last kept. Time moves them too (a shift
    # that starts is no longer upcoming): a row whose `list_sort_at` has passed is stale, read
    # afresh by the list and kept again by the job `tasks.figures`.
    next_shift_starts_at: Mapped[datetime | None] = mapped_column(default=None)
    upcoming_shifts: Mapped[int] = mapped_column(default=0, server_default="0")
    free_places: Mapped[int] = mapped_column(default=0, server_default="0")
    # next_shift_starts_at, or NEVER when there is none: the list's order (with the id).
    list_sort_at: Mapped[datetime] = mapped_column(default=NEVER)

    programme: Mapped[Programme] = relationship()
    coordinating_organisation: Mapped[Organisation | None] = relationship()
    metrics: Mapped[list[Metric]] = relationship(secondary=task_metric, order_by="Metric.id")
    shifts: Mapped[list[Shift]] = relationship(
        back_populates="task", cascade="all, delete-orphan", order_by="Shift.starts_at"
    )
    # What everyone on its shifts must hold on the shift's day (coprod.services.capacity).
    required_qualifications: Mapped[list[Qualification]] = relationship(
        secondary="task_qualification", order_by="Qualification.name"
    )
    trains_qualification: Mapped[Qualification | None] = relationship(
        primaryjoin="foreign(Task.trains_qualification_id) == Qualification.id", viewonly=True
    )
    skills: Mapped[list[TaskSkill]] = relationship(
        cascade="all, delete-orphan", order_by="TaskSkill.tag"
    )

    __table_args__ = (
        Index("ix_task_status_programme", "status", "programme_id"),
        # The task list's windows (any status), and the same within one programme.
        Index("ix_task_list", "status", "list_sort_at", "id"),
        Index("ix_task_programme_list", "programme_id", "status", "list_sort_at", "id"),
    )


class Shift(Base):
    """A time slot of a task with a capacity; `confirmed` counts the seats taken."""

    __tablename__ = "shift"
    __table_args__ = (
        CheckConstraint("capacity >= 1", name="capacity_positive"),
        CheckConstraint("confirmed >= 0 AND confirmed <= capacity", name="confirmed_within"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        # A task's next shift (the public list sorts on it) is one index probe; its shifts
        # are read by keyset windows in (starts_at, id) order.
        Index("ix_shift_task_starts_id", "task_id", "starts_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime]
    capacity: Mapped[int]
    confirmed: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A cancelled shift stays (with its sign-ups, ended) but is not live: see
    # coprod.services.shift_state.live_shift().
    cancelled_at: Mapped[datetime | None] = mapped_column(default=None)
    cancel_reason: Mapped[str] = mapped_column(String(300), default="", server_default="")
    # The account that cancelled it (accounts are never deleted, only closed). No foreign key:
    # SQLite cannot add a named one to an existing table without rebuilding every table that
    # refers to shift; the audit entry "shift.cancelled" is the record.
    cancelled_by_id: Mapped[int | None] = mapped_column(default=None)
    # The shifts of one weekly series share it (the id of the series' first shift).
    series_id: Mapped[int | None] = mapped_column(default=None, index=True)

    task: Mapped[Task] = relationship(back_populates="shifts")
    signups: Mapped[list[Signup]] = relationship(back_populates="shift", order_by="Signup.id")

    @property
    def free_places(self) -> int:
        return 0 if self.is_cancelled else max(self.capacity - self.confirmed, 0)

    @property
    def is_cancelled(self) -> bool:
        """The Python twin of coprod.services.shift_state.live_shift() (negated)."""
        return self.cancelled_at is not None


class Signup(Base):
    """A volunteer on a shift. One row per (shift, volunteer); re-joining reuses it."""

    __tablename__ = "signup"
    __table_args__ = (
        UniqueConstraint("shift_id", "user_id"),
        Index("ix_signup_user_status", "user_id", "status"),
        Index("ix_signup_shift_status", "shift_id", "status", "queued_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shift_id: Mapped[int] = mapped_column(ForeignKey("shift.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    status: Mapped[SignupStatus] = mapped_column(str_enum(SignupStatus))
    # When the person (re)joined: the waitlist is served oldest first.
    queued_at: Mapped[datetime] = mapped_column(default=utcnow)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    shift: Mapped[Shift] = relationship(back_populates="signups")
    volunteer: Mapped[User] = relationship(foreign_keys=[user_id])
    assigned_by: Mapped[User | None] = relationship(foreign_keys=[assigned_by_id])


class TaskInterest(Base):
    """A person who said "I'm interested" in a task: on its contact list for its coordinators."""

    __tablename__ = "task_interest"
    __table_args__ = (UniqueConstraint("task_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    task: Mapped[Task] = relationship()
    person: Mapped[User] = relationship()
