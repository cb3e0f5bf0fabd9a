"""indexes for lists read by keyset windows: the review queue (all statuses, one programme's,
one task's), my logs and the API's logs, the audit log, the outbox

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03 13:45:00

Each list is read in its own order after a cursor (`WHERE (key, id) > (...) ORDER BY key, id
LIMIT n`); these indexes serve that order with its filter, so the last window of a long list
is an index range scan, not a sort of everything. Three one-column indexes become the first
column of a wider one and go: contribution_log (user_id, date), audit_entry (action) and
(created_at).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NEW = [
    ("ix_contribution_log_user_date_id", "contribution_log", ["user_id", "date", "id"]),
    ("ix_contribution_log_date_id", "contribution_log", ["date", "id"]),
    ("ix_contribution_log_submitted", "contribution_log", ["submitted_at", "id"]),
    (
        "ix_contribution_log_programme_queue",
        "contribution_log",
        ["programme_id", "status", "submitted_at", "id"],
    ),
    (
        "ix_contribution_log_programme_submitted",
        "contribution_log",
        ["programme_id", "submitted_at", "id"],
    ),
    (
        "ix_contribution_log_task_queue",
        "contribution_log",
        ["task_id", "status", "submitted_at", "id"],
    ),
    ("ix_audit_entry_created_id", "audit_entry", ["created_at", "id"]),
    ("ix_audit_entry_action_created", "audit_entry", ["action", "created_at", "id"]),
    ("ix_audit_entry_type_created", "audit_entry", ["object_type", "created_at", "id"]),
    ("ix_outbox_message_created_id", "outbox_message", ["created_at", "id"]),
    ("ix_outbox_message_status_created", "outbox_message", ["status", "created_at", "id"]),
]
OLD = [
    ("ix_contribution_log_user_date", "contribution_log", ["user_id", "date"]),
    ("ix_audit_entry_action", "audit_entry", ["action"]),
    ("ix_audit_entry_created_at", "audit_entry", ["created_at"]),
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
