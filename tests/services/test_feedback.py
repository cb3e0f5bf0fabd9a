"""Volunteers' feedback on tasks: who may give it, once, what is checked, and who reads names."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from config import Config
from coprod.errors import Conflict, Invalid, NotAllowed, NotFound, TooMany
from coprod.models import AuditEntry, Feedback, LogStatus, SignupStatus, TaskStatus
from coprod.services.engagement import feedback
from tests.factories import (
    ShiftWorld,
    make_held_shift,
    make_log,
    make_signup,
    make_task,
    make_user,
)


@pytest.fixture
def world(session, now):
    return ShiftWorld(session, capacity=6, starts_at=now - timedelta(days=2))


def _attend(session, world, user=None):
    user = user or make_user(session)
    make_signup(session, world.shift, user, status=SignupStatus.ATTENDED)
    return user


def _give(session, actor, task, now, **overrides):
    values = {"rating": 4, "comment": "", "public": False, "now": now}
    values.update(overrides)
    return feedback.give_feedback(session, actor, task, **values)


# --- eligibility ----------------------------------------------------------------------------


def test_someone_who_attended_a_shift_is_eligible_with_the_latest_attended_shift(
    session, world, now
) -> None:
    person = _attend(session, world)
    later = make_held_shift(session, world.task, person, starts_at=now - timedelta(hours=5))
    who = feedback.eligibility(session, person, world.task)
    assert who.eligible and who.attended and not who.logged
    assert who.shift_id == later.id


def test_someone_who_logged_hours_is_eligible_without_a_shift(session, world) -> None:
    make_log(session, user=world.volunteer, task=world.task, status=LogStatus.APPROVED)
    who = feedback.eligibility(session, world.volunteer, world.task)
    assert who.eligible and who.logged and who.shift_id is None


@pytest.mark.parametrize("status", [LogStatus.WITHDRAWN, LogStatus.REJECTED])
def test_a_withdrawn_or_rejected_log_does_not_make_someone_eligible(session, world, status) -> None:
    make_log(session, user=world.volunteer, task=world.task, status=status)
    assert not feedback.eligibility(session, world.volunteer, world.task).eligible


@pytest.mark.parametrize(
    "status", [SignupStatus.CONFIRMED, SignupStatus.NO_SHOW, SignupStatus.CANCELLED]
)
def test_a_sign_up_not_attended_does_not_make_someone_eligible(session, world, status) -> None:
    make_signup(session, world.shift, world.volunteer, status=status)
    assert not feedback.eligibility(session, world.volunteer, world.task).eligible
    assert not feedback.eligibility(session, None, world.task).eligible


def test_attending_another_tasks_shift_does_not_count(session, world, now) -> None:
    other = make_task(session, world.programme)
    make_held_shift(session, other, world.volunteer)
    make_log(session, user=world.volunteer, task=other)
    assert not feedback.eligibility(session, world.volunteer, world.task).eligible


# --- giving it ----------------------------------------------------------------------------


def test_an_attendee_gives_feedback_dated_in_the_programmes_calendar(session, world) -> None:
    person = _attend(session, world)
    world.agency.timezone = "Pacific/Auckland"  # already Sunday there at 22:00 UTC Saturday
    late = datetime(2026, 6, 13, 22, 0, tzinfo=UTC)
    item = _give(
        session, person, world.task, late, rating="5", comment=" Great team! ", public=True
    )
    assert (item.rating, item.comment, item.public) == (5, "Great team!", True)
    assert item.date.isoformat() == "2026-06-14"
    assert (item.programme_id, item.task_id, item.shift_id) == (
        world.programme.id,
        world.task.id,
        world.shift.id,
    )
    assert item.changed_at == late and item.user_id == person.id
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "feedback.given")).one()
    assert entry.object_id == item.id
    assert entry.after == {
        "task_id": world.task.id,
        "rating": 5,
        "public": True,
        "with_comment": True,
    }
    assert "Great team" not in str(entry.after)  # the comment stays out of the audit log


def test_someone_who_neither_attended_nor_logged_is_refused_with_a_clear_message(
    session, world, now
) -> None:
    with pytest.raises(NotAllowed) as refused:
        _give(session, world.volunteer, world.task, now)
    assert "attended one of this task's shifts, or logged hours" in refused.value.message
    assert refused.value.status == 403
    assert session.scalars(select(Feedback)).all() == []


def test_a_visitor_cannot_give_feedback(session, world, now) -> None:
    with pytest.raises(NotAllowed):
        _give(session, None, world.task, now)


def test_a_draft_task_is_not_found_to_a_volunteer(session, world, now) -> None:
    person = _attend(session, world)
    world.task.status = TaskStatus.DRAFT
    with pytest.raises(NotFound):
        _give(session, person, world.task, now)


def test_feedback_is_given_once_per_task(session, world, now) -> None:
    person = _attend(session, world)
    _give(session, person, world.task, now)
    with pytest.raises(Conflict) as twice:
        _give(session, person, world.task, now, rating=1)
    assert twice.value.status == 409
    assert "already given feedback" in twice.value.message
    assert len(session.scalars(select(Feedback)).all()) == 1


def test_the_unique_pair_turns_a_second_row_into_a_conflict(session, world, now, monkeypatch):
    """The check before the insert can miss a click made at the same moment (tested for real
    on PostgreSQL in test_feedback_race.py): the savepoint turns the clash into a 409."""
    person = _attend(session, world)
    _give(session, person, world.task, now)
    monkeypatch.setattr(feedback.giving, "my_feedback", lambda *_a: None)
    with pytest.raises(Conflict):
        _give(session, person, world.task, now)
    assert len(session.scalars(select(Feedback)).all()) == 1


@pytest.mark.parametrize("rating", [0, 6, -1, "", None, "x", "4.5", "10", True, 3.0])
def test_a_rating_must_be_a_whole_number_from_1_to_5(session, world, now, rating) -> None:
    person = _attend(session, world)
    with pytest.raises(Invalid) as bad:
        _give(session, person, world.task, now, rating=rating)
    assert bad.value.status == 422
    assert "rating" in bad.value.errors
    assert "from 1 (poor) to 5 (excellent)" in bad.value.errors["rating"][0]


@pytest.mark.parametrize("comment", ["x" * 2001, "bell\x07", "esc\x1b[31m", "nul\x00"])
def test_a_comment_is_bounded_and_refuses_control_characters(session, world, now, comment) -> None:
    person = _attend(session, world)
    with pytest.raises(Invalid) as bad:
        _give(session, person, world.task, now, comment=comment)
    assert "comment" in bad.value.errors


def test_a_comment_keeps_its_line_breaks_and_is_optional(session, world, now) -> None:
    person = _attend(session, world)
    item = _give(session, person, world.task, now, comment="Good.\r\nWell run.\tThanks", public=1)
    assert item.comment == "Good.\nWell run.\tThanks"
    other = _attend(session, world)
    quiet = _give(session, other, world.task, now, comment="   ", public=True)
    assert quiet.comment == "" and quiet.public is False  # nothing to show in public


def test_comments_count_against_the_hourly_limit_but_ratings_do_not(
    session, world, now, monkeypatch
) -> None:
    monkeypatch.setattr(Config, "FEEDBACK_PER_HOUR", 2)  # no app context: the settings
    person = make_user(session)
    tasks = [make_task(session, world.programme) for _ in range(5)]
    for task in tasks:
        make_held_shift(session, task, person)
    _give(session, person, tasks[0], now - timedelta(minutes=70), comment="Long ago")
    _give(session, person, tasks[1], now - timedelta(minutes=30), comment="One")
    _give(session, person, tasks[2], now - timedelta(minutes=10), comment="Two")
    with pytest.raises(TooMany) as limited:
        _give(session, person, tasks[3], now, comment="Three")
    assert limited.value.status == 429
    assert "2 comments in the last hour" in limited.value.message
    assert "without a comment" in limited.value.message
    # A rating alone is still welcome, and the hour moves on.
    assert _give(session, person, tasks[3], now, comment="").rating == 4
    later = now + timedelta(minutes=31)
    assert _give(session, person, tasks[4], later, comment="Three").comment == "Three"


# --- reading it -----------------------------------------------------------------------------


def _three_items(session, world, now):
    people = [_attend(session, world) for _ in range(3)]
    a = _give(session, people[0], world.task, now, rating=5, comment="Lovely", public=True)
    b = _give(session, people[1], world.task, now + timedelta(minutes=1), rating=2,
              comment="Too cold, say so in the task", public=False)  # fmt: skip
    c = _give(session, people[2], world.task, now + timedelta(minutes=2), rating=3)
    return people, [a, b, c]


def test_the_summary_counts_responses_and_averages_ratings_without_hidden_items(
    session, world, now
) -> None:
    assert feedback.feedback_summary(session, world.task) == feedback.Summary(0, None, 0, 0)
    _people, items = _three_items(session, world, now)
    summary = feedback.feedback_summary(session, world.task)
    assert (summary.responses, summary.average, summary.comments, summary.given) == (
        3,
        3.33,
        1,
        3,
    )
    items[0].hidden_at = now
    session.flush()
    summary = feedback.feedback_summary(session, world.task)
    assert (summary.responses, summary.average, summary.comments, summary.given) == (
        2,
        2.5,
        0,
        3,
    )


def test_public_feedback_shows_public_comments_that_are_not_hidden_and_no_author(
    session, world, now
) -> None:
    people, items = _three_items(session, world, now)
    for reader in (None, world.other_volunteer, people[1], world.coordinator):
        page = feedback.public_feedback(session, reader, world.task)
        assert [i.comment for i in page.items] == ["Lovely"]
        assert page.next is None
        shown = page.items[0]
        assert not hasattr(shown, "user_id") and not hasattr(shown, "author")
    items[0].hidden_at = now
    session.flush()
    assert feedback.public_feedback(session, None, world.task).items == []


def test_organisers_read_every_item_with_its_author_newest_first(session, world, now) -> None:
    people, items = _three_items(session, world, now)
    world.task.co_coordinator_id = world.other_volunteer.id
    for organiser in (world.coordinator, world.lead_staff, world.other_volunteer):
        page = feedback.task_feedback(session, organiser, world.task, per_page=2)
        assert [i.id for i in page.items] == [items[2].id, items[1].id]
        assert page.next is not None
        assert feedback.author_name(page.items[0]) == people[2].display_name
    first = feedback.task_feedback(session, world.coordinator, world.task, per_page=2)
    second = feedback.task_feedback(
        session, world.coordinator, world.task, after=first.next, per_page=2
    )
    assert [i.id for i in second.items] == [items[0].id] and second.next is None
    with pytest.raises(Invalid):
        feedback.task_feedback(session, world.coordinator, world.task, after="forged!")


@pytest.mark.parametrize("reader", ["visitor", "volunteer", "author", "other_coordinator"])
def test_names_are_never_given_to_anyone_but_the_organisers(session, world, now, reader) -> None:
    people, items = _three_items(session, world, now)
    actor = {
        "visitor": None,
        "volunteer": world.other_volunteer,
        "author": people[0],
        "other_coordinator": world.other_coordinator,
    }[reader]
    with pytest.raises(NotAllowed):
        feedback.task_feedback(session, actor, world.task)
    assert not feedback.shows_author(actor, items[1])


def test_the_author_reads_their_own_and_which_tasks_they_rated(session, world, now) -> None:
    people, items = _three_items(session, world, now)
    assert feedback.my_feedback(session, people[1], world.task) is items[1]
    assert feedback.my_feedback(session, world.other_volunteer, world.task) is None
    assert feedback.my_feedback(session, None, world.task) is None
    other = make_task(session, world.programme)
    ids = [world.task.id, other.id]
    assert feedback.rated_tasks(session, people[1], ids) == {world.task.id}
    assert feedback.rated_tasks(session, world.other_volunteer, ids) == set()
    assert feedback.shows_author(people[1], items[1])
    assert feedback.get_feedback(session, people[1], items[1].id) is items[1]


def test_a_private_item_is_not_found_to_others(session, world, now) -> None:
    _people, items = _three_items(session, world, now)
    with pytest.raises(NotFound):
        feedback.get_feedback(session, world.other_volunteer, items[1].id)
    assert feedback.get_feedback(session, None, items[0].id) is items[0]  # public
    assert feedback.get_feedback(session, world.coordinator, items[1].id) is items[1]
    with pytest.raises(NotFound):
        feedback.get_feedback(session, world.coordinator, 987654)


def test_the_persons_data_export_holds_their_feedback_and_not_who_hid_it(session, world, now):
    from coprod.services.exports.tables import TABLES

    person = _attend(session, world)
    item = _give(session, person, world.task, now, rating=2, comment="Too cold", public=True)
    item.hidden_at, item.hidden_reason, item.hidden_by_id = now, "Off topic", world.lead_staff.id
    session.flush()
    table = next(t for t in TABLES if t.name == "feedback")
    rows = table.rows(session, person)
    assert len(rows) == 1 and set(rows[0]) == set(table.columns)
    assert (rows[0]["rating"], rows[0]["comment"], rows[0]["hidden_reason"]) == (
        2,
        "Too cold",
        "Off topic",
    )
    assert "hidden_by_id" not in rows[0]
    assert table.rows(session, world.other_volunteer) == []


def test_deleting_the_account_blanks_the_comments_and_keeps_the_rating(session, world, now):
    from coprod.services import account_deletion
    from tests.factories import PASSWORD

    person = _attend(session, world)
    _give(session, person, world.task, now, rating=2, comment="My neighbour Jo was late", public=1)
    account_deletion.delete_own_account(session, person, PASSWORD, now=now)
    session.flush()
    item = session.scalars(select(Feedback)).one()
    assert (item.rating, item.comment, item.public) == (2, "", False)
    assert feedback.feedback_summary(session, world.task).responses == 1
    assert feedback.public_feedback(session, None, world.task).items == []
