"""Planning what to build: every period of a full rebuild, in batches of consecutive periods,
and the periods touched since the last sweep."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    and_,
    func,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql import ColumnElement

from coprod.models import (
    ContributionLog,
    Feedback,
    LogStatus,
    PeriodKind,
    Programme,
    QualificationAward,
    ReportSnapshot,
    Task,
    task_qualification,
)
from coprod.services.contributions.rules import EARLIEST_LOG_DATE
from coprod.services.localtime import programme_zone_sql
from coprod.services.reports.periods import (
    local_todays,
    next_start,
    period_start,
    starts_between,
)

L = ContributionLog
# Longest run of consecutive periods built with one set of queries (bounds memory per batch).
BATCH = 53


@dataclass(frozen=True)
class Batch:
    """Consecutive periods of one programme, built with one set of queries."""

    programme_id: int
    kind: PeriodKind
    starts: tuple[date, ...]
    # The period before the first holds nothing touched since its snapshot was last built
    # (the sweep's first batch of a programme and kind): its stored cumulative outcome totals
    # may start the batch's, where they vouch for themselves (see cumulative.py).
    resumes: bool = False


def _runs(kind: PeriodKind, starts: Iterable[date]) -> Iterator[tuple[date, ...]]:
    """Split sorted period starts into runs of consecutive periods, at most BATCH long."""
    run: list[date] = []
    for start in sorted(set(starts)):
        if run and (start != next_start(kind, run[-1]) or len(run) >= BATCH):
            yield tuple(run)
            run = []
        run.append(start)
    if run:
        yield tuple(run)


def _running(today: date) -> ColumnElement[bool]:
    return and_(
        Programme.starts_on <= today, or_(Programme.ends_on.is_(None), Programme.ends_on >= today)
    )


def plan_rebuild(
    session: Session,
    *,
    now: datetime,
    programme_id: int | None = None,
    kinds: Iterable[PeriodKind] = tuple(PeriodKind),
    since: date | None = None,
) -> list[Batch]:
    """Every period from a programme's first approved log to its last (and to today while it
    runs), optionally only from `since`, split into batches.

    The run of periods starts no earlier than the log-date rule's lower bound: a log stored
    before that rule, dated earlier (year 1), adds only its own periods, planned apart, which
    are built or fail on their own -- never the thousands of empty periods in between."""
    q = select(Programme.id, Programme.starts_on, Programme.ends_on, programme_zone_sql())
    q = q.order_by(Programme.id)
    if programme_id is not None:
        q = q.where(Programme.id == programme_id)
    batches: list[Batch] = []
    for pid, starts_on, ends_on, zone_name in session.execute(q).all():
        today = now.astimezone(ZoneInfo(zone_name)).date()  # the programme's own "today"
        running = starts_on <= today and (ends_on is None or ends_on >= today)
        approved = (L.programme_id == pid, L.status == LogStatus.APPROVED)
        in_range = (*approved, L.date >= EARLIEST_LOG_DATE)
        first = session.scalar(select(func.min(L.date)).where(*in_range))
        last = session.scalar(select(func.max(L.date)).where(*approved))
        stray = list(  # dated before the rule's bound: their periods only
            session.scalars(select(L.date).where(*approved, L.date < EARLIEST_LOG_DATE).distinct())
        )
        first, last = _with_feedback(session, pid, first, last)
        if running:
            first, last = min(first or today, today), max(last or today, today)
        if last is None:
            continue
        for kind in kinds:
            starts: set[date] = set()
            if first is not None:
                lo = max(first, since) if since else first
                starts.update(starts_between(kind, lo, last) if lo <= last else [])
            floor = period_start(kind, since) if since else None
            starts.update(
                s for s in (period_start(kind, d) for d in stray) if floor is None or s >= floor
            )
            batches += [Batch(pid, kind, run) for run in _runs(kind, starts)]
    return batches


def _with_feedback(
    session: Session, programme_id: int, first: date | None, last: date | None
) -> tuple[date | None, date | None]:
    """The run of periods widened to the days the programme's volunteers gave feedback (a
    rating given after its last approved log still has its period)."""
    fb = Feedback
    lo, hi = session.execute(
        select(func.min(fb.date), func.max(fb.date)).where(
            fb.programme_id == programme_id, fb.date >= EARLIEST_LOG_DATE
        )
    ).one()
    if lo is None:
        return first, last
    return min(first or lo, lo), max(last or hi, hi)


def _awards_touched(since: datetime) -> list[Any]:
    """(programme, day) of the awards made or revoked after `since`, for each programme whose
    tasks require or train their qualification: the day awarded, the day it expires, and the
    expiry days of the same person's other awards of it that it keeps valid (it renews them, or
    no longer does once revoked). The awards table has no index on these times: a sweep reads
    it whole, which is small beside the logs."""
    a, other = QualificationAward, aliased(QualificationAward)
    uses = union_all(
        select(Task.programme_id, Task.trains_qualification_id.label("q")).where(
            Task.trains_qualification_id.is_not(None)
        ),
        select(Task.programme_id, task_qualification.c.qualification_id).join(
            Task, Task.id == task_qualification.c.task_id
        ),
    ).subquery("uses")
    moved = or_(a.created_at > since, a.revoked_at > since)

    def days(day: Any, *joins: Any) -> Any:
        q = select(uses.c.programme_id, day).join(a, a.qualification_id == uses.c.q)
        for target, on in joins:
            q = q.join(target, on)
        return q.where(moved, day.is_not(None))

    keeps_valid = and_(
        other.user_id == a.user_id,
        other.qualification_id == a.qualification_id,
        other.id != a.id,
        other.expires_on >= a.awarded_on,
        or_(a.expires_on.is_(None), other.expires_on < a.expires_on),
    )
    return [days(a.awarded_on), days(a.expires_on), days(other.expires_on, (other, keeps_valid))]


def touched_batches(session: Session, since: datetime) -> list[Batch]:
    """Periods holding a log that entered or left the approved set after `since` -- and for a
    correction, also the period of the log it replaces, so moved hours leave the old one --
    periods holding feedback given or hidden after `since` (Feedback.changed_at), and the
    periods whose qualifications awarded or expiring an award made or revoked after `since`
    changes (see _awards_touched)."""
    original = aliased(ContributionLog)
    changed = select(L.programme_id, L.date).where(L.counted_changed_at > since)
    replaced = (
        select(original.programme_id, original.date)
        .join(L, L.corrects_id == original.id)
        .where(L.counted_changed_at > since)
    )
    rated = select(Feedback.programme_id, Feedback.date).where(Feedback.changed_at > since)
    per: dict[tuple[int, PeriodKind], set[date]] = defaultdict(set)
    awards = _awards_touched(since)
    for pid, day in session.execute(changed.union(replaced, rated, *awards)):
        for kind in PeriodKind:
            per[(pid, kind)].add(period_start(kind, day))
    return [
        Batch(pid, kind, run) for (pid, kind), starts in per.items() for run in _runs(kind, starts)
    ]


def missing_current_batches(session: Session, *, now: datetime) -> list[Batch]:
    """The current period (in the programme's own time zone) of each running programme that
    has no snapshot yet."""
    out = []
    for today, in_zone in local_todays(session, now):
        for kind in PeriodKind:
            start = period_start(kind, today)
            have = select(ReportSnapshot.programme_id).where(
                ReportSnapshot.period == kind, ReportSnapshot.start == start
            )
            q = select(Programme.id).where(_running(today), in_zone, Programme.id.not_in(have))
            out += [Batch(pid, kind, (start,)) for pid in session.scalars(q)]
    return out


def sweep_batches(session: Session, since: datetime, *, now: datetime) -> list[Batch]:
    """What a sweep rebuilds so that its snapshots are exactly a full rebuild's: each period
    touched since `since` (touched_batches) and, in each programme and kind of period, every
    period from the earliest touched one to the programme's last (plan_rebuild). A change
    reaches the periods after its own -- the next period's "previous" figures, cumulative
    outcomes, partners' figures to date, and who is new where a person's first log moved --
    but never those before it, so nothing earlier is rebuilt, and the first batch of each
    programme and kind may start its cumulative outcomes from the untouched period before it
    (Batch.resumes)."""
    per: dict[tuple[int, PeriodKind], set[date]] = defaultdict(set)
    for batch in touched_batches(session, since):
        per[(batch.programme_id, batch.kind)].update(batch.starts)
    for (pid, kind), starts in list(per.items()):
        later = plan_rebuild(session, now=now, programme_id=pid, kinds=[kind], since=min(starts))
        for batch in later:
            starts.update(batch.starts)
    # Only the first run starts after an untouched period; the others, after one rebuilt here.
    return [
        Batch(pid, kind, run, resumes=n == 0)
        for (pid, kind), starts in sorted(per.items())
        for n, run in enumerate(_runs(kind, starts))
    ]
