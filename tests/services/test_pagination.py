"""Pages of a list: totals are right whether or not the COUNT query is needed."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from coprod.models import Task
from coprod.services.pagination import paginate
from tests.factories import make_programme, make_task


@pytest.fixture
def programme_with(session):
    def make(n: int):
        programme = make_programme(session)
        for i in range(n):
            make_task(session, programme, title=f"Task {i:02d}")
        stmt = select(Task).where(Task.programme_id == programme.id).order_by(Task.title)
        return stmt

    return make


@pytest.mark.parametrize(
    ("rows", "page", "items", "total", "pages", "statements"),
    [
        (0, 1, 0, 0, 1, 1),  # an empty list: the page says so, no COUNT
        (7, 1, 7, 7, 1, 1),  # fewer rows than a page: no COUNT
        (25, 3, 5, 25, 3, 1),  # the last, partial page: the rows end here
        (25, 1, 10, 25, 3, 2),  # a full page: counted
        (20, 2, 10, 20, 2, 2),  # a full last page: counted (more might follow)
        (25, 9, 0, 25, 3, 2),  # past the end: counted, so the pager can lead back
    ],
)
def test_totals_and_statements(
    session, programme_with, count_queries, rows, page, items, total, pages, statements
):
    stmt = programme_with(rows)
    count_queries.count = 0
    result = paginate(session, stmt, page, 10)
    assert (len(result.items), result.total, result.pages) == (items, total, pages)
    assert count_queries.count == statements
    if items:
        assert result.items[0].title == f"Task {(page - 1) * 10:02d}"
