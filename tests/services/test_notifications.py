"""Notifications: which emails the rules of the loop put in the outbox, for whom, and when not."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from coprod.errors import Conflict, Invalid, NotAllowed
from coprod.models import (
    LogStatus,
    NotificationKind,
    OrgKind,
    OutboxMessage,
    OutboxStatus,
    PeriodKind,
    ReportSnapshot,
    Role,
    SignupStatus,
    TaskStatus,
)
from coprod.services import digests, notifications, review, shifts, signups, tasks
from coprod.services import outbox as mail_outbox
from tests.factories import (
    ShiftWorld,
    add_partner,
    make_log,
    make_member,
    make_org,
    make_past_volunteer,
    make_programme,
    make_signup,
    make_task,
    make_user,
)

Kind = NotificationKind


def outbox(session, user=None, kind=None):
    stmt = select(OutboxMessage).order_by(OutboxMessage.id)
    if user is not None:
        stmt = stmt.where(OutboxMessage.user_id == user.id)
    if kind is not None:
        stmt = stmt.where(OutboxMessage.kind == kind)
    return list(session.scalars(stmt))


@pytest.fixture
def world(session):
    return ShiftWorld(session, capacity=1)


def test_signing_up_queues_a_confirmation_with_the_task_and_settings_links(session, world, now):
    signups.sign_up(session, world.volunteer, world.shift, now)
    [msg] = outbox(session, world.volunteer)
    assert msg.kind == Kind.SIGNUP and msg.status == OutboxStatus.PENDING
    assert msg.recipient == world.volunteer.email
    assert msg.subject == f"You are signed up for “{world.task.title}”"
    assert msg.next_attempt_at == now and msg.attempts == 0
    for body in (msg.body_text, msg.body_html):
        assert f"/tasks/{world.task.id}" in body
        assert "/account/notifications" in body
        assert world.volunteer.display_name in body


def test_a_full_shift_queues_a_waiting_list_notice(session, world, now):
    signups.sign_up(session, world.volunteer, world.shift, now)
    signups.sign_up(session, world.other_volunteer, world.shift, now)
    [msg] = outbox(session, world.other_volunteer)
    assert msg.subject.startswith("You are on the waiting list")
    assert "waiting list" in msg.body_text


def test_a_promoted_volunteer_is_told_their_place_is_confirmed(session, world, now):
    first = signups.sign_up(session, world.volunteer, world.shift, now)
    signups.sign_up(session, world.other_volunteer, world.shift, now)
    signups.cancel(session, world.volunteer, first, now)
    [msg] = outbox(session, world.other_volunteer, Kind.PROMOTED)
    assert msg.subject.startswith("A place opened up")


def test_an_assignment_by_a_coordinator_queues_an_assigned_email(session, world, now):
    make_past_volunteer(session, world.programme, world.volunteer)
    signups.assign(session, world.coordinator, world.shift, world.volunteer, now)
    [msg] = outbox(session, world.volunteer)
    assert msg.kind == Kind.ASSIGNED
    assert "assigned you to" in msg.body_text


def test_a_refused_sign_up_queues_nothing(session, world, now):
    signups.sign_up(session, world.volunteer, world.shift, now)
    with pytest.raises(Conflict):
        signups.sign_up(session, world.volunteer, world.shift, now)
    assert len(outbox(session, world.volunteer)) == 1


def test_cancelling_a_task_tells_everyone_whose_place_is_cancelled(session, world, now):
    signups.sign_up(session, world.volunteer, world.shift, now)
    signups.sign_up(session, world.other_volunteer, world.shift, now)  # waitlisted
    tasks.transition_task(session, world.lead_staff, world.task, TaskStatus.CANCELLED, now=now)
    for person in (world.volunteer, world.other_volunteer):
        [msg] = outbox(session, person, Kind.SHIFT_CHANGED)
        assert msg.subject == f"Cancelled: “{world.task.title}”"
        assert "has been cancelled" in msg.body_text


def test_moving_a_shift_tells_its_volunteers_the_new_time(session, world, now):
    signups.sign_up(session, world.volunteer, world.shift, now)
    later = world.shift.starts_at + timedelta(hours=2)
    shifts.update_shift(
        session,
        world.lead_staff,
        world.shift,
        starts_at=later,
        ends_at=later + timedelta(hours=3),
        capacity=1,
        now=now,
    )
    [msg] = outbox(session, world.volunteer, Kind.SHIFT_CHANGED)
    assert msg.subject.startswith("Time changed")
    local = later.astimezone(ZoneInfo("Europe/London"))  # the programme's zone
    assert f"{local:%H:%M}\u2013" in msg.body_text and local.tzname() in msg.body_text


def test_changing_only_the_places_of_a_shift_sends_nothing(session, world, now):
    signups.sign_up(session, world.volunteer, world.shift, now)
    shifts.update_shift(
        session,
        world.lead_staff,
        world.shift,
        starts_at=world.shift.starts_at,
        ends_at=world.shift.ends_at,
        capacity=3,
        now=now,
    )
    assert outbox(session, world.volunteer, Kind.SHIFT_CHANGED) == []


@pytest.mark.parametrize(
    ("decision", "comment", "words"),
    [
        ("approve", "", "were approved"),
        ("reject", "Wrong programme", "were not accepted"),
        ("request_changes", "Add the date", "asks for changes"),
    ],
)
def test_a_review_decision_is_emailed_to_the_contributor(session, now, decision, comment, words):
    agency = make_org(session, OrgKind.AGENCY)
    task = make_task(session, make_programme(session, agency))
    reviewer = make_member(session, agency, Role.REVIEWER)
    log = make_log(session, task=task)
    review.review(session, reviewer, log, decision, comment, now=now)
    [msg] = outbox(session, log.contributor)
    assert msg.kind == Kind.LOG_REVIEWED
    assert words in msg.body_text
    assert comment in msg.body_text
    assert f"/logs/{log.id}" in msg.body_html


def test_preferences_are_all_on_by_default_except_digests(session):
    prefs = notifications.get_preferences(session, make_user(session))
    assert prefs.pop(Kind.REPORT_DIGEST) is False
    # every kind a person can choose (emails about the account itself are not a choice)
    assert all(prefs.values()) and len(prefs) == len(Kind) - 1 - len(notifications.ACCOUNT_KINDS)


def test_a_kind_the_person_turned_off_is_not_queued(session, world, now):
    notifications.set_preferences(session, world.volunteer, {"signup": False}, now=now)
    signups.sign_up(session, world.volunteer, world.shift, now)
    assert outbox(session, world.volunteer) == []
    assert notifications.get_preferences(session, world.volunteer)[Kind.SIGNUP] is False


def test_the_same_occasion_is_never_queued_twice(session, world, now):
    signup = make_signup(session, world.shift, world.volunteer)
    assert notifications.reminder(session, signup, now=now) is not None
    assert notifications.reminder(session, signup, now=now) is None
    assert len(outbox(session, world.volunteer, Kind.REMINDER)) == 1


def test_closed_accounts_get_no_email(session, world, now):
    signup = make_signup(session, world.shift, world.volunteer)
    world.volunteer.deleted_at = now
    assert notifications.reminder(session, signup, now=now) is None


def test_a_roster_message_goes_to_everyone_on_the_roster_but_cancelled_people(session, now):
    world = ShiftWorld(session, capacity=3)
    make_signup(session, world.shift, world.volunteer)
    make_signup(session, world.shift, world.other_volunteer, status=SignupStatus.WAITLISTED)
    gone = make_signup(session, world.shift, make_user(session), status=SignupStatus.CANCELLED)
    sent = notifications.message_roster(
        session, world.coordinator, world.shift, "Bring gloves", "Line 1\nLine <2>", now=now
    )
    assert sent == 2
    msgs = outbox(session, kind=Kind.ROSTER_MESSAGE)
    assert {m.user_id for m in msgs} == {world.volunteer.id, world.other_volunteer.id}
    assert gone.user_id not in {m.user_id for m in msgs}
    assert "Line <2>" in msgs[0].body_text and "Line &lt;2&gt;" in msgs[0].body_html
    assert world.coordinator.display_name in msgs[0].body_text


def test_only_those_who_run_the_roster_may_message_it(session, now):
    world = ShiftWorld(session)
    make_signup(session, world.shift, world.volunteer)
    with pytest.raises(NotAllowed):  # the open task is public: refused, not hidden
        notifications.message_roster(session, world.volunteer, world.shift, "Hi", "x", now=now)
    with pytest.raises(NotAllowed):
        notifications.message_roster(
            session, world.other_coordinator, world.shift, "Hi", "x", now=now
        )
    assert outbox(session, kind=Kind.ROSTER_MESSAGE) == []


def test_a_roster_message_needs_a_subject_and_a_body(session, world, now):
    make_signup(session, world.shift, world.volunteer)
    with pytest.raises(Invalid) as exc:
        notifications.message_roster(session, world.coordinator, world.shift, " ", "", now=now)
    assert set(exc.value.errors) == {"subject", "body"}


def test_an_empty_roster_cannot_be_messaged(session, world, now):
    with pytest.raises(Conflict):
        notifications.message_roster(session, world.coordinator, world.shift, "Hi", "x", now=now)


def _may_report(session, programme, hours="12.50", data=None):
    snap = ReportSnapshot(
        programme_id=programme.id,
        period=PeriodKind.MONTH,
        start=date(2026, 5, 1),
        end=date(2026, 5, 31),
        hours_total=Decimal(hours),
        hours_by_sector={},
        data=data or {},
    )
    session.add(snap)
    session.flush()
    return snap


def test_last_months_digest_goes_once_to_opted_in_members_of_lead_and_partners(session, now):
    agency = make_org(session, OrgKind.AGENCY)
    partner = make_org(session)
    programme = make_programme(session, agency)
    add_partner(session, programme, partner)
    staff = make_member(session, agency, Role.STAFF)
    member = make_member(session, partner, Role.MEMBER)
    quiet = make_member(session, partner, Role.MEMBER)  # digests stay off by default
    outsider = make_user(session)
    for person in (staff, member, outsider):
        notifications.set_preferences(session, person, {"report_digest": True}, now=now)
    _may_report(session, programme)
    assert digests.queue_report_digests(session, now=now) == 2
    assert digests.queue_report_digests(session, now=now) == 0
    msgs = outbox(session, kind=Kind.REPORT_DIGEST)
    assert {m.user_id for m in msgs} == {staff.id, member.id}
    assert quiet.id not in {m.user_id for m in msgs}
    assert "May 2026" in msgs[0].subject and "12.50" in msgs[0].body_text
    assert f"/programmes/{programme.id}/reports" in msgs[0].body_html


def test_the_digest_shows_money_in_the_programme_currency(session, now):
    agency = make_org(session, OrgKind.AGENCY)
    programme = make_programme(session, agency, currency="EUR")  # 30.00 an hour
    staff = make_member(session, agency, Role.STAFF)
    notifications.set_preferences(session, staff, {"report_digest": True}, now=now)
    _may_report(session, programme, data={"hours_value": 1234.5, "in_kind_value": 80})
    assert digests.queue_report_digests(session, now=now) == 1
    (msg,) = outbox(session, kind=Kind.REPORT_DIGEST)
    assert "Value of the hours: €1,234.50" in msg.body_text
    assert "In-kind contributions: €80.00" in msg.body_text
    assert "<strong>€1,234.50</strong>" in msg.body_html


def _failed_message(session, user, now):
    msg = OutboxMessage(
        user_id=user.id,
        recipient=user.email,
        kind=Kind.SIGNUP,
        subject="s",
        body_text="t",
        body_html="h",
        dedupe_key=f"test:{user.id}",
        status=OutboxStatus.FAILED,
        attempts=8,
        next_attempt_at=now,
        last_error="SMTPServerDisconnected",
    )
    session.add(msg)
    session.flush()
    return msg


def test_a_site_admin_puts_a_failed_message_back_in_the_queue(session, now):
    admin = make_user(session, is_site_admin=True)
    msg = _failed_message(session, make_user(session), now)
    mail_outbox.retry_message(session, admin, msg.id, now=now)
    session.refresh(msg)
    assert (msg.status, msg.attempts, msg.next_attempt_at) == (OutboxStatus.PENDING, 0, now)
    with pytest.raises(Conflict):
        mail_outbox.retry_message(session, admin, msg.id, now=now)


def test_only_site_admins_see_and_retry_the_outbox(session, now):
    user = make_user(session)
    msg = _failed_message(session, user, now)
    with pytest.raises(NotAllowed):
        mail_outbox.retry_message(session, user, msg.id, now=now)
    with pytest.raises(NotAllowed):
        mail_outbox.list_outbox(session, user, "problems")


def test_the_outbox_list_shows_waiting_and_failed_messages_by_default(session, now):
    admin = make_user(session, is_site_admin=True)
    failed = _failed_message(session, make_user(session), now)
    page = mail_outbox.list_outbox(session, admin, "problems")
    assert failed in page.items
    assert mail_outbox.list_outbox(session, admin, "sent").items == []


def test_the_log_status_words_cover_every_decision():
    assert set(notifications.LOG_SUBJECTS) == {
        LogStatus.APPROVED,
        LogStatus.REJECTED,
        LogStatus.CHANGES_REQUESTED,
    }


def test_the_report_sweep_sends_last_months_digest_once_it_is_built(session, now):
    from coprod.jobs.reports import sweep_reports

    agency = make_org(session, OrgKind.AGENCY)
    programme = make_programme(session, agency)
    staff = make_member(session, agency, Role.STAFF)
    notifications.set_preferences(session, staff, {"report_digest": True}, now=now)
    make_log(
        session,
        task=make_task(session, programme),
        status=LogStatus.APPROVED,
        hours="3",
        on=date(2026, 5, 20),
    )
    sweep_reports(session, now=now)
    [msg] = outbox(session, staff, Kind.REPORT_DIGEST)
    assert "May 2026" in msg.subject and "3.00" in msg.body_text
    sweep_reports(session, now=now + timedelta(minutes=5))
    assert len(outbox(session, staff, Kind.REPORT_DIGEST)) == 1


def test_a_volunteer_whose_place_a_coordinator_cancels_is_told(session, world, now):
    signup = signups.sign_up(session, world.volunteer, world.shift, now)
    signups.cancel(session, world.coordinator, signup, now)
    [msg] = outbox(session, world.volunteer, Kind.SHIFT_CHANGED)
    assert msg.subject == f"Your place on “{world.task.title}” was cancelled"
    assert "A coordinator has cancelled your place" in msg.body_text


def test_cancelling_ones_own_place_sends_no_cancellation_email(session, world, now):
    signup = signups.sign_up(session, world.volunteer, world.shift, now)
    signups.cancel(session, world.volunteer, signup, now)
    assert outbox(session, world.volunteer, Kind.SHIFT_CHANGED) == []


def test_the_outbox_walked_by_next_shows_each_message_once_newest_first_in_its_filter(session, now):
    admin = make_user(session, is_site_admin=True)
    failed = [_failed_message(session, make_user(session), now) for _ in range(5)]
    for i, msg in enumerate(failed):  # two share a moment: the id orders them
        msg.created_at = now - timedelta(minutes=min(i, 3))
    session.flush()
    expected = [m.id for m in sorted(failed, key=lambda m: (m.created_at, m.id), reverse=True)]
    seen, after = [], None
    while True:
        found = mail_outbox.list_outbox(session, admin, "failed", after=after, per_page=2)
        seen += [m.id for m in found.items]
        if not found.has_next:
            break
        after = found.next
    assert seen == expected
    assert mail_outbox.list_outbox(session, admin, "sent", after=after).items == []
    with pytest.raises(Invalid):
        mail_outbox.list_outbox(session, admin, "failed", after="%%%")
