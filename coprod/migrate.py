"""Running Alembic from code: the CLI, `make run` and the tests share this."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"

# SQLite cannot reflect expression indexes (e.g. lower(name)); SQLAlchemy and Alembic warn and
# leave them out of the comparison, which is all they can do there.
EXPRESSION_INDEX_WARNINGS = (
    "Skipped unsupported reflection of expression-based index",
    "autogenerate skipping metadata-specified expression-based index",
)


# What the migrations make that the models cannot describe: the search index on the task list
# (revision 0016; PostgreSQL's trigram GIN indexes, SQLite's FTS5 table and its shadow tables)
# and PostgreSQL's index on each shift's length (revision 0023).
NOT_IN_MODELS = ("ix_task_search_", "task_fts", "ix_shift_length_pg")


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    """Leave out of the comparison what only the migrations describe (NOT_IN_MODELS)."""
    return not (name or "").startswith(NOT_IN_MODELS)


# The options every comparison of the models with a live schema uses.
COMPARE_OPTS: dict[str, Any] = {"compare_type": True, "include_name": include_name}


def alembic_config(url: str | None = None, connection: Connection | None = None) -> Config:
    cfg = Config(str(MIGRATIONS / "alembic.ini"))
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if url:
        cfg.attributes["url"] = url
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def upgrade(
    url: str | None = None, connection: Connection | None = None, revision: str = "head"
) -> None:
    """Bring the database to the newest schema (or to `revision`)."""
    command.upgrade(alembic_config(url, connection), revision)


def revision_pairs() -> list[tuple[str | None, str]]:
    """Every (previous, revision) step of the migration history, oldest first; the first
    revision's previous is None (an empty database)."""
    script = ScriptDirectory.from_config(alembic_config())
    pairs: list[tuple[str | None, str]] = []
    for rev in script.walk_revisions():
        down = rev.down_revision
        downs: tuple[str | None, ...] = tuple(down) if isinstance(down, tuple | list) else (down,)
        pairs += [(d, rev.revision) for d in downs]
    return list(reversed(pairs))


def differences(connection: Connection) -> list[str]:
    """How the live schema differs from the models, one sentence each (empty: they agree)."""
    import coprod.models  # noqa: F401  (fills the metadata)
    from coprod.db import Base

    with warnings.catch_warnings():
        for message in EXPRESSION_INDEX_WARNINGS:
            warnings.filterwarnings("ignore", message=message)
        ctx = MigrationContext.configure(connection, opts=COMPARE_OPTS)
        diffs = compare_metadata(ctx, Base.metadata)
    out: list[str] = []
    for diff in diffs:
        out += [describe(d) for d in diff] if isinstance(diff, list) else [describe(diff)]
    return out


def describe(diff: tuple[Any, ...]) -> str:
    """One difference reported by Alembic's compare_metadata, in words."""
    kind = diff[0]
    if kind in ("add_table", "remove_table"):
        return f"table {diff[1].name} " + _missing_or_extra(kind)
    if kind in ("add_column", "remove_column"):
        return f"column {diff[2]}.{diff[3].name} " + _missing_or_extra(kind)
    if kind in ("add_index", "remove_index", "add_constraint", "remove_constraint"):
        what = "index" if kind.endswith("index") else "constraint"
        return f"{what} {diff[1].name} on {diff[1].table.name} " + _missing_or_extra(kind)
    if kind in ("add_fk", "remove_fk"):
        fk = diff[1]
        return f"foreign key {fk.name} on {fk.parent.name} " + _missing_or_extra(kind)
    if kind.startswith("modify_"):
        _, _schema, table, column, _info, live, model = diff
        what = kind.removeprefix("modify_")
        return f"column {table}.{column}: {what} is {live} in the database, {model} in the models"
    return repr(diff)


def _missing_or_extra(kind: str) -> str:
    if kind.startswith("add"):
        return "is in the models but missing from the database"
    return "is in the database but not in the models"
