"""Pilots: set-up, the evaluation's figures against a hand-computed world (tests/pilot_world.py),
the bootstrap interval on a fixed seed, rebuilding, and the decision."""

from __future__ import annotations

import json
import math
import random
from datetime import date, timedelta
from fractions import Fraction

import pytest
from sqlalchemy import select

from coprod.errors import Conflict, Invalid, NotAllowed, NotFound
from coprod.models import (
    AuditEntry,
    ComparisonKind,
    OrgKind,
    PilotControl,
    PilotDecision,
    PilotEvaluation,
    Role,
)
from coprod.services.governance import pilots
from coprod.services.governance.pilots import _sums
from tests.conftest import NOW
from tests.factories import (
    make_member,
    make_metric,
    make_org,
    make_programme,
    make_task,
    make_user,
)
from tests.pilot_world import log_with, make_pilot_world

HAND_POINTS = [(1500, 300), (800, 400), (600, 200)]  # pilot A, B, C: (outcome, hours) in cents
BASE_POINTS = [(800, 400), (300, 300), (100, 100)]  # baseline D, E, F


def _figures(session, world, **kw):
    kw.setdefault("samples", 200)
    kw.setdefault("min_contributors", 3)
    return pilots.build_figures(session, world.programme, **kw)


def test_every_figure_of_the_hand_computed_world(session):
    world = make_pilot_world(session)
    f = _figures(session, world)
    assert f["comparison_kind"] == "baseline"
    assert f["pilot"] == {
        "start": "2026-03-01",
        "end": "2026-03-10",
        "hours": 9.0,
        "contributors": 3,
        "returning": 1,
        "retention": 33.3,
    }
    assert f["comparison"] == {
        "start": "2026-02-19",
        "end": "2026-02-28",
        "hours": 8.0,
        "contributors": 3,
        "returning": 1,
        "retention": 33.3,
    }
    [measure] = f["measures"]  # only the measured metric
    seed = pilots.seed_for(world.programme.id)
    assert f["method"] == {"samples": 200, "seed": seed, "min_contributors": 3}
    interval = pilots.bootstrap_interval(HAND_POINTS, BASE_POINTS, samples=200, seed=seed)
    assert measure == {
        "metric_id": world.metric.id,
        "name": "Meals delivered",
        "unit": "meals",
        "pilot": {"quantity": 29.0, "per_hour": 3.2222},
        "comparison": {"quantity": 12.0, "per_hour": 1.5},
        "difference": 1.7222,
        "interval": {"low": interval[0], "high": interval[1]},
        "interval_note": None,
    }
    assert interval[0] <= 1.7222 <= interval[1]


def test_the_per_contributor_sums_come_from_the_database_grouped(session):
    world = make_pilot_world(session)
    source = pilots.L.programme_id == world.programme.id
    where = _sums._counted(source, (date(2026, 3, 1), date(2026, 3, 10)))
    units = pilots.contributor_sums(session, where)
    got = [(u.outcome.get(world.metric.id, 0), u.hours, u.days) for u in units]
    assert got == [(1500, 300, 2), (800, 400, 1), (600, 200, 1)]


def _independent_interval(pilot, base, samples, seed):
    """The percentile step written again, in exact fractions, from the same draws."""
    rng = random.Random(seed)
    diffs = []
    for _ in range(samples):
        rates = []
        for group in (pilot, base):
            idx = rng.choices(range(len(group)), k=len(group))
            rates.append(Fraction(sum(group[i][0] for i in idx), sum(group[i][1] for i in idx)))
        diffs.append(rates[0] - rates[1])
    diffs.sort()
    lo, hi = diffs[math.ceil(samples * 0.025) - 1], diffs[math.ceil(samples * 0.975) - 1]
    return round(float(lo), 4), round(float(hi), 4)


@pytest.mark.parametrize("samples", [40, 200, 2000])
def test_the_bootstrap_interval_matches_an_independent_percentile_on_a_fixed_seed(samples):
    seed = 12345
    got = pilots.bootstrap_interval(HAND_POINTS, BASE_POINTS, samples=samples, seed=seed)
    assert got == _independent_interval(HAND_POINTS, BASE_POINTS, samples, seed)
    # With B = 40 the nearest ranks are the smallest and the 39th of 40 differences.
    assert math.ceil(40 * 0.025) - 1 == 0 and math.ceil(40 * 0.975) - 1 == 38


def test_the_bootstrap_of_identical_rates_is_a_point_and_the_seed_fixes_it():
    same = [(200, 100), (400, 200), (600, 300)]
    base = [(100, 100), (100, 100), (100, 100)]
    assert pilots.bootstrap_interval(same, base, samples=100, seed=1) == (1.0, 1.0)
    a = pilots.bootstrap_interval(HAND_POINTS, BASE_POINTS, samples=300, seed=7)
    assert a == pilots.bootstrap_interval(HAND_POINTS, BASE_POINTS, samples=300, seed=7)


def test_too_few_contributors_gives_no_interval_and_says_so(session):
    world = make_pilot_world(session)
    f = _figures(session, world, min_contributors=4)
    [measure] = f["measures"]
    assert measure["interval"] is None
    assert measure["interval_note"] == "too_few_contributors"
    assert measure["difference"] == 1.7222


def test_no_hours_in_the_comparison_gives_no_difference(session):
    world = make_pilot_world(session, evaluation_starts_on=date(2026, 3, 2))
    world.programme.evaluation_starts_on = date(2026, 3, 2)
    world.programme.evaluation_ends_on = date(2026, 3, 2)  # baseline is 1 March: no logs
    f = _figures(session, world)
    assert f["comparison"]["hours"] == 0 and f["comparison"]["retention"] is None
    assert f["measures"][0]["difference"] is None
    assert f["measures"][0]["interval_note"] == "no_hours"


def test_a_control_compares_the_window_with_the_named_tasks_by_unit_whatever_its_case(session):
    world = make_pilot_world(session, comparison=ComparisonKind.CONTROL)
    other = make_programme(session, name="Community Meals")
    meals = make_metric(session, other, unit="MEALS ")
    kg = make_metric(session, other, unit="kg")
    control_task = make_task(session, other)
    elsewhere = make_task(session, other)
    u1, u2, u3 = (make_user(session) for _ in range(3))
    log_with(session, control_task, u1, date(2026, 3, 2), "2", {meals: "2", kg: "9"})
    log_with(session, control_task, u1, date(2026, 3, 9), "2", {meals: "2"})
    log_with(session, control_task, u2, date(2026, 3, 3), "4", {meals: "4"})
    log_with(session, control_task, u3, date(2026, 2, 20), "4", {meals: "4"})  # before window
    log_with(session, elsewhere, u3, date(2026, 3, 3), "4", {meals: "40"})  # not a control
    session.add(PilotControl(programme_id=world.programme.id, task_id=control_task.id))
    session.flush()
    f = _figures(session, world, min_contributors=2)
    assert f["comparison"] == {
        "start": "2026-03-01",
        "end": "2026-03-10",
        "hours": 8.0,
        "contributors": 2,
        "returning": 1,
        "retention": 50.0,
    }
    [m] = f["measures"]
    assert m["comparison"] == {"quantity": 8.0, "per_hour": 1.0}
    assert m["difference"] == 2.2222
    assert f["controls"] == [{"kind": "task", "id": control_task.id, "name": control_task.title}]
    # A whole programme as control: every task of it.
    session.add(PilotControl(programme_id=world.programme.id, control_programme_id=other.id))
    session.flush()
    f = _figures(session, world, min_contributors=2)
    assert f["comparison"]["hours"] == 12.0
    assert f["measures"][0]["comparison"]["quantity"] == 48.0


def test_rebuilding_gives_byte_identical_figures_and_keeps_the_decision(session):
    world = make_pilot_world(session)
    first = pilots.build_evaluation(session, None, world.programme, now=NOW)
    text = pilots.canonical(first.figures)
    pilots.record_decision(
        session, world.staff, world.programme, decision="adapt", lessons="Shorter rounds.", now=NOW
    )
    again = pilots.rebuild_now(session, world.staff, world.programme, now=NOW + timedelta(1))
    assert again.id == first.id
    assert pilots.canonical(again.figures) == text
    assert json.dumps(again.figures, sort_keys=True) == json.dumps(first.figures, sort_keys=True)
    assert again.decision == PilotDecision.ADAPT and again.lessons == "Shorter rounds."
    assert session.scalar(select(PilotEvaluation.built_at)) == NOW + timedelta(1)
    assert pilots.build_figures(session, world.programme) == pilots.build_figures(
        session, world.programme
    )


def test_no_evaluation_is_built_before_the_window_ends(session):
    world = make_pilot_world(session, evaluation_ends_on=date(2026, 6, 13))
    with pytest.raises(Conflict):
        pilots.build_evaluation(session, None, world.programme, now=NOW)
    world.programme.evaluation_ends_on = date(2026, 6, 12)
    assert pilots.build_evaluation(session, None, world.programme, now=NOW).figures


def test_the_public_sees_the_evaluation_only_once_built_after_the_window(session):
    world = make_pilot_world(session)
    pid = world.programme.id
    stranger = make_user(session)
    for actor in (None, stranger, world.staff):
        with pytest.raises(NotFound):
            pilots.get_evaluation(session, actor, pid, now=NOW, preview=False)
    with pytest.raises(NotFound):
        pilots.get_evaluation(session, stranger, pid, now=NOW, preview=True)
    view = pilots.get_evaluation(session, world.staff, pid, now=NOW, preview=True)
    assert view.preview and view.evaluation is None and view.figures["pilot"]["hours"] == 9.0
    pilots.build_evaluation(session, None, world.programme, now=NOW)
    for actor in (None, stranger, world.staff):
        view = pilots.get_evaluation(session, actor, pid, now=NOW, preview=False)
        assert not view.preview and view.evaluation is not None
    # Before the window ends the stored one is not public.
    earlier = NOW.replace(month=3, day=10)
    with pytest.raises(NotFound):
        pilots.get_evaluation(session, None, pid, now=earlier, preview=False)
    assert pilots.get_evaluation(session, world.staff, pid, now=earlier, preview=True).preview


def test_a_programme_that_is_no_pilot_has_no_evaluation(session):
    programme = make_programme(session)
    with pytest.raises(NotFound):
        pilots.get_evaluation(session, None, programme.id, now=NOW, preview=True)
    with pytest.raises(NotFound):
        pilots.get_evaluation(session, None, 10**12, now=NOW, preview=True)


def test_the_decision_needs_the_evaluation_a_choice_and_lessons(session):
    world = make_pilot_world(session)
    p = world.programme
    with pytest.raises(Conflict):
        pilots.record_decision(session, world.staff, p, decision="stop", lessons="x", now=NOW)
    pilots.build_evaluation(session, None, p, now=NOW)
    with pytest.raises(Invalid) as caught:
        pilots.record_decision(session, world.staff, p, decision="maybe", lessons=" ", now=NOW)
    assert set(caught.value.errors) == {"decision", "lessons"}
    with pytest.raises(Invalid):
        pilots.record_decision(
            session, world.staff, p, decision="stop", lessons="x" * 5001, now=NOW
        )
    ev = pilots.record_decision(
        session, world.staff, p, decision="scale_up", lessons="Works.", now=NOW
    )
    assert ev.decision == PilotDecision.SCALE_UP and ev.decided_by_id == world.staff.id
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "pilot.decision"))
    assert entry.after == {"decision": "scale_up", "lessons": "Works."}


def _people(session, world):
    agency = world.programme.lead_organisation
    partner = make_org(session, OrgKind.NONPROFIT)
    return {
        "visitor": None,
        "volunteer": make_user(session),
        "agency member": make_member(session, agency, Role.MEMBER),
        "agency reviewer": make_member(session, agency, Role.REVIEWER),
        "partner admin": make_member(session, partner, Role.ADMIN),
        "lead staff": world.staff,
        "agency admin": make_member(session, agency, Role.ADMIN),
    }


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("visitor", False),
        ("volunteer", False),
        ("agency member", False),
        ("agency reviewer", False),
        ("partner admin", False),
        ("lead staff", True),
        ("agency admin", True),
    ],
)
def test_only_lead_staff_set_up_preview_rebuild_and_decide(session, who, allowed):
    world = make_pilot_world(session)
    actor = _people(session, world)[who]
    p = world.programme
    pilots.build_evaluation(session, None, p, now=NOW)
    calls = [
        lambda: pilots.set_up(
            session, actor, p, comparison="baseline", metric_ids=[world.metric.id], now=NOW
        ),
        lambda: pilots.rebuild_now(session, actor, p, now=NOW),
        lambda: pilots.record_decision(session, actor, p, decision="stop", lessons="x", now=NOW),
    ]
    for call in calls:
        if allowed:
            call()
        else:
            with pytest.raises((NotAllowed, NotFound)):
                call()
    p.evaluation_ends_on = date(2026, 12, 31)
    if allowed:
        assert pilots.get_evaluation(session, actor, p.id, now=NOW, preview=True).preview
    else:
        with pytest.raises(NotFound):
            pilots.get_evaluation(session, actor, p.id, now=NOW, preview=True)


def test_set_up_validates_and_audits(session):
    world = make_pilot_world(session)
    p = world.programme
    foreign = make_metric(session)
    with pytest.raises(Invalid) as caught:
        pilots.set_up(session, world.staff, p, comparison="sideways", metric_ids=[], now=NOW)
    assert set(caught.value.errors) == {"comparison", "metric_ids"}
    with pytest.raises(Invalid):
        pilots.set_up(
            session, world.staff, p, comparison="control", metric_ids=[foreign.id], now=NOW
        )
    pilots.set_up(
        session, world.staff, p, comparison="control", metric_ids=[world.other_metric.id], now=NOW
    )
    assert p.comparison == ComparisonKind.CONTROL
    assert [m.pilot_measure for m in p.metrics] == [False, True]
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "pilot.set_up"))
    assert entry.before == {"comparison": "baseline", "measured_metrics": ["Meals delivered"]}
    assert entry.after == {"comparison": "control", "measured_metrics": ["Bags"]}
    p.is_pilot = False
    with pytest.raises(Conflict):
        pilots.set_up(session, world.staff, p, comparison="baseline", metric_ids=[], now=NOW)


def test_controls_are_established_tasks_and_programmes_of_others(session):
    world = make_pilot_world(session)
    p, staff = world.programme, world.staff
    other = make_programme(session, name="Community Meals")
    task = make_task(session, other, title="Saturday kitchen")
    pilot_two = make_programme(session, name="Another pilot", is_pilot=True)
    tasks_found, programmes_found = pilots.search_controls(session, staff, p, "kitchen")
    assert tasks_found == [task] and programmes_found == []
    assert pilots.search_controls(session, staff, p, "meals")[1] == [other]
    assert pilots.search_controls(session, staff, p, "pilot")[1] == []  # pilots are not controls
    with pytest.raises(Invalid):
        pilots.add_control(session, staff, p, task_id=world.task.id, now=NOW)  # its own
    with pytest.raises(Invalid):
        pilots.add_control(session, staff, p, control_programme_id=pilot_two.id, now=NOW)
    with pytest.raises(Invalid):  # a task of another pilot is not established either
        pilots.add_control(session, staff, p, task_id=make_task(session, pilot_two).id, now=NOW)
    with pytest.raises(Invalid):
        pilots.add_control(session, staff, p, now=NOW)
    with pytest.raises(Invalid):
        pilots.add_control(session, staff, p, task_id=10**15, now=NOW)
    control = pilots.add_control(session, staff, p, task_id=task.id, now=NOW)
    with pytest.raises(Conflict):
        pilots.add_control(session, staff, p, task_id=task.id, now=NOW)
    pilots.add_control(session, staff, p, control_programme_id=other.id, now=NOW)
    assert len(pilots.list_controls(session, p)) == 2
    pilots.remove_control(session, staff, p, control.id, now=NOW)
    with pytest.raises(NotFound):
        pilots.remove_control(session, staff, p, control.id, now=NOW)
    actions = list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions.count("pilot.control_added") == 2 and "pilot.control_removed" in actions


def test_pilots_list_latest_first_with_public_evaluations_only(session):
    world = make_pilot_world(session)
    later = make_programme(
        session, is_pilot=True, hypothesis="h", evaluation_ends_on=date(2027, 6, 30)
    )
    make_programme(session, name="Not a pilot")
    pilots.build_evaluation(session, None, world.programme, now=NOW)
    page = pilots.list_pilots(session, now=NOW, page=1, per_page=20)
    ours = [s for s in page.items if s.programme.id in (world.programme.id, later.id)]
    assert [s.programme.id for s in ours] == [later.id, world.programme.id]
    assert ours[0].evaluation is None and ours[1].evaluation is not None
    assert all(s.programme.is_pilot for s in page.items)


def test_due_pilots_are_ended_unbuilt_or_changed_since(session):
    world = make_pilot_world(session)
    p = world.programme
    assert p in pilots.due_pilots(session, now=NOW)
    pilots.build_evaluation(session, None, p, now=NOW)
    assert p not in pilots.due_pilots(session, now=NOW)
    late = log_with(session, world.task, world.people["B"], date(2026, 3, 8), "1")
    late.counted_changed_at = NOW + timedelta(hours=1)
    session.flush()
    assert p in pilots.due_pilots(session, now=NOW + timedelta(hours=2))
    # A change outside the periods does not make it due.
    pilots.build_evaluation(session, None, p, now=NOW + timedelta(hours=2))
    outside = log_with(session, world.task, world.people["B"], date(2026, 4, 8), "1")
    outside.counted_changed_at = NOW + timedelta(hours=3)
    session.flush()
    assert p not in pilots.due_pilots(session, now=NOW + timedelta(hours=4))
