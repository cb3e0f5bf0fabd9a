"""Shared-ownership report snapshots and the scheduler's bookkeeping."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coprod.db import Base, utcnow
from coprod.models._types import quantity_type, str_enum
from coprod.models.programmes import Programme


class PeriodKind(StrEnum):
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"


class ReportSnapshot(Base):
    """The figures of one programme for one period, as last built."""

    __tablename__ = "report_snapshot"
    __table_args__ = (UniqueConstraint("programme_id", "period", "start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"))
    period: Mapped[PeriodKind] = mapped_column(str_enum(PeriodKind))
    start: Mapped[date]
    end: Mapped[date]
    hours_total: Mapped[Decimal] = mapped_column(quantity_type())
    # The document's hours by sector, kept beside it for the report page's history chart.
    hours_by_sector: Mapped[dict[str, float]] = mapped_column(JSON, server_default=text("'{}'"))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    # Each metric's cumulative total at the period's end in integer cents (str(metric id) ->
    # cents), written with the document by this builder: None where not known (built before
    # it, or its last rebuild failed). See coprod.services.reports.cumulative.
    outcomes_to_date: Mapped[dict[str, int] | None] = mapped_column(JSON(none_as_null=True))
    built_at: Mapped[datetime] = mapped_column(default=utcnow)

    programme: Mapped[Programme] = relationship()


class JobState(Base):
    """When a scheduler job last ran to completion (its sweep starts from there), and what its
    last run could not do: `failures` is None after a clean run, else {"count": n, "periods":
    [{"programme_id", "period", "start", "error"}, ...]} listing the first few (see
    coprod.jobs.reports)."""

    __tablename__ = "job_state"

    job_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    last_run_at: Mapped[datetime | None]
    cursor: Mapped[datetime | None]
    failures: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
