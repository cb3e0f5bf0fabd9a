"""Shared decisions: opening, voting, the rule's outcomes, closing once, emails once, the
permission matrix and the home page's waiting list."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from coprod.errors import Conflict, Invalid, NotAllowed, NotFound
from coprod.models import (
    AuditEntry,
    DecisionOutcome,
    DecisionRule,
    DecisionVote,
    NotificationKind,
    OutboxMessage,
    Role,
)
from coprod.services.governance import decisions as svc
from coprod.services.governance.decisions import _common as shared
from tests.conftest import NOW
from tests.decision_world import DecisionWorld
from tests.factories import (
    add_role,
    make_agreement,
    make_decision,
    make_user,
)

LATER = NOW + timedelta(days=3)


@pytest.fixture
def world(session):
    return DecisionWorld(session)


def _open(session, world, **kw):
    values = {
        "question": "Move the Saturday kitchen to 10:00?",
        "details": "The hall is free earlier.",
        "options": ["Yes", "No"],
        "closes_at": datetime(2026, 6, 20, 17, 0),  # local time, London (BST)
        "now": NOW,
    }
    values.update(kw)
    return svc.open_decision(session, world.staff, world.programme, **values)


def _cast(session, world, decision, picks, now=NOW):
    """picks: one option position (1-based) or None per organisation, in World.orgs order."""
    for (org, admin), pick in zip(world.voters(), picks, strict=False):
        if pick is not None:
            svc.vote(
                session, admin, decision, org, option_id=decision.options[pick - 1].id, now=now
            )


# --- opening --------------------------------------------------------------------------------


def test_lead_staff_open_a_decision_closing_at_a_local_time(session, world) -> None:
    decision = _open(session, world)
    assert decision.closes_at == datetime(2026, 6, 20, 16, 0, tzinfo=UTC)  # 17:00 BST
    assert [o.label for o in decision.options] == ["Yes", "No"]
    assert decision.rule == DecisionRule.MAJORITY  # no agreement yet
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "decision.opened"))
    assert entry.object_id == decision.id and entry.after["options"] == ["Yes", "No"]


def test_the_rule_is_copied_from_the_agreement_in_force(session, world) -> None:
    make_agreement(session, world.programme, decision_rule=DecisionRule.CONSENSUS)
    assert _open(session, world).rule == DecisionRule.CONSENSUS


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"question": "  "}, "question"),
        ({"question": "x" * 301}, "question"),
        ({"question": "two\nlines"}, "question"),
        ({"options": ["Only one"]}, "options"),
        ({"options": [f"O{i}" for i in range(11)]}, "options"),
        ({"options": ["Yes", "yes"]}, "options"),
        ({"options": ["Yes", "n" * 201]}, "options"),
        ({"closes_at": datetime(2026, 6, 13, 10, 0)}, "closes_at"),  # 10:00 BST is past
        ({"closes_at": NOW + timedelta(days=366)}, "closes_at"),
        ({"closes_at": datetime(2027, 3, 28, 1, 30)}, "closes_at"),  # skipped by the clocks
        ({"details": "d" * 5001}, "details"),
    ],
)
def test_a_bad_decision_is_refused_beside_its_field(session, world, changes, field) -> None:
    with pytest.raises(Invalid) as err:
        _open(session, world, **changes)
    assert field in err.value.errors
    assert session.scalar(select(func.count()).select_from(DecisionVote)) == 0


@pytest.mark.parametrize("who", ["lead_admin", "member", "outsider", "admin0"])
def test_only_lead_staff_open_decisions(session, world, who) -> None:
    actor = world.admins[0] if who == "admin0" else getattr(world, who)
    if who == "lead_admin":  # an admin holds every role of the agency, staff too
        assert _open(session, world, now=NOW).id
        return
    with pytest.raises(NotAllowed):
        svc.open_decision(
            session,
            actor,
            world.programme,
            question="Q?",
            options=["A", "B"],
            closes_at=LATER,
            now=NOW,
        )


def test_opening_emails_each_admin_of_each_voting_organisation_once(session, world) -> None:
    decision = _open(session, world)
    to = set(
        session.scalars(
            select(OutboxMessage.user_id).where(OutboxMessage.kind == NotificationKind.DECISION)
        )
    )
    assert to == {world.lead_admin.id, *(a.id for a in world.admins)}
    assert world.outsider.id not in to and world.staff.id not in to
    shared._email(session, decision, opened=True, now=NOW)  # queued again: deduplicated
    assert session.scalar(select(func.count()).select_from(OutboxMessage)) == len(to)


# --- voting ---------------------------------------------------------------------------------


def test_an_admin_votes_for_their_organisation_with_a_comment_and_may_change_it(
    session, world
) -> None:
    decision = _open(session, world)
    org, admin = world.partners[0], world.admins[0]
    first = svc.vote(
        session, admin, decision, org, option_id=decision.options[0].id, comment="Yes!", now=NOW
    )
    second = svc.vote(
        session,
        admin,
        decision,
        org,
        option_id=decision.options[1].id,
        comment="On reflection",
        now=NOW + timedelta(hours=1),
    )
    assert first.id == second.id and second.option_id == decision.options[1].id
    changed = session.scalar(select(AuditEntry).where(AuditEntry.action == "decision.vote_changed"))
    assert changed.before["comment"] == "Yes!" and changed.after["comment"] == "On reflection"


@pytest.mark.parametrize("who", ["member", "staff", "outsider", "other_admin"])
def test_only_that_organisations_admins_vote_for_it(session, world, who) -> None:
    decision = _open(session, world)
    actor = world.admins[1] if who == "other_admin" else getattr(world, who)
    error = NotFound if who == "outsider" else NotAllowed
    with pytest.raises(error):
        svc.vote(
            session, actor, decision, world.partners[0], option_id=decision.options[0].id, now=NOW
        )


def test_an_organisation_outside_the_partnership_has_no_vote(session, world) -> None:
    decision = _open(session, world)
    add_role(session, world.admins[0], world.outsider_org, Role.ADMIN)
    with pytest.raises(NotAllowed, match="not in this programme's partnership"):
        svc.vote(
            session,
            world.admins[0],
            decision,
            world.outsider_org,
            option_id=decision.options[0].id,
            now=NOW,
        )


def test_a_vote_needs_one_of_the_decisions_options_and_a_bounded_comment(session, world) -> None:
    decision = _open(session, world)
    other = make_decision(session, world.programme)
    org, admin = world.partners[0], world.admins[0]
    with pytest.raises(Invalid) as err:
        svc.vote(session, admin, decision, org, option_id=other.options[0].id, now=NOW)
    assert "option_id" in err.value.errors
    with pytest.raises(Invalid) as err:
        svc.vote(
            session,
            admin,
            decision,
            org,
            option_id=decision.options[0].id,
            comment="c" * 2001,
            now=NOW,
        )
    assert "comment" in err.value.errors


def test_no_vote_once_closed_or_past_the_closing_time(session, world) -> None:
    decision = _open(session, world)
    org, admin = world.partners[0], world.admins[0]
    with pytest.raises(Conflict, match="closed"):
        svc.vote(
            session, admin, decision, org, option_id=decision.options[0].id, now=decision.closes_at
        )
    svc.close_decision(session, decision, NOW, world.staff)
    with pytest.raises(Conflict, match="closed"):
        svc.vote(session, admin, decision, org, option_id=decision.options[0].id, now=NOW)


def test_the_organisation_is_named_only_by_an_admin_of_several(session, world) -> None:
    decision = _open(session, world)
    assert (
        svc.organisation_to_vote_for(session, world.admins[0], decision, None) == world.partners[0]
    )
    add_role(session, world.admins[0], world.partners[1], Role.ADMIN)
    with pytest.raises(Invalid) as err:
        svc.organisation_to_vote_for(session, world.admins[0], decision, None)
    assert "organisation_id" in err.value.errors
    with pytest.raises(NotAllowed):
        svc.organisation_to_vote_for(session, world.member, decision, None)


# --- the rule -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "entitled", "votes", "expected"),
    [
        (DecisionRule.MAJORITY, [1, 2, 3, 4], {}, (DecisionOutcome.NO_VOTES, None)),
        (DecisionRule.MAJORITY, [1, 2, 3, 4], {1: 10, 2: 10, 3: 10}, (DecisionOutcome.CARRIED, 10)),
        (DecisionRule.MAJORITY, [1, 2, 3, 4], {1: 10, 2: 10}, (DecisionOutcome.NO_MAJORITY, None)),
        (
            DecisionRule.MAJORITY,
            [1, 2, 3, 4],
            {1: 10, 2: 10, 3: 11, 4: 11},
            (DecisionOutcome.NO_MAJORITY, None),
        ),  # a tie carries nothing
        (DecisionRule.MAJORITY, [1, 2, 3], {1: 10, 2: 10}, (DecisionOutcome.CARRIED, 10)),
        (
            DecisionRule.MAJORITY,
            [1, 2, 3],
            {1: 10, 9: 10, 8: 10},
            (DecisionOutcome.NO_MAJORITY, None),
        ),  # former partners' votes do not count
        (DecisionRule.CONSENSUS, [1, 2, 3], {1: 10, 2: 10, 3: 10}, (DecisionOutcome.CARRIED, 10)),
        (DecisionRule.CONSENSUS, [1, 2, 3], {1: 10, 2: 10}, (DecisionOutcome.NO_CONSENSUS, None)),
        (
            DecisionRule.CONSENSUS,
            [1, 2, 3],
            {1: 10, 2: 10, 3: 11},
            (DecisionOutcome.NO_CONSENSUS, None),
        ),
        (DecisionRule.CONSENSUS, [1, 2, 3], {}, (DecisionOutcome.NO_VOTES, None)),
    ],
)
def test_the_outcome_under_the_rule(rule, entitled, votes, expected) -> None:
    assert svc.tally(rule, entitled, votes) == expected


def test_closing_carries_the_majority_of_the_partnership(session, world) -> None:
    decision = _open(session, world)
    _cast(session, world, decision, [1, 1, 1, 2])
    assert svc.close_decision(session, decision, LATER) is True
    assert decision.outcome == DecisionOutcome.CARRIED
    assert decision.chosen_option_id == decision.options[0].id
    assert decision.closed_at == LATER


def test_half_is_not_a_majority(session, world) -> None:
    decision = _open(session, world)
    _cast(session, world, decision, [1, 1, 2, None])
    svc.close_decision(session, decision, LATER)
    assert decision.outcome == DecisionOutcome.NO_MAJORITY and decision.chosen_option_id is None


def test_consensus_needs_every_organisation(session, world) -> None:
    make_agreement(session, world.programme, decision_rule=DecisionRule.CONSENSUS)
    decision = _open(session, world)
    _cast(session, world, decision, [2, 2, 2, None])
    svc.close_decision(session, decision, LATER)
    assert decision.outcome == DecisionOutcome.NO_CONSENSUS
    again = _open(session, world)
    _cast(session, world, again, [2, 2, 2, 2])
    svc.close_decision(session, again, LATER)
    assert again.outcome == DecisionOutcome.CARRIED
    assert again.chosen_option_id == again.options[1].id


def test_no_votes_is_said(session, world) -> None:
    decision = _open(session, world)
    svc.close_decision(session, decision, LATER)
    assert decision.outcome == DecisionOutcome.NO_VOTES


def test_closing_twice_changes_nothing_and_emails_once(session, world) -> None:
    decision = _open(session, world)
    _cast(session, world, decision, [1, 1, 1, 1])
    assert svc.close_decision(session, decision, LATER) is True
    emails = session.scalar(select(func.count()).select_from(OutboxMessage))
    assert svc.close_decision(session, decision, LATER + timedelta(hours=1)) is False
    assert decision.closed_at == LATER
    assert session.scalar(select(func.count()).select_from(OutboxMessage)) == emails
    closed = session.scalar(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "decision.closed")
    )
    assert closed == 1


def test_the_result_is_emailed_to_voters_admins_and_the_lead_staff(session, world) -> None:
    decision = _open(session, world)
    session.execute(OutboxMessage.__table__.delete())
    svc.close_decision(session, decision, LATER)
    to = set(session.scalars(select(OutboxMessage.user_id)))
    assert to == {world.staff.id, world.lead_admin.id, *(a.id for a in world.admins)}


def test_only_lead_staff_close_early(session, world) -> None:
    decision = _open(session, world)
    with pytest.raises(NotAllowed):
        svc.close_decision(session, decision, NOW, world.admins[0])
    with pytest.raises(NotFound):
        svc.close_decision(session, decision, NOW, world.outsider)
    assert decision.closed_at is None
    assert svc.close_decision(session, decision, NOW, world.staff)


# --- reading --------------------------------------------------------------------------------


def test_the_partnership_reads_decisions_and_outsiders_are_told_nothing(session, world) -> None:
    decision = _open(session, world)
    for person in (world.member, world.staff, world.admins[2]):
        assert svc.get_decision(session, person, decision.id) == decision
    for person in (world.outsider, None, make_user(session)):
        with pytest.raises(NotFound):
            svc.get_decision(session, person, decision.id)
        with pytest.raises(NotFound):
            svc.list_decisions(session, person, world.programme)


def test_open_decisions_come_first_then_the_latest_closed(session, world) -> None:
    closed_early = _open(session, world, question="A?")
    closed_late = _open(session, world, question="B?")
    far = _open(session, world, question="C?", closes_at=datetime(2026, 7, 1, 12, 0))
    near = _open(session, world, question="D?")
    svc.close_decision(session, closed_early, NOW + timedelta(minutes=1))
    svc.close_decision(session, closed_late, NOW + timedelta(minutes=2))
    page = svc.list_decisions(session, world.member, world.programme)
    assert [d.question for d in page.items] == ["D?", "C?", "B?", "A?"]
    assert far.closes_at > near.closes_at
    assert svc.count_open(session, world.member, world.programme) == 2


def test_the_page_shows_every_organisation_and_who_has_not_voted(session, world) -> None:
    decision = _open(session, world)
    _cast(session, world, decision, [None, 1, 2, None])
    view = svc.view_decision(session, world.admins[0], decision, now=NOW)
    assert view.counts == {decision.options[0].id: 1, decision.options[1].id: 1}
    assert {o.id for o in view.not_voted} == {world.agency.id, world.partners[2].id}
    assert [o.id for o in view.mine] == [world.partners[0].id]
    assert view.open


def test_the_home_page_lists_decisions_waiting_for_my_organisations_vote(session, world) -> None:
    decision = _open(session, world)
    other = _open(session, world, question="Later?", closes_at=datetime(2026, 6, 25, 12, 0))
    assert svc.waiting_for_my_vote(session, world.member, now=NOW) is None
    waiting = svc.waiting_for_my_vote(session, world.admins[0], now=NOW)
    assert [(w.decision.id, w.organisation.id) for w in waiting] == [
        (decision.id, world.partners[0].id),
        (other.id, world.partners[0].id),
    ]
    _cast(session, world, decision, [None, 1])
    waiting = svc.waiting_for_my_vote(session, world.admins[0], now=NOW)
    assert [w.decision.id for w in waiting] == [other.id]
    assert svc.waiting_for_my_vote(session, world.outsider, now=NOW) == []
