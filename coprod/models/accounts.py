"""People: accounts, their per-organisation roles and their API tokens."""

from __future__ import annotations

import secrets
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import (
    BigInteger,
    ForeignKey,
    Index,
    SQLColumnExpression,
    String,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coprod.db import Base, utcnow
from coprod.models._types import str_enum

if TYPE_CHECKING:
    from coprod.models.organisations import Organisation


class Role(StrEnum):
    MEMBER = "member"
    COORDINATOR = "coordinator"
    STAFF = "staff"
    REVIEWER = "reviewer"
    ADMIN = "admin"


def new_token() -> str:
    return secrets.token_urlsafe(32)


class User(Base):
    __tablename__ = "user"
    # An organisation's members are read by name in keyset windows.
    __table_args__ = (Index("ix_user_display_name_id", "display_name", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    # Read and written as `display_name` (below): a deleted account shows a placeholder.
    stored_name: Mapped[str] = mapped_column("display_name", String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    phone: Mapped[str | None] = mapped_column(String(40))
    # The language the person reads coprod in ("es"); None follows their browser.
    language: Mapped[str | None] = mapped_column(String(16))
    # The version of the privacy notice (config PRIVACY_NOTICE_VERSION) accepted on registering;
    # None for accounts made before there was a notice, or by an operator.
    privacy_notice_version: Mapped[str | None] = mapped_column(String(20))
    is_site_admin: Mapped[bool] = mapped_column(default=False)
    is_active: Mapped[bool] = mapped_column(default=True)
    # Why a site admin deactivated the account (kept after reactivation for the record).
    deactivated_reason: Mapped[str | None] = mapped_column(String(500))
    # None until the person follows the confirmation link sent to their address.
    email_confirmed_at: Mapped[datetime | None]
    # An address the person asked to move to, waiting for its confirmation link.
    pending_email: Mapped[str | None] = mapped_column(String(254))
    # Bumped at every password change and logout-everywhere: sessions carry it, and a stale
    # one is refused, so a session copied earlier stops working.
    session_version: Mapped[int] = mapped_column(default=1)
    # A new random number whenever the person's roles change (a membership, or the kind or
    # verification of one of their organisations): web processes keep the roles in memory
    # under it (coprod/models/grants.py).
    roles_version: Mapped[int] = mapped_column(
        BigInteger, default=lambda: secrets.randbits(62), server_default=text("0")
    )
    calendar_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_token)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    deleted_at: Mapped[datetime | None]
    # When the person last signed in: accounts unseen for RETENTION_INACTIVE_YEARS are
    # anonymised (coprod.services.retention).
    last_seen_at: Mapped[datetime | None] = mapped_column(default=utcnow, index=True)
    # The person agreed that coordinators of their organisations may invite them to
    # understaffed shifts they are qualified and free for.
    open_to_invitations: Mapped[bool] = mapped_column(default=False, server_default=false())

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    @hybrid_property
    def display_name(self) -> str:
        """The person's name; "A former volunteer" (in the reader's language) once the account
        is deleted. In a query, the stored column."""
        if self.deleted_at is not None:
            from coprod.i18n import _

            return _("A former volunteer")
        return self.stored_name

    @display_name.inplace.setter
    def _display_name_setter(self, value: str) -> None:
        self.stored_name = value

    @display_name.inplace.expression
    @classmethod
    def _display_name_expression(cls) -> SQLColumnExpression[str]:
        return cls.stored_name

    # Flask-Login protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    @property
    def email_confirmed(self) -> bool:
        return self.email_confirmed_at is not None

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class Membership(Base):
    """One role a person holds in one organisation (several rows for several roles)."""

    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("user_id", "organisation_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[Role] = mapped_column(str_enum(Role))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(back_populates="memberships")
    organisation: Mapped[Organisation] = relationship(back_populates="memberships")


class ApiToken(Base):
    """A personal access token; only its SHA-256 hash is stored."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()
