"""Proposals: who may propose and support, the limits, the list, and the agency's answer with
its draft task and its emails (coprod/services/engagement/proposals/)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from coprod import policy
from coprod.errors import Conflict, Invalid, NotAllowed, NotFound, TooMany
from coprod.models import (
    AuditEntry,
    NotificationKind,
    OutboxMessage,
    ProposalStatus,
    ProposalSupport,
    Task,
    TaskStatus,
)
from coprod.services import notifications, programmes
from coprod.services.accounts import EmailNotConfirmed
from coprod.services.engagement import proposals
from tests.factories import make_user
from tests.proposal_world import ProposalWorld, add_supports, make_proposal

Kind = NotificationKind
S = ProposalStatus
TEXT = {"what": "Pick litter along the towpath.", "location": "Canal towpath"}


@pytest.fixture
def w(session):
    return ProposalWorld(session)


def _propose(session, w, now, actor=None, **kw):
    values = {"title": "Clear the canal towpath", **TEXT, **kw}
    return proposals.create_proposal(
        session, actor or w.author, kw.pop("programme", w.programme), now=now, **values
    )


def _emails(session, kind, user=None):
    stmt = select(OutboxMessage).where(OutboxMessage.kind == kind)
    if user is not None:
        stmt = stmt.where(OutboxMessage.user_id == user.id)
    return list(session.scalars(stmt))


def _actions(session, action):
    return session.scalar(select(func.count()).where(AuditEntry.action == action))


# --- proposing ------------------------------------------------------------------------------


def test_a_confirmed_person_proposes_a_task_that_starts_open_with_no_supports(session, w, now):
    proposal = _propose(session, w, now, why="Litter.", contribution="Bags.", anonymous=True)
    assert (proposal.status, proposal.supports, proposal.author_id) == (S.OPEN, 0, w.author.id)
    assert (proposal.title, proposal.why, proposal.contribution) == (
        "Clear the canal towpath",
        "Litter.",
        "Bags.",
    )
    assert proposal.anonymous is True
    assert _actions(session, "proposal.created") == 1


def test_a_programme_that_takes_no_proposals_refuses_with_a_clear_message(session, w, now):
    with pytest.raises(NotAllowed, match="does not take proposals"):
        proposals.create_proposal(session, w.author, w.closed, title="Idea", what="x", now=now)


def test_a_visitor_cannot_propose(session, w, now):
    with pytest.raises(NotAllowed):
        proposals.create_proposal(session, None, w.programme, title="Idea", what="x", now=now)


def test_proposing_needs_a_confirmed_email_address(session, w, now):
    unconfirmed = make_user(session, email_confirmed_at=None)
    with pytest.raises(EmailNotConfirmed):
        _propose(session, w, now, actor=unconfirmed)


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"title": "Two\nlines"}, "title"),
        ({"what": "  "}, "what"),
        ({"what": "x" * 5001}, "what"),
        ({"location": "x" * 301}, "location"),
        ({"location": "a\tb"}, "location"),
        ({"why": "x" * 5001}, "why"),
        ({"contribution": "x" * 5001}, "contribution"),
        ({"what": "nul\x00byte"}, "what"),
    ],
)
def test_each_wrong_field_is_refused_beside_it(session, w, now, values, field):
    with pytest.raises(Invalid) as err:
        _propose(session, w, now, **values)
    assert field in err.value.errors
    assert session.scalar(select(func.count()).select_from(ProposalSupport)) == 0


def test_every_wrong_field_is_reported_at_once(session, w, now):
    with pytest.raises(Invalid) as err:
        _propose(session, w, now, title="", what="")
    assert set(err.value.errors) == {"title", "what"}


def test_a_person_makes_at_most_the_daily_number_of_proposals_in_24_hours(session, w, now):
    make_proposal(session, w.programme, w.author, created_at=now - timedelta(hours=25))
    _propose(session, w, now - timedelta(hours=2), per_day=2)
    _propose(session, w, now - timedelta(hours=1), per_day=2)
    with pytest.raises(TooMany, match="2 proposals a day"):
        _propose(session, w, now, per_day=2)
    # Somebody else still may.
    _propose(session, w, now, actor=w.neighbour, per_day=2)


def test_the_daily_limit_comes_from_the_settings_by_default(session, w, now):
    for _ in range(proposals.proposals_per_day()):
        _propose(session, w, now)
    with pytest.raises(TooMany):
        _propose(session, w, now)


# --- reading --------------------------------------------------------------------------------


def test_the_list_sorts_by_supports_or_newest(session, w, now):
    old = make_proposal(session, w.programme, w.author, title="Old", created_at=now - timedelta(3))
    new = make_proposal(session, w.programme, w.author, title="New", created_at=now)
    add_supports(session, old, w.neighbour, w.other_neighbour)
    supported = proposals.list_proposals(session, None, w.programme, sort="supported")
    newest = proposals.list_proposals(session, None, w.programme, sort="newest")
    assert [p.id for p in supported.items] == [old.id, new.id]
    assert [p.id for p in newest.items] == [new.id, old.id]


def test_the_list_searches_title_what_and_place_whatever_the_case(session, w, now):
    a = make_proposal(session, w.programme, w.author, title="Benches in the PARK")
    b = make_proposal(session, w.programme, w.author, title="x", what="Paint the park gates")
    c = make_proposal(session, w.programme, w.author, title="y", what="z", location="Park Road")
    make_proposal(session, w.programme, w.author, title="Library", what="Books", location="")
    make_proposal(session, w.closed, w.author, title="Park elsewhere")
    found = proposals.list_proposals(session, None, w.programme, q="park")
    assert {p.id for p in found.items} == {a.id, b.id, c.id}
    assert proposals.list_proposals(session, None, w.programme, q="100%").items == []


def test_the_list_filters_by_status(session, w, now):
    make_proposal(session, w.programme, w.author)
    declined = make_proposal(session, w.programme, w.author, status=S.DECLINED)
    page = proposals.list_proposals(session, None, w.programme, status="declined")
    assert [p.id for p in page.items] == [declined.id]


@pytest.mark.parametrize(
    ("kw", "field"),
    [({"q": "x" * 201}, "q"), ({"sort": "random"}, "sort"), ({"status": "maybe"}, "status")],
)
def test_the_list_refuses_wrong_filters_beside_them(session, w, kw, field):
    with pytest.raises(Invalid) as err:
        proposals.list_proposals(session, None, w.programme, **kw)
    assert field in err.value.errors


@pytest.mark.parametrize("sort", ["supported", "newest"])
def test_the_list_is_read_by_windows_each_proposal_once_in_order(session, w, now, sort):
    made = []
    for i in range(5):
        p = make_proposal(session, w.programme, w.author, created_at=now - timedelta(i % 2))
        if i % 2:
            add_supports(session, p, w.neighbour)
        made.append(p)
    seen, after = [], None
    while True:
        found = proposals.list_proposals(
            session, None, w.programme, sort=sort, after=after, per_page=2
        )
        seen += found.items
        if found.next is None:
            break
        after = found.next
    key = (
        (lambda p: (p.supports, p.id)) if sort == "supported" else (lambda p: (p.created_at, p.id))
    )
    assert seen == sorted(made, key=key, reverse=True)
    with pytest.raises(Invalid) as err:
        proposals.list_proposals(session, None, w.programme, after="W1siaSIsMV1d")
    assert "after" in err.value.errors


def test_a_hidden_proposal_reaches_only_its_author_and_the_lead_staff(session, w, now):
    hidden = make_proposal(session, w.programme, w.author, hidden_at=now, hidden_reason="Rude")
    for who, sees in [(None, False), (w.neighbour, False), (w.other_staff, False),
                      (w.author, True), (w.staff, True)]:  # fmt: skip
        listed = proposals.list_proposals(session, who, w.programme).items
        assert (hidden in listed) is sees
        if sees:
            assert proposals.get_proposal(session, who, hidden.id).is_hidden
        else:
            with pytest.raises(NotFound):
                proposals.get_proposal(session, who, hidden.id)


def test_an_unknown_or_huge_id_is_not_found(session, w):
    for bad in (0, 999999, 10**12):
        with pytest.raises(NotFound):
            proposals.get_proposal(session, None, bad)


def test_the_author_is_shown_by_name_or_as_a_resident(session, w):
    named = make_proposal(session, w.programme, w.author)
    anonymous = make_proposal(session, w.programme, w.author, anonymous=True)
    gone = make_proposal(session, w.programme, None)
    assert proposals.author_label(named) == "Rosa Author"
    assert proposals.author_label(anonymous) == "a resident"
    assert proposals.author_label(gone) == "a resident"


def test_my_proposals_lists_mine_with_the_hidden_ones_and_their_reason(session, w, now):
    mine = make_proposal(session, w.programme, w.author)
    hidden = make_proposal(session, w.programme, w.author, hidden_at=now, hidden_reason="Spam")
    make_proposal(session, w.programme, w.neighbour)
    page = proposals.list_my_proposals(session, w.author)
    assert {p.id for p in page.items} == {mine.id, hidden.id}
    assert hidden.hidden_reason == "Spam"


# --- supporting -----------------------------------------------------------------------------


def test_supporting_adds_one_row_and_one_to_the_count(session, w, now):
    proposal = make_proposal(session, w.programme, w.author)
    proposals.support(session, w.neighbour, proposal, now=now)
    proposals.support(session, w.other_neighbour, proposal, now=now)
    session.expire_all()
    assert proposal.supports == 2
    assert proposals.is_supporting(session, w.neighbour, proposal)
    assert not proposals.is_supporting(session, w.author, proposal)
    assert not proposals.is_supporting(session, None, proposal)
    assert _actions(session, "proposal.supported") == 2


def test_supporting_twice_is_a_conflict_and_changes_nothing(session, w, now):
    proposal = make_proposal(session, w.programme, w.author)
    proposals.support(session, w.neighbour, proposal, now=now)
    with pytest.raises(Conflict, match="already support"):
        proposals.support(session, w.neighbour, proposal, now=now)
    session.expire_all()
    assert proposal.supports == 1
    rows = select(func.count()).select_from(ProposalSupport)
    assert session.scalar(rows) == 1


def test_the_author_cannot_support_their_own_proposal(session, w, now):
    proposal = make_proposal(session, w.programme, w.author)
    with pytest.raises(NotAllowed, match="your own proposal"):
        proposals.support(session, w.author, proposal, now=now)


def test_a_visitor_or_an_unconfirmed_person_cannot_support(session, w, now):
    proposal = make_proposal(session, w.programme, w.author)
    with pytest.raises(NotAllowed):
        proposals.support(session, None, proposal, now=now)
    with pytest.raises(EmailNotConfirmed):
        proposals.support(session, make_user(session, email_confirmed_at=None), proposal, now=now)


@pytest.mark.parametrize("status", [S.ACCEPTED, S.DECLINED, S.ALREADY_PLANNED])
def test_an_answered_proposal_takes_no_more_supports_nor_withdrawals(session, w, now, status):
    proposal = make_proposal(session, w.programme, w.author, status=status)
    add_supports(session, proposal, w.other_neighbour)
    with pytest.raises(Conflict, match="answered"):
        proposals.support(session, w.neighbour, proposal, now=now)
    with pytest.raises(Conflict, match="answered"):
        proposals.withdraw_support(session, w.other_neighbour, proposal, now=now)


def test_a_proposal_under_review_still_takes_supports(session, w, now):
    proposal = make_proposal(session, w.programme, w.author, status=S.UNDER_REVIEW)
    assert proposals.support(session, w.neighbour, proposal, now=now).supports == 1


def test_a_hidden_proposal_takes_no_supports(session, w, now):
    proposal = make_proposal(session, w.programme, w.author, hidden_at=now, hidden_reason="x")
    with pytest.raises(NotFound):
        proposals.support(session, w.neighbour, proposal, now=now)
    with pytest.raises(Conflict):
        proposals.support(session, w.staff, proposal, now=now)


def test_withdrawing_removes_the_row_and_one_from_the_count(session, w, now):
    proposal = make_proposal(session, w.programme, w.author)
    proposals.support(session, w.neighbour, proposal, now=now)
    proposals.withdraw_support(session, w.neighbour, proposal, now=now)
    session.expire_all()
    assert proposal.supports == 0
    assert not proposals.is_supporting(session, w.neighbour, proposal)
    assert _actions(session, "proposal.support_withdrawn") == 1


def test_withdrawing_a_support_one_does_not_give_is_a_conflict(session, w, now):
    proposal = make_proposal(session, w.programme, w.author)
    add_supports(session, proposal, w.other_neighbour)
    with pytest.raises(Conflict, match="do not support"):
        proposals.withdraw_support(session, w.neighbour, proposal, now=now)
    session.expire_all()
    assert proposal.supports == 1


# --- the agency's answer --------------------------------------------------------------------


def _answer(session, actor, proposal, now, status="accepted", text="Yes, we will.", **kw):
    return proposals.answer(session, actor, proposal, status=status, answer=text, now=now, **kw)


@pytest.mark.parametrize("who", ["neighbour", "author", "other_staff"])
def test_only_the_lead_agency_staff_answer(session, w, now, who):
    proposal = make_proposal(session, w.programme, w.author)
    with pytest.raises(NotAllowed):
        _answer(session, getattr(w, who), proposal, now)
    assert proposal.status == S.OPEN


@pytest.mark.parametrize("text", ["", "   ", "x" * 5001])
def test_every_answer_needs_a_written_public_answer(session, w, now, text):
    proposal = make_proposal(session, w.programme, w.author)
    with pytest.raises(Invalid) as err:
        _answer(session, w.staff, proposal, now, status="declined", text=text)
    assert "answer" in err.value.errors


@pytest.mark.parametrize("status", ["open", "", "maybe", None])
def test_an_answer_is_one_of_the_four_statuses(session, w, now, status):
    proposal = make_proposal(session, w.programme, w.author)
    with pytest.raises(Invalid) as err:
        _answer(session, w.staff, proposal, now, status=status)
    assert "status" in err.value.errors


def test_open_goes_under_review_then_to_a_decision(session, w, now):
    proposal = make_proposal(session, w.programme, w.author)
    _answer(session, w.staff, proposal, now, status="under_review", text="We are looking.")
    assert (proposal.status, proposal.answer, proposal.answered_at) == (
        S.UNDER_REVIEW,
        "We are looking.",
        now,
    )
    with pytest.raises(Conflict, match="already under review"):
        _answer(session, w.staff, proposal, now, status="under_review")
    _answer(session, w.staff, proposal, now, status="declined", text="No budget this year.")
    assert (proposal.status, proposal.answered_by_id) == (S.DECLINED, w.staff.id)
    assert proposal.task_id is None
    assert _actions(session, "proposal.answered") == 2


@pytest.mark.parametrize("status", [S.ACCEPTED, S.DECLINED, S.ALREADY_PLANNED])
def test_a_decided_proposal_cannot_be_answered_again(session, w, now, status):
    proposal = make_proposal(session, w.programme, w.author, status=status)
    with pytest.raises(Conflict, match="answered already"):
        _answer(session, w.staff, proposal, now, status="declined")


def test_accepting_makes_a_draft_task_crediting_the_proposer(session, w, now):
    proposal = make_proposal(session, w.programme, w.author)
    _answer(session, w.staff, proposal, now)
    task = session.get(Task, proposal.task_id)
    assert task is not None and proposal.status == S.ACCEPTED
    assert (task.status, task.programme_id, task.title, task.location) == (
        TaskStatus.DRAFT,
        w.programme.id,
        "Clear the canal towpath",
        "Canal towpath",
    )
    assert "Pick litter along the towpath." in task.description
    assert "It is full of litter." in task.description
    assert "I can bring bags." in task.description
    assert "Proposed by Rosa Author." in task.description
    assert task.co_coordinator_id is None
    assert _actions(session, "task.created") == 1
    assert proposals.task_proposal(session, task) is proposal


def test_an_anonymous_proposal_is_credited_to_a_resident(session, w, now):
    proposal = make_proposal(session, w.programme, w.author, anonymous=True)
    _answer(session, w.staff, proposal, now)
    assert "Proposed by a resident." in proposal.task.description
    assert "Rosa" not in proposal.task.description


def test_a_long_proposal_still_fits_the_task_description(session, w, now):
    long = "x" * 5000
    proposal = make_proposal(session, w.programme, w.author, what=long, why=long, contribution=long)
    _answer(session, w.staff, proposal, now)
    assert len(proposal.task.description) <= 10000
    assert proposal.task.description.endswith("Proposed by Rosa Author.")


def test_accepting_can_make_the_proposer_a_co_coordinator_of_the_task(session, w, now):
    proposal = make_proposal(session, w.programme, w.author)
    _answer(session, w.staff, proposal, now, add_coordinator=True)
    task = proposal.task
    assert task.co_coordinator_id == w.author.id
    assert policy.can(w.author, "task.edit_description", task)
    assert policy.can(w.author, "task.view", task)  # a draft, seen by its co-coordinator


def test_a_deactivated_proposer_is_not_made_co_coordinator(session, w, now):
    proposal = make_proposal(session, w.programme, w.author)
    w.author.is_active = False
    _answer(session, w.staff, proposal, now, add_coordinator=True)
    assert proposal.task.co_coordinator_id is None


def test_declining_ignores_the_co_coordinator_box(session, w, now):
    proposal = make_proposal(session, w.programme, w.author)
    _answer(session, w.staff, proposal, now, status="declined", add_coordinator=True)
    assert proposal.task_id is None
    assert session.scalar(select(func.count()).select_from(Task)) == 0


# --- emails ---------------------------------------------------------------------------------


def test_the_author_and_each_supporter_get_one_email_per_answer(session, w, now):
    proposal = make_proposal(session, w.programme, w.author)
    add_supports(session, proposal, w.neighbour, w.other_neighbour)
    _answer(session, w.staff, proposal, now, status="under_review", text="Looking.")
    _answer(session, w.staff, proposal, now + timedelta(days=1), text="Accepted!")
    [first, second] = _emails(session, Kind.PROPOSAL_ANSWERED, w.author)
    assert "Clear the canal towpath" in first.subject
    assert "Looking." in first.body_text and "Accepted!" in second.body_text
    assert f"/tasks/{proposal.task_id}" in second.body_text
    for person in (w.neighbour, w.other_neighbour):
        mails = _emails(session, Kind.SUPPORTED_ANSWERED, person)
        assert len(mails) == 2
        assert "Rosa" not in mails[0].body_text  # supporters learn the answer, not the name
    assert _emails(session, Kind.SUPPORTED_ANSWERED, w.author) == []
    assert len(_emails(session, Kind.SUPPORTED_ANSWERED)) == 4


def test_telling_the_supporters_twice_of_the_same_answer_sends_nothing_more(session, w, now):
    proposal = make_proposal(session, w.programme, w.author)
    add_supports(session, proposal, w.neighbour)
    _answer(session, w.staff, proposal, now, status="declined", text="No.")
    assert notifications.supporters_told(session, proposal, now=now) == 0
    assert notifications.proposal_answered(session, proposal, now=now) is None
    assert len(_emails(session, Kind.SUPPORTED_ANSWERED, w.neighbour)) == 1


def test_people_who_turned_the_emails_off_get_none(session, w, now):
    proposal = make_proposal(session, w.programme, w.author)
    add_supports(session, proposal, w.neighbour, w.other_neighbour)
    notifications.set_preferences(session, w.author, {"proposal_answered": False}, now=now)
    notifications.set_preferences(session, w.neighbour, {"supported_answered": False}, now=now)
    _answer(session, w.staff, proposal, now, status="declined", text="No.")
    assert _emails(session, Kind.PROPOSAL_ANSWERED) == []
    assert [m.user_id for m in _emails(session, Kind.SUPPORTED_ANSWERED)] == [w.other_neighbour.id]


def test_both_kinds_are_on_the_preferences_page_and_on_by_default(session, w):
    prefs = notifications.get_preferences(session, w.neighbour)
    assert prefs[Kind.PROPOSAL_ANSWERED] is True
    assert prefs[Kind.SUPPORTED_ANSWERED] is True


# --- overdue --------------------------------------------------------------------------------


def test_overdue_lists_waiting_proposals_older_than_the_days_in_the_staffs_programmes(
    session, w, now
):
    old = now - timedelta(days=22)
    overdue = make_proposal(session, w.programme, w.author, created_at=old)
    reviewing = make_proposal(
        session, w.programme, w.author, created_at=old - timedelta(1), status=S.UNDER_REVIEW
    )
    make_proposal(session, w.programme, w.author, created_at=now - timedelta(days=20))
    make_proposal(session, w.programme, w.author, created_at=old, status=S.DECLINED)
    result = proposals.overdue_proposals(session, w.staff, now, days=21)
    assert [p.id for p in result.items] == [reviewing.id, overdue.id]
    assert result.total == 2
    assert proposals.overdue_proposals(session, w.other_staff, now, days=21).total == 0
    assert proposals.overdue_proposals(session, w.author, now, days=21).total == 0


# --- the programme setting ------------------------------------------------------------------


def test_lead_staff_switch_proposals_on_and_off_with_an_audit_entry(session, w):
    programmes.update_programme(session, w.staff, w.closed, accepts_proposals=True)
    assert w.closed.accepts_proposals is True
    entry = session.scalars(
        select(AuditEntry).where(AuditEntry.action == "programme.updated")
    ).one()
    assert entry.after == {"accepts_proposals": True}
    programmes.update_programme(session, w.staff, w.closed, name="Renamed")
    assert w.closed.accepts_proposals is True  # not named: kept


def test_the_home_page_shows_overdue_proposals_to_lead_staff_even_once_proposals_stop(
    session, w, now
):
    from coprod.services import home

    make_proposal(session, w.programme, w.author, created_at=now - timedelta(days=60))
    staff_home = home.home(session, w.staff, now)
    assert staff_home.overdue is not None and staff_home.overdue.total == 1
    assert home.home(session, w.author, now).overdue is None
    w.programme.accepts_proposals = False
    session.flush()
    # A proposal made while the programme took them still waits for its answer.
    assert home.home(session, w.staff, now).overdue.total == 1


def test_a_persons_data_export_holds_their_proposals_and_supports_and_no_one_elses(session, w, now):
    from coprod.services import exports

    mine = make_proposal(session, w.programme, w.author, hidden_at=now, hidden_reason="Spam")
    theirs = make_proposal(session, w.programme, w.neighbour)
    add_supports(session, theirs, w.author)
    data = exports.collect(session, w.author, w.author)
    assert [p["id"] for p in data["proposals"]] == [mine.id]
    assert data["proposals"][0]["hidden_reason"] == "Spam"
    assert "hidden_by_id" not in data["proposals"][0]
    assert data["proposal_supports"] == [
        {
            "proposal_id": theirs.id,
            "proposal": theirs.title,
            "since": data["proposal_supports"][0]["since"],
        }
    ]
    assert exports.collect(session, w.neighbour, w.neighbour)["proposal_supports"] == []
