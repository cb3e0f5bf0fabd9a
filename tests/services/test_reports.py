"""Report figures checked against a small world whose numbers are worked out by hand below."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from coprod.errors import Invalid, NotAllowed, NotFound
from coprod.models import (
    ContributionLog,
    InKindItem,
    LogStatus,
    OrgKind,
    OutcomeQuantity,
    PeriodKind,
    ReportSnapshot,
    Role,
)
from coprod.services import contributions, reports
from tests.factories import (
    add_partner,
    make_log,
    make_member,
    make_metric,
    make_org,
    make_programme,
    make_task,
    make_user,
)

JUNE = date(2026, 6, 1)


@dataclass
class World:
    programme: object
    agency: object
    nonprofit: object
    community: object
    business: object
    t1: object
    t2: object
    metric: object
    ana: object
    bo: object
    cy: object
    eve: object
    original: object
    correction: object


def _log(session, who, task, on, hours, *, org=None, status=LogStatus.APPROVED, **kw):
    return make_log(
        session,
        user=who,
        task=task,
        on=on,
        hours=hours,
        status=status,
        organisation_id=org.id if org else None,
        **kw,
    )


def _outcome(session, log, metric, qty):
    session.add(OutcomeQuantity(log_id=log.id, metric_id=metric.id, quantity=Decimal(qty)))
    session.flush()


def _in_kind(session, log, value):
    session.add(InKindItem(log_id=log.id, description="Van hire", value=Decimal(value)))
    session.flush()


@pytest.fixture
def world(session) -> World:
    """May: bo 3 h (citizen, 50 meals). June, approved: ana 2 h for the nonprofit (40 meals),
    1.5 h for the community group, 1 h as a citizen on Sunday 7 June; bo 2 h as a citizen
    (25.50 in kind); cy 4 h for the agency (60 meals); eve 0.5 h for the business (100 in kind).
    Never counted: a rejected 5 h, a submitted 3 h, a changes-requested 2 h, and bo's 3 h on
    29 June superseded by its approved correction dated 1 July."""
    agency = make_org(session, OrgKind.AGENCY, name="City Agency")
    programme = make_programme(session, agency, starts_on=date(2026, 1, 1))
    nonprofit = make_org(session, OrgKind.NONPROFIT, name="Riverside Food Bank")
    community = make_org(session, OrgKind.COMMUNITY, name="Elm Street Group")
    business = make_org(session, OrgKind.BUSINESS, name="Van Co")
    t1 = make_task(session, programme, title="Deliver meals")
    t2 = make_task(session, programme, title="Sort donations")
    metric = make_metric(session, programme, name="Meals delivered", target=Decimal(1000))
    ana, bo, cy, eve, dee = (
        make_user(session, display_name=n) for n in ["Ana", "Bo", "Cy", "Eve", "Dee"]
    )
    _outcome(session, _log(session, bo, t1, date(2026, 5, 20), "3"), metric, "50")
    _outcome(session, _log(session, ana, t1, date(2026, 6, 2), "2", org=nonprofit), metric, "40")
    _log(session, ana, t2, date(2026, 6, 3), "1.5", org=community)
    _log(session, ana, t1, date(2026, 6, 7), "1")
    _in_kind(session, _log(session, bo, t2, date(2026, 6, 5), "2"), "25.50")
    _outcome(session, _log(session, cy, t1, date(2026, 6, 10), "4", org=agency), metric, "60")
    _in_kind(session, _log(session, eve, t2, date(2026, 6, 12), "0.5", org=business), "100")
    _log(session, dee, t1, date(2026, 6, 6), "5", status=LogStatus.REJECTED)
    _log(session, ana, t1, date(2026, 6, 8), "3", org=nonprofit, status=LogStatus.SUBMITTED)
    _log(session, bo, t1, date(2026, 6, 9), "2", status=LogStatus.CHANGES_REQUESTED)
    original = _log(session, bo, t1, date(2026, 6, 29), "3", status=LogStatus.SUPERSEDED)
    correction = _log(session, bo, t1, date(2026, 7, 1), "3", corrects_id=original.id)
    return World(
        programme, agency, nonprofit, community, business, t1, t2, metric, ana, bo, cy, eve,
        original, correction,
    )  # fmt: skip


def _build(session, world, kind, start, now):
    batch = reports.Batch(world.programme.id, kind, (start,))
    reports.build_batch(session, batch, now=now)
    return session.scalars(
        select(ReportSnapshot).where(
            ReportSnapshot.programme_id == world.programme.id,
            ReportSnapshot.period == kind,
            ReportSnapshot.start == start,
        )
    ).one()


def test_monthly_hours_count_approved_logs_only_by_sector(session, world, now) -> None:
    data = _build(session, world, PeriodKind.MONTH, JUNE, now).data
    assert data["hours_total"] == 11.0
    assert data["hours_by_sector"] == {
        "agency": 4.0,
        "nonprofit": 2.0,
        "community": 1.5,
        "business": 0.5,
        "citizen": 3.0,
    }


def test_sector_shares_are_per_cent_to_one_decimal(session, world, now) -> None:
    data = _build(session, world, PeriodKind.MONTH, JUNE, now).data
    assert data["share_by_sector"] == {
        "agency": 36.4,
        "nonprofit": 18.2,
        "community": 13.6,
        "business": 4.5,
        "citizen": 27.3,
    }


def test_hours_by_organisation_and_task_are_ranked_by_hours(session, world, now) -> None:
    data = _build(session, world, PeriodKind.MONTH, JUNE, now).data
    assert [(o["name"], o["hours"]) for o in data["hours_by_organisation"]] == [
        ("City Agency", 4.0),
        ("Riverside Food Bank", 2.0),
        ("Elm Street Group", 1.5),
        ("Van Co", 0.5),
    ]
    assert [(t["id"], t["name"], t["hours"]) for t in data["hours_by_task"]] == [
        (world.t1.id, "Deliver meals", 7.0),
        (world.t2.id, "Sort donations", 4.0),
    ]


def test_a_person_counts_once_and_new_means_first_approved_log_in_the_programme(
    session, world, now
) -> None:
    data = _build(session, world, PeriodKind.MONTH, JUNE, now).data
    assert data["contributors"] == 4  # ana (three ways), bo, cy, eve; not dee (rejected)
    assert data["new_contributors"] == 3  # bo first contributed in May


def test_in_kind_value_and_hours_at_the_programme_rate(session, world, now) -> None:
    data = _build(session, world, PeriodKind.MONTH, JUNE, now).data
    assert data["in_kind_value"] == 125.5
    assert data["hours_value"] == 330.0  # 11 h x 30.00


def test_change_against_the_previous_period(session, world, now) -> None:
    data = _build(session, world, PeriodKind.MONTH, JUNE, now).data
    assert data["previous"]["start"] == "2026-05-01"
    assert data["previous"]["hours_total"] == 3.0
    assert data["previous"]["contributors"] == 1
    assert data["change"] == {"hours_total": 8.0, "hours_total_percent": 266.7, "contributors": 3}


def test_outcomes_are_cumulative_against_the_target_and_time_elapsed(session, world, now) -> None:
    (outcome,) = _build(session, world, PeriodKind.MONTH, JUNE, now).data["outcomes"]
    assert outcome["quantity"] == 100.0  # June alone
    assert outcome["cumulative"] == 150.0  # with May's 50
    assert outcome["percent_of_target"] == 15.0
    assert outcome["expected"] == 495.89  # 1000 x 181 of 365 days by 30 June
    assert outcome["on_track"] is False


def test_an_outcome_ahead_of_the_elapsed_share_of_its_target_is_on_track(session, now) -> None:
    programme = make_programme(session, starts_on=date(2026, 1, 1))
    metric = make_metric(session, programme, target=Decimal(100), target_date=date(2026, 12, 31))
    log = make_log(session, task=make_task(session, programme), status=LogStatus.APPROVED)
    _outcome(session, log, metric, "50")  # 50 >= 100 x 181/365 = 49.59
    reports.build_batch(session, reports.Batch(programme.id, PeriodKind.MONTH, (JUNE,)), now=now)
    snap = session.scalars(
        select(ReportSnapshot).where(ReportSnapshot.programme_id == programme.id)
    )
    assert snap.one().data["outcomes"][0]["on_track"] is True


def test_a_correction_moves_hours_to_the_period_of_its_new_date(session, world, now) -> None:
    july = _build(session, world, PeriodKind.MONTH, date(2026, 7, 1), now).data
    assert july["hours_total"] == 3.0
    assert july["hours_by_sector"]["citizen"] == 3.0
    assert july["new_contributors"] == 0
    assert _build(session, world, PeriodKind.MONTH, JUNE, now).data["hours_total"] == 11.0


def test_weeks_start_on_monday(session, world, now) -> None:
    first = _build(session, world, PeriodKind.WEEK, date(2026, 6, 1), now)
    assert (first.start, first.end) == (date(2026, 6, 1), date(2026, 6, 7))
    assert first.data["hours_total"] == 6.5  # Tue 2, Wed 1.5, Fri 2 and Sunday 7 June 1
    assert _build(session, world, PeriodKind.WEEK, date(2026, 6, 8), now).data["hours_total"] == 4.5


def test_quarters_are_calendar_quarters(session, world, now) -> None:
    q2 = _build(session, world, PeriodKind.QUARTER, date(2026, 4, 1), now)
    assert (q2.end, q2.data["hours_total"]) == (date(2026, 6, 30), 14.0)
    assert _build(session, world, PeriodKind.QUARTER, date(2026, 7, 1), now).hours_total == 3


def test_sql_periods_agree_with_python_for_every_day_of_a_year(session, now) -> None:
    programme = make_programme(session)
    task = make_task(session, programme)
    day = date(2025, 12, 25)
    for _ in range(400):
        make_log(session, task=task, on=day, hours="1", status=LogStatus.APPROVED)
        day += timedelta(days=1)
    for kind in PeriodKind:
        for start in reports.starts_between(kind, date(2026, 1, 1), date(2026, 12, 31)):
            reports.build_batch(session, reports.Batch(programme.id, kind, (start,)), now=now)
            snap = session.scalars(
                select(ReportSnapshot).filter_by(
                    programme_id=programme.id, period=kind, start=start
                )
            ).one()
            days = (reports.period_end(kind, start) - start).days + 1
            assert snap.hours_total == days, (kind, start)


def test_rebuilding_twice_changes_nothing_not_even_built_at(session, world, now) -> None:
    first = _build(session, world, PeriodKind.MONTH, JUNE, now)
    data, built_at = first.data, first.built_at
    later = now + timedelta(hours=1)
    assert reports.rebuild_reports(session, now=later, programme_id=world.programme.id) > 0
    assert reports.rebuild_reports(session, now=later, programme_id=world.programme.id) == 0
    again = _build(session, world, PeriodKind.MONTH, JUNE, later + timedelta(hours=1))
    assert (again.data, again.built_at) == (data, built_at)


def test_a_rebuild_after_a_change_updates_figures_and_built_at(session, world, now) -> None:
    _build(session, world, PeriodKind.MONTH, JUNE, now)
    _log(session, world.eve, world.t2, date(2026, 6, 20), "1", org=world.business)
    later = now + timedelta(hours=1)
    snap = _build(session, world, PeriodKind.MONTH, JUNE, later)
    assert (snap.data["hours_total"], snap.built_at) == (12.0, later)


def test_full_rebuild_covers_every_period_from_first_log_to_the_current_one(
    session, world, now
) -> None:
    batches = reports.plan_rebuild(session, now=now, programme_id=world.programme.id)
    months = [s for b in batches if b.kind == PeriodKind.MONTH for s in b.starts]
    assert months == [date(2026, 5, 1), JUNE, date(2026, 7, 1)]  # today (13 June) is inside


def test_a_running_programme_without_logs_gets_its_current_periods(session, now) -> None:
    programme = make_programme(session, starts_on=date(2026, 6, 1))
    reports.rebuild_reports(session, now=now, programme_id=programme.id)
    snaps = session.scalars(select(ReportSnapshot).filter_by(programme_id=programme.id)).all()
    assert {(s.period, s.start, s.hours_total) for s in snaps} == {
        (PeriodKind.WEEK, date(2026, 6, 8), 0),
        (PeriodKind.MONTH, JUNE, 0),
        (PeriodKind.QUARTER, date(2026, 4, 1), 0),
    }


def test_csv_cells_cannot_start_a_formula(session, world, now) -> None:
    world.nonprofit.name = "=HYPERLINK('http://evil')"
    world.t2.title = "@SUM(A1)"
    session.flush()
    text = reports.snapshot_csv(_build(session, world, PeriodKind.MONTH, JUNE, now))
    assert "'=HYPERLINK" in text
    assert "'@SUM(A1)" in text
    assert ",=" not in text and ",@" not in text


def test_csv_has_a_row_per_sector_organisation_task_and_outcome(session, world, now) -> None:
    lines = reports.snapshot_csv(_build(session, world, PeriodKind.MONTH, JUNE, now)).splitlines()
    sections = [line.split(",")[0] for line in lines[1:]]
    assert sections.count("sector") == 5
    assert sections.count("organisation") == 4
    assert sections.count("task") == 2
    assert sections.count("outcome") == 1


def test_snapshot_json_holds_the_documented_fields(session, world, now) -> None:
    body = reports.snapshot_json(_build(session, world, PeriodKind.MONTH, JUNE, now))
    documented = {
        "programme_id", "period", "start", "end", "hours_total", "hours_by_sector",
        "share_by_sector", "hours_by_organisation", "hours_by_task", "contributors",
        "new_contributors", "outcomes", "in_kind_value", "hours_value", "previous", "built_at",
    }  # fmt: skip
    assert documented <= body.keys()
    assert documented - {"built_at"} <= body["outcomes"][0].keys() | documented
    assert {"metric_id", "name", "unit", "quantity", "target", "percent_of_target",
            "on_track"} <= body["outcomes"][0].keys()  # fmt: skip


def test_reports_are_for_lead_and_partner_members_and_site_admins(session, world, now) -> None:
    partner_member = make_member(session, world.nonprofit)
    add_partner(session, world.programme, world.nonprofit)
    lead_member = make_member(session, world.agency, Role.STAFF)
    admin = make_user(session, is_site_admin=True)
    outsider = make_member(session, make_org(session))
    for who in (partner_member, lead_member, admin):
        page = reports.get_report(session, who, world.programme.id, period="month", start=None,
                                  now=now)  # fmt: skip
        assert page.programme.id == world.programme.id
    with pytest.raises(NotAllowed):
        reports.get_report(session, outsider, world.programme.id, period=None, start=None, now=now)
    with pytest.raises(NotFound):
        reports.get_report(session, admin, 10**9, period=None, start=None, now=now)


def test_the_report_page_defaults_to_the_last_complete_period(session, world, now) -> None:
    """On 13 June the report opens on May, the last complete month (June is in progress); the
    built periods after it stay reachable (tests/services/test_report_periods.py has more)."""
    admin = make_user(session, is_site_admin=True)
    reports.rebuild_reports(session, now=now, programme_id=world.programme.id)
    page = reports.get_report(session, admin, world.programme.id, period="month", start=None,
                              now=now)  # fmt: skip
    assert (page.start, page.in_progress, page.newer) == (date(2026, 5, 1), False, JUNE)
    assert [s.start for s in page.history] == [date(2026, 5, 1)]
    june = reports.get_report(session, admin, world.programme.id, period="month",
                              start="2026-06-13", now=now)  # fmt: skip
    assert (june.in_progress, june.newer) == (True, date(2026, 7, 1))
    mid = reports.get_report(session, admin, world.programme.id, period="week",
                             start="2026-06-10", now=now)  # fmt: skip
    assert (mid.start, mid.end) == (date(2026, 6, 8), date(2026, 6, 14))


def test_a_bad_period_or_date_is_refused_beside_its_field(session, world, now) -> None:
    admin = make_user(session, is_site_admin=True)
    with pytest.raises(Invalid) as err:
        reports.get_report(session, admin, world.programme.id, period="year", start=None, now=now)
    assert "period" in err.value.errors
    with pytest.raises(Invalid) as err:
        reports.get_report(session, admin, world.programme.id, period="week", start="x", now=now)
    assert "start" in err.value.errors


def test_the_impact_summary_adds_up_quarters_and_names_nobody(session, world, now) -> None:
    reports.rebuild_reports(session, now=now, programme_id=world.programme.id)
    impact = reports.get_impact(session, None, world.programme.id, now=now)
    assert impact.totals["hours_total"] == 14.0  # Q2; July's 3 h is in a future quarter
    assert impact.totals["contributors"] == 4
    assert impact.outcomes[0]["cumulative"] == 150.0
    assert "Ana" not in repr(impact.totals) + repr(impact.outcomes)


def test_outcome_and_in_kind_rows_carry_their_logs_programme(session, world) -> None:
    added = session.scalars(select(OutcomeQuantity)).all()  # added with log_id only
    assert {r.programme_id for r in added} == {world.programme.id}
    log = _log(session, world.eve, world.t1, date(2026, 6, 11), "1")
    log.outcomes.append(OutcomeQuantity(metric_id=world.metric.id, quantity=Decimal(1)))
    log.in_kind.append(InKindItem(description="Tea", value=Decimal(2)))
    session.flush()
    assert {r.programme_id for r in log.outcomes + log.in_kind} == {world.programme.id}


def test_a_person_whose_first_log_is_long_before_the_period_is_not_new_in_it(
    session, world, now
) -> None:
    _log(session, world.cy, world.t2, date(2026, 1, 15), "1")
    assert _build(session, world, PeriodKind.MONTH, JUNE, now).data["new_contributors"] == 2
    january = _build(session, world, PeriodKind.MONTH, date(2026, 1, 1), now).data
    assert (january["contributors"], january["new_contributors"]) == (1, 1)


def test_a_resubmitted_log_moves_its_outcomes_to_its_new_date(session, world, now) -> None:
    world.t1.metrics.append(world.metric)
    sent_back = session.scalars(
        select(ContributionLog).where(ContributionLog.status == LogStatus.CHANGES_REQUESTED)
    ).one()
    _outcome(session, sent_back, world.metric, "3")  # its row is kept, with a new quantity
    contributions.resubmit_log(session, world.bo, sent_back, on=date(2026, 5, 28),
                               hours=Decimal(1), outcomes=[(world.metric.id, Decimal(7))],
                               now=now)  # fmt: skip
    sent_back.status = LogStatus.APPROVED  # as a reviewer would
    session.flush()
    may = _build(session, world, PeriodKind.MONTH, date(2026, 5, 1), now).data
    assert may["outcomes"][0]["quantity"] == 57.0  # bo's 50 and the resubmitted 7
    assert (
        _build(session, world, PeriodKind.MONTH, JUNE, now).data["outcomes"][0]["quantity"] == 100
    )
