"""Keyset windows: every row once, in order, forwards and backwards, whatever the cursor."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from coprod.errors import Invalid
from coprod.models import Task
from coprod.services.keyset import (
    Count,
    Key,
    capped_count,
    decode,
    encode,
    segmented_window,
    window,
)
from tests.factories import make_programme, make_task

START = datetime(2026, 1, 1, 9, tzinfo=UTC)


@pytest.fixture
def tasks(session):
    programme = make_programme(session)
    made = []
    for i in range(23):
        # Three tasks share each creation time: the id breaks the ties.
        made.append(
            make_task(
                session,
                programme,
                title=f"Task {i:02d}",
                created_at=START + timedelta(hours=i // 3),
            )
        )
    session.flush()
    return select(Task).where(Task.programme_id == programme.id), made


NEWEST = [Key(Task.created_at, datetime, descending=True), Key(Task.id, int, descending=True)]
MIXED = [Key(Task.created_at, datetime, descending=True), Key(Task.id, int)]
TITLE = [Key(Task.title, str), Key(Task.id, int)]


def _walk(session, stmt, keys, per_page):
    seen, cursor, windows = [], None, 0
    while True:
        w = window(session, stmt, keys, after=cursor, per_page=per_page)
        seen.extend(w.items)
        windows += 1
        assert w.first == (cursor is None)
        if w.next is None:
            return seen, windows
        cursor = w.next


def _expected(made, keys):
    rows = list(made)
    for k in reversed(keys):  # stable sorts, last key first
        rows.sort(key=lambda t, k=k: getattr(t, k.column.key), reverse=k.descending)
    return rows


@pytest.mark.parametrize("keys", [NEWEST, MIXED, TITLE], ids=["newest", "mixed", "title"])
@pytest.mark.parametrize("per_page", [1, 5, 23, 50])
def test_walking_forwards_visits_every_row_once_in_order(session, tasks, keys, per_page):
    stmt, made = tasks
    seen, windows = _walk(session, stmt, keys, per_page)
    assert [t.id for t in seen] == [t.id for t in _expected(made, keys)]
    assert windows == max(1, -(-23 // per_page))


@pytest.mark.parametrize("keys", [NEWEST, MIXED], ids=["newest", "mixed"])
def test_walking_backwards_from_the_end_gives_the_same_windows(session, tasks, keys):
    stmt, _ = tasks
    forwards, cursor = [], None
    while True:
        w = window(session, stmt, keys, after=cursor, per_page=5)
        forwards.append([t.id for t in w.items])
        if w.next is None:
            break
        cursor = w.next
    last = w
    backwards = [[t.id for t in last.items]]
    cursor = last.prev
    while cursor is not None:
        w = window(session, stmt, keys, before=cursor, per_page=5)
        backwards.append([t.id for t in w.items])
        assert w.next is not None  # a window reached going back always has one after it
        cursor = w.prev
    assert w.first
    # Backwards windows are cut from the end, so they hold the same rows in the same order.
    assert [i for chunk in reversed(backwards) for i in chunk] == [i for c in forwards for i in c]


def test_an_empty_list_is_one_first_window(session):
    programme = make_programme(session)
    w = window(session, select(Task).where(Task.programme_id == programme.id), NEWEST)
    assert (w.items, w.next, w.prev, w.first) == ([], None, None, True)


def test_a_cursor_past_the_end_gives_an_empty_window_that_is_not_the_first(session, tasks):
    stmt, made = tasks
    oldest = min(made, key=lambda t: (t.created_at, t.id))
    w = window(session, stmt, NEWEST, after=encode([oldest.created_at, oldest.id]))
    assert w.items == [] and not w.first and w.next is None


@pytest.mark.parametrize(
    "cursor",
    [
        "not base64!",
        "x" * 500,
        encode([1]),  # too few keys
        encode([1, 2]),  # an int where a datetime belongs
        encode(["2026-01-01T00:00:00", 2])[:-3],  # cut short
        encode([START, "2"]),  # a str where an int belongs
    ],
)
def test_a_cursor_that_does_not_fit_is_an_error_on_the_field(session, tasks, cursor):
    stmt, _ = tasks
    with pytest.raises(Invalid) as raised:
        window(session, stmt, NEWEST, after=cursor)
    assert list(raised.value.errors) == ["after"]


def test_an_int_beyond_a_bigint_is_refused_before_the_database():
    with pytest.raises(Invalid):
        decode(encode([2**70]), [Key(Task.id, int)], "after")


def test_cursors_round_trip_every_kind():
    values = [START, START.date(), Decimal("12.50"), "Ana", 7, True]
    keys = [
        Key(Task.created_at, datetime),
        Key(Task.created_at, type(START.date())),
        Key(Task.id, Decimal),
        Key(Task.title, str),
        Key(Task.id, int),
        Key(Task.ongoing, bool),
    ]
    assert decode(encode(values), keys, "after") == tuple(values)


def test_both_directions_at_once_is_an_error(session, tasks):
    stmt, made = tasks
    c = encode([made[0].created_at, made[0].id])
    with pytest.raises(Invalid) as raised:
        window(session, stmt, NEWEST, after=c, before=c)
    assert list(raised.value.errors) == ["before"]


@pytest.mark.parametrize(("cap", "n", "more"), [(100, 23, False), (23, 23, False), (10, 10, True)])
def test_counts_stop_at_the_cap(session, tasks, cap, n, more):
    stmt, _ = tasks
    assert capped_count(session, stmt, cap=cap) == Count(n, more)


ASC = [Key(Task.created_at, datetime), Key(Task.id, int)]


@pytest.mark.parametrize("per_page", [1, 4, 7, 30])
def test_a_segmented_window_walks_each_segment_in_turn_both_ways(session, tasks, per_page):
    """Segments are read one after the other (the first's rows, then the next's), each in the
    keys' order; a None segment has no rows; walking back from the end gives the same rows."""
    stmt, made = tasks
    odd = stmt.where(Task.id % 2 == 1)
    even = stmt.where(Task.id % 2 == 0)
    segments = [even, None, odd]
    expected = [t for t in made if t.id % 2 == 0] + [t for t in made if t.id % 2 == 1]
    seen, after, last = [], None, None
    while True:
        w = segmented_window(session, segments, ASC, after=after, per_page=per_page)
        assert all(n in (0, 2) for n, _ in w.items)
        seen += [t for _n, t in w.items]
        last = w
        if w.next is None:
            break
        after = w.next
    assert seen == expected
    back, before = [], last.prev
    while before:
        w = segmented_window(session, segments, ASC, before=before, per_page=per_page)
        back = [t for _n, t in w.items] + back
        before = w.prev
    assert back + [t for _n, t in last.items] == expected


def test_a_segmented_cursor_for_no_such_segment_is_an_error_on_the_field(session, tasks):
    stmt, _made = tasks
    with pytest.raises(Invalid) as err:
        segmented_window(session, [stmt], ASC, after=encode((3, START, 1)))
    assert list(err.value.errors) == ["after"]
