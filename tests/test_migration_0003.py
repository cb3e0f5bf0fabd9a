"""Revision 0003 (accounts) upgrades a database that already holds people: every existing
account counts as confirmed, nothing else is lost, and it goes back down cleanly."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from sqlalchemy import Connection, text

from coprod.db import make_engine
from coprod.migrate import alembic_config
from tests.conftest import PG_URL

CREATED = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
INSERT_USER = text(
    'INSERT INTO "user" (email, display_name, password_hash, is_site_admin, is_active, '
    "session_version, calendar_token, created_at) VALUES (:email, 'Old Timer', 'x', false, "
    "true, 1, :token, :created)"
)
SCHEMA = "upgrade_0003"


@contextmanager
def empty_database(tmp_path: Path) -> Iterator[Connection]:
    """A connection to an empty database: a new SQLite file, or on PostgreSQL a schema of its
    own (so the suite's migrated database is left alone)."""
    engine = make_engine(PG_URL or f"sqlite:///{tmp_path / 'old.sqlite'}")
    with engine.connect() as conn:
        if PG_URL:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
            conn.execute(text(f"CREATE SCHEMA {SCHEMA}"))
            conn.execute(text(f"SET search_path TO {SCHEMA}"))
            conn.commit()
        try:
            yield conn
        finally:
            conn.rollback()
            if PG_URL:
                conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
                conn.commit()
    engine.dispose()


def migrate(conn: Connection, revision: str, down: bool = False) -> None:
    (command.downgrade if down else command.upgrade)(alembic_config(connection=conn), revision)
    conn.commit()


def test_existing_accounts_are_confirmed_by_the_upgrade(tmp_path: Path) -> None:
    with empty_database(tmp_path) as conn:
        migrate(conn, "0002")
        conn.execute(INSERT_USER, {"email": "old@example.org", "token": "t1", "created": CREATED})
        conn.commit()
        migrate(conn, "0003")
        row = conn.execute(
            text('SELECT email, email_confirmed_at, pending_email, is_active FROM "user"')
        ).one()
        assert row.email == "old@example.org" and row.pending_email is None and row.is_active
        confirmed = row.email_confirmed_at
        if isinstance(confirmed, str):  # SQLite, read without the model's type
            confirmed = datetime.fromisoformat(confirmed)
        aware = confirmed.astimezone(UTC) if confirmed.tzinfo else confirmed.replace(tzinfo=UTC)
        assert aware == CREATED
        index = (
            "SELECT indexname FROM pg_indexes WHERE indexname = :name AND schemaname = :schema"
            if PG_URL
            else "SELECT name FROM sqlite_master WHERE name = :name"
        )
        found = conn.execute(text(index), {"name": "uq_organisation_name_ci", "schema": SCHEMA})
        assert found.scalar() == "uq_organisation_name_ci"
        migrate(conn, "0002", down=True)  # and back, for a failed deploy
        assert conn.execute(text('SELECT email FROM "user"')).scalar() == "old@example.org"
