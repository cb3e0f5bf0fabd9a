"""service_letter: verifiable letters of a volunteer's approved hours; programme.letter_signatory

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 13:35:00

Existing programmes get no signatory line (letters then name only the lead agency).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from coprod.db import UTCDateTime

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "service_letter",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=True),
        sa.Column("from_date", sa.Date(), nullable=False),
        sa.Column("to_date", sa.Date(), nullable=False),
        sa.Column("holder_name", sa.String(length=120), nullable=False),
        sa.Column("lead_agencies", sa.String(length=1000), nullable=False),
        sa.Column("figures", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("issued_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["programme.id"],
            name=op.f("fk_service_letter_programme_id_programme"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
            name=op.f("fk_service_letter_user_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_letter")),
        sa.UniqueConstraint("code", name=op.f("uq_service_letter_code")),
    )
    op.create_index(
        "ix_service_letter_user_issued", "service_letter", ["user_id", "issued_at"], unique=False
    )
    op.add_column("programme", sa.Column("letter_signatory", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("programme", schema=None) as batch_op:
        batch_op.drop_column("letter_signatory")
    op.drop_index("ix_service_letter_user_issued", table_name="service_letter")
    op.drop_table("service_letter")
