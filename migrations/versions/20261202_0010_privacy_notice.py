"""user.privacy_notice_version: the privacy notice a person accepted when registering

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 13:30:00

Existing people get none: they registered before there was a notice to accept.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("user", sa.Column("privacy_notice_version", sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("privacy_notice_version")
