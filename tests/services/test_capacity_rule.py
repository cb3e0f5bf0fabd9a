"""The capacity rule itself: who holds which qualification on which day (the doors that apply
it — signing up, assigning, promotion — are tested with them)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from coprod.errors import Invalid
from coprod.services import capacity
from tests.conftest import NOW
from tests.factories import make_award, make_qualification, make_shift, make_task, make_user


def test_add_months_keeps_the_day_or_the_months_last_day() -> None:
    assert capacity.add_months(date(2026, 1, 15), 12) == date(2027, 1, 15)
    assert capacity.add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert capacity.add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert capacity.add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)


def test_a_qualification_counts_from_its_award_until_the_day_before_it_expires(session) -> None:
    person = make_user(session)
    q = make_qualification(session)
    award = make_award(
        session, person, q, awarded_on=date(2026, 1, 10), expires_on=date(2026, 7, 1)
    )
    assert not award.valid_on(date(2026, 1, 9))
    assert award.valid_on(date(2026, 1, 10))
    assert award.valid_on(date(2026, 6, 30))
    assert not award.valid_on(date(2026, 7, 1))
    for day, held in [
        (date(2026, 1, 9), False),
        (date(2026, 6, 30), True),
        (date(2026, 7, 1), False),
    ]:
        assert (q.id in capacity.held_on(session, person.id, [q.id], day)) is held


def test_a_revoked_award_counts_nowhere(session) -> None:
    person = make_user(session)
    q = make_qualification(session)
    make_award(session, person, q, revoked_at=NOW)
    assert capacity.held_on(session, person.id, [q.id], NOW.date()) == set()


def test_the_refusal_names_the_qualification_why_and_how_to_get_it(session) -> None:
    person = make_user(session)
    task = make_task(session)
    q = make_qualification(
        session, required_by=task, name="Food hygiene", how_to_get="Come to our course."
    )
    shift = make_shift(session, task, starts_at=NOW + timedelta(days=10))
    day = capacity.shift_day(shift)
    make_award(
        session, person, q, awarded_on=day - timedelta(days=400), expires_on=day - timedelta(days=1)
    )
    with pytest.raises(Invalid) as refused:
        capacity.require_qualified(session, person, shift, yourself=True)
    message = refused.value.errors["qualification"][0]
    assert "“Food hygiene”" in message
    assert "no longer valid" in message
    assert "Come to our course." in message
    # The same award still counts for a shift before it expires.
    earlier = make_shift(session, task, starts_at=NOW + timedelta(days=1))
    assert capacity.shift_day(earlier) < day - timedelta(days=1)
    capacity.require_qualified(session, person, earlier, yourself=True)


def test_skill_tags_are_normalised_once_each(session) -> None:
    assert capacity.parse_tags(" Cooking,first   AID, cooking ,,") == ["cooking", "first aid"]
    with pytest.raises(Invalid):
        capacity.parse_tags("x" * 41)
