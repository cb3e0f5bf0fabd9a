"""Organisations: agencies, nonprofits, community groups and businesses."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String, Text, func, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coprod.db import Base, utcnow
from coprod.models._types import str_enum
from coprod.services.localtime import default_zone_name

if TYPE_CHECKING:
    from coprod.models.accounts import Membership, User


class OrgKind(StrEnum):
    AGENCY = "agency"
    NONPROFIT = "nonprofit"
    COMMUNITY = "community"
    BUSINESS = "business"


class Sector(StrEnum):
    """Where hours are credited in reports: an organisation's kind, or individual citizens."""

    AGENCY = "agency"
    NONPROFIT = "nonprofit"
    COMMUNITY = "community"
    BUSINESS = "business"
    CITIZEN = "citizen"


class Organisation(Base):
    __tablename__ = "organisation"
    # Names are unique whatever their case ("Food Bank" and "food bank" are one name), in the
    # database too, so two people creating them at the same moment cannot both succeed.
    __table_args__ = (Index("uq_organisation_name_ci", func.lower(text("name")), unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[OrgKind] = mapped_column(str_enum(OrgKind))
    description: Mapped[str] = mapped_column(Text, default="")
    website: Mapped[str | None] = mapped_column(String(300))
    # IANA name (Europe/London); its programmes show and take times in it unless they set
    # their own. Rows made outside the app get UTC; the app fills DEFAULT_TIMEZONE.
    timezone: Mapped[str] = mapped_column(
        String(64), default=default_zone_name, server_default="UTC"
    )
    verified_at: Mapped[datetime | None]
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    # A site admin declined to verify the agency, with a reason its admins are told.
    declined_at: Mapped[datetime | None]
    decline_reason: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan"
    )
    verified_by: Mapped[User | None] = relationship(foreign_keys=[verified_by_id])

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None

    @property
    def can_post(self) -> bool:
        """Only a verified agency may lead programmes and post tasks."""
        return self.kind == OrgKind.AGENCY and self.is_verified
