"""user.last_seen_at: when the person last signed in (the retention job's inactivity clock)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 13:40:00

Existing people get the upgrade's time: nobody's account counts as inactive because coprod
did not record sign-ins before (they get the full RETENTION_INACTIVE_YEARS from now).
"""

from collections.abc import Sequence

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import coprod.db

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "user", sa.Column("last_seen_at", coprod.db.UTCDateTime(timezone=True), nullable=True)
    )
    stamp = sa.text('UPDATE "user" SET last_seen_at = :now').bindparams(
        sa.bindparam("now", type_=coprod.db.UTCDateTime())
    )
    op.get_bind().execute(stamp, {"now": datetime.now(UTC)})
    op.create_index("ix_user_last_seen_at", "user", ["last_seen_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_index("ix_user_last_seen_at")
        batch_op.drop_column("last_seen_at")
