"""an index on each shift's length (PostgreSQL), for the shifts not over yet

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-04 22:00:00

The home pages list the shifts of today and the next days that are not over yet: those under
way and those to come. No rule limits a shift's length, so "not over" (`ends_at > now`) gave
the start no lower bound, and PostgreSQL walked the start index from the oldest shift, filtering
out every past one: 22 ms of the staff home page at the 10x medium benchmark world, growing
with history. The services now bound the start by the longest shift's length
(coprod.services.shift_state.not_over_shift), which this index gives as its last entry.

SQLite keeps its datetimes as text, so the length is no expression it can index usefully; it
computes the longest shift with julianday() over its (small) table, and has no index here.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE INDEX ix_shift_length_pg ON shift ((ends_at - starts_at))")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_shift_length_pg")
