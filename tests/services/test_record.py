"""A person's own record of hours (coprod.services.record): approved totals by programme,
organisation and year, open logs apart, and the CSV of every log of theirs."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest

from coprod.models import LogStatus, OrgKind, Role
from coprod.services import record
from tests.conftest import NOW
from tests.factories import (
    add_role,
    make_log,
    make_org,
    make_programme,
    make_task,
    make_user,
)

NOT_COUNTED = [
    LogStatus.SUBMITTED,
    LogStatus.CHANGES_REQUESTED,
    LogStatus.REJECTED,
    LogStatus.WITHDRAWN,
    LogStatus.SUPERSEDED,
]


def _world(session):
    me = make_user(session)
    food = make_task(session, programme=make_programme(session, name="Food bank"))
    parks = make_task(session, programme=make_programme(session, name="Parks"))
    club = make_org(session, OrgKind.COMMUNITY, name="Running club")
    add_role(session, me, club, Role.COORDINATOR)
    make_log(session, user=me, task=food, status="approved", hours="3", on=date(2026, 5, 1))
    make_log(session, user=me, task=food, status="approved", hours="2.5", on=date(2025, 11, 3))
    make_log(
        session,
        user=me,
        task=parks,
        status="approved",
        hours="4",
        on=date(2026, 2, 2),
        organisation_id=club.id,
    )
    return me, food, parks, club


def test_totals_add_up_the_approved_logs_by_programme_organisation_and_year(session) -> None:
    me, _food, _parks, club = _world(session)
    mine = record.get_my_hours(session, me)
    assert (mine.hours, mine.logs) == (Decimal("9.5"), 3)
    assert [(t.programme.name, t.hours, t.logs) for t in mine.by_programme] == [
        ("Food bank", Decimal("5.5"), 2),
        ("Parks", Decimal("4"), 1),
    ]
    assert [(t.organisation, t.hours) for t in mine.by_organisation] == [
        (None, Decimal("5.5")),
        (club, Decimal("4")),
    ]
    assert [(t.year, t.hours, t.logs) for t in mine.by_year] == [
        (2026, Decimal("7"), 2),
        (2025, Decimal("2.5"), 1),
    ]
    for totals in (mine.by_programme, mine.by_organisation, mine.by_year):
        assert sum(t.hours for t in totals) == mine.hours


@pytest.mark.parametrize("status", NOT_COUNTED)
def test_logs_not_approved_count_nowhere(session, status) -> None:
    me, food, *_ = _world(session)
    make_log(session, user=me, task=food, status=status, hours="7")
    mine = record.get_my_hours(session, me)
    assert mine.hours == Decimal("9.5")
    assert sum(t.hours for t in mine.by_programme) == Decimal("9.5")


def test_pending_and_sent_back_logs_are_listed_apart(session) -> None:
    me, food, *_ = _world(session)
    waiting = make_log(session, user=me, task=food, status="submitted", on=date(2026, 6, 1))
    older = make_log(session, user=me, task=food, status="submitted", on=date(2026, 5, 1))
    back = make_log(session, user=me, task=food, status="changes_requested")
    make_log(session, user=me, task=food, status="rejected")
    mine = record.get_my_hours(session, me)
    assert [log.id for log in mine.pending.logs] == [waiting.id, older.id]
    assert mine.pending.total == 2
    assert [log.id for log in mine.sent_back.logs] == [back.id]


def test_open_logs_are_bounded_and_counted(session) -> None:
    me = make_user(session)
    task = make_task(session)
    for i in range(record.OPEN_LOGS + 2):
        make_log(session, user=me, task=task, hours="0.5", on=date(2026, 1, 1 + i % 28))
    mine = record.get_my_hours(session, me)
    assert len(mine.pending.logs) == record.OPEN_LOGS
    assert mine.pending.total == record.OPEN_LOGS + 2


def test_another_persons_logs_never_appear(session) -> None:
    me, food, parks, club = _world(session)
    other = make_user(session)
    add_role(session, other, club, Role.COORDINATOR)
    make_log(session, user=other, task=food, status="approved", hours="6")
    make_log(session, user=other, task=parks, status="approved", organisation_id=club.id)
    make_log(session, user=other, task=food, status="submitted")
    mine = record.get_my_hours(session, me)
    assert mine.hours == Decimal("9.5")
    assert mine.pending.total == 0
    theirs = record.get_my_hours(session, other)
    assert theirs.hours == Decimal("8")
    assert "Food bank" in record.my_logs_csv(session, me)
    assert len(list(csv.reader(io.StringIO(record.my_logs_csv(session, other))))) == 4


def test_someone_with_no_logs_gets_empty_totals(session) -> None:
    mine = record.get_my_hours(session, make_user(session))
    assert mine.hours == 0 and mine.logs == 0
    assert mine.by_programme == mine.by_organisation == mine.by_year == []
    assert mine.pending.logs == mine.sent_back.logs == []
    assert record.my_logs_csv(session, make_user(session)).splitlines() == [
        "date,task,programme,organisation,hours,status,reviewed_at"
    ]


def test_the_csv_holds_every_log_of_theirs_whatever_its_status(session) -> None:
    me, food, _parks, _club = _world(session)
    rejected = make_log(session, user=me, task=food, status="rejected", on=date(2026, 6, 2))
    rejected.reviewed_at = NOW
    make_log(session, user=me, task=food, status="withdrawn", on=date(2026, 6, 3))
    session.flush()
    rows = list(csv.reader(io.StringIO(record.my_logs_csv(session, me))))
    assert rows[0] == record.CSV_COLUMNS
    assert [(r[0], r[2], r[3], r[5]) for r in rows[1:]] == [
        ("2025-11-03", "Food bank", "Myself", "Approved"),
        ("2026-02-02", "Parks", "Running club", "Approved"),
        ("2026-05-01", "Food bank", "Myself", "Approved"),
        ("2026-06-02", "Food bank", "Myself", "Rejected"),
        ("2026-06-03", "Food bank", "Myself", "Withdrawn"),
    ]
    assert rows[4][6] == "2026-06-13T10:00:00+00:00"
    assert Decimal(rows[1][4]) == Decimal("2.5")


def test_the_csv_is_safe_from_formulas(session) -> None:
    me = make_user(session)
    task = make_task(session, title="=HYPERLINK(1)")
    make_log(session, user=me, task=task)
    rows = list(csv.reader(io.StringIO(record.my_logs_csv(session, me))))
    assert rows[1][1] == "'=HYPERLINK(1)"
