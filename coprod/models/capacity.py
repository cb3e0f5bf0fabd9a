"""Capacity building: the qualifications organisations define (a training, certificate or
check), the awards that give them to people with an expiry, the skills people tag themselves
with, and the invitations coordinators send to qualified people for an understaffed shift."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coprod.db import Base, utcnow
from coprod.models._types import str_enum
from coprod.models.accounts import User
from coprod.models.organisations import Organisation
from coprod.models.programmes import Programme
from coprod.models.tasks import Shift


class Verifier(StrEnum):
    """Who may award (verify) a qualification and manage its holders."""

    COORDINATORS = "coordinators"  # the defining organisation's coordinators (and admins)
    LEAD_AGENCY = "lead_agency"  # the staff of the agency leading Qualification.programme


class AwardSource(StrEnum):
    VERIFIED = "verified"  # a verifier checked the evidence and awarded it
    TRAINING = "training"  # attendance at a training shift awarded it


class Qualification(Base):
    """A training, certificate or check an organisation defines; tasks may require it."""

    __tablename__ = "qualification"
    __table_args__ = (
        # One name per organisation, whatever its case.
        Index(
            "uq_qualification_org_name_ci", "organisation_id", func.lower(text("name")), unique=True
        ),
        CheckConstraint(
            "validity_months IS NULL OR (validity_months >= 1 AND validity_months <= 600)",
            name="validity_months_range",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    # How a person gets it (shown with every refusal that names it): "Attend our two-hour
    # course, or bring your certificate to a coordinator".
    how_to_get: Mapped[str] = mapped_column(Text, default="")
    # How long an award is valid; None: it does not expire.
    validity_months: Mapped[int | None] = mapped_column(default=None)
    verifier: Mapped[Verifier] = mapped_column(str_enum(Verifier), default=Verifier.COORDINATORS)
    # With Verifier.LEAD_AGENCY: the programme whose lead agency's staff verify it.
    programme_id: Mapped[int | None] = mapped_column(
        ForeignKey("programme.id", ondelete="SET NULL"), default=None
    )
    # An archived qualification is no longer offered for new tasks or awards; awards stay.
    archived_at: Mapped[datetime | None] = mapped_column(default=None)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    organisation: Mapped[Organisation] = relationship()
    programme: Mapped[Programme | None] = relationship()


class QualificationAward(Base):
    """A qualification held by a person from `awarded_on`, valid on every day before
    `expires_on` (None: it does not expire). Renewing adds a new award; a revoked award counts
    nowhere. A person holds a qualification on a day when one of their awards is valid on it."""

    __tablename__ = "qualification_award"
    __table_args__ = (
        Index("ix_award_user_qualification", "user_id", "qualification_id", "expires_on"),
        Index("ix_award_qualification_expires", "qualification_id", "expires_on"),
        # A training shift awards once per attendee.
        UniqueConstraint("signup_id", name="uq_award_signup"),
        CheckConstraint(
            "expires_on IS NULL OR expires_on > awarded_on", name="expires_after_award"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    qualification_id: Mapped[int] = mapped_column(
        ForeignKey("qualification.id", ondelete="CASCADE")
    )
    awarded_on: Mapped[date]
    # The first day it is no longer valid; None: it does not expire.
    expires_on: Mapped[date | None] = mapped_column(default=None)
    evidence: Mapped[str] = mapped_column(String(500), default="")
    source: Mapped[AwardSource] = mapped_column(str_enum(AwardSource), default=AwardSource.VERIFIED)
    # The attended training sign-up that awarded it (AwardSource.TRAINING).
    signup_id: Mapped[int | None] = mapped_column(
        ForeignKey("signup.id", ondelete="SET NULL"), default=None
    )
    awarded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), default=None
    )
    # When the scheduler emailed the holder that it is about to expire (once per award).
    expiry_notified_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    qualification: Mapped[Qualification] = relationship()
    holder: Mapped[User] = relationship(foreign_keys=[user_id])
    awarded_by: Mapped[User | None] = relationship(foreign_keys=[awarded_by_id])

    def valid_on(self, day: date) -> bool:
        """The Python twin of coprod.services.capacity.valid_awards(day)."""
        return (
            self.revoked_at is None
            and self.awarded_on <= day
            and (self.expires_on is None or day < self.expires_on)
        )


# The qualifications a task requires of everyone on its shifts.
task_qualification = Table(
    "task_qualification",
    Base.metadata,
    Column("task_id", ForeignKey("task.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "qualification_id",
        ForeignKey("qualification.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)


class UserSkill(Base):
    """A free tag a person sets on their profile ("cooking", "first aid"), lower case."""

    __tablename__ = "user_skill"
    __table_args__ = (UniqueConstraint("user_id", "tag"), Index("ix_user_skill_tag", "tag"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    tag: Mapped[str] = mapped_column(String(40))


class TaskSkill(Base):
    """A skill tag of a task: the work it is ("cooking"), matched to people's skills."""

    __tablename__ = "task_skill"
    __table_args__ = (UniqueConstraint("task_id", "tag"), Index("ix_task_skill_tag", "tag"))

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"))
    tag: Mapped[str] = mapped_column(String(40))


class ShiftInvitation(Base):
    """A coordinator asked a qualified, free member to take a place on an understaffed shift.
    The email's link opens the shift with a one-click sign-up that goes through every rule."""

    __tablename__ = "shift_invitation"
    __table_args__ = (
        UniqueConstraint("shift_id", "user_id"),
        Index("ix_invitation_user", "user_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shift_id: Mapped[int] = mapped_column(ForeignKey("shift.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When the invited person signed up through the link.
    accepted_at: Mapped[datetime | None] = mapped_column(default=None)

    shift: Mapped[Shift] = relationship()
    person: Mapped[User] = relationship(foreign_keys=[user_id])
    invited_by: Mapped[User | None] = relationship(foreign_keys=[invited_by_id])
