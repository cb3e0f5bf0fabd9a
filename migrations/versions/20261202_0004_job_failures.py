"""job_state records its last run's failures (the periods a report job could not build)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 04:40:00

A nullable column: existing rows read as "no failures recorded", which the next run replaces.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Batch mode adds a nullable column with a plain ALTER TABLE ... ADD COLUMN on SQLite too.
    with op.batch_alter_table("job_state", schema=None) as batch_op:
        batch_op.add_column(sa.Column("failures", sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_column("job_state", "failures")
