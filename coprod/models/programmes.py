"""Programmes: co-production partnerships with partners and shared objectives (metrics)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, ForeignKey, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coprod.db import Base, utcnow
from coprod.models._types import money, quantity_type, str_enum
from coprod.models.organisations import Organisation
from coprod.services.money import default_currency

if TYPE_CHECKING:
    from coprod.models.governance import Commitment


class ComparisonKind(StrEnum):
    """What a pilot is compared with (coprod.services.governance.pilots)."""

    BASELINE = "baseline"  # the same programme in the period of equal length before the window
    CONTROL = "control"  # named established tasks and/or programmes (PilotControl), same window


class Programme(Base):
    __tablename__ = "programme"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    lead_organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="RESTRICT"), index=True
    )
    starts_on: Mapped[date]
    ends_on: Mapped[date | None]
    is_pilot: Mapped[bool] = mapped_column(default=False)
    hypothesis: Mapped[str | None] = mapped_column(Text)
    evaluation_starts_on: Mapped[date | None]
    evaluation_ends_on: Mapped[date | None]
    # A pilot's comparison; None until set (a pilot then compares with its baseline).
    comparison: Mapped[ComparisonKind | None] = mapped_column(str_enum(ComparisonKind))
    # Money value of one volunteered hour, for the in-kind match funders ask for.
    hourly_rate: Mapped[Decimal] = mapped_column(money(), default=Decimal("0"))
    # ISO 4217 code of every money amount of the programme (rate, in-kind values, reports).
    currency: Mapped[str] = mapped_column(String(3), default=default_currency, server_default="GBP")
    # IANA name overriding the lead agency's zone; None: the lead agency's zone.
    timezone: Mapped[str | None] = mapped_column(String(64))
    # Printed at the foot of service letters: the signing officer's name and role.
    letter_signatory: Mapped[str | None] = mapped_column(String(200))
    # Citizens may propose tasks for the programme (coprod.services.engagement.proposals).
    accepts_proposals: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    # Loaded with the programme: its time zone is the programme's unless it sets its own.
    lead_organisation: Mapped[Organisation] = relationship(lazy="joined")
    partners: Mapped[list[Partner]] = relationship(
        back_populates="programme", cascade="all, delete-orphan", order_by="Partner.id"
    )
    metrics: Mapped[list[Metric]] = relationship(
        back_populates="programme", cascade="all, delete-orphan", order_by="Metric.id"
    )


class Partner(Base):
    """An organisation's part in a programme: the written partnership agreement."""

    __tablename__ = "partner"
    __table_args__ = (UniqueConstraint("programme_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(200))
    responsibilities: Mapped[str] = mapped_column(Text, default="", server_default="")
    commitments: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    programme: Mapped[Programme] = relationship(back_populates="partners")
    organisation: Mapped[Organisation] = relationship()
    # The commitments as measurable figures (coprod.models.governance.Commitment).
    figures: Mapped[list[Commitment]] = relationship(
        back_populates="partner", cascade="all, delete-orphan", order_by="Commitment.id"
    )


class Metric(Base):
    """A shared objective: an outcome measured in a unit, with a target by a date."""

    __tablename__ = "metric"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(
        ForeignKey("programme.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(50))
    target: Mapped[Decimal] = mapped_column(quantity_type())
    target_date: Mapped[date]
    # A pilot programme's evaluation measures the outcome of the metrics it should move.
    pilot_measure: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    programme: Mapped[Programme] = relationship(back_populates="metrics")
