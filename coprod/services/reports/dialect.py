"""What the report queries write differently for PostgreSQL and SQLite, and nothing else: the
period a date falls in, an exact sum of hours in cents, grouping one pass two ways, and an
insert that skips rows already there."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import (
    BigInteger,
    Date,
    Integer,
    Table,
    cast,
    false,
    func,
    literal_column,
    select,
    true,
    tuple_,
    type_coerce,
    union_all,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement, CompoundSelect, Select

from coprod.db import is_postgres as is_postgres  # where the report queries read it
from coprod.models import PeriodKind


def bucket(pg: bool, kind: PeriodKind, col: Any) -> ColumnElement[date]:
    """SQL for the start of the period containing the date column (literals, so GROUP BY
    matches the selected expression on PostgreSQL)."""
    if pg:
        # Date arithmetic on date_part() costs less per row than date_trunc() on a timestamp.
        def part(name: str) -> ColumnElement[int]:
            return cast(func.date_part(literal_column(f"'{name}'"), col), Integer)

        one, three = literal_column("1", Integer), literal_column("3", Integer)
        if kind == PeriodKind.WEEK:
            return type_coerce(col - (part("isodow") - one), Date)
        if kind == PeriodKind.MONTH:
            return type_coerce(col - (part("day") - one), Date)
        first_month = (part("month") - one) // three * three + one
        return type_coerce(func.make_date(part("year"), first_month, one), Date)
    if kind == PeriodKind.WEEK:
        expr = func.date(col, literal_column("'-6 days'"), literal_column("'weekday 1'"))
    elif kind == PeriodKind.MONTH:
        expr = func.date(col, literal_column("'start of month'"))
    else:
        month = cast(func.strftime(literal_column("'%m'"), col), Integer)
        back = func.printf(literal_column("'-%d months'"), (month - 1) % 3)
        expr = func.date(col, literal_column("'start of month'"), back)
    return type_coerce(expr, Date)


def cents(total: Any) -> ColumnElement[int]:
    """A group's sum (exact numeric on PostgreSQL) as integer cents: one cast per group."""
    return cast(func.round(total * 100), BigInteger)


def sum_cents(pg: bool, hours: Any) -> ColumnElement[int]:
    """The exact sum of a group's hours (numeric(5, 2)) in integer cents. PostgreSQL: each
    hour times 100 is an exact int, and an int8 sum of those costs less per row than a numeric
    sum. SQLite sums its floats and rounds the group's sum to cents (the float error of a sum
    of two-decimal values is orders of magnitude below half a cent)."""
    if pg:
        return func.sum(cast(hours * literal_column("100"), Integer))
    return cents(func.sum(hours))


Measures = Callable[[Any], Sequence[ColumnElement[Any]]]


def grouped_two_ways(
    pg: bool, rows: Select[Any], name: str, period: str, first: str, second: str, measures: Measures
) -> Select[Any] | CompoundSelect[Any]:
    """`rows` grouped by (period, first) and by (period, second) in one statement, as
    (by_second, period, key, *measures(columns)): `by_second` is false for the rows grouped by
    `first`, whose key is its value, and true for those grouped by `second`. PostgreSQL reads
    `rows` once with GROUPING SETS; SQLite, which has none, materialises them once in a CTE
    and groups that twice."""
    if pg:
        c = rows.subquery(name).c
        by_second = func.grouping(c[first]) == 1  # first grouped away
        return select(
            by_second.label("by_second"),
            c[period],
            func.coalesce(c[first], c[second]).label("key"),  # the other is grouped away
            *measures(c),
        ).group_by(func.grouping_sets(tuple_(c[period], c[first]), tuple_(c[period], c[second])))
    c = rows.cte(name).c
    return union_all(
        select(false().label("by_second"), c[period], c[first].label("key"), *measures(c)).group_by(
            c[period], c[first]
        ),
        select(true(), c[period], c[second], *measures(c)).group_by(c[period], c[second]),
    )


def insert_skipping_existing(session: Session, table: Table) -> Any:
    """INSERT ... ON CONFLICT DO NOTHING into the table, in the session's dialect."""
    insert = pg_insert if is_postgres(session) else sqlite_insert
    return insert(table).on_conflict_do_nothing()
