"""Partners' commitments as figures against what they delivered, checked against a small world
whose numbers are worked out by hand below; the add and remove rules, their validation and
who may use them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
from sqlalchemy import select

from coprod.errors import Conflict, Invalid, NotAllowed, NotFound
from coprod.models import (
    AuditEntry,
    Commitment,
    CommitmentKind,
    InKindItem,
    LogStatus,
    OrgKind,
    OutcomeQuantity,
    PeriodKind,
    ReportSnapshot,
    Role,
)
from coprod.services import reports
from coprod.services.governance import commitments
from coprod.services.governance import figures as fig
from tests.conftest import NOW
from tests.factories import (
    add_partner,
    make_commitment,
    make_log,
    make_member,
    make_metric,
    make_org,
    make_programme,
    make_qualification,
    make_task,
    make_user,
)

MAY = date(2026, 5, 1)


@dataclass
class World:
    programme: object
    partner: object
    other: object
    staff: object
    task: object
    metric: object
    hours: object
    in_kind: object
    outcome: object


def _log(session, org, on, hours, *, task, status=LogStatus.APPROVED):
    return make_log(
        session,
        user=make_user(session),
        task=task,
        on=on,
        hours=hours,
        status=status,
        organisation_id=org.id,
    )


@pytest.fixture
def world(session) -> World:
    return build_world(session)


def build_world(session) -> World:
    """Programme from 1 January 2026 (London); the food bank commits 40 h a month, £300 of
    in-kind a month and 100 meals by 31 December 2026.

    Approved hours credited to the food bank: April 20 + 20 = 40; May 10 (5 May) + 21 (20 May)
    = 31; June 10 (2 June). Not counted: 5 h on a training task in May, 7 h of another
    organisation in May, 6 h still submitted in May. In-kind: £250 on the 5 May log. Meals: 25
    on an April log, 35 on the 20 May log (60 by the end of May)."""
    agency = make_org(session, OrgKind.AGENCY)
    staff = make_member(session, agency, Role.STAFF)
    programme = make_programme(session, agency)
    food = make_org(session, name="Food Bank")
    other = make_org(session, name="Other Org")
    partner = add_partner(session, programme, food)
    add_partner(session, programme, other)
    task = make_task(session, programme)
    training = make_task(session, programme)
    training.trains_qualification_id = make_qualification(session, food).id
    metric = make_metric(session, programme, unit="meals", name="Meals")
    april = [_log(session, food, date(2026, 4, d), 20, task=task) for d in (7, 21)]
    session.add(OutcomeQuantity(log_id=april[0].id, metric_id=metric.id, quantity=Decimal(25)))
    fifth = _log(session, food, date(2026, 5, 5), 10, task=task)
    session.add(InKindItem(log_id=fifth.id, description="Van", value=Decimal("250")))
    twentieth = _log(session, food, date(2026, 5, 20), 21, task=task)
    session.add(OutcomeQuantity(log_id=twentieth.id, metric_id=metric.id, quantity=Decimal(35)))
    _log(session, food, date(2026, 5, 12), 5, task=training)
    _log(session, other, date(2026, 5, 12), 7, task=task)
    _log(session, food, date(2026, 5, 13), 6, task=task, status=LogStatus.SUBMITTED)
    _log(session, food, date(2026, 6, 2), 10, task=task)
    session.flush()
    hours = make_commitment(session, partner)
    in_kind = make_commitment(session, partner, kind=CommitmentKind.IN_KIND, amount=Decimal("300"))
    outcome = make_commitment(
        session,
        partner,
        kind=CommitmentKind.OUTCOME,
        amount=Decimal("100"),
        period=None,
        metric_id=metric.id,
        due_on=date(2026, 12, 31),
    )
    session.refresh(partner, ["figures"])
    return World(programme, partner, other, staff, task, metric, hours, in_kind, outcome)


def _docs(session, w, kind, start, today=None):
    block = fig.programme_blocks(session, w.programme, kind, [start])[start]
    end = reports.period_end(kind, start)
    [entry] = fig.judged_block(block, start, end, today)
    return {f["kind"]: f for f in entry["figures"]}


# --- committed: the conversions ------------------------------------------------------------


def test_a_figure_per_month_converts_to_quarters_weeks_and_parts_by_days() -> None:
    month, week, quarter = PeriodKind.MONTH, PeriodKind.WEEK, PeriodKind.QUARTER
    forty = Decimal(40)
    assert fig.spread(forty, month, date(2026, 4, 1), date(2026, 6, 30)) == 120  # x3
    assert fig.spread(forty, month, date(2026, 5, 18), date(2026, 5, 24)) == Fraction(280, 31)
    # a week across two months: 3 days of May (31 days) and 4 of June (30 days)
    assert fig.spread(forty, month, date(2026, 5, 29), date(2026, 6, 4)) == Fraction(
        40 * 3, 31
    ) + Fraction(40 * 4, 30)
    assert fig.spread(Decimal(7), week, date(2026, 6, 1), date(2026, 6, 30)) == 30  # 7 a week
    assert fig.spread(Decimal(90), quarter, date(2026, 4, 1), date(2026, 4, 30)) == Fraction(
        90 * 30, 91
    )
    assert fig.spread(forty, month, date(2026, 1, 15), date(2026, 1, 31)) == Fraction(40 * 17, 31)
    assert fig.spread(forty, month, date(2026, 2, 1), date(2026, 1, 31)) == 0


# --- committed against delivered -----------------------------------------------------------


def test_may_hours_31_against_40_are_behind_and_to_date_71_against_200(session, world) -> None:
    hours = _docs(session, world, PeriodKind.MONTH, MAY)["hours"]
    assert (hours["committed"], hours["delivered"]) == (40, 31)
    assert (hours["committed_to_date"], hours["delivered_to_date"]) == (200, 71)
    assert hours["status"] == "behind" and hours["on_track"] is False
    assert hours["status_to_date"] == "behind"


def test_the_week_of_the_twentieth_commits_40_times_7_31sts_and_is_on_track(session, world) -> None:
    hours = _docs(session, world, PeriodKind.WEEK, date(2026, 5, 18))["hours"]
    assert (hours["committed"], hours["delivered"]) == (9.03, 21)
    assert hours["status"] == "on_track"


def test_a_quarter_commits_three_months(session, world) -> None:
    hours = _docs(session, world, PeriodKind.QUARTER, date(2026, 4, 1))["hours"]
    assert (hours["committed"], hours["delivered"]) == (120, 81)
    assert (hours["committed_to_date"], hours["delivered_to_date"]) == (240, 81)


def test_a_month_in_progress_is_compared_pro_rata_to_the_days_over(session, world) -> None:
    june = date(2026, 6, 1)
    # 13 June: 12 days over, 40 x 12 / 30 = 16 expected; 10 delivered
    hours = _docs(session, world, PeriodKind.MONTH, june, today=date(2026, 6, 13))["hours"]
    assert (hours["committed"], hours["expected"], hours["delivered"]) == (40, 16, 10)
    assert hours["status"] == "behind"
    # 3 June: 2 days over, 2.67 expected: on track
    early = _docs(session, world, PeriodKind.MONTH, june, today=date(2026, 6, 3))["hours"]
    assert (early["expected"], early["status"]) == (2.67, "on_track")
    # to date on 3 June: 5 months and 2 days: 200 + 2.67
    assert early["expected_to_date"] == 202.67


def test_in_kind_value_is_credited_from_the_partners_logs(session, world) -> None:
    in_kind = _docs(session, world, PeriodKind.MONTH, MAY)["in_kind"]
    assert (in_kind["committed"], in_kind["delivered"], in_kind["status"]) == (300, 250, "behind")
    assert (in_kind["committed_to_date"], in_kind["delivered_to_date"]) == (1500, 250)


def test_an_outcome_is_on_track_against_the_share_of_time_elapsed(session, world) -> None:
    outcome = _docs(session, world, PeriodKind.MONTH, MAY)["outcome"]
    # 1 January to 31 May: 151 of 365 days; 100 x 151 / 365 = 41.37; 60 delivered
    assert (outcome["delivered"], outcome["delivered_to_date"]) == (35, 60)
    assert (outcome["committed"], outcome["committed_to_date"]) == (None, 100)
    assert (outcome["expected_to_date"], outcome["status"]) == (41.37, "on_track")
    april = _docs(session, world, PeriodKind.MONTH, date(2026, 4, 1))["outcome"]
    # by 30 April: 120 / 365 x 100 = 32.88 expected; 25 delivered
    assert (april["expected_to_date"], april["status"]) == (32.88, "behind")


def test_an_outcome_is_met_once_reached_and_missed_after_its_due_date(session, world) -> None:
    log = _log(session, world.partner.organisation, date(2026, 6, 5), 2, task=world.task)
    session.add(OutcomeQuantity(log_id=log.id, metric_id=world.metric.id, quantity=Decimal(40)))
    world.outcome.due_on = date(2026, 5, 31)
    session.flush()
    outcome = _docs(session, world, PeriodKind.MONTH, MAY)["outcome"]
    assert (outcome["delivered_to_date"], outcome["status"]) == (60, "missed")
    world.outcome.due_on = date(2026, 6, 30)
    session.flush()
    june = _docs(session, world, PeriodKind.MONTH, date(2026, 6, 1), today=date(2026, 6, 13))
    assert (june["outcome"]["delivered_to_date"], june["outcome"]["status"]) == (100, "met")


def test_a_figure_counts_from_its_own_start(session, world) -> None:
    world.hours.starts_on = date(2026, 5, 15)
    session.flush()
    hours = _docs(session, world, PeriodKind.MONTH, MAY)["hours"]
    # 17 of May's 31 days: 21.94 committed; only the 20 May log counts
    assert (hours["committed"], hours["delivered"], hours["delivered_to_date"]) == (21.94, 21, 21)
    # not started by the end of April: not in April's report
    april = _docs(session, world, PeriodKind.MONTH, date(2026, 4, 1))
    assert "hours" not in april


# --- in the report snapshot, CSV and JSON --------------------------------------------------


def test_the_snapshot_csv_and_json_carry_the_figures(session, world) -> None:
    reports.rebuild_reports(session, now=NOW, programme_id=world.programme.id)
    snap = session.scalar(
        select(ReportSnapshot).where(
            ReportSnapshot.programme_id == world.programme.id,
            ReportSnapshot.period == PeriodKind.MONTH,
            ReportSnapshot.start == MAY,
        )
    )
    [entry] = snap.data["commitments"]
    assert entry["organisation_name"] == "Food Bank"
    assert [f["kind"] for f in entry["figures"]] == ["hours", "in_kind", "outcome"]
    as_json = reports.snapshot_json(snap, now=NOW)
    assert as_json["commitments"][0]["figures"][0]["status"] == "behind"
    rows = [r.split(",") for r in reports.snapshot_csv(snap, now=NOW).splitlines()]
    header = rows[0]
    hours = next(
        r for r in rows if r[0] == "commitment" and r[header.index("kind")] == "Volunteer hours"
    )
    assert hours[header.index("committed")] == "40.0"
    assert hours[header.index("delivered")] == "31.0"
    assert hours[header.index("status")] == "Behind"
    assert hours[header.index("name")] == "Food Bank"


def test_rebuilding_gives_the_same_figures(session, world) -> None:
    reports.rebuild_reports(session, now=NOW, programme_id=world.programme.id)
    assert reports.rebuild_reports(session, now=NOW, programme_id=world.programme.id) == 0


def test_a_snapshot_built_before_commitments_has_none_until_rebuilt(session, world) -> None:
    reports.rebuild_reports(session, now=NOW, programme_id=world.programme.id)
    snap = session.scalars(select(ReportSnapshot)).first()
    snap.data = {k: v for k, v in snap.data.items() if k != "commitments"}
    session.flush()
    assert reports.snapshot_json(snap)["commitments"] is None
    assert "commitment" not in reports.snapshot_csv(snap)


def test_adding_and_removing_a_figure_rewrites_the_built_reports(session, world) -> None:
    reports.rebuild_reports(session, now=NOW, programme_id=world.programme.id)
    other = world.programme.partners[1]
    added = commitments.add_commitment(
        session, world.staff, other, kind="hours", amount="5", period="week", now=NOW
    )
    snap = session.scalar(
        select(ReportSnapshot).where(
            ReportSnapshot.period == PeriodKind.MONTH, ReportSnapshot.start == MAY
        )
    )
    session.refresh(snap)
    names = [e["organisation_name"] for e in snap.data["commitments"]]
    assert names == ["Food Bank", "Other Org"]
    other_figure = snap.data["commitments"][1]["figures"][0]
    # 5 a week over May's 31 days: 22.14 committed; 7 delivered
    assert (other_figure["committed"], other_figure["delivered"]) == (22.14, 7)
    assert snap.built_at == NOW
    commitments.remove_commitment(session, world.staff, other, added.id, now=NOW)
    session.refresh(snap)
    assert [e["organisation_name"] for e in snap.data["commitments"]] == ["Food Bank"]
    assert reports.rebuild_reports(session, now=NOW, programme_id=world.programme.id) == 0


# --- adding and removing: validation, permission, audit ------------------------------------


def test_adding_a_figure_is_audited(session, world) -> None:
    c = commitments.add_commitment(
        session,
        world.staff,
        world.programme.partners[1],
        kind="outcome",
        amount="50",
        metric_id=world.metric.id,
        due_on="2026-09-30",
        starts_on="2026-02-01",
        now=NOW,
    )
    assert (c.kind, c.amount, c.metric_id, c.period) == (
        "outcome",
        Decimal(50),
        world.metric.id,
        None,
    )
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "commitment.added"))
    assert entry.object_id == c.id and entry.after["amount"] == "50"


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"kind": "wishes", "amount": "5"}, "kind"),
        ({"kind": "hours", "amount": "0", "period": "month"}, "amount"),
        ({"kind": "hours", "amount": "-3", "period": "month"}, "amount"),
        ({"kind": "hours", "amount": "lots", "period": "month"}, "amount"),
        ({"kind": "hours", "amount": "2000000", "period": "month"}, "amount"),
        ({"kind": "hours", "amount": "1.234", "period": "month"}, "amount"),
        ({"kind": "hours", "amount": "40"}, "period"),
        ({"kind": "in_kind", "amount": "40", "period": "year"}, "period"),
        ({"kind": "outcome", "amount": "40", "due_on": "2026-12-31"}, "metric_id"),
        (
            {"kind": "outcome", "amount": "40", "metric_id": 999999, "due_on": "2026-12-31"},
            "metric_id",
        ),
        ({"kind": "outcome", "amount": "40", "metric_id": "METRIC"}, "due_on"),
        (
            {"kind": "outcome", "amount": "40", "metric_id": "METRIC", "due_on": "2025-12-31"},
            "due_on",
        ),
        (
            {"kind": "outcome", "amount": "40", "metric_id": "METRIC", "due_on": "99999-1-1"},
            "due_on",
        ),
        (
            {"kind": "hours", "amount": "4", "period": "week", "starts_on": "2025-06-01"},
            "starts_on",
        ),
        (
            {"kind": "hours", "amount": "4", "period": "week", "starts_on": "0001-01-01"},
            "starts_on",
        ),
        ({"kind": "hours", "amount": "4", "period": "week", "starts_on": "soon"}, "starts_on"),
    ],
)
def test_wrong_values_get_a_message_on_their_field(session, world, values, field) -> None:
    if values.get("metric_id") == "METRIC":
        values = {**values, "metric_id": world.metric.id}
    before = len(world.partner.figures)
    with pytest.raises(Invalid) as err:
        commitments.add_commitment(session, world.staff, world.partner, now=NOW, **values)
    assert field in err.value.errors
    assert len(world.partner.figures) == before


def test_an_objective_of_another_programme_is_refused(session, world) -> None:
    elsewhere = make_metric(session, make_programme(session))
    with pytest.raises(Invalid) as err:
        commitments.add_commitment(
            session,
            world.staff,
            world.partner,
            kind="outcome",
            amount="5",
            metric_id=elsewhere.id,
            due_on="2026-12-31",
            now=NOW,
        )
    assert "metric_id" in err.value.errors


def test_the_same_figure_twice_is_a_conflict(session, world) -> None:
    with pytest.raises(Conflict):
        commitments.add_commitment(
            session, world.staff, world.partner, kind="hours", amount="40", period="month", now=NOW
        )


def test_a_partner_holds_at_most_twenty_figures(session, world) -> None:
    other = world.programme.partners[1]
    for n in range(commitments.MAX_FIGURES):
        make_commitment(session, other, amount=Decimal(n + 1))
    session.refresh(other, ["figures"])
    with pytest.raises(Conflict):
        commitments.add_commitment(
            session, world.staff, other, kind="hours", amount="99", period="month", now=NOW
        )


def test_removing_is_audited_and_a_figure_of_another_partner_is_not_found(session, world) -> None:
    other = world.programme.partners[1]
    with pytest.raises(NotFound):
        commitments.remove_commitment(session, world.staff, other, world.hours.id, now=NOW)
    commitments.remove_commitment(session, world.staff, world.partner, world.hours.id, now=NOW)
    assert session.get(Commitment, world.hours.id) is None
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "commitment.removed"))
    assert entry.before["kind"] == "hours"


def _actor(session, world, who):
    agency = world.programme.lead_organisation
    partner_org = world.partner.organisation
    return {
        "lead staff": lambda: world.staff,
        "lead admin": lambda: make_member(session, agency, Role.ADMIN),
        "lead reviewer": lambda: make_member(session, agency, Role.REVIEWER),
        "lead member": lambda: make_member(session, agency, Role.MEMBER),
        "partner admin": lambda: make_member(session, partner_org, Role.ADMIN),
        "partner staff": lambda: make_member(session, partner_org, Role.STAFF),
        "stranger": lambda: make_user(session),
        "other agency staff": lambda: make_member(
            session, make_org(session, OrgKind.AGENCY), Role.STAFF
        ),
    }[who]()


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("lead staff", True),
        ("lead admin", True),
        ("lead reviewer", False),
        ("lead member", False),
        ("partner admin", False),
        ("partner staff", False),
        ("stranger", False),
        ("other agency staff", False),
    ],
)
def test_only_the_lead_agencys_staff_add_and_remove_figures(session, world, who, allowed) -> None:
    actor = _actor(session, world, who)
    add = lambda: commitments.add_commitment(  # noqa: E731
        session, actor, world.partner, kind="hours", amount="3", period="week", now=NOW
    )
    remove = lambda: commitments.remove_commitment(  # noqa: E731
        session, actor, world.partner, world.hours.id, now=NOW
    )
    if allowed:
        add()
        remove()
    else:
        for call in (add, remove):
            with pytest.raises((NotAllowed, NotFound)):
                call()


# --- reading: the partner page, the API's standing, the home page --------------------------


def test_the_partner_page_shows_each_figure_this_period_and_to_date(session, world) -> None:
    page = commitments.partner_figures(session, world.staff, world.partner, now=NOW)
    by_kind = {s.doc["kind"]: s for s in page.standings}
    assert by_kind["hours"].words == "40 volunteer hours a month from 1 January 2026"
    assert by_kind["in_kind"].words == "£300.00 of in-kind support a month from 1 January 2026"
    assert by_kind["outcome"].words == (
        "100 meals of “Meals” from 1 January 2026 to 31 December 2026"
    )
    hours = by_kind["hours"].doc
    assert (by_kind["hours"].start, hours["delivered"], hours["expected"]) == (
        date(2026, 6, 1),
        10,
        16,
    )
    assert page.may_manage is True


def test_only_the_partnership_reads_a_partners_figures(session, world) -> None:
    with pytest.raises(NotAllowed):
        commitments.partner_figures(session, make_user(session), world.partner, now=NOW)
    member = make_member(session, world.partner.organisation, Role.MEMBER)
    page = commitments.partner_figures(session, member, world.partner, now=NOW)
    assert page.may_manage is False and len(page.standings) == 3
    assert commitments.programme_standings(session, None, world.programme, now=NOW) is None


def test_lead_staff_see_partners_behind_last_month(session, world) -> None:
    behind = commitments.behind_partners(session, world.staff, now=NOW)
    assert [(b.doc["kind"], b.start, b.doc["committed"], b.doc["delivered"]) for b in behind] == [
        ("hours", MAY, 40, 31),
        ("in_kind", MAY, 300, 250),
    ]
    assert commitments.behind_partners(session, make_user(session), now=NOW) == []


def test_the_home_statements_stay_two_whatever_the_figures(session, world, count_queries) -> None:
    commitments.behind_partners(session, world.staff, now=NOW)  # the person's roles loaded
    count_queries.count = 0
    commitments.behind_partners(session, world.staff, now=NOW)
    first = count_queries.count
    for _n in range(3):
        programme = make_programme(session, world.programme.lead_organisation)
        make_commitment(session, add_partner(session, programme, make_org(session)))
    count_queries.count = 0
    commitments.behind_partners(session, world.staff, now=NOW)
    assert count_queries.count == first == 2
