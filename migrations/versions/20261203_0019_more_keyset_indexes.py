"""indexes for more lists read by keyset windows: a task's shifts, an organisation's members,
a programme's newest proposals, a task's feedback

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03 15:00:00

Each list is read in its own order after a cursor (`WHERE (key, id) > (...) ORDER BY key, id
LIMIT n`, or both descending); these indexes serve that order with its filter, so the last
window of a long list is an index range scan, not a sort of everything. The shift index
(task_id, starts_at) gains the id and replaces it (its prefix still finds a task's next shift).
Already served: accounts by email (the unique index on email), proposals by supports
(ix_proposal_programme_supports), my proposals (ix_proposal_author_created, a person's few).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NEW = [
    ("ix_shift_task_starts_id", "shift", ["task_id", "starts_at", "id"]),
    ("ix_user_display_name_id", "user", ["display_name", "id"]),
    ("ix_proposal_programme_created", "proposal", ["programme_id", "created_at", "id"]),
    ("ix_feedback_task_created", "feedback", ["task_id", "created_at", "id"]),
]
OLD = [
    ("ix_shift_task_starts", "shift", ["task_id", "starts_at"]),
]


def upgrade() -> None:
    for name, table, columns in NEW:
        op.create_index(name, table, columns)
    for name, table, _columns in OLD:
        op.drop_index(name, table_name=table)


def downgrade() -> None:
    for name, table, columns in OLD:
        op.create_index(name, table, columns)
    for name, table, _columns in reversed(NEW):
        op.drop_index(name, table_name=table)
