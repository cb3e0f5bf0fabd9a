"""shift changes: a shift can be cancelled (when, why, by whom) and belongs to a weekly series

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 06:30:00

Nullable columns (the reason defaults to ""): existing shifts stay live and in no series
(series_id NULL), so a filled database upgrades without touching a row. Plain ADD COLUMN on
both databases: rebuilding the shift table in batch mode would need every table that refers
to it rebuilt too. cancelled_by_id has no foreign key for the same reason (SQLite cannot add
a named one to an existing table); accounts are never deleted, and the audit log holds who.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import coprod.db

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "shift", sa.Column("cancelled_at", coprod.db.UTCDateTime(timezone=True), nullable=True)
    )
    op.add_column(
        "shift",
        sa.Column("cancel_reason", sa.String(length=300), server_default="", nullable=False),
    )
    op.add_column("shift", sa.Column("cancelled_by_id", sa.Integer(), nullable=True))
    op.add_column("shift", sa.Column("series_id", sa.Integer(), nullable=True))
    op.create_index(op.f("ix_shift_series_id"), "shift", ["series_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_shift_series_id"), table_name="shift")
    op.drop_column("shift", "series_id")
    op.drop_column("shift", "cancelled_by_id")
    op.drop_column("shift", "cancel_reason")
    op.drop_column("shift", "cancelled_at")
