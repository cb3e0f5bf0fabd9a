"""ongoing tasks: task.ongoing (no shifts, hours logged whenever), task_interest (I'm interested)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 06:15:00

Existing tasks are not ongoing (the column's server default, false, fills them). The interest
table starts empty; its rows go with their task or their person (ON DELETE CASCADE).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import coprod.db

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN with a constant default works on SQLite too (batch mode would reflect
    # the tables the task refers to, for nothing: no table needs rebuilding).
    op.add_column(
        "task", sa.Column("ongoing", sa.Boolean(), server_default=sa.false(), nullable=False)
    )
    op.create_table(
        "task_interest",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", coprod.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["task_id"],
            ["task.id"],
            name=op.f("fk_task_interest_task_id_task"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
            name=op.f("fk_task_interest_user_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task_interest")),
        sa.UniqueConstraint("task_id", "user_id", name=op.f("uq_task_interest_task_id_user_id")),
    )
    op.create_index(op.f("ix_task_interest_user_id"), "task_interest", ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_table("task_interest")
    # A plain DROP COLUMN (SQLite 3.35+): batch mode would rebuild the task table, which
    # SQLite refuses while other tables' foreign keys point at it.
    op.drop_column("task", "ongoing")
