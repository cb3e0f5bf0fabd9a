"""Generate a consistent coprod world at a realistic size, fast (bulk inserts; COPY on PostgreSQL).

    PYTHONPATH=. .venv/bin/python -m bench.generate --size medium \
        --url postgresql://postgres@127.0.0.1:5432/coprod_bench

Sizes: small (100 tasks, 1,000 shifts, 10,000 sign-ups, 10,000 logs), medium (1,000 tasks,
10,000 shifts, 100,000 sign-ups, 100,000 logs), large (ten times medium's tasks, shifts,
sign-ups, logs and people in medium's 10 programmes) and medium10 (ten times medium in every
dimension, programmes and nonprofits included: 100 programmes, 200 nonprofits).

The world keeps the product's rules, so the app behaves on it as it would on real data:
- every shift's `confirmed` equals its seated sign-ups (confirmed / attended / no-show), never
  above capacity, and a shift has waitlisted people only when it is full;
- nobody holds two overlapping shifts: shifts start in one of four daily slots, three hours
  apart and 2.5 h long, and the people of one slot are dealt out without repetition;
- at most one log per person per day (1 to 8 hours, so at most 24 h a person a day), never in
  the future; approved logs carry their reviewer and `counted_changed_at`.

Every account's password is `bench-password-2026`. Named accounts: `staff@bench.coprod.org`
(staff and reviewer of the first agency, which leads half the programmes), `reviewer@…`
(reviewer there), `coordinator@…` (coordinator of the first nonprofit) and volunteers
`v<N>@bench.coprod.org` (N from 0).

`build(conn, sizes, now=…)` is also what the query-count tests in tests/perf/ call, on their own
connection, with tiny sizes.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, select, text
from sqlalchemy.orm import Session

from coprod.db import Base, make_engine

PASSWORD = "bench-password-2026"  # noqa: S105 - the benchmark world's published password
DOMAIN = "bench.coprod.org"
SLOTS = (8, 11, 14, 17)  # shift start hours (UTC); 2.5 h long, so slots never overlap
SHIFT_LENGTH = timedelta(hours=2, minutes=30)
DAYS = 365  # shifts from half a year ago to half a year ahead; logs over the past year
WORDS = [
    *("litter", "pick-up", "food", "bank", "sorting", "tree", "planting", "library", "reading"),
    *("help", "park", "ranger", "walk", "community", "garden", "river", "clean-up", "meal"),
    *("delivery", "youth", "football", "coaching", "digital", "skills", "drop-in", "warm"),
    *("space", "welcome", "desk", "bike", "repair", "caf\u00e9", "school", "crossing", "shop"),
]
PLACES = ("Riverside Park", "Central Library", "Market Hall", "North Estate", "Harbour Quay")


@dataclass(frozen=True)
class Sizes:
    tasks: int
    shifts_per_task: int
    signups_per_shift: int
    logs: int
    users: int
    programmes: int = 10
    nonprofits: int = 20

    @property
    def shifts(self) -> int:
        return self.tasks * self.shifts_per_task

    @property
    def signups(self) -> int:
        return self.shifts * self.signups_per_shift


SIZES = {
    "small": Sizes(tasks=100, shifts_per_task=10, signups_per_shift=10, logs=10_000, users=500),
    "medium": Sizes(
        tasks=1_000, shifts_per_task=10, signups_per_shift=10, logs=100_000, users=5_000
    ),
    "large": Sizes(
        tasks=10_000, shifts_per_task=10, signups_per_shift=10, logs=1_000_000, users=50_000
    ),
    # medium x10 in every dimension that grows: also the programmes and nonprofits (large keeps
    # medium's 10 and 20, so its programmes are ten times fuller).
    "medium10": Sizes(
        tasks=10_000,
        shifts_per_task=10,
        signups_per_shift=10,
        logs=1_000_000,
        users=50_000,
        programmes=100,
        nonprofits=200,
    ),
}


class Progress:
    """A one-line progress bar on stderr (quiet when `enabled` is false, e.g. in tests)."""

    def __init__(self, label: str, total: int, enabled: bool) -> None:
        self.label, self.total, self.enabled = label, max(total, 1), enabled
        self.done = 0
        self.started = time.perf_counter()

    def add(self, n: int) -> None:
        self.done += n
        if not self.enabled:
            return
        filled = 30 * self.done // self.total
        rate = self.done / max(time.perf_counter() - self.started, 1e-6)
        sys.stderr.write(
            f"\r{self.label:<17} [{'#' * filled}{'.' * (30 - filled)}] "
            f"{self.done:>9,}/{self.total:,}  {rate:,.0f} rows/s"
        )
        if self.done >= self.total:
            sys.stderr.write("\n")
        sys.stderr.flush()


class Writer:
    """Writes rows into a table: COPY on PostgreSQL (psycopg 3), batched executemany elsewhere."""

    def __init__(self, conn: Connection, quiet: bool = False) -> None:
        self.conn = conn
        self.quiet = quiet
        self.pg = conn.dialect.name == "postgresql"

    def next_id(self, table: str) -> int:
        tbl = Base.metadata.tables[table]
        return int(self.conn.scalar(select(func.coalesce(func.max(tbl.c.id), 0))) or 0) + 1

    def write(self, table: str, cols: Sequence[str], rows: Iterable[tuple[Any, ...]], total: int):
        bar = Progress(table, total, enabled=not self.quiet)
        chunk = 10_000
        if self.pg:
            cur = self.conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
            quoted = ", ".join(f'"{c}"' for c in cols)
            with cur.copy(f'COPY "{table}" ({quoted}) FROM STDIN') as copy:
                n = 0
                for row in rows:
                    copy.write_row(row)
                    n += 1
                    if n % chunk == 0:
                        bar.add(chunk)
                bar.add(n % chunk)
            cur.close()
            if "id" in cols:
                self.conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                        f'(SELECT coalesce(max(id), 1) FROM "{table}"))'
                    )
                )
            return
        tbl = Base.metadata.tables[table]
        batch: list[dict[str, Any]] = []
        for row in rows:
            batch.append(dict(zip(cols, row, strict=True)))
            if len(batch) == chunk:
                self.conn.execute(insert(tbl), batch)
                bar.add(len(batch))
                batch = []
        if batch:
            self.conn.execute(insert(tbl), batch)
        bar.add(len(batch))


def _password_hash() -> str:
    from coprod.services.passwords import hash_password

    return hash_password(PASSWORD)


def build(
    conn: Connection,
    sizes: Sizes,
    *,
    now: datetime,
    seed: int = 7,
    quiet: bool = False,
    password_hash: str | None = None,
) -> dict[str, Any]:
    """Insert one world of `sizes` through `conn` (the caller commits); returns its key ids."""
    rng = random.Random(seed)
    w = Writer(conn, quiet=quiet)
    pw = password_hash or _password_hash()
    today = now.date()
    tag = f"{seed}-{w.next_id('user')}"  # unique names when several worlds share a database

    # Organisations: two verified agencies, nonprofits.
    org0 = w.next_id("organisation")
    agencies = [org0, org0 + 1]
    nonprofits = list(range(org0 + 2, org0 + 2 + sizes.nonprofits))
    orgs = [
        (oid, f"Agency {i} {tag}", "agency", now - timedelta(days=400), now)
        for i, oid in enumerate(agencies)
    ] + [
        (oid, f"Nonprofit {i} {tag}", "nonprofit", now - timedelta(days=400), now)
        for i, oid in enumerate(nonprofits)
    ]
    w.write(
        "organisation",
        ("id", "name", "kind", "description", "verified_at", "created_at"),
        ((o[0], o[1], o[2], "", o[3], o[4]) for o in orgs),
        len(orgs),
    )

    # People: the named accounts first, then the volunteers.
    u0 = w.next_id("user")
    staff, reviewer, coordinator = u0, u0 + 1, u0 + 2
    v0 = u0 + 3
    volunteers = range(v0, v0 + sizes.users)
    prefix = "" if u0 == 1 else f"{tag}-"

    def user_rows() -> Iterator[tuple[Any, ...]]:
        for uid, name in ((staff, "staff"), (reviewer, "reviewer"), (coordinator, "coordinator")):
            yield (uid, f"{prefix}{name}@{DOMAIN}", name.title(), pw, f"bt{tag}-{uid}")
        for i, uid in enumerate(volunteers):
            yield (uid, f"{prefix}v{i}@{DOMAIN}", f"Volunteer {i}", pw, f"bt{tag}-{uid}")

    ucols = ("id", "email", "display_name", "password_hash", "calendar_token")
    # is_site_admin, is_active, session_version, created_at, email_confirmed_at (signing up
    # for a shift needs a confirmed address)
    extra = (False, True, 1, now, now)
    w.write(
        "user",
        (
            *ucols,
            "is_site_admin",
            "is_active",
            "session_version",
            "created_at",
            "email_confirmed_at",
        ),
        (r + extra for r in user_rows()),
        sizes.users + 3,
    )
    # One volunteer in ten is a member of a nonprofit and logs hours for it.
    member_org = {uid: nonprofits[(uid // 10) % len(nonprofits)] for uid in volunteers[::10]}
    roles = [(staff, agencies[0], "staff"), (staff, agencies[0], "reviewer")]
    roles += [(reviewer, agencies[0], "reviewer"), (coordinator, nonprofits[0], "coordinator")]
    roles += [(uid, oid, "member") for uid, oid in member_org.items()]
    m0 = w.next_id("membership")
    w.write(
        "membership",
        ("id", "user_id", "organisation_id", "role", "created_at"),
        ((m0 + i, u, o, r, now) for i, (u, o, r) in enumerate(roles)),
        len(roles),
    )

    # Programmes (half led by the first agency), partners, one metric each.
    p0 = w.next_id("programme")
    programmes = list(range(p0, p0 + sizes.programmes))
    first_day = today - timedelta(days=DAYS)
    w.write(
        "programme",
        ("id", "name", "description", "lead_organisation_id", "starts_on", "is_pilot",
         "hourly_rate", "created_at"),
        ((pid, f"Programme {i} {tag}", "A benchmark programme.", agencies[i % 2], first_day,
          False, Decimal("30.00"), now) for i, pid in enumerate(programmes)),
        len(programmes),
    )  # fmt: skip
    pa0 = w.next_id("partner")
    partners = [(pid, nonprofits[i % len(nonprofits)]) for i, pid in enumerate(programmes)]
    w.write(
        "partner",
        ("id", "programme_id", "organisation_id", "role", "commitments", "created_at"),
        ((pa0 + i, p, o, "Delivery partner", "", now) for i, (p, o) in enumerate(partners)),
        len(partners),
    )
    me0 = w.next_id("metric")
    w.write(
        "metric",
        ("id", "programme_id", "name", "unit", "target", "target_date", "created_at"),
        ((me0 + i, pid, "Bags collected", "bags", Decimal(100000), today + timedelta(days=200),
          now) for i, pid in enumerate(programmes)),
        len(programmes),
    )  # fmt: skip

    # Tasks: 95 % open, the rest closed; coordinated by the programme's partner.
    t0 = w.next_id("task")
    task_ids = list(range(t0, t0 + sizes.tasks))
    task_prog = {tid: programmes[i % len(programmes)] for i, tid in enumerate(task_ids)}
    partner_of = dict(partners)

    def task_rows() -> Iterator[tuple[Any, ...]]:
        for i, tid in enumerate(task_ids):
            words = rng.sample(WORDS, 3)
            pid = task_prog[tid]
            yield (
                tid, pid, f"{' '.join(words).capitalize()} #{i}",
                f"Help with {' and '.join(words)} in the neighbourhood.", rng.choice(PLACES),
                "open" if rng.random() < 0.95 else "closed",
                partner_of[pid] if i % 3 == 0 else None, staff, now, now,
            )  # fmt: skip

    w.write(
        "task",
        ("id", "programme_id", "title", "description", "location", "status",
         "coordinating_organisation_id", "created_by_id", "created_at", "updated_at"),
        task_rows(),
        len(task_ids),
    )  # fmt: skip
    w.write(
        "task_metric",
        ("task_id", "metric_id"),
        ((tid, me0 + programmes.index(task_prog[tid])) for tid in task_ids),
        len(task_ids),
    )

    # Shifts in (day, slot) groups; a permutation spreads each task's shifts over the year.
    groups = DAYS * len(SLOTS)
    first_shift_day = today - timedelta(days=DAYS // 2)
    s0 = w.next_id("shift")
    shift_rows: list[tuple[Any, ...]] = []
    by_group: dict[int, list[int]] = {}
    for j in range(sizes.shifts):
        sid = s0 + j
        g = (j * 7919 + seed) % groups
        day, slot = divmod(g, len(SLOTS))
        starts = datetime.combine(first_shift_day + timedelta(days=day), datetime.min.time(), UTC)
        starts += timedelta(hours=SLOTS[slot])
        shift_rows.append((sid, task_ids[j // sizes.shifts_per_task], starts,
                           starts + SHIFT_LENGTH, rng.randint(6, 14)))  # fmt: skip
        by_group.setdefault(g, []).append(j)

    # Sign-ups: per group, people dealt out without repetition, so nobody overlaps.
    su0 = w.next_id("signup")
    signup_rows: list[tuple[Any, ...]] = []
    confirmed = [0] * sizes.shifts
    n = sizes.signups_per_shift
    for _g, js in sorted(by_group.items()):
        people = rng.sample(volunteers, min(len(js) * n, len(volunteers)))
        for k, j in enumerate(js):
            sid, _tid, starts, _ends, cap = shift_rows[j]
            past = starts <= now
            seated = 0
            for uid in people[k * n : (k + 1) * n]:
                queued = starts - timedelta(days=rng.randint(1, 30), minutes=rng.randint(0, 600))
                if rng.random() < 0.05:
                    status = "cancelled"
                elif seated < cap:
                    seated += 1
                    status = (
                        ("attended" if rng.random() < 0.85 else "no_show")
                        if past
                        else ("confirmed")
                    )
                else:
                    status = "waitlisted"
                signup_rows.append(
                    (su0 + len(signup_rows), sid, uid, status, queued, queued, queued)
                )
            confirmed[j] = seated
    w.write(
        "shift",
        ("id", "task_id", "starts_at", "ends_at", "capacity", "confirmed", "created_at"),
        ((*r, confirmed[j], now - timedelta(days=DAYS)) for j, r in enumerate(shift_rows)),
        len(shift_rows),
    )
    w.write(
        "signup",
        ("id", "shift_id", "user_id", "status", "queued_at", "created_at", "updated_at"),
        signup_rows,
        len(signup_rows),
    )

    # Contribution logs: one per person per day at most, 1-8 h, over the past year.
    l0 = w.next_id("contribution_log")
    per_user = max(sizes.logs // max(sizes.users, 1), 1)
    statuses = ["approved"] * 12 + ["submitted"] * 5 + ["rejected"] * 2 + ["changes_requested"]

    def log_rows() -> Iterator[tuple[Any, ...]]:
        made = 0
        for uid in volunteers:
            if made >= sizes.logs:
                return
            k = min(per_user, sizes.logs - made)
            for back in rng.sample(range(1, DAYS), k):
                day = today - timedelta(days=back)
                tid = rng.choice(task_ids)
                status = rng.choice(statuses)
                submitted = datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=20)
                reviewed = submitted + timedelta(days=1) if status != "submitted" else None
                yield (
                    l0 + made, uid, member_org.get(uid), task_prog[tid], tid, day,
                    Decimal(rng.randint(2, 16)) / 2, "", status,
                    "Please add the hours per day." if status == "changes_requested" else "",
                    reviewer if reviewed else None, reviewed,
                    reviewed if status == "approved" else None, uid, submitted, submitted,
                    reviewed or submitted,
                )  # fmt: skip
                made += 1

    total_logs = min(sizes.logs, per_user * sizes.users)
    w.write(
        "contribution_log",
        ("id", "user_id", "organisation_id", "programme_id", "task_id", "date", "hours", "notes",
         "status", "review_comment", "reviewed_by_id", "reviewed_at", "counted_changed_at",
         "created_by_id", "submitted_at", "created_at", "updated_at"),
        log_rows(),
        total_logs,
    )  # fmt: skip
    open_tasks = [r[1] for r in shift_rows if r[2] > now]
    return {
        "staff": staff,
        "reviewer": reviewer,
        "coordinator": coordinator,
        "volunteers": volunteers,
        "programmes": programmes,
        "tasks": task_ids,
        "first_shift": s0,
        "future_task": open_tasks[0] if open_tasks else task_ids[0],
    }


def build_reports(engine: Engine, now: datetime, quiet: bool = False) -> int:
    """Build every report snapshot, one batch per transaction (as `flask reports rebuild`)."""
    from coprod.services import reports

    with Session(engine) as s:
        plan = reports.plan_rebuild(s, now=now)
    bar = Progress("report batches", len(plan), enabled=not quiet)
    changed = 0
    for batch in plan:
        with Session(engine) as s, s.begin():
            changed += reports.build_batch(s, batch, now=now)
        bar.add(1)
    return changed


def _create_database(url: str) -> None:
    """CREATE DATABASE when the URL names one that does not exist yet."""
    from sqlalchemy.engine import make_url

    target = make_url(url)
    server = make_engine(target.set(database="postgres").render_as_string(hide_password=False))
    with server.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        found = conn.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": target.database}
        )
        if not found:
            conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    server.dispose()


def reset(url: str) -> Engine:
    """An empty, migrated database at `url` (PostgreSQL schema dropped; SQLite file removed)."""
    from pathlib import Path

    from coprod.migrate import upgrade

    if url.startswith("postgres"):
        _create_database(url)
        engine = make_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    else:
        path = url.removeprefix("sqlite:///")
        for suffix in ("", "-wal", "-shm"):
            Path(path + suffix).unlink(missing_ok=True)
    upgrade(url)
    return make_engine(url)


def keep_task_figures(engine: Engine, now: datetime, *, every: bool) -> int:
    """The task list's figures kept on each task row (coprod.services.task_figures), as the
    services keep them: for every task (`every`: a world written by COPY, without the
    services), or for those whose kept next shift has started since (what the job
    `tasks.figures` does every two minutes, which no benchmark runs); how many were kept."""
    from coprod.jobs.task_figures import refresh_started
    from coprod.services import task_figures

    with Session(engine) as session, session.begin():
        if every:
            return task_figures.refresh_all(session, now)
        return refresh_started(session, now=now)


def check(engine: Engine) -> dict[str, int]:
    """Counts of rule breaks (all must be 0): seat counters, overbooking, overlaps, 24 h days."""
    queries = {
        "seat counter differs from seated sign-ups": """
            SELECT count(*) FROM shift s WHERE s.confirmed <> (SELECT count(*) FROM signup u
              WHERE u.shift_id = s.id AND u.status IN ('confirmed', 'attended', 'no_show'))""",
        "overbooked shifts": "SELECT count(*) FROM shift WHERE confirmed > capacity",
        "waitlist on a shift with free places": """
            SELECT count(DISTINCT s.id) FROM shift s JOIN signup u ON u.shift_id = s.id
            WHERE u.status = 'waitlisted' AND s.confirmed < s.capacity""",
        "overlapping active sign-ups": """
            SELECT count(*) FROM signup a JOIN shift sa ON sa.id = a.shift_id
            JOIN signup b ON b.user_id = a.user_id AND b.id > a.id
            JOIN shift sb ON sb.id = b.shift_id
            WHERE a.status IN ('confirmed', 'waitlisted', 'attended')
              AND b.status IN ('confirmed', 'waitlisted', 'attended')
              AND sa.starts_at < sb.ends_at AND sb.starts_at < sa.ends_at""",
        "person-days over 24 h": """
            SELECT count(*) FROM (SELECT user_id, date FROM contribution_log
              WHERE status NOT IN ('rejected', 'superseded')
              GROUP BY user_id, date HAVING sum(hours) > 24) d""",
    }
    with engine.connect() as conn:
        return {name: int(conn.scalar(text(sql)) or 0) for name, sql in queries.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="DATABASE_URL of the database to fill")
    parser.add_argument("--size", choices=sorted(SIZES), default="medium")
    parser.add_argument("--keep", action="store_true", help="add to the database, no reset")
    parser.add_argument("--no-reports", action="store_true", help="skip the report snapshots")
    parser.add_argument("--no-check", action="store_true", help="skip the rule checks")
    args = parser.parse_args(argv)
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    started = time.perf_counter()
    engine = make_engine(args.url) if args.keep else reset(args.url)
    with engine.begin() as conn:
        world = build(conn, SIZES[args.size], now=now)
    print(f"rows written in {time.perf_counter() - started:.1f} s")
    kept = keep_task_figures(engine, datetime.now(UTC), every=True)
    print(f"task list figures kept on {kept} tasks in {time.perf_counter() - started:.1f} s")
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    else:
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    if not args.no_reports:
        changed = build_reports(engine, now)
        print(f"{changed} report snapshots built")
    print(f"generated {args.size} in {time.perf_counter() - started:.1f} s; ", end="")
    print(f"staff id {world['staff']}, first programme {world['programmes'][0]}")
    if not args.no_check:
        broken = check(engine)
        for name, n in broken.items():
            print(f"  {name}: {n}")
        if any(broken.values()):
            print("RULES BROKEN")
            return 1
        print("rules checked: all hold")
    engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
