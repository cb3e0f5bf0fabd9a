"""each report snapshot keeps its outcomes' cumulative totals in cents beside its document
(report_snapshot.outcomes_to_date), so the sweep can start a batch's cumulative figures from
the period before it instead of reading every earlier outcome row of the programme

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-04 19:10:00

Existing snapshots get NULL ("not known"), not their document's figures: a snapshot built
before the sweep rebuilt every later period could carry stale cumulative totals, and only a
build by the new code vouches for them. The builder writes the column from then on (the first
full rebuild rewrites every snapshot once); until then a sweep reads the rows, as before (see
coprod.services.reports.cumulative). A later change to what counts as an outcome must set the
column back to NULL in its own revision.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("report_snapshot", sa.Column("outcomes_to_date", sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_column("report_snapshot", "outcomes_to_date")
