"""the task list at any size: each task keeps its next shift's start, its upcoming shifts and
their free places (task.next_shift_starts_at, upcoming_shifts, free_places, list_sort_at),
indexes for the list's windows (ix_task_list, ix_task_programme_list), and text search through
an index: trigram GIN indexes on PostgreSQL (pg_trgm), an FTS5 trigram table kept by triggers
on SQLite

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 13:40:00

Existing tasks get their figures computed from their shifts at the time of the upgrade
(coprod.services.task_figures keeps them from then on; a shift that has started since is
read afresh by the list and kept again by the job `tasks.figures`).
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import coprod.db

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NEVER = datetime(9999, 1, 1, tzinfo=UTC)
FTS_COLUMNS = "title, description, location"
# One trigram GIN index per searched column: PostgreSQL estimates (and runs) an OR of three
# small indexes far cheaper than three probes of one multicolumn GIN index, which it passed
# over for a sequential scan (165 ms against 0.1 ms for a word found nowhere, 10,000 tasks).
SEARCH_INDEXES = {
    "ix_task_search_title": "title",
    "ix_task_search_description": "description",
    "ix_task_search_location": "location",
}


def _never_default(dialect: str) -> sa.TextClause:
    """NEVER as each database stores it (SQLite: the text SQLAlchemy writes for a datetime,
    so that comparisons, which are textual there, order it right)."""
    if dialect == "sqlite":
        return sa.text("'9999-01-01 00:00:00.000000'")
    return sa.text("'9999-01-01 00:00:00+00'")


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    # Plain ADD COLUMNs (a constant default fills existing rows; no table is rebuilt).
    op.add_column(
        "task",
        sa.Column("next_shift_starts_at", coprod.db.UTCDateTime(timezone=True), nullable=True),
    )
    op.add_column(
        "task", sa.Column("upcoming_shifts", sa.Integer(), server_default="0", nullable=False)
    )
    op.add_column(
        "task", sa.Column("free_places", sa.Integer(), server_default="0", nullable=False)
    )
    op.add_column(
        "task",
        sa.Column(
            "list_sort_at",
            coprod.db.UTCDateTime(timezone=True),
            server_default=_never_default(dialect),
            nullable=False,
        ),
    )
    _backfill()
    op.create_index("ix_task_list", "task", ["status", "list_sort_at", "id"], unique=False)
    op.create_index(
        "ix_task_programme_list",
        "task",
        ["programme_id", "status", "list_sort_at", "id"],
        unique=False,
    )
    if dialect == "postgresql":
        _postgresql_search()
    elif dialect == "sqlite":
        _sqlite_search()


def _backfill() -> None:
    """Every task's figures from its live shifts that have not started."""
    task = sa.table(
        "task",
        sa.column("id", sa.Integer()),
        sa.column("next_shift_starts_at", coprod.db.UTCDateTime()),
        sa.column("upcoming_shifts", sa.Integer()),
        sa.column("free_places", sa.Integer()),
        sa.column("list_sort_at", coprod.db.UTCDateTime()),
    )
    shift = sa.table(
        "shift",
        sa.column("task_id", sa.Integer()),
        sa.column("starts_at", coprod.db.UTCDateTime()),
        sa.column("capacity", sa.Integer()),
        sa.column("confirmed", sa.Integer()),
        sa.column("cancelled_at", coprod.db.UTCDateTime()),
    )
    now = datetime.now(UTC)
    upcoming = sa.and_(
        shift.c.task_id == task.c.id, shift.c.starts_at > now, shift.c.cancelled_at.is_(None)
    )

    def sub(expr: sa.ColumnElement) -> sa.ScalarSelect:  # type: ignore[type-arg]
        return sa.select(expr).where(upcoming).correlate(task).scalar_subquery()

    first = sub(sa.func.min(shift.c.starts_at))
    op.get_bind().execute(
        task.update().values(
            next_shift_starts_at=first,
            upcoming_shifts=sa.cast(sub(sa.func.count()), sa.Integer()),
            free_places=sa.cast(
                sub(sa.func.coalesce(sa.func.sum(shift.c.capacity - shift.c.confirmed), 0)),
                sa.Integer(),
            ),
            list_sort_at=sa.func.coalesce(first, sa.literal(NEVER, coprod.db.UTCDateTime())),
        )
    )


def _postgresql_search() -> None:
    """A trigram GIN index on each searched column (ILIKE '%word%' uses them)."""
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    # The operator class lives in the schema the extension was created in (not necessarily
    # on this connection's search_path): name it with its schema.
    schema = op.get_bind().scalar(
        sa.text(
            "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
            "WHERE e.extname = 'pg_trgm'"
        )
    )
    ops = f'"{schema}".gin_trgm_ops'
    for name, column in SEARCH_INDEXES.items():
        op.execute(f"CREATE INDEX {name} ON task USING gin ({column} {ops})")


def _sqlite_search() -> None:
    """An external-content FTS5 table with the trigram tokenizer, kept by triggers."""
    op.execute(
        f"CREATE VIRTUAL TABLE task_fts USING fts5({FTS_COLUMNS}, content='task', "
        "content_rowid='id', tokenize='trigram')"
    )
    new = "new.id, new.title, new.description, new.location"
    old = "'delete', old.id, old.title, old.description, old.location"
    op.execute(
        "CREATE TRIGGER task_fts_insert AFTER INSERT ON task BEGIN "
        f"INSERT INTO task_fts(rowid, {FTS_COLUMNS}) VALUES ({new}); END"
    )
    op.execute(
        "CREATE TRIGGER task_fts_delete AFTER DELETE ON task BEGIN "
        f"INSERT INTO task_fts(task_fts, rowid, {FTS_COLUMNS}) VALUES ({old}); END"
    )
    op.execute(
        f"CREATE TRIGGER task_fts_update AFTER UPDATE OF {FTS_COLUMNS} ON task BEGIN "
        f"INSERT INTO task_fts(task_fts, rowid, {FTS_COLUMNS}) VALUES ({old}); "
        f"INSERT INTO task_fts(rowid, {FTS_COLUMNS}) VALUES ({new}); END"
    )
    op.execute("INSERT INTO task_fts(task_fts) VALUES ('rebuild')")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        for name in SEARCH_INDEXES:  # pg_trgm stays: others may use it
            op.execute(f"DROP INDEX IF EXISTS {name}")
    elif dialect == "sqlite":
        for trigger in ("task_fts_insert", "task_fts_delete", "task_fts_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS task_fts")
    op.drop_index("ix_task_programme_list", table_name="task")
    op.drop_index("ix_task_list", table_name="task")
    # Plain DROP COLUMNs (SQLite 3.35+): batch mode would rebuild the task table.
    for column in ("list_sort_at", "free_places", "upcoming_shifts", "next_shift_starts_at"):
        op.drop_column("task", column)
