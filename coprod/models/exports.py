"""A person's request for their data that is too big to build during a web request: the
scheduler builds it, keeps the ZIP here until its link expires, and mails the link."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from coprod.db import Base, utcnow
from coprod.models._types import str_enum


class ExportStatus(StrEnum):
    PENDING = "pending"  # asked for; the scheduler has not built it yet
    READY = "ready"  # built, its link mailed; downloadable until expires_at
    EXPIRED = "expired"  # its link ran out: the ZIP is gone, the row stays as a record


class DataExport(Base):
    __tablename__ = "data_export"
    __table_args__ = (Index("ix_data_export_status_requested", "status", "requested_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    status: Mapped[ExportStatus] = mapped_column(
        str_enum(ExportStatus), default=ExportStatus.PENDING
    )
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    built_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]
    filename: Mapped[str] = mapped_column(String(100), default="")
    rows: Mapped[int] = mapped_column(default=0)
    # In the database, not on a disk: the scheduler and the web servers may not share one.
    data: Mapped[bytes | None] = mapped_column(LargeBinary)
