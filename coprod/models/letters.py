"""Service letters: a volunteer's approved hours for a period, as issued, checkable by code."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coprod.db import Base, utcnow
from coprod.models.accounts import User


class ServiceLetter(Base):
    """The figures are stored as issued (JSON text), so a letter verifies as it was printed
    even when a correction approved later would change them."""

    __tablename__ = "service_letter"
    __table_args__ = (Index("ix_service_letter_user_issued", "user_id", "issued_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    # Random (secrets.token_urlsafe(24): 192 bits); whoever holds it may read the letter.
    code: Mapped[str] = mapped_column(String(64), unique=True)
    # None: every programme the person gave approved hours to in the period.
    programme_id: Mapped[int | None] = mapped_column(
        ForeignKey("programme.id", ondelete="SET NULL")
    )
    from_date: Mapped[date]
    to_date: Mapped[date]
    holder_name: Mapped[str] = mapped_column(String(120))
    lead_agencies: Mapped[str] = mapped_column(String(1000), default="")
    figures: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(16), default="en")
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]

    holder: Mapped[User] = relationship()
