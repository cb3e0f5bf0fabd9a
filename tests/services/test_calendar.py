"""Private calendar feeds: exactly the person's confirmed shifts, parsed with icalendar."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
from icalendar import Calendar

from coprod.errors import NotFound
from coprod.models import SignupStatus
from coprod.services import calendar, signups
from tests.factories import make_shift, make_signup, make_task, make_user

BASE = "https://coprod.example.org"


def events(feed: bytes):
    return list(Calendar.from_ical(feed).walk("VEVENT"))


def test_the_feed_holds_exactly_the_confirmed_and_attended_shifts(session, now):
    me, other = make_user(session), make_user(session)
    task = make_task(session, location="Market hall", description="Sort donations.")
    keep = [
        make_signup(
            session, make_shift(session, task, starts_at=now + timedelta(days=d)), me, status=st
        )
        for d, st in ((1, SignupStatus.CONFIRMED), (2, SignupStatus.ATTENDED))
    ]
    for d, st in (
        (3, SignupStatus.WAITLISTED),
        (4, SignupStatus.CANCELLED),
        (5, SignupStatus.NO_SHOW),
    ):
        make_signup(
            session, make_shift(session, task, starts_at=now + timedelta(days=d)), me, status=st
        )
    make_signup(session, make_shift(session, task), other)
    found = events(calendar.build_feed(session, me, BASE + "/"))
    assert [str(e["UID"]) for e in found] == [f"signup-{s.id}@coprod" for s in keep]
    first, shift = found[0], keep[0].shift
    assert first.decoded("DTSTART") == shift.starts_at
    assert first.decoded("DTSTART").tzinfo is not None
    assert first.decoded("DTSTART").utcoffset() == timedelta(0)
    assert first.decoded("DTEND") == shift.ends_at
    assert str(first["SUMMARY"]) == task.title
    assert str(first["LOCATION"]) == "Market hall"
    assert f"{BASE}/tasks/{task.id}" in str(first["DESCRIPTION"])
    assert "Sort donations." in str(first["DESCRIPTION"])


def test_the_uid_of_a_sign_up_is_stable_and_a_cancelled_one_disappears(session, now):
    me = make_user(session)
    shift = make_shift(session)
    signup = signups.sign_up(session, me, shift, now)
    before = events(calendar.build_feed(session, me, BASE))
    assert [str(e["UID"]) for e in before] == [f"signup-{signup.id}@coprod"]
    assert [str(e["UID"]) for e in events(calendar.build_feed(session, me, BASE))] == [
        f"signup-{signup.id}@coprod"
    ]
    signups.cancel(session, me, signup, now)
    assert events(calendar.build_feed(session, me, BASE)) == []


def test_an_empty_feed_is_still_a_valid_calendar(session):
    cal = Calendar.from_ical(calendar.build_feed(session, make_user(session), BASE))
    assert str(cal["VERSION"]) == "2.0"
    assert events(cal.to_ical()) == []


def test_the_feed_is_found_by_its_token_and_a_reset_link_replaces_it(session, now):
    me = make_user(session)
    old = me.calendar_token
    assert calendar.get_feed_user(session, old) == me
    new = calendar.reset_calendar_token(session, me, now=now)
    assert new != old and len(new) >= 32
    assert calendar.get_feed_user(session, new) == me
    with pytest.raises(NotFound):
        calendar.get_feed_user(session, old)


def test_a_closed_account_has_no_feed(session, now):
    me = make_user(session, deleted_at=now.astimezone(UTC))
    with pytest.raises(NotFound):
        calendar.get_feed_user(session, me.calendar_token)
