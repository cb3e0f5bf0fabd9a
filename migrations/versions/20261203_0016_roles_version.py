"""user.roles_version: the stamp under which web processes keep a person's roles in memory

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 13:50:00

A new random number is written whenever a person's memberships, or the kind or verification of
one of their organisations, change (coprod/models/grants.py). Existing accounts start at 0:
each person's roles are read once per process, then kept until the stamp changes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN (no batch copy): recreating user on SQLite would cascade the copy's
    # DROP TABLE to every table that refers to a person.
    op.add_column(
        "user",
        sa.Column("roles_version", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
    )


def downgrade() -> None:
    # A plain DROP COLUMN (SQLite 3.35+ has it), for the same reason.
    op.drop_column("user", "roles_version")
