"""The capacity report: training hours apart from service hours, and qualifications awarded and
expiring, checked against a small world whose every figure is worked out by hand below."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from coprod.models import LogStatus, OrgKind, PeriodKind, ReportSnapshot
from coprod.services import reports
from tests.factories import (
    make_award,
    make_log,
    make_org,
    make_programme,
    make_qualification,
    make_task,
    make_user,
)

MAY, JUNE, JULY = date(2026, 5, 1), date(2026, 6, 1), date(2026, 7, 1)


@dataclass
class World:
    programme: object
    agency: object
    nonprofit: object
    community: object
    food: object
    safe: object
    cy: object


def _log(session, who, task, on, hours, *, org=None, status=LogStatus.APPROVED):
    return make_log(
        session,
        user=who,
        task=task,
        on=on,
        hours=hours,
        status=status,
        organisation_id=org.id if org else None,
    )


@pytest.fixture
def world(session) -> World:
    """Service in June: ana 2 h as a citizen, bo 3 h for the food bank, on "Deliver meals"
    (which requires Safeguarding). Training: the food bank runs "Food hygiene course" (trains
    Food hygiene): cy 2 h in May and 3 h in June as a citizen, bo 2.5 h for the food bank in
    June, a rejected 4 h; "Safeguarding briefing" (trains Safeguarding) has no coordinating
    organisation, so the lead agency delivers it: cy 1.5 h as a citizen, dee 1 h for the
    community group. In July cy logs 1 h of service: their first service hours.

    Awards: Food hygiene to ana and bo in June, to cy in May; Safeguarding to dee in June, to
    eve in June but revoked, renewed for gus in May (his old one expires 20 June). Expiring in
    June: hal's Food hygiene (not renewed), ivy's (renewed by an award since revoked), jo's
    Safeguarding (revoked, so it counts nowhere), gus's (renewed); kim's expires in July.
    Chainsaw is another programme's: fay's award of it counts nowhere here."""
    agency = make_org(session, OrgKind.AGENCY, name="City Agency")
    programme = make_programme(session, agency, starts_on=date(2026, 1, 1))
    nonprofit = make_org(session, OrgKind.NONPROFIT, name="Riverside Food Bank")
    community = make_org(session, OrgKind.COMMUNITY, name="Elm Street Group")
    meals = make_task(session, programme, title="Deliver meals")
    food = make_qualification(session, nonprofit, name="Food hygiene")
    safe = make_qualification(session, agency, name="Safeguarding", required_by=meals)
    course = make_task(
        session,
        programme,
        title="Food hygiene course",
        trains_qualification_id=food.id,
        coordinating_organisation_id=nonprofit.id,
    )
    briefing = make_task(
        session, programme, title="Safeguarding briefing", trains_qualification_id=safe.id
    )
    elsewhere = make_task(session, make_programme(session, agency), title="Fell trees")
    chainsaw = make_qualification(session, nonprofit, name="Chainsaw", required_by=elsewhere)
    names = ["Ana", "Bo", "Cy", "Dee", "Eve", "Fay", "Gus", "Hal", "Ivy", "Jo", "Kim"]
    ana, bo, cy, dee, eve, fay, gus, hal, ivy, jo, kim = (
        make_user(session, display_name=f"{n} Volunteer") for n in names
    )

    _log(session, ana, meals, date(2026, 6, 2), "2")
    _log(session, bo, meals, date(2026, 6, 3), "3", org=nonprofit)
    _log(session, cy, course, date(2026, 5, 20), "2")
    _log(session, cy, course, date(2026, 6, 4), "3")
    _log(session, bo, course, date(2026, 6, 4), "2.5", org=nonprofit)
    _log(session, dee, course, date(2026, 6, 5), "4", status=LogStatus.REJECTED)
    _log(session, cy, briefing, date(2026, 6, 10), "1.5")
    _log(session, dee, briefing, date(2026, 6, 11), "1", org=community)
    _log(session, cy, meals, date(2026, 7, 1), "1")

    revoked = {"revoked_at": datetime(2026, 6, 20, tzinfo=UTC)}
    make_award(session, ana, food, awarded_on=date(2026, 6, 4))
    make_award(session, bo, food, awarded_on=date(2026, 6, 4))
    make_award(session, cy, food, awarded_on=date(2026, 5, 20))
    make_award(session, dee, safe, awarded_on=date(2026, 6, 11))
    make_award(session, eve, safe, awarded_on=date(2026, 6, 15), **revoked)
    make_award(session, fay, chainsaw, awarded_on=date(2026, 6, 5))
    make_award(session, gus, safe, awarded_on=date(2025, 6, 20))  # expires 20 June 2026
    make_award(session, gus, safe, awarded_on=date(2026, 5, 30))  # renews it
    make_award(session, hal, food, awarded_on=date(2025, 6, 25))  # expires 25 June 2026
    make_award(session, ivy, food, awarded_on=date(2025, 6, 28))  # expires 28 June 2026
    make_award(session, ivy, food, awarded_on=date(2026, 4, 1), **revoked)
    make_award(session, jo, safe, awarded_on=date(2025, 6, 12), **revoked)
    make_award(session, kim, food, awarded_on=date(2025, 7, 2))  # expires 2 July 2026
    return World(programme, agency, nonprofit, community, food, safe, cy)


def _build(session, world, start, now, kind=PeriodKind.MONTH):
    batch = reports.Batch(world.programme.id, kind, (start,))
    reports.build_batch(session, batch, now=now)
    return session.scalars(
        select(ReportSnapshot).where(
            ReportSnapshot.programme_id == world.programme.id,
            ReportSnapshot.period == kind,
            ReportSnapshot.start == start,
        )
    ).one()


def _sectors(**hours):
    return {s: hours.get(s, 0.0) for s in reports.SECTORS}


def test_training_hours_count_nowhere_in_the_service_figures(session, world, now) -> None:
    data = _build(session, world, JUNE, now).data
    assert data["hours_total"] == 5.0
    assert data["hours_by_sector"] == _sectors(citizen=2.0, nonprofit=3.0)
    assert data["share_by_sector"] == _sectors(citizen=40.0, nonprofit=60.0)
    assert data["hours_by_organisation"] == [
        {"id": world.nonprofit.id, "name": "Riverside Food Bank", "hours": 3.0}
    ]
    assert [t["name"] for t in data["hours_by_task"]] == ["Deliver meals"]
    assert data["contributors"] == 2  # ana and bo; cy and dee only trained
    assert data["new_contributors"] == 2
    assert data["hours_value"] == 150.0  # 5 h at 30 an hour


def test_training_received_is_credited_as_service_hours_are(session, world, now) -> None:
    cap = _build(session, world, JUNE, now).data["capacity"]
    assert cap["training_hours_total"] == 8.0  # 3 + 2.5 + 1.5 + 1; the rejected 4 h not
    assert cap["training_received_by_sector"] == _sectors(citizen=4.5, nonprofit=2.5, community=1.0)
    assert cap["training_received_by_organisation"] == [
        {"id": world.nonprofit.id, "name": "Riverside Food Bank", "hours": 2.5},
        {"id": world.community.id, "name": "Elm Street Group", "hours": 1.0},
    ]


def test_training_delivered_is_credited_to_who_ran_it_else_the_lead_agency(
    session, world, now
) -> None:
    cap = _build(session, world, JUNE, now).data["capacity"]
    assert cap["training_delivered_by_sector"] == _sectors(nonprofit=5.5, agency=2.5)
    assert cap["training_delivered_by_organisation"] == [
        {"id": world.nonprofit.id, "name": "Riverside Food Bank", "hours": 5.5},
        {"id": world.agency.id, "name": "City Agency", "hours": 2.5},
    ]


def test_qualifications_awarded_count_the_programmes_unrevoked_awards(session, world, now) -> None:
    june = _build(session, world, JUNE, now).data["capacity"]
    assert june["qualifications_awarded"] == [
        {"id": world.food.id, "name": "Food hygiene", "count": 2},
        {"id": world.safe.id, "name": "Safeguarding", "count": 1},
    ]
    may = _build(session, world, MAY, now).data["capacity"]
    assert may["qualifications_awarded"] == [
        {"id": world.food.id, "name": "Food hygiene", "count": 1},
        {"id": world.safe.id, "name": "Safeguarding", "count": 1},
    ]


def test_qualifications_expiring_count_awards_not_renewed(session, world, now) -> None:
    june = _build(session, world, JUNE, now).data["capacity"]
    assert june["qualifications_expiring"] == [
        {"id": world.food.id, "name": "Food hygiene", "count": 2}
    ]
    july = _build(session, world, JULY, now).data["capacity"]
    assert july["qualifications_expiring"] == [
        {"id": world.food.id, "name": "Food hygiene", "count": 1}
    ]


def test_may_and_july_have_their_own_figures(session, world, now) -> None:
    may = _build(session, world, MAY, now).data
    assert may["hours_total"] == 0.0 and may["contributors"] == 0
    assert may["capacity"]["training_hours_total"] == 2.0
    assert may["capacity"]["training_received_by_sector"] == _sectors(citizen=2.0)
    assert may["capacity"]["training_delivered_by_sector"] == _sectors(nonprofit=2.0)
    july = _build(session, world, JULY, now).data
    # cy trained in May and June: July's hour of service is their first, so they are new.
    assert (july["hours_total"], july["contributors"], july["new_contributors"]) == (1.0, 1, 1)
    assert july["capacity"]["training_hours_total"] == 0.0
    assert july["capacity"]["qualifications_awarded"] == []


def test_a_quarter_adds_up_its_months(session, world, now) -> None:
    q2 = _build(session, world, date(2026, 4, 1), now, PeriodKind.QUARTER).data
    assert q2["hours_total"] == 5.0
    cap = q2["capacity"]
    assert cap["training_hours_total"] == 10.0
    assert cap["training_delivered_by_sector"] == _sectors(nonprofit=7.5, agency=2.5)
    # April's revoked renewal of ivy's counts nowhere.
    assert cap["qualifications_awarded"] == [
        {"id": world.food.id, "name": "Food hygiene", "count": 3},
        {"id": world.safe.id, "name": "Safeguarding", "count": 2},
    ]
    assert cap["qualifications_expiring"] == [
        {"id": world.food.id, "name": "Food hygiene", "count": 2}
    ]


def test_rebuilding_gives_the_same_capacity_figures(session, world, now) -> None:
    first = _build(session, world, JUNE, now).data
    batch = reports.Batch(world.programme.id, PeriodKind.MONTH, (JUNE,))
    assert reports.build_batch(session, batch, now=now) == 0
    assert _build(session, world, JUNE, now).data == first


def test_a_snapshot_without_capacity_still_exports(session, world, now) -> None:
    snap = _build(session, world, JUNE, now)
    snap.data = {k: v for k, v in snap.data.items() if k != "capacity"}
    session.flush()
    body = reports.snapshot_json(snap)
    assert body["capacity"]["training_hours_total"] == 0.0
    assert body["capacity"]["qualifications_awarded"] == []
    assert "training_hours_total" in reports.snapshot_csv(snap)


def test_the_csv_has_a_row_per_capacity_figure(session, world, now) -> None:
    lines = reports.snapshot_csv(_build(session, world, JUNE, now)).splitlines()
    empty = ",,,,,,"  # the commitment columns (issue #18), before the money column
    assert "summary,,training_hours_total,,,,,,,,,8.0,," + empty + "," in lines
    assert (
        "training_received_sector,citizen,Individual citizens,4.5,,,,,,,,,," + empty + "," in lines
    )
    assert (
        f"training_delivered_organisation,{world.agency.id},City Agency,2.5,,,,,,,,,," + empty + ","
        in lines
    )
    assert f"qualification_awarded,{world.food.id},Food hygiene,,,2,,,,,,,," + empty + "," in lines
    assert f"qualification_expiring,{world.food.id},Food hygiene,,,2,,,,,,,," + empty + "," in lines


def test_an_award_made_or_revoked_marks_its_periods_for_rebuilding(session, world, now) -> None:
    since = datetime(2030, 1, 1, tzinfo=UTC)
    assert reports.touched_batches(session, since) == []
    lee = make_user(session)
    award = make_award(
        session, lee, world.food, awarded_on=date(2026, 3, 10), created_at=since.replace(day=2)
    )
    months = {
        b.starts
        for b in reports.touched_batches(session, since)
        if b.programme_id == world.programme.id and b.kind == PeriodKind.MONTH
    }
    assert months == {(date(2026, 3, 1),), (date(2027, 3, 1),)}  # awarded, expires
    award.created_at = since.replace(year=2029)
    award.revoked_at = since.replace(day=3)
    make_award(session, lee, world.food, awarded_on=date(2025, 4, 1))  # expires 1 April 2026
    session.flush()
    months = {
        b.starts
        for b in reports.touched_batches(session, since)
        if b.programme_id == world.programme.id and b.kind == PeriodKind.MONTH
    }
    # ...and April 2026, when the older award it renewed now expires unrenewed.
    assert months == {(date(2026, 3, 1), date(2026, 4, 1)), (date(2027, 3, 1),)}
