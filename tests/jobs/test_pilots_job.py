"""The daily pilot sweep: built once when the window ends, rebuilt after a late approval in
its periods, and one bad pilot does not stop the others."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from coprod import scheduler
from coprod.jobs import pilots as pilot_jobs
from coprod.models import PilotEvaluation
from coprod.services.governance import pilots
from coprod.services.governance.pilots import building
from tests.conftest import NOW
from tests.pilot_world import log_with, make_pilot_world


def _count(session) -> int:
    return session.scalar(select(func.count()).select_from(PilotEvaluation)) or 0


def test_the_job_is_in_the_scheduler_table():
    assert pilot_jobs.JOB_ID in {spec.id for spec in scheduler.JOBS}


def test_an_ended_pilot_is_built_once_and_a_running_one_not_at_all(session):
    ended = make_pilot_world(session)
    running = make_pilot_world(session, evaluation_ends_on=date(2026, 12, 31))
    before = _count(session)
    assert pilot_jobs.evaluate_pilots(session, now=NOW) >= 1
    assert pilots.get_stored(session, ended.programme) is not None
    assert pilots.get_stored(session, running.programme) is None
    built = _count(session)
    assert built > before
    assert pilot_jobs.evaluate_pilots(session, now=NOW + timedelta(days=1)) == 0
    assert _count(session) == built


def test_a_late_approval_in_the_window_rebuilds_it(session):
    world = make_pilot_world(session)
    pilot_jobs.evaluate_pilots(session, now=NOW)
    stored = pilots.get_stored(session, world.programme)
    assert stored.figures["pilot"]["hours"] == 9.0
    late = log_with(session, world.task, world.people["B"], date(2026, 3, 9), "3")
    late.counted_changed_at = NOW + timedelta(hours=5)
    session.flush()
    pilot_jobs.evaluate_pilots(session, now=NOW + timedelta(days=1))
    session.refresh(stored)
    assert stored.figures["pilot"]["hours"] == 12.0
    assert stored.figures["pilot"]["returning"] == 2
    assert stored.built_at == NOW + timedelta(days=1)


def test_one_bad_pilot_is_skipped_and_the_others_built(session, monkeypatch, caplog):
    bad = make_pilot_world(session)
    good = make_pilot_world(session)
    real = pilots.build_figures

    def broken(session_, programme, **kw):
        if programme.id == bad.programme.id:
            raise RuntimeError("boom")
        return real(session_, programme, **kw)

    monkeypatch.setattr(building, "build_figures", broken)  # where build_evaluation looks
    pilot_jobs.evaluate_pilots(session, now=NOW)
    assert pilots.get_stored(session, good.programme) is not None
    assert pilots.get_stored(session, bad.programme) is None
    assert "not evaluated (skipped)" in caplog.text
