"""user.language: the language a person chose to read coprod and its emails in

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 12:30:00

Existing people get none: they follow their browser's Accept-Language until they choose.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("user", sa.Column("language", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("language")
