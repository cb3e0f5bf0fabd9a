"""time zones: organisation.timezone (IANA name), programme.timezone (optional override)

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02 03:00:00

Existing organisations get DEFAULT_TIMEZONE from config.py (the zone the service ran in
until now); existing programmes take their lead agency's zone (NULL).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _default_zone() -> str:
    from coprod.services.localtime import default_zone_name

    return default_zone_name()


def upgrade() -> None:
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("timezone", sa.String(length=64), server_default="UTC", nullable=False)
        )
    op.execute(
        sa.text("UPDATE organisation SET timezone = :zone").bindparams(zone=_default_zone())
    )
    with op.batch_alter_table("programme", schema=None) as batch_op:
        batch_op.add_column(sa.Column("timezone", sa.String(length=64), nullable=True))


def downgrade() -> None:
    # A plain DROP COLUMN (SQLite 3.35+ has it): batch mode would rebuild the organisation
    # table, which SQLite refuses while other tables' foreign keys point at it.
    op.drop_column("programme", "timezone")
    op.drop_column("organisation", "timezone")
