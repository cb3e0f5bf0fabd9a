"""A transaction PostgreSQL aborts as a deadlock or serialization failure runs again (jobs,
CLI, every web and API request), a bounded number of times, and is then a 409, never a 500.

The aborts are simulated here (the error psycopg raises, wrapped as SQLAlchemy wraps it), so
these run on both databases; tests/services/test_race_conditions.py and bench/race_http.py
make PostgreSQL abort real transactions.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from coprod.db import BUSY, RETRY_ATTEMPTS, retrying, transaction, utcnow
from coprod.db import retry as db_retry
from coprod.errors import Conflict
from coprod.models import SignupStatus
from coprod.services import signups
from tests.api.conftest import Api, bearer, is_problem
from tests.conftest import login
from tests.factories import ShiftWorld, make_signup


class _PgError(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__(f"simulated {sqlstate}")
        self.sqlstate = sqlstate


def aborted(sqlstate: str = "40P01") -> OperationalError:
    return OperationalError("UPDATE shift ...", {}, _PgError(sqlstate))


@pytest.fixture(autouse=True)
def _no_pause(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(db_retry.time, "sleep", lambda _s: None)


def failing(times: int, result: Any = "done", sqlstate: str = "40P01") -> Callable[..., Any]:
    calls = {"n": 0}

    def work(*_args: Any) -> Any:
        calls["n"] += 1
        if calls["n"] <= times:
            raise aborted(sqlstate)
        return result

    work.calls = calls  # type: ignore[attr-defined]
    return work


@pytest.mark.parametrize("sqlstate", ["40P01", "40001"])
def test_a_deadlocked_or_unserialisable_unit_of_work_runs_again(app, sqlstate) -> None:
    work = failing(2, sqlstate=sqlstate)
    rolled_back = []
    assert retrying(work, before_retry=lambda: rolled_back.append(1)) == "done"
    assert work.calls["n"] == 3 and len(rolled_back) == 2  # type: ignore[attr-defined]


def test_the_retry_is_bounded_and_ends_in_a_conflict(app) -> None:
    work = failing(100)
    with pytest.raises(Conflict, match="try again"):
        retrying(work, before_retry=lambda: None)
    assert work.calls["n"] == RETRY_ATTEMPTS  # type: ignore[attr-defined]


def test_other_database_errors_are_not_retried(app) -> None:
    work = failing(1, sqlstate="23505")
    with pytest.raises(OperationalError):
        retrying(work, before_retry=lambda: None)
    calls = {"n": 0}

    def integrity() -> None:
        calls["n"] += 1
        raise IntegrityError("INSERT", {}, _PgError("23505"))

    with pytest.raises(IntegrityError):
        retrying(integrity, before_retry=lambda: None)
    assert calls["n"] == 1


def test_transaction_runs_the_work_again_on_a_fresh_session(app, monkeypatch) -> None:
    sessions: list[Any] = []
    work = failing(1)

    def recorded(session: Any) -> Any:
        sessions.append(session)
        return work(session)

    committed: list[Any] = []
    monkeypatch.setattr(Session, "commit", lambda self: committed.append(self))
    assert transaction(recorded) == "done"
    assert len(sessions) == 2 and sessions[0] is not sessions[1]
    assert committed == [sessions[1]]


# --- requests ---------------------------------------------------------------------------------


@pytest.fixture
def world(session) -> Any:
    w = ShiftWorld(session, starts_at=utcnow() + timedelta(days=5))
    w.booked = make_signup(session, w.shift, w.volunteer)
    return w


def _flaky_cancel(monkeypatch: pytest.MonkeyPatch, times: int) -> dict[str, int]:
    real = signups.cancel
    calls = {"n": 0}

    def cancel(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        result = real(*args, **kwargs)  # the work is done, then the transaction is aborted
        if calls["n"] <= times:
            raise aborted()
        return result

    monkeypatch.setattr(signups, "cancel", cancel)
    return calls


def test_a_web_request_aborted_by_a_deadlock_runs_again_and_succeeds_once(
    client, session, world, monkeypatch
) -> None:
    calls = _flaky_cancel(monkeypatch, 2)
    login(client, world.volunteer)
    resp = client.post(f"/signups/{world.booked.id}/cancel", data={})
    assert resp.status_code == 303
    assert calls["n"] == 3
    session.refresh(world.booked)
    session.refresh(world.shift)
    assert world.booked.status == SignupStatus.CANCELLED and world.shift.confirmed == 0
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert page.count("is cancelled") == 1  # flashed once, not once per run


def test_a_web_request_deadlocked_every_time_is_a_409_not_a_500(
    client, session, world, monkeypatch
) -> None:
    _flaky_cancel(monkeypatch, 100)
    login(client, world.volunteer)
    resp = client.post(f"/signups/{world.booked.id}/cancel", data={})
    assert resp.status_code == 409
    assert "try again" in resp.get_data(as_text=True)
    session.refresh(world.booked)
    assert world.booked.status == SignupStatus.CONFIRMED  # nothing of the runs was kept


def test_an_api_request_aborted_by_a_deadlock_runs_again(client, session, world, monkeypatch):
    calls = _flaky_cancel(monkeypatch, 1)
    api = Api(client, bearer(session, world.volunteer))
    resp = api.post(f"/signups/{world.booked.id}/cancel")
    assert resp.status_code == 200 and resp.get_json()["status"] == "cancelled"
    assert calls["n"] == 2


def test_an_api_request_deadlocked_every_time_is_a_409_problem(client, session, world, monkeypatch):
    _flaky_cancel(monkeypatch, 100)
    api = Api(client, bearer(session, world.volunteer))
    resp = api.post(f"/signups/{world.booked.id}/cancel")
    assert is_problem(resp, 409)
    assert resp.get_json()["detail"] == BUSY
    session.refresh(world.booked)
    assert world.booked.status == SignupStatus.CONFIRMED
