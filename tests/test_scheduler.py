"""The scheduler process: its job table, its job wrapper and its one-instance lock."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from email.message import EmailMessage
from pathlib import Path

import pytest
from flask import has_app_context
from sqlalchemy import text
from sqlalchemy.orm import Session

from coprod import scheduler
from coprod.db import make_engine
from coprod.migrate import upgrade
from coprod.models import JobState, NotificationKind, OutboxMessage
from coprod.services.mailer import console_text
from tests.conftest import PG_URL
from tests.test_migrations import scratch_database

ROOT = Path(__file__).resolve().parent.parent
FLASK = [sys.executable, "-m", "flask", "--app", "coprod", "scheduler"]


def test_the_job_table_has_fixed_ids_coalesced_single_instance_with_grace(app) -> None:
    sched = scheduler.create_scheduler(app)
    jobs = {job.id: job for job in sched.get_jobs()}
    assert set(jobs) == {
        "reports.sweep",
        "reports.rebuild_all",
        "outbox.deliver",
        "reminders.send",
        "exports.build",
        "privacy.purge",
        "capacity.expiry",
        "governance.decisions",
        "tasks.figures",
        "pilots.evaluate",
    }
    for job in jobs.values():
        assert job.coalesce is True
        assert job.max_instances == 1
        assert job.misfire_grace_time >= 600
    assert str(sched.timezone) == "UTC"


def test_a_job_runs_in_the_app_context_and_one_unit_of_work(app, session) -> None:
    seen = {}

    def job(s, *, now):
        seen["context"] = has_app_context()
        s.add(JobState(job_id="test.job", last_run_at=now))

    scheduler.run_job(app, scheduler.JobSpec("test.job", job, lambda _app: None))  # type: ignore[arg-type,return-value]
    assert seen["context"] is True
    assert session.get(JobState, "test.job") is not None  # committed (the savepoint released)


def _env(tmp_path: Path, url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        COPROD_ENV="development",
        DATABASE_URL=url,
        SCHEDULER_LOCK_FILE=str(tmp_path / "scheduler.lock"),
        PYTHONUNBUFFERED="1",
    )
    return env


def _second_scheduler(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(FLASK, env=env, cwd=ROOT, capture_output=True, text=True, timeout=60)


def test_a_second_scheduler_exits_non_zero_while_the_first_holds_the_lock(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'sched.sqlite'}"
    upgrade(url)
    env = _env(tmp_path, url)
    first = subprocess.Popen(
        FLASK, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    try:
        assert first.stdout is not None
        line = first.stdout.readline()  # printed once the lock is held
        assert "started" in line, line
        second = _second_scheduler(env)
        assert second.returncode == 1
        assert "another scheduler is already running" in second.stderr
        assert "started" not in second.stdout
        assert first.poll() is None  # the first one carries on
    finally:
        first.terminate()
        first.wait(timeout=30)
        if first.stdout is not None:
            first.stdout.close()
    assert first.returncode == 0


def test_the_file_lock_is_released_when_the_scheduler_stops(tmp_path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.sqlite'}")
    lock_file = str(tmp_path / "scheduler.lock")
    first = scheduler.SchedulerLock(engine, lock_file)
    first.acquire()
    with pytest.raises(scheduler.AlreadyRunning):
        scheduler.SchedulerLock(engine, lock_file).acquire()
    first.release()
    again = scheduler.SchedulerLock(engine, lock_file)
    again.acquire()
    again.release()
    engine.dispose()


@pytest.mark.postgres
def test_on_postgresql_the_advisory_lock_turns_a_second_scheduler_away(tmp_path) -> None:
    engine = make_engine(PG_URL)
    held = scheduler.SchedulerLock(engine, str(tmp_path / "unused.lock"))
    held.acquire()
    try:
        started = time.monotonic()
        second = _second_scheduler(_env(tmp_path, PG_URL))
        assert second.returncode == 1
        assert "advisory lock" in second.stderr
        assert time.monotonic() - started < 30  # at once, not after waiting
        with pytest.raises(scheduler.AlreadyRunning):
            scheduler.SchedulerLock(engine, "").acquire()
    finally:
        held.release()
    free = scheduler.SchedulerLock(engine, "")
    free.acquire()
    free.release()
    engine.dispose()


def _wait_for(predicate, what: str, timeout: float = 60) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"waited {timeout} s for {what}"
        time.sleep(0.2)


def _lock_holder(engine) -> int | None:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        return conn.scalar(
            text(
                "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted "
                "AND classid = 0 AND objid::bigint = :k AND objsubid = 1"
            ),
            {"k": scheduler.ADVISORY_KEY},
        )


@pytest.mark.postgres
def test_on_postgresql_a_scheduler_whose_lock_connection_is_killed_exits_and_runs_nothing_more(
    tmp_path,
) -> None:
    """The lock's backend is terminated (as a database restart or a network cut would): the
    scheduler notices before its next job, runs nothing more and exits 1; a second scheduler
    started meanwhile takes the lock and is the only one that sends the email queued after."""
    with scratch_database(tmp_path, "scheduler") as url:
        upgrade(url)
        engine = make_engine(url)
        env = {**_env(tmp_path, url), "OUTBOX_INTERVAL_SECONDS": "1"}
        logs = {name: tmp_path / f"{name}.log" for name in ("first", "second")}

        def start(name: str) -> subprocess.Popen[bytes]:
            with logs[name].open("wb") as out:  # the child keeps its own copy
                return subprocess.Popen(FLASK, env=env, cwd=ROOT, stdout=out, stderr=out)

        def said(name: str, words: str) -> bool:
            return words in logs[name].read_text()

        first = start("first")
        second = None
        try:
            _wait_for(lambda: said("first", "started"), "the first scheduler to start")
            holder = _lock_holder(engine)
            assert holder is not None
            with engine.connect() as conn:
                assert conn.scalar(text("SELECT pg_terminate_backend(:p)"), {"p": holder})
            second = start("second")
            _wait_for(lambda: said("second", "started"), "the second to take the lock")
            assert first.wait(timeout=60) == 1
            assert said("first", "lost its lock")
            with Session(engine) as session:
                session.add(
                    OutboxMessage(
                        recipient="after@example.org", kind=NotificationKind.REMINDER,
                        subject="Queued after the takeover", body_text="Hello",
                        body_html="<p>Hello</p>", dedupe_key="takeover",
                    )
                )  # fmt: skip
                session.commit()
            _wait_for(lambda: said("second", "after@example.org"), "the second to send it")
            assert not said("first", "after@example.org")
            assert second.poll() is None  # the second carries on
        finally:
            for proc in (first, second):
                if proc is not None and proc.poll() is None:
                    proc.terminate()
                    proc.wait(timeout=30)
            engine.dispose()


# --- the console of `make run` --------------------------------------------------------------


@pytest.mark.parametrize(
    ("result", "line"),
    [(0, None), ({"sent": 0, "retry": 0}, None), (3, "test.job: 3 changed"),
     ({"sent": 2, "retry": 0, "failed": 1}, "test.job: 2 sent, 1 failed")],
)  # fmt: skip
def test_a_job_says_something_only_when_it_did_something(app, session, caplog, result, line):
    spec = scheduler.JobSpec("test.job", lambda _s, *, now: result, lambda _app: None)  # type: ignore[arg-type,return-value]
    with caplog.at_level(logging.INFO, logger="coprod.scheduler"):
        scheduler.run_job(app, spec)
    assert [r.getMessage() for r in caplog.records] == ([line] if line else [])


def test_an_email_in_the_console_is_a_short_block() -> None:
    email = EmailMessage()
    email["To"], email["From"], email["Subject"] = "vera@example.org", "coprod", "Reminder"
    email.set_content("Hello Vera,\n\nYour shift starts soon.\n\n-- \ncoprod\nYour settings: …")
    block = console_text(email).splitlines()
    assert block[0].startswith("--- email to vera@example.org (not sent")
    assert block[1:] == ["Subject: Reminder", "Hello Vera,", "Your shift starts soon.", "-" * 72]


# --- a lost lock ------------------------------------------------------------------------------


def test_a_removed_lock_file_is_a_lost_lock(tmp_path) -> None:
    """Once the file is gone, another scheduler could lock a new one at the same path."""
    engine = make_engine(f"sqlite:///{tmp_path / 'x.sqlite'}")
    lock_file = tmp_path / "scheduler.lock"
    lock = scheduler.SchedulerLock(engine, str(lock_file))
    lock.acquire()
    assert lock.held()
    lock_file.unlink()
    assert not lock.held()
    lock.release()
    engine.dispose()


def test_once_the_lock_is_lost_no_job_runs_and_the_scheduler_stops(app, tmp_path, capsys):
    engine = make_engine(f"sqlite:///{tmp_path / 'x.sqlite'}")
    lock = scheduler.SchedulerLock(engine, str(tmp_path / "scheduler.lock"))
    lock.acquire()
    watch = scheduler.Watch(lock)
    ran: list[str] = []
    spec = scheduler.JobSpec("test.job", lambda _s, *, now: ran.append("ran"), lambda _app: None)  # type: ignore[arg-type,return-value]
    scheduler.run_job(app, spec, watch)
    assert ran == ["ran"]
    (tmp_path / "scheduler.lock").unlink()
    scheduler.run_job(app, spec, watch)
    scheduler.run_job(app, spec, watch)
    assert ran == ["ran"]
    assert watch.lost
    assert capsys.readouterr().err.count("lost its lock") == 1
    lock.release()
    engine.dispose()
