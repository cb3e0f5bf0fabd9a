"""data exports: a person's big "download my data" request, built by the scheduler

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 13:40:00

A new table only; it starts empty. Its rows go with their person (ON DELETE CASCADE).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import coprod.db

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "data_export",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("requested_at", coprod.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("built_at", coprod.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("expires_at", coprod.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("filename", sa.String(length=100), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
            name=op.f("fk_data_export_user_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_export")),
    )
    op.create_index(op.f("ix_data_export_user_id"), "data_export", ["user_id"], unique=False)
    op.create_index(
        "ix_data_export_status_requested",
        "data_export",
        ["status", "requested_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_table("data_export")
