from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from coprod.errors import NotFound
from coprod.models import DataExport, ExportStatus, NotificationKind, OutboxMessage
from coprod.services import exports
from coprod.services.exports import deferred
from tests.conftest import NOW
from tests.services.test_exports import OTHER_EMAIL, ExportWorld, unzip

SECRET = "test-secret"
WEEK = timedelta(days=7)


def link_token(session, person) -> str:
    mail = session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.user_id == person.id, OutboxMessage.kind == NotificationKind.DATA_EXPORT
        )
    ).one()
    return re.search(r"/account/export/(\S+)", mail.body_text).group(1)


def test_a_small_export_comes_at_once(session):
    ex = ExportWorld(session)
    got = exports.export_or_queue(session, ex.person, ex.person, now=NOW, inline_max=1000)
    assert isinstance(got, exports.Export) and got.data.startswith(b"PK")


def test_a_big_export_waits_for_the_scheduler_and_asking_twice_is_one_request(session):
    ex = ExportWorld(session)
    first = exports.export_or_queue(session, ex.person, ex.person, now=NOW, inline_max=2)
    again = exports.export_or_queue(session, ex.person, ex.person, now=NOW, inline_max=2)
    assert isinstance(first, DataExport) and first is again
    assert first.status == ExportStatus.PENDING and first.data is None


def test_the_sweep_builds_it_mails_a_link_that_only_its_person_can_use(session):
    ex = ExportWorld(session)
    deferred.queue_export(session, ex.person, ex.person, now=NOW)
    assert deferred.build_waiting(session, now=NOW, secret=SECRET, lifetime=WEEK) == 1
    assert deferred.build_waiting(session, now=NOW, secret=SECRET, lifetime=WEEK) == 0
    token = link_token(session, ex.person)
    built = deferred.get_download(session, ex.person, token, SECRET, now=NOW + timedelta(days=6))
    files = unzip(built.data)
    assert "README.txt" in files and "vera@example.org" in files["profile.csv"]
    assert OTHER_EMAIL not in "\n".join(files.values())
    with pytest.raises(NotFound):
        deferred.get_download(session, ex.other, token, SECRET, now=NOW)
    with pytest.raises(NotFound):
        deferred.get_download(session, ex.person, token + "x", SECRET, now=NOW)


def test_the_link_expires_and_the_zip_is_dropped(session):
    ex = ExportWorld(session)
    export = deferred.queue_export(session, ex.person, ex.person, now=NOW)
    deferred.build_waiting(session, now=NOW, secret=SECRET, lifetime=WEEK)
    token = link_token(session, ex.person)
    later = NOW + WEEK
    with pytest.raises(NotFound, match="expired"):
        deferred.get_download(session, ex.person, token, SECRET, now=later)
    assert deferred.expire_old(session, now=later) == 1
    session.refresh(export)
    assert export.status == ExportStatus.EXPIRED and export.data is None


def test_the_scheduler_job_uses_the_configured_lifetime(app, session):
    from coprod.jobs.exports import build_exports

    ex = ExportWorld(session)
    export = deferred.queue_export(session, ex.person, ex.person, now=NOW)
    with app.app_context():
        assert build_exports(session, now=NOW) == {"built": 1, "expired": 0}
    assert export.expires_at == NOW + timedelta(days=app.config["EXPORT_LINK_DAYS"])


def test_one_export_that_fails_to_build_does_not_stop_the_others(session, monkeypatch, caplog):
    ex = ExportWorld(session)
    deferred.queue_export(session, ex.other, ex.other, now=NOW)
    deferred.queue_export(session, ex.person, ex.person, now=NOW)
    real = exports.build_export

    def fails_for_the_first(session, actor, person, *, now):
        if person is ex.other:
            raise RuntimeError("a broken row")
        return real(session, actor, person, now=now)

    monkeypatch.setattr(exports, "build_export", fails_for_the_first)
    assert deferred.build_waiting(session, now=NOW, secret=SECRET, lifetime=WEEK) == 1
    states = {e.user_id: e.status for e in session.scalars(select(DataExport)).all()}
    assert states == {ex.other.id: ExportStatus.PENDING, ex.person.id: ExportStatus.READY}
    assert link_token(session, ex.person)
    assert "could not be built" in caplog.text
