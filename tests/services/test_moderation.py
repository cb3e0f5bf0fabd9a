"""Moderation rules: flags once per person and item, FLAGS_PER_HOUR, only lead staff hide and
always with a reason, hiding resolves the flags, restore and dismiss, hidden items leave the
public lists, and the queue."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from config import Config
from coprod import policy
from coprod.errors import Conflict, Invalid, NotAllowed, NotFound, TooMany
from coprod.models import AuditEntry, ContentFlag, Feedback, Proposal, Role
from coprod.services.engagement import moderation
from tests.factories import (
    ShiftWorld,
    make_flaggable_proposal,
    make_member,
    make_public_feedback,
    make_user,
)


@pytest.fixture
def world(session):
    w = ShiftWorld(session)
    w.author = make_user(session, display_name="Pat Proposer")
    w.proposal = make_flaggable_proposal(session, w.programme, w.author)
    w.comment = make_public_feedback(session, w.task, w.volunteer)
    w.reviewer = make_member(session, w.agency, Role.REVIEWER)
    return w


def _flags(session, **where):
    stmt = select(ContentFlag)
    for name, value in where.items():
        stmt = stmt.where(getattr(ContentFlag, name) == value)
    return list(session.scalars(stmt))


def _audit(session, action):
    return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


# --- flagging -------------------------------------------------------------------------------


def test_anyone_signed_in_flags_a_proposal_once_with_an_optional_reason(session, world, now):
    first = moderation.flag_proposal(
        session, world.other_volunteer, world.proposal, reason="  Spam\nlink ", now=now
    )
    assert first.created
    assert first.flag.reason == "Spam link"  # a line break typed in the box becomes a space
    assert first.flag.programme_id == world.programme.id
    again = moderation.flag_proposal(
        session, world.other_volunteer, world.proposal, reason="", now=now
    )
    assert not again.created and again.flag.id == first.flag.id
    assert len(_flags(session, proposal_id=world.proposal.id)) == 1
    assert len(_audit(session, "proposal.flagged")) == 1
    # Someone else flags it too, without a reason.
    other = moderation.flag_proposal(session, world.volunteer, world.proposal, reason=None, now=now)
    assert other.created and other.flag.reason == ""


def test_a_visitor_cannot_flag(session, world, now):
    with pytest.raises(NotAllowed):
        moderation.flag_proposal(session, None, world.proposal, reason="x", now=now)
    with pytest.raises(NotAllowed):
        moderation.flag_feedback(session, None, world.comment, reason="x", now=now)


@pytest.mark.parametrize(
    ("reason", "message"),
    [("x" * 501, "500 characters or fewer"), ("bad\x1bescape", "control characters"),
     ("nul\x00", "not allowed")],
)  # fmt: skip
def test_a_flag_reason_is_bounded_and_plain(session, world, now, reason, message):
    with pytest.raises(Invalid) as err:
        moderation.flag_proposal(session, world.volunteer, world.proposal, reason=reason, now=now)
    assert "reason" in err.value.errors
    assert message in err.value.message
    assert _flags(session) == []


def test_flags_per_hour_are_limited_per_person(session, world, now, app, monkeypatch):
    monkeypatch.setattr(Config, "FLAGS_PER_HOUR", 2)
    with app.app_context():
        for _ in range(2):
            moderation.flag_proposal(
                session, world.volunteer, make_flaggable_proposal(session, world.programme),
                reason="", now=now,
            )  # fmt: skip
        third = make_flaggable_proposal(session, world.programme)
        with pytest.raises(TooMany) as err:
            moderation.flag_proposal(session, world.volunteer, third, reason="", now=now)
        assert "at most 2 items an hour" in err.value.message
        # Flagging again what one already flagged is not a new flag: no limit hit.
        moderation.flag_proposal(session, world.other_volunteer, third, reason="", now=now)
        # An hour later the person may flag again.
        later = now + timedelta(hours=1, seconds=1)
        assert moderation.flag_proposal(
            session, world.volunteer, third, reason="", now=later
        ).created


def test_only_public_visible_comments_are_flagged(session, world, now):
    private = make_public_feedback(session, world.task, make_user(session), public=False)
    # A stranger does not even see a private comment.
    with pytest.raises(NotFound):
        moderation.flag_feedback(session, world.other_volunteer, private, reason="", now=now)
    # Its organisers see it, but it is shown to nobody: nothing to report.
    with pytest.raises(Conflict):
        moderation.flag_feedback(session, world.lead_staff, private, reason="", now=now)
    flagged = moderation.flag_feedback(
        session, world.other_volunteer, world.comment, reason="Rude", now=now
    )
    assert flagged.created and flagged.flag.feedback_id == world.comment.id
    assert flagged.flag.programme_id == world.programme.id
    assert len(_audit(session, "feedback.flagged")) == 1


def test_a_hidden_item_is_not_flagged_again(session, world, now):
    moderation.hide_proposal(session, world.lead_staff, world.proposal, reason="Off topic", now=now)
    # Its author still sees it (to read the reason), but it is already hidden.
    with pytest.raises(Conflict):
        moderation.flag_proposal(session, world.author, world.proposal, reason="", now=now)
    with pytest.raises(NotFound):  # to others it is gone
        moderation.flag_proposal(session, world.other_volunteer, world.proposal, reason="", now=now)


# --- hiding ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["volunteer", "coordinator", "reviewer", "author"])
def test_only_lead_staff_hide(session, world, now, who):
    with pytest.raises(NotAllowed):
        moderation.hide_proposal(session, getattr(world, who), world.proposal, reason="x", now=now)
    with pytest.raises((NotAllowed, NotFound)):
        moderation.hide_feedback(session, getattr(world, who), world.comment, reason="x", now=now)
    assert world.proposal.hidden_at is None and world.comment.hidden_at is None


@pytest.mark.parametrize("reason", [None, "", "   \n  "])
def test_hiding_needs_a_reason(session, world, now, reason):
    with pytest.raises(Invalid) as err:
        moderation.hide_proposal(session, world.lead_staff, world.proposal, reason=reason, now=now)
    assert err.value.errors == {"reason": ["Enter the reason."]}
    assert world.proposal.hidden_at is None


def test_hiding_a_proposal_resolves_its_flags_and_is_recorded(session, world, now):
    for person in (world.volunteer, world.other_volunteer):
        moderation.flag_proposal(session, person, world.proposal, reason="Spam", now=now)
    other = make_flaggable_proposal(session, world.programme)
    untouched = moderation.flag_proposal(session, world.volunteer, other, reason="", now=now).flag
    later = now + timedelta(minutes=5)
    moderation.hide_proposal(
        session, world.lead_staff, world.proposal, reason="Advertising", now=later
    )
    assert world.proposal.hidden_at == later
    assert world.proposal.hidden_reason == "Advertising"
    assert world.proposal.hidden_by_id == world.lead_staff.id
    flags = _flags(session, proposal_id=world.proposal.id)
    assert [(f.resolved_at, f.resolved_by_id) for f in flags] == [(later, world.lead_staff.id)] * 2
    assert untouched.resolved_at is None  # another item's flag stays open
    (entry,) = _audit(session, "proposal.hidden")
    assert entry.object_id == world.proposal.id
    assert entry.after["hidden_reason"] == "Advertising" and entry.after["flags_resolved"] == 2
    with pytest.raises(Conflict):
        moderation.hide_proposal(session, world.lead_staff, world.proposal, reason="x", now=later)
    assert len(_audit(session, "proposal.hidden")) == 1


def test_hiding_a_comment_marks_it_changed_for_the_reports(session, world, now):
    moderation.flag_feedback(session, world.other_volunteer, world.comment, reason="", now=now)
    moderation.hide_feedback(session, world.lead_staff, world.comment, reason="Insult", now=now)
    assert world.comment.changed_at == now
    assert world.comment.hidden_reason == "Insult"
    assert all(f.resolved_at == now for f in _flags(session, feedback_id=world.comment.id))
    restored_at = now + timedelta(hours=1)
    moderation.restore_feedback(session, world.lead_staff, world.comment, now=restored_at)
    assert world.comment.hidden_at is None and world.comment.changed_at == restored_at
    assert len(_audit(session, "feedback.restored")) == 1


def test_restore_undoes_a_hide_and_refuses_what_is_shown(session, world, now):
    with pytest.raises(Conflict):
        moderation.restore_proposal(session, world.lead_staff, world.proposal, now=now)
    moderation.hide_proposal(session, world.lead_staff, world.proposal, reason="Dup", now=now)
    with pytest.raises(NotAllowed):
        moderation.restore_proposal(session, world.author, world.proposal, now=now)
    moderation.restore_proposal(session, world.lead_staff, world.proposal, now=now)
    assert world.proposal.hidden_at is None and world.proposal.hidden_reason == ""
    (entry,) = _audit(session, "proposal.restored")
    assert entry.before["hidden_reason"] == "Dup"


def test_dismissing_flags_keeps_the_item_shown(session, world, now):
    moderation.flag_feedback(session, world.other_volunteer, world.comment, reason="?", now=now)
    with pytest.raises(NotAllowed):
        moderation.dismiss_flags(session, world.coordinator, world.comment, now)
    assert moderation.dismiss_flags(session, world.lead_staff, world.comment, now) == 1
    assert world.comment.hidden_at is None
    assert _flags(session, feedback_id=world.comment.id)[0].resolved_by_id == world.lead_staff.id
    assert moderation.dismiss_flags(session, world.lead_staff, world.comment, now) == 0
    assert len(_audit(session, "feedback.flags_dismissed")) == 1
    # Flagged before by that person: the dismissed flag stays theirs, not a new report.
    assert not moderation.flag_feedback(
        session, world.other_volunteer, world.comment, reason="", now=now
    ).created


# --- hidden items leave the public pages --------------------------------------------------


def _visible(session, actor, model, twin, rows):
    ids = [r.id for r in rows]
    return set(session.scalars(select(model.id).where(model.id.in_(ids), twin(actor))))


def test_hidden_items_leave_the_public_lists_but_not_the_author_s_or_staff_s(session, world, now):
    shown_proposal = make_flaggable_proposal(session, world.programme)
    shown_comment = make_public_feedback(session, world.task, make_user(session))
    moderation.hide_proposal(session, world.lead_staff, world.proposal, reason="No", now=now)
    moderation.hide_feedback(session, world.lead_staff, world.comment, reason="No", now=now)
    proposals, comments = [world.proposal, shown_proposal], [world.comment, shown_comment]
    for visitor in (None, world.other_volunteer, world.coordinator):
        assert _visible(session, visitor, Proposal, policy.visible_proposals, proposals) == {
            shown_proposal.id
        }
    assert _visible(session, None, Feedback, policy.visible_feedback, comments) == {
        shown_comment.id
    }
    assert _visible(session, world.author, Proposal, policy.visible_proposals, proposals) == {
        world.proposal.id,
        shown_proposal.id,
    }
    assert world.comment.id in _visible(
        session, world.volunteer, Feedback, policy.visible_feedback, comments
    )
    assert _visible(session, world.lead_staff, Proposal, policy.visible_proposals, proposals) == {
        world.proposal.id,
        shown_proposal.id,
    }
    moderation.restore_proposal(session, world.lead_staff, world.proposal, now=now)
    assert world.proposal.id in _visible(
        session, None, Proposal, policy.visible_proposals, proposals
    )


# --- the queue ------------------------------------------------------------------------------


def test_the_queue_lists_flagged_items_with_their_reasons_then_the_hidden_ones(session, world, now):
    moderation.flag_proposal(session, world.volunteer, world.proposal, reason="Old", now=now)
    moderation.flag_proposal(
        session, world.other_volunteer, world.proposal, reason="", now=now + timedelta(minutes=1)
    )
    moderation.flag_feedback(
        session, world.other_volunteer, world.comment, reason="Rude", now=now + timedelta(minutes=2)
    )
    page = moderation.moderation_queue(session, world.lead_staff, world.programme)
    assert [(q.kind, q.item.id, q.open_flags) for q in page.items] == [
        ("feedback", world.comment.id, 1),
        ("proposal", world.proposal.id, 2),
    ]
    assert page.items[1].reasons == ["Old"]  # blank reasons are not shown
    assert page.items[1].author is not None
    assert page.items[1].author.display_name == "Pat Proposer"  # staff see who wrote it
    assert page.next is None
    one = moderation.moderation_queue(session, world.lead_staff, world.programme, per_page=1)
    assert [q.kind for q in one.items] == ["feedback"] and one.next is not None
    two = moderation.moderation_queue(
        session, world.lead_staff, world.programme, per_page=1, after=one.next
    )
    assert [q.kind for q in two.items] == ["proposal"] and two.next is None
    hidden = moderation.moderation_queue(session, world.lead_staff, world.programme, show="hidden")
    assert hidden.items == [] and hidden.next is None and hidden.first
    moderation.hide_proposal(session, world.lead_staff, world.proposal, reason="Spam", now=now)
    page = moderation.moderation_queue(session, world.lead_staff, world.programme)
    assert [q.kind for q in page.items] == ["feedback"]
    hidden = moderation.moderation_queue(session, world.lead_staff, world.programme, show="hidden")
    assert [(q.kind, q.item.id) for q in hidden.items] == [("proposal", world.proposal.id)]


def test_the_queue_and_its_counts_are_for_lead_staff_only(session, world, now):
    moderation.flag_proposal(session, world.volunteer, world.proposal, reason="", now=now)
    for who in (None, world.volunteer, world.coordinator, world.reviewer):
        with pytest.raises(NotAllowed):
            moderation.moderation_queue(session, who, world.programme)
        assert moderation.open_flag_count(session, who) == 0
    assert moderation.open_flag_count(session, world.lead_staff) == 1
    assert moderation.open_flags_by_programme(session, world.lead_staff) == [(world.programme, 1)]
    with pytest.raises(Invalid):
        moderation.moderation_queue(session, world.lead_staff, world.programme, show="all")
    with pytest.raises(Invalid):
        moderation.moderation_queue(session, world.lead_staff, world.programme, after="forged")


def test_the_demo_has_a_hidden_proposal_and_open_reports_to_look_at(session, now):
    from coprod.demo import DOMAIN, load_demo_data
    from coprod.models import User

    load_demo_data(session, now=now)
    hidden = session.scalars(select(Proposal).where(Proposal.hidden_at.is_not(None))).all()
    assert len(hidden) >= 1 and all(p.hidden_reason for p in hidden)
    staff = session.scalars(select(User).where(User.email == f"staff@{DOMAIN}")).one()
    open_flags = session.scalars(select(ContentFlag).where(ContentFlag.resolved_at.is_(None)))
    kinds = {("proposal" if f.proposal_id else "feedback") for f in open_flags}
    assert kinds == {"proposal", "feedback"}
    assert moderation.open_flag_count(session, staff) >= 2
    flagged_comment = session.scalars(
        select(Feedback).join(ContentFlag, ContentFlag.feedback_id == Feedback.id)
    ).first()
    assert flagged_comment is not None and flagged_comment.public
