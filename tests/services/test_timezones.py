"""Local time: shifts are UTC instants shown and entered in the programme's zone; a weekly
series keeps its wall-clock time across clock changes; "today" is the programme's date."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from coprod.errors import Invalid
from coprod.models import OrgKind, OutboxMessage, PeriodKind, Role
from coprod.services import (
    calendar,
    localtime,
    notifications,
    organisations,
    programmes,
    reports,
    shifts,
)
from coprod.services import contributions as logs
from coprod.services.reports.building import missing_current_batches
from tests.factories import (
    make_member,
    make_org,
    make_programme,
    make_shift,
    make_signup,
    make_task,
    make_user,
)

LONDON, NEW_YORK, AUCKLAND = "Europe/London", "America/New_York", "Pacific/Auckland"
# Clocks change in 2026: London 29 March and 25 October; New York 8 March and 1 November.
EARLY = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)


@pytest.fixture
def place(session):
    """place(zone) -> (programme, staff member, task) of an agency in that zone."""

    def make(zone: str, **programme_fields):
        agency = make_org(session, OrgKind.AGENCY, timezone=zone)
        staff = make_member(session, agency, Role.STAFF)
        programme = make_programme(session, agency, **programme_fields)
        return programme, staff, make_task(session, programme)

    return make


def _weekly(session, staff, task, first_day: date, until: date, at: time = time(9)):
    tz = localtime.task_zone(task)
    first = localtime.from_local(first_day, at, tz)
    return shifts.add_weekly_shifts(
        session,
        staff,
        task,
        first_starts_at=first,
        duration=timedelta(hours=3),
        until=until,
        capacity=4,
        now=EARLY,
    )


def _local(shift, zone: str) -> str:
    return shift.starts_at.astimezone(ZoneInfo(zone)).strftime("%a %d %b %H:%M %Z")


# --- zones of organisations and programmes ------------------------------------------------


def test_a_new_organisation_gets_the_default_time_zone_or_the_one_given(session):
    me = make_user(session)
    plain = organisations.create_organisation(session, me, "Plain Org", "nonprofit")
    nyc = organisations.create_organisation(session, me, "NYC Org", "nonprofit", timezone=NEW_YORK)
    assert plain.timezone == localtime.default_zone_name() == "Europe/London"
    assert nyc.timezone == NEW_YORK


BAD_ZONES = ["Mars/Olympus", "europe/london", "GMT+5", "x" * 80, "../../etc/passwd"]


@pytest.mark.parametrize("bad", BAD_ZONES)
def test_a_time_zone_that_is_not_an_iana_name_is_refused_with_a_field_message(session, bad):
    me = make_user(session)
    with pytest.raises(Invalid) as err:
        organisations.create_organisation(session, me, "Zoned", "nonprofit", timezone=bad)
    assert "IANA" in err.value.errors["timezone"][0]


def test_a_programme_takes_its_lead_agencys_zone_unless_it_sets_its_own(session, place):
    programme, staff, _task = place(NEW_YORK)
    assert localtime.programme_zone_name(programme) == NEW_YORK
    programmes.update_programme(session, staff, programme, timezone=AUCKLAND)
    assert localtime.programme_zone_name(programme) == AUCKLAND
    programmes.update_programme(session, staff, programme, timezone="")
    assert programme.timezone is None
    assert localtime.programme_zone_name(programme) == NEW_YORK
    with pytest.raises(Invalid) as err:
        programmes.update_programme(session, staff, programme, timezone="Atlantis/Capital")
    assert "timezone" in err.value.errors


def test_an_admin_changes_the_organisations_zone_and_others_may_not(session):
    org = make_org(session)
    admin, member = make_member(session, org, Role.ADMIN), make_member(session, org)
    organisations.set_organisation_timezone(session, admin, org, AUCKLAND)
    assert org.timezone == AUCKLAND
    with pytest.raises(Exception) as err:
        organisations.set_organisation_timezone(session, member, org, LONDON)
    assert type(err.value).__name__ in {"NotAllowed", "NotFound"}
    assert org.timezone == AUCKLAND


# --- weekly series across clock changes ---------------------------------------------------


def test_a_london_saturday_series_stays_at_nine_local_across_the_end_of_march(
    session, place
) -> None:
    _programme, staff, task = place(LONDON)
    made = _weekly(session, staff, task, date(2026, 3, 21), date(2026, 4, 11))
    assert [_local(s, LONDON) for s in made] == [
        "Sat 21 Mar 09:00 GMT",
        "Sat 28 Mar 09:00 GMT",
        "Sat 04 Apr 09:00 BST",
        "Sat 11 Apr 09:00 BST",
    ]
    assert [s.starts_at.astimezone(UTC).hour for s in made] == [9, 9, 8, 8]
    assert all(s.ends_at - s.starts_at == timedelta(hours=3) for s in made)


def test_a_london_series_across_the_end_of_october_moves_its_utc_instant_back(session, place):
    _programme, staff, task = place(LONDON)
    made = _weekly(session, staff, task, date(2026, 10, 17), date(2026, 10, 31))
    assert [_local(s, LONDON)[-9:] for s in made] == ["09:00 BST", "09:00 BST", "09:00 GMT"]
    assert [s.starts_at.astimezone(UTC).hour for s in made] == [8, 8, 9]


@pytest.mark.parametrize(
    ("first", "until", "utc_hours", "zones"),
    [
        (date(2026, 2, 28), date(2026, 3, 14), [14, 14, 13], ["EST", "EST", "EDT"]),
        (date(2026, 10, 24), date(2026, 11, 7), [13, 13, 14], ["EDT", "EDT", "EST"]),
    ],
)
def test_a_new_york_series_keeps_nine_local_in_march_and_november(
    session, place, first, until, utc_hours, zones
):
    _programme, staff, task = place(NEW_YORK)
    made = _weekly(session, staff, task, first, until)
    assert [_local(s, NEW_YORK)[-9:-4] for s in made] == ["09:00"] * 3
    assert [_local(s, NEW_YORK)[-3:] for s in made] == zones
    assert [s.starts_at.astimezone(UTC).hour for s in made] == utc_hours


def test_a_time_the_clocks_skip_is_refused_with_a_field_message_and_nothing_is_added(
    session, place
):
    _programme, staff, task = place(LONDON)
    with pytest.raises(Invalid) as err:
        localtime.from_local(date(2026, 3, 29), time(1, 30), ZoneInfo(LONDON))
    assert "does not exist" in err.value.errors["starts_at"][0]
    # A Sunday 01:30 series is fine on 22 March, but its next week falls in the gap.
    with pytest.raises(Invalid) as err:
        _weekly(session, staff, task, date(2026, 3, 22), date(2026, 4, 5), at=time(1, 30))
    assert "29 March 2026" in err.value.errors["starts_at"][0]
    assert task.shifts == []


def test_a_time_that_happens_twice_is_its_first_occurrence_on_summer_time():
    instant = localtime.from_local(date(2026, 10, 25), time(1, 30), ZoneInfo(LONDON))
    assert instant == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert localtime.format_instant(instant, ZoneInfo(LONDON)) == "Sun 25 Oct 2026, 01:30 BST"


# --- showing times ------------------------------------------------------------------------


def test_a_shift_is_described_in_local_time_with_the_zone_abbreviation(session, place):
    _programme, _staff, task = place(LONDON)
    winter = make_shift(session, task, starts_at=datetime(2026, 3, 28, 9, tzinfo=UTC))
    summer = make_shift(session, task, starts_at=datetime(2026, 4, 4, 8, tzinfo=UTC))
    assert localtime.describe_shift(winter, year=False) == "Sat 28 Mar, 09:00\u201312:00 GMT"
    assert localtime.describe_shift(summer, year=False) == "Sat 4 Apr, 09:00\u201312:00 BST"


def test_a_shift_across_midnight_or_a_clock_change_names_both_ends(session, place):
    _programme, _staff, task = place(LONDON)
    night = make_shift(session, task, starts_at=datetime(2026, 3, 29, 0, tzinfo=UTC), hours=2)
    late = make_shift(session, task, starts_at=datetime(2026, 6, 1, 21, tzinfo=UTC), hours=4)
    assert localtime.describe_shift(night) == "Sun 29 Mar 2026, 00:00 GMT \u2013 03:00 BST"
    assert localtime.describe_shift(late) == (
        "Mon 1 Jun 2026, 22:00 BST \u2013 Tue 2 Jun 2026, 02:00 BST"
    )


def test_a_reminder_email_says_the_local_time_with_its_abbreviation(session, place):
    _programme, _staff, task = place(LONDON)
    shift = make_shift(session, task, starts_at=datetime(2026, 4, 4, 8, tzinfo=UTC))
    signup = make_signup(session, shift)
    message = notifications.reminder(session, signup, now=datetime(2026, 4, 3, 9, tzinfo=UTC))
    assert isinstance(message, OutboxMessage)
    assert "Sat 4 Apr 2026, 09:00\u201312:00 BST" in message.subject
    assert "09:00\u201312:00 BST" in message.body_text
    assert "09:00\u201312:00 BST" in message.body_html
    assert "UTC" not in message.body_text


def test_the_calendar_feed_gives_the_right_utc_instants(session, place):
    _programme, _staff, task = place(NEW_YORK)
    shift = make_shift(session, task, starts_at=datetime(2026, 11, 7, 14, tzinfo=UTC))
    signup = make_signup(session, shift)
    feed = calendar.build_feed(session, signup.volunteer, "https://coprod.example").decode()
    # 09:00-12:00 in New York on 7 November 2026 (EST, UTC-5).
    assert "DTSTART:20261107T140000Z" in feed
    assert "DTEND:20261107T170000Z" in feed


# --- "today" is the programme's date ------------------------------------------------------

# 20:30 UTC on 14 June is 08:30 on 15 June in Auckland (NZST, UTC+12) and 21:30 in London.
AUCKLAND_MORNING = datetime(2026, 6, 14, 20, 30, tzinfo=UTC)


def test_an_auckland_volunteer_logs_todays_local_date_while_utc_is_still_yesterday(session, place):
    _programme, _staff, task = place(AUCKLAND)
    me = make_user(session)
    log = logs.submit_log(
        session, me, task, on=date(2026, 6, 15), hours=Decimal("2"), now=AUCKLAND_MORNING
    )
    assert log.date == date(2026, 6, 15)
    with pytest.raises(Invalid) as err:
        logs.submit_log(
            session, me, task, on=date(2026, 6, 16), hours=Decimal("1"), now=AUCKLAND_MORNING
        )
    assert "today is 15 June 2026 in Pacific/Auckland" in err.value.errors["date"][0]


def test_the_same_instant_is_still_the_14th_for_a_london_programme(session, place):
    _programme, _staff, task = place(LONDON)
    with pytest.raises(Invalid) as err:
        logs.submit_log(
            session,
            make_user(session),
            task,
            on=date(2026, 6, 15),
            hours=Decimal("2"),
            now=AUCKLAND_MORNING,
        )
    assert "in the future" in err.value.errors["date"][0]


def test_at_most_24_hours_count_on_the_programmes_local_day(session, place):
    _programme, _staff, task = place(AUCKLAND)
    me = make_user(session)
    logs.submit_log(
        session, me, task, on=date(2026, 6, 15), hours=Decimal("20"), now=AUCKLAND_MORNING
    )
    with pytest.raises(Invalid) as err:
        logs.submit_log(
            session, me, task, on=date(2026, 6, 15), hours=Decimal("5"), now=AUCKLAND_MORNING
        )
    assert "15 June 2026" in err.value.errors["hours"][0]


@pytest.mark.parametrize(
    ("day", "ok"),
    [
        (date(1, 1, 1), False),
        (date(1999, 12, 31), False),
        (date(2000, 1, 1), True),
        (date(2026, 6, 15), True),
        (date(2026, 6, 16), False),
        (date(9999, 12, 31), False),
    ],
)
def test_one_rule_decides_a_logs_date_from_2000_to_the_programmes_today(session, place, day, ok):
    programme, _staff, _task = place(AUCKLAND)
    if ok:
        assert logs.check_log_date(day, programme, AUCKLAND_MORNING) == day
    else:
        with pytest.raises(Invalid) as err:
            logs.check_log_date(day, programme, AUCKLAND_MORNING)
        assert err.value.errors["date"]


def test_year_one_is_refused_with_a_message_that_names_the_earliest_date(session, place):
    _programme, _staff, task = place(LONDON)
    with pytest.raises(Invalid) as err:
        logs.submit_log(
            session, make_user(session), task, on=date(1, 1, 1), hours=Decimal("1"), now=EARLY
        )
    assert err.value.errors["date"] == [
        "The date must be on or after 1 January 2000: check the year you typed."
    ]


def test_the_current_report_period_is_the_programmes_local_month(session, place):
    # 12:30 UTC on 30 June is 00:30 on 1 July in Auckland, still June in London.
    now = datetime(2026, 6, 30, 12, 30, tzinfo=UTC)
    auckland, _s1, _t1 = place(AUCKLAND)
    london, staff, _t2 = place(LONDON)
    page = reports.get_report(session, staff, london.id, period="month", start=None, now=now)
    # It opens on the last complete month of London's calendar; June is still in progress.
    assert (page.start, page.current) == (date(2026, 5, 1), date(2026, 6, 1))
    kiwi = reports.get_report(session, _s1, auckland.id, period="month", start=None, now=now)
    assert (kiwi.start, kiwi.current) == (date(2026, 6, 1), date(2026, 7, 1))
    batches = {
        (b.programme_id, b.kind): b.starts for b in missing_current_batches(session, now=now)
    }
    assert batches[(auckland.id, PeriodKind.MONTH)] == (date(2026, 7, 1),)
    assert batches[(london.id, PeriodKind.MONTH)] == (date(2026, 6, 1),)
    assert batches[(auckland.id, PeriodKind.QUARTER)] == (date(2026, 7, 1),)
    assert batches[(london.id, PeriodKind.QUARTER)] == (date(2026, 4, 1),)


def test_the_task_list_date_filter_takes_each_programmes_local_date(session, place):
    from coprod.models import TaskStatus
    from coprod.services import tasks

    _p1, _s1, kiwi = place(AUCKLAND)
    _p2, _s2, pom = place(LONDON)
    for task in (kiwi, pom):
        task.status = TaskStatus.OPEN
    # Both start on 15 June locally: 08:30 NZST and 00:30 BST, while UTC says the 14th.
    make_shift(session, kiwi, starts_at=datetime(2026, 6, 14, 20, 30, tzinfo=UTC))
    make_shift(session, pom, starts_at=datetime(2026, 6, 14, 23, 30, tzinfo=UTC))

    def titles(day: date) -> set[str]:
        page = tasks.list_tasks(session, None, date_from=day, date_to=day, now=EARLY)
        return {row.task.title for row in page.items}

    assert titles(date(2026, 6, 15)) == {kiwi.title, pom.title}
    assert titles(date(2026, 6, 14)) == set()
