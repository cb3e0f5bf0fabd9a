"""Fixtures for the security tests: the demo people (in the world a module shares), row counts."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from coprod.db import Base, db
from coprod.demo import DOMAIN
from coprod.models import User


@pytest.fixture
def demo(demo_world: None, session: Session) -> dict[str, User]:
    """The demo people (the world dated from the real clock, like the live site, built once
    per module: `demo_world`), keyed by role, read in the test's own session."""
    roles = ("admin", "staff", "reviewer", "coordinator", "partner", "volunteer")
    users = {
        r: session.scalars(select(User).where(User.email == f"{r}@{DOMAIN}")).one() for r in roles
    }
    return users


def same_database_url() -> str:
    """The URL of the engine the tests already use, spelled as create_app compares it, so a
    second app (other settings) shares the engine and the test's transaction."""
    assert db.engine is not None
    return str(db.engine.url)


def row_counts(session: Session) -> dict[str, int]:
    """Rows in every table (the test's session sees what requests committed)."""
    session.expire_all()
    return {
        table.name: int(session.scalar(select(func.count()).select_from(table)) or 0)
        for table in Base.metadata.sorted_tables
    }


def login_as(client: Any, user: User) -> Any:
    with client.session_transaction() as sess:
        sess["_user_id"] = user.get_id()
        sess["_fresh"] = True
    return client
