"""accounts people can recover: confirmed email, pending email, deactivation reason, declined
agencies

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 03:00:00

Existing accounts are treated as confirmed: their addresses were accepted before confirmation
existed, and locking every current volunteer out of signing up would be worse.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import coprod.db

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("deactivated_reason", sa.String(length=500), nullable=True))
        batch_op.add_column(
            sa.Column("email_confirmed_at", coprod.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("pending_email", sa.String(length=254), nullable=True))
    # Backfill: every account that exists before this revision counts as confirmed.
    op.execute(sa.text('UPDATE "user" SET email_confirmed_at = created_at'))
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("declined_at", coprod.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("decline_reason", sa.String(length=500), nullable=True))


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite 3.35+ has it): batch mode would copy the organisation table
    # and lose its expression index (unique names whatever their case).
    op.drop_column("organisation", "decline_reason")
    op.drop_column("organisation", "declined_at")
    op.drop_column("user", "pending_email")
    op.drop_column("user", "email_confirmed_at")
    op.drop_column("user", "deactivated_reason")
