"""The migrations and the models describe the same schema."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError

from coprod.db import Base

# SQLite cannot reflect expression indexes (SQLAlchemy and Alembic say so and skip them): the
# one the models declare is checked by name below instead, on both databases.
SKIPPED_EXPRESSION_INDEX = [
    "ignore:Skipped unsupported reflection of expression-based index",
    "ignore:autogenerate skipping metadata-specified expression-based index",
]


@pytest.mark.filterwarnings(*SKIPPED_EXPRESSION_INDEX)
def test_models_and_migrations_agree(engine: Engine) -> None:
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
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
