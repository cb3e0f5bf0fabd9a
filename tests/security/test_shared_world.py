"""The demo world a module shares is seen as built by each of its tests: what one test changes
and commits -- through its own session or through a request's -- is gone for the next one
(the savepoint per test of tests/conftest.py). The tests run in file order: the second
changing test and the last one would fail if the first one's changes leaked.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Connection, delete, select, update
from sqlalchemy.orm import Session

from coprod.db import db
from coprod.demo import DOMAIN
from coprod.models import ContributionLog, User
from tests.security.conftest import row_counts

pytestmark = pytest.mark.usefixtures("demo_world")


@pytest.fixture(scope="module")
def as_built(demo_world: None, module_connection: Connection) -> dict[str, Any]:
    """Every table's row count and the volunteer's name, read before any test ran."""
    with Session(bind=module_connection, join_transaction_mode="create_savepoint") as reader:
        volunteer = reader.scalars(select(User).where(User.email == f"volunteer@{DOMAIN}")).one()
        return {"rows": row_counts(reader), "name": volunteer.stored_name}


def _as_built(session: Session, demo: dict[str, User], as_built: dict[str, Any]) -> None:
    assert row_counts(session) == as_built["rows"]
    assert demo["volunteer"].stored_name == as_built["name"]
    assert demo["volunteer"].stored_name != "Changed by a test"


@pytest.mark.parametrize("turn", ["first", "second"])
def test_a_test_changes_and_commits_demo_rows(session, demo, as_built, turn) -> None:
    _as_built(session, demo, as_built)
    demo["volunteer"].stored_name = "Changed by a test"
    session.execute(delete(ContributionLog).where(ContributionLog.user_id == demo["volunteer"].id))
    session.commit()
    # The app's session (a request's) commits too: a row it deletes and a row it changes.
    db.session.execute(update(User).where(User.id == demo["staff"].id).values(phone="0"))
    db.session.execute(delete(ContributionLog).where(ContributionLog.user_id == demo["partner"].id))
    db.session.commit()
    rows = row_counts(session)
    assert rows["contribution_log"] < as_built["rows"]["contribution_log"]
    assert session.scalar(select(User.phone).where(User.id == demo["staff"].id)) == "0"


def test_the_next_test_sees_the_world_as_built(session, demo, as_built) -> None:
    _as_built(session, demo, as_built)
    assert demo["staff"].phone != "0"
    for role in ("volunteer", "partner"):
        logs = select(ContributionLog).where(ContributionLog.user_id == demo[role].id)
        assert session.scalars(logs).first() is not None
