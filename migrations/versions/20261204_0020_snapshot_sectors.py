"""each report snapshot keeps its hours by sector beside its document
(report_snapshot.hours_by_sector), so the report page's history chart reads two small columns
instead of parsing every period's whole document

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-04 16:10:00

A document lists every organisation and task of its period: 47-69 KB at the large generated
world, so the chart's twelve periods cost 8.6 ms of parsing JSON against 0.2 ms at small
(bench/README.md). Existing snapshots get the figures of their own document; the builder
writes both from then on (coprod.services.reports.building).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A server default fills the existing rows on both databases without a table rebuild (and
    # stays, as programme.currency keeps its own); then each row takes its document's figures.
    op.add_column(
        "report_snapshot",
        sa.Column("hours_by_sector", sa.JSON(), server_default=sa.text("'{}'"), nullable=False),
    )
    if op.get_bind().dialect.name == "postgresql":
        copied = "coalesce(data -> 'hours_by_sector', '{}'::json)"
    else:
        copied = "coalesce(json_extract(data, '$.hours_by_sector'), '{}')"
    op.execute(f"UPDATE report_snapshot SET hours_by_sector = {copied}")  # noqa: S608


def downgrade() -> None:
    op.drop_column("report_snapshot", "hours_by_sector")
