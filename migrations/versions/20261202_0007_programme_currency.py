"""programme.currency: the ISO 4217 code of a programme's money amounts

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 06:30:00

Existing programmes get DEFAULT_CURRENCY from config.py (the amounts they hold were entered
in it: the form said "£" until now).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _default_currency() -> str:
    from coprod.services.money import default_currency

    return default_currency()


def upgrade() -> None:
    # A server default fills the existing rows on both databases without a table rebuild
    # (kept, as organisation.timezone keeps its own); then the configured default replaces it.
    with op.batch_alter_table("programme", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("currency", sa.String(length=3), server_default="GBP", nullable=False)
        )
    op.execute(
        sa.text("UPDATE programme SET currency = :code").bindparams(code=_default_currency())
    )


def downgrade() -> None:
    op.drop_column("programme", "currency")
