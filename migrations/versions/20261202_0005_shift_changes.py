"""shift changes: a shift can be cancelled (when, why, by whom) and belongs to a weekly series

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 06:30:00

Nullable columns (the reason defaults to ""): existing shifts stay live and in no series
(series_id NULL), so a filled database upgrades without touching a row.
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
    with op.batch_alter_table("shift", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cancelled_at", coprod.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("cancel_reason", sa.String(length=300), server_default="", nullable=False)
        )
        batch_op.add_column(sa.Column("cancelled_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("series_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_shift_cancelled_by_id_user"),
            "user",
            ["cancelled_by_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_index(batch_op.f("ix_shift_series_id"), ["series_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("shift", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shift_series_id"))
        batch_op.drop_constraint(batch_op.f("fk_shift_cancelled_by_id_user"), type_="foreignkey")
        batch_op.drop_column("series_id")
        batch_op.drop_column("cancelled_by_id")
        batch_op.drop_column("cancel_reason")
        batch_op.drop_column("cancelled_at")
