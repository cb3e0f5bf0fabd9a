"""The migrations and the models describe the same schema."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, Engine, MetaData, Table, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from coprod.db import Base, make_engine
from coprod.demo import load_demo_data
from coprod.jobs.reminders import send_reminders
from coprod.jobs.reports import sweep_reports
from coprod.migrate import COMPARE_OPTS, differences, include_name, revision_pairs, upgrade
from coprod.models import NotificationKind, User
from coprod.services.notifications import set_preferences
from coprod.services.tokens import create_token
from tests.conftest import NOW, PG_URL, _create_worker_database

ROOT = Path(__file__).resolve().parent.parent

# SQLite cannot reflect expression indexes (SQLAlchemy and Alembic say so and skip them): the
# one the models declare is checked by name below instead, on both databases.
SKIPPED_EXPRESSION_INDEX = [
    "ignore:Skipped unsupported reflection of expression-based index",
    "ignore:autogenerate skipping metadata-specified expression-based index",
]


@pytest.mark.filterwarnings(*SKIPPED_EXPRESSION_INDEX)
def test_models_and_migrations_agree(engine: Engine) -> None:
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts=COMPARE_OPTS)
        diff = compare_metadata(ctx, Base.metadata)
    assert diff == []


def test_organisation_names_are_unique_whatever_their_case_in_the_database(engine: Engine):
    """The migrated database itself refuses "Food Bank" beside "FOOD BANK" (the service
    checks first; this holds when two people create them at the same moment)."""
    insert = text("INSERT INTO organisation (name, kind, description, created_at) "
                  "VALUES (:name, 'nonprofit', '', CURRENT_TIMESTAMP)")  # fmt: skip
    with engine.connect() as conn, conn.begin():
        conn.execute(insert, {"name": "Food Bank"})
        with pytest.raises(IntegrityError), conn.begin_nested():
            conn.execute(insert, {"name": "FOOD BANK"})
        conn.rollback()


# --- upgrades that keep data ---------------------------------------------------------------

# Tables the filled world must hold rows in, so that keeping the data is not checked on empty
# tables (the demo world, a report sweep, reminders, one API token and one preference).
FILLED = {
    "user", "organisation", "membership", "programme", "partner", "metric", "task",
    "task_metric", "shift", "signup", "contribution_log", "outcome_quantity", "in_kind_item",
    "report_snapshot", "job_state", "outbox_message", "audit_entry", "api_token",
    "notification_preference", "task_interest",
}  # fmt: skip


@contextmanager
def scratch_database(tmp_path: Path, name: str) -> Iterator[str]:
    """An empty database of the suite's kind, for whole upgrades: a SQLite file, or on
    PostgreSQL a schema of its own in the test database (found first through search_path)."""
    if not PG_URL:
        yield f"sqlite:///{tmp_path / name}.sqlite"
        return
    schema = f"scratch_{name}"
    _create_worker_database(PG_URL)  # this worker's database, made if no test made it yet
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield f"{PG_URL}{'&' if '?' in PG_URL else '?'}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        admin.dispose()


@contextmanager
def world_at(
    tmp_path: Path, world_url: str, name: str, revision: str
) -> Iterator[tuple[str, Engine]]:
    """A scratch database at `revision` holding the demo world's rows (copied from
    `world_url`), and an engine on it: upgrade it further and look at what came out."""
    with scratch_database(tmp_path, name) as url:
        world, engine = make_engine(world_url), make_engine(url)
        try:
            upgrade(url, revision=revision)
            with world.connect() as source, engine.begin() as target:
                copy_rows(source, target)
            yield url, engine
        finally:
            world.dispose()
            engine.dispose()


def fill_with_the_demo_world(url: str) -> None:
    """The demo world as today's code makes it, plus what only jobs and people make."""
    engine = make_engine(url)
    with Session(engine) as session:
        load_demo_data(session, now=NOW)
        sweep_reports(session, now=NOW)
        send_reminders(session, now=NOW, hours_before=24 * 365)
        volunteer = session.scalars(select(User).order_by(User.id)).first()
        assert volunteer is not None
        create_token(session, volunteer, "upgrade test")
        set_preferences(session, volunteer, {NotificationKind.REMINDER: False}, now=NOW)
        session.commit()
    engine.dispose()


def _rows(conn: Connection, table: Table, columns: list[str]) -> list[tuple[Any, ...]]:
    query = select(*(table.c[name] for name in columns)).order_by(*table.primary_key.columns)
    return [tuple(row) for row in conn.execute(query)]


def kept_table(name: str, _metadata: MetaData) -> bool:
    """The tables the models describe (not SQLite's FTS5 table of revision 0016, nor its shadow
    tables, which its triggers fill)."""
    return include_name(name, "table", None)


def copy_rows(source: Connection, target: Connection) -> dict[str, list[str]]:
    """Every row of the source, projected on the columns the target's (older) schema has;
    returns the columns copied per table. A NOT NULL column the source lacks (dropped by a
    later revision) has no value to give: the test says so rather than invent one."""
    src, dst = MetaData(), MetaData()
    src.reflect(source, only=kept_table)
    dst.reflect(target, only=kept_table)
    copied: dict[str, list[str]] = {}
    for table in dst.sorted_tables:
        if table.name == "alembic_version" or table.name not in src.tables:
            continue
        have = src.tables[table.name]
        columns = [c.name for c in table.columns if c.name in have.c]
        lacking = [
            c.name
            for c in table.columns
            if c.name not in have.c and not c.nullable and c.server_default is None
        ]
        assert not lacking, f"no value to give {table.name}.{lacking} at the older revision"
        rows = [dict(zip(columns, row, strict=True)) for row in _rows(source, have, columns)]
        if rows:
            target.execute(table.insert(), rows)
        copied[table.name] = columns
    if target.dialect.name == "postgresql":
        _advance_sequences(target, [name for name in copied if "id" in dst.tables[name].c])
    return copied


def _advance_sequences(conn: Connection, tables: list[str]) -> None:
    """Rows copied with their ids leave PostgreSQL's sequences behind: move them past."""
    for name in tables:
        seq = conn.scalar(text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": f'"{name}"'})
        if seq:
            top = conn.scalar(text(f'SELECT coalesce(max(id), 0) + 1 FROM "{name}"'))  # noqa: S608
            conn.execute(text("SELECT setval(:s, :v, false)"), {"s": seq, "v": top})


@pytest.fixture(scope="module")
def world_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo world in a scratch database at head, built once for every upgrade case below
    (they only read it)."""
    with scratch_database(tmp_path_factory.mktemp("world"), "world_at_head") as url:
        upgrade(url)
        fill_with_the_demo_world(url)
        yield url


@pytest.mark.filterwarnings(*SKIPPED_EXPRESSION_INDEX)
@pytest.mark.parametrize(("previous", "revision"), revision_pairs(), ids=lambda r: r or "empty")
def test_upgrading_from_the_previous_revision_keeps_every_row(
    previous: str | None, revision: str, tmp_path: Path, world_url: str
) -> None:
    """A database at `previous`, holding the demo world, upgrades to head with every row and
    value kept, and its schema then matches the models (one case per step of the history).

    The world is made by today's code (coprod.demo and the services use today's models), so it
    is first built in a scratch database at head and then copied row by row into the database
    at `previous`, keeping the columns that revision has: the data is the demo world as it
    looked then, less only what later revisions added. For the first revision there is no
    older schema to hold data: the empty database is upgraded and then takes the whole world.
    """
    with scratch_database(tmp_path, "upgraded") as url:
        world, engine = make_engine(world_url), make_engine(url)
        try:
            if previous is not None:
                upgrade(url, revision=previous)
            with world.connect() as source, engine.begin() as target:
                copied = copy_rows(source, target) if previous is not None else {}
            upgrade(url)
            with world.connect() as source, engine.begin() as target:
                if previous is None:
                    copied = copy_rows(source, target)
            with world.connect() as source, engine.connect() as target:
                before, after = MetaData(), MetaData()
                before.reflect(source, only=kept_table)
                after.reflect(target, only=kept_table)
                rows = {t: _rows(source, before.tables[t], c) for t, c in copied.items()}
                assert [t for t in sorted(FILLED & rows.keys()) if not rows[t]] == []
                for name, columns in copied.items():
                    kept = _rows(target, after.tables[name], columns)
                    assert kept == rows[name], f"{name}: rows lost or changed by the upgrade"
                assert differences(target) == []
        finally:
            world.dispose()
            engine.dispose()


def _migrate(url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COPROD_ENV": "development", "DATABASE_URL": url}
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "coprod", "migrate"],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_migrate_fails_naming_each_difference_when_the_schema_has_drifted(tmp_path) -> None:
    """A column dropped by hand is not "up to date": migrate exits 1 and names it."""
    with scratch_database(tmp_path, "drifted") as url:
        fresh = _migrate(url)
        assert fresh.returncode == 0, fresh.stderr
        assert "up to date" in fresh.stdout
        engine = make_engine(url)
        with engine.begin() as conn:
            conn.execute(text("ALTER TABLE organisation DROP COLUMN description"))
        engine.dispose()
        drifted = _migrate(url)
    assert drifted.returncode == 1
    assert "organisation.description" in drifted.stderr
    assert "1 difference" in drifted.stderr
    assert "up to date" not in drifted.stdout + drifted.stderr
    assert "Traceback" not in drifted.stderr


@pytest.mark.filterwarnings(*SKIPPED_EXPRESSION_INDEX)
def test_snapshots_that_existed_before_0020_keep_their_documents_hours_by_sector(
    tmp_path: Path, world_url: str
) -> None:
    """Revision 0020 on a filled database: each report snapshot of the demo world, copied into
    a database at 0019, comes out with its document's hours by sector in the new column."""
    with world_at(tmp_path, world_url, "sectors", "0019") as (url, engine):
        upgrade(url, revision="0020")
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT data, hours_by_sector FROM report_snapshot"))
            pairs = [[v if isinstance(v, dict) else json.loads(v) for v in r] for r in rows]
        assert len(pairs) >= 10
        assert all(kept == data["hours_by_sector"] for data, kept in pairs)
        assert any(sum(kept.values()) > 0 for _, kept in pairs)


@pytest.mark.filterwarnings(*SKIPPED_EXPRESSION_INDEX)
def test_programmes_that_existed_before_currencies_get_the_configured_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, world_url: str
) -> None:
    """Revision 0007 on a filled database: every programme of the demo world, copied into a
    database at 0004, comes out of the upgrade in DEFAULT_CURRENCY (EUR here)."""
    from config import Config

    monkeypatch.setattr(Config, "DEFAULT_CURRENCY", "EUR", raising=False)
    with world_at(tmp_path, world_url, "currency", "0004") as (url, engine):
        upgrade(url, revision="0007")
        with engine.connect() as conn:
            names = dict(conn.execute(text("SELECT name, currency FROM programme")).all())
        assert len(names) >= 2 and set(names.values()) == {"EUR"}
