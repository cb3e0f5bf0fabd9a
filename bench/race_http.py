"""Races over HTTP: two cancels of one place, and a cancel while the volunteer signs up again,
against a real gunicorn (4 worker processes) on PostgreSQL.

    PYTHONPATH=. .venv/bin/python -m bench.race_http \\
        --url postgresql://postgres@127.0.0.1:5432/coprod_race --rounds 40

The database is migrated, then given one agency programme whose task is coordinated by a
nonprofit, and one shift of 1 place per round: X confirmed, Y waitlisted, Z a newcomer, each
with an API token. Each round releases two requests at once (threads meeting at a barrier):

- double cancel: X and the coordinator POST /signups/{X}/cancel; then Z signs up. Expected:
  one 200 and one 409, Y promoted once, Z waitlisted.
- cancel vs sign-up: the coordinator cancels X's place while X POSTs /shifts/{id}/signups
  (the deadlock of issue 12). Expected: the cancel 200, the sign-up 201 or 409.

Then every shift is checked in the database: overbooked (seated > capacity), phantom seats
(counter != seated rows), responses >= 500, unexpected answers, and the deadlocks PostgreSQL
detected meanwhile (pg_stat_database; a deadlock the lock order did not prevent is retried by
the server, so it is not an error, but with the lock order it should not happen at all).
Exits 1 unless overbooked, phantom and >= 500 are all 0. tests/services/test_race_over_http.py
runs it in the PostgreSQL test run.
"""

from __future__ import annotations

import argparse
import json
import socket
import subprocess
import sys
import tempfile
import threading
import urllib.error
import urllib.request
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from itertools import count
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from bench.load import BIN, ROOT, server_env, stop, wait_ready
from coprod.db import make_engine, utcnow
from coprod.migrate import upgrade
from coprod.models import SEATED, OrgKind, Role, Shift, Signup, SignupStatus
from coprod.services import tokens
from tests.factories import (
    add_role,
    make_org,
    make_programme,
    make_shift,
    make_signup,
    make_task,
    make_user,
)

SCENARIOS = ("double_cancel", "cancel_vs_sign_up")
APP = "coprod:create_app()"


@dataclass
class Place:
    """One shift of one round: who holds what, and their tokens."""

    shift: int
    x_signup: int
    x_token: str
    z_token: str


@dataclass
class Figures:
    rounds: int = 0
    requests: int = 0
    server_errors: int = 0
    unexpected: list[str] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    overbooked: int = 0
    phantom: int = 0


def _token(session: Session, user: Any) -> str:
    _row, secret = tokens.create_token(session, user, "race")
    return secret


def build_world(engine: Engine, rounds: int) -> tuple[str, dict[str, list[Place]]]:
    """The coordinator's token and, per scenario, one place per round."""
    start = utcnow() + timedelta(days=30)
    run = uuid.uuid4().hex[:8]  # names of its own: the database may hold earlier runs
    people = count(1)

    def person() -> Any:
        n = next(people)
        return make_user(s, email=f"race-{run}-{n}@example.org", display_name=f"Racer {n}")

    with Session(bind=engine, expire_on_commit=False) as s:
        agency = make_org(s, OrgKind.AGENCY, name=f"Race agency {run}")
        nonprofit = make_org(s, name=f"Race nonprofit {run}")
        programme = make_programme(s, agency, name=f"Race programme {run}")
        task = make_task(s, programme, coordinating_organisation_id=nonprofit.id)
        coordinator = person()
        add_role(s, coordinator, nonprofit, Role.COORDINATOR)
        coordinator_token = _token(s, coordinator)
        places: dict[str, list[Place]] = {}
        n = 0
        for scenario in SCENARIOS:
            places[scenario] = []
            for _ in range(rounds):
                shift = make_shift(s, task, capacity=1, starts_at=start + timedelta(hours=4 * n))
                n += 1
                x, y, z = person(), person(), person()
                queued = utcnow() - timedelta(hours=1)
                held = make_signup(s, shift, x, queued_at=queued)
                make_signup(s, shift, y, status=SignupStatus.WAITLISTED, queued_at=queued)
                places[scenario].append(Place(shift.id, held.id, _token(s, x), _token(s, z)))
        s.commit()
    return coordinator_token, places


def post(base: str, path: str, token: str) -> int:
    request = urllib.request.Request(  # noqa: S310 - loopback
        base + "/api/v1" + path,
        data=b"{}",
        method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as resp:  # noqa: S310
            return int(resp.status)
    except urllib.error.HTTPError as err:
        return int(err.code)


def at_once(calls: list[tuple[str, str]], base: str) -> list[int]:
    barrier = threading.Barrier(len(calls))

    def run(call: tuple[str, str]) -> int:
        barrier.wait()
        return post(base, *call)

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def play(base: str, coordinator: str, places: dict[str, list[Place]], figures: Figures) -> None:
    for p in places["double_cancel"]:
        cancel = (f"/signups/{p.x_signup}/cancel", p.x_token)
        got = at_once([cancel, (cancel[0], coordinator)], base)
        late = post(base, f"/shifts/{p.shift}/signups", p.z_token)
        _count(figures, "double_cancel", [*got, late], sorted(got) == [200, 409] and late == 201)
    for p in places["cancel_vs_sign_up"]:
        got = at_once(
            [
                (f"/signups/{p.x_signup}/cancel", coordinator),
                (f"/shifts/{p.shift}/signups", p.x_token),
            ],
            base,
        )
        _count(figures, "cancel_vs_sign_up", got, got[0] == 200 and got[1] in (201, 409))


def _count(figures: Figures, scenario: str, statuses: list[int], expected: bool) -> None:
    figures.rounds += 1
    figures.requests += len(statuses)
    figures.statuses.update(statuses)
    figures.server_errors += sum(1 for s in statuses if s >= 500)
    if not expected:
        figures.unexpected.append(f"{scenario}: {statuses}")


def check_seats(engine: Engine, places: dict[str, list[Place]], figures: Figures) -> None:
    ids = [p.shift for ps in places.values() for p in ps]
    with Session(bind=engine) as s:
        seated = dict(
            s.execute(
                select(Signup.shift_id, func.count())
                .where(Signup.shift_id.in_(ids), Signup.status.in_(SEATED))
                .group_by(Signup.shift_id)
            ).all()
        )
        for shift in s.scalars(select(Shift).where(Shift.id.in_(ids))):
            n = seated.get(shift.id, 0)
            figures.overbooked += n > shift.capacity
            figures.phantom += shift.confirmed != n


def deadlocks(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(
                text("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")
            ).scalar_one()
        )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run(url: str, rounds: int = 40, workers: int = 4) -> dict[str, Any]:
    """Build the world, start gunicorn, play both scenarios, check every shift: the figures."""
    upgrade(url)
    engine = make_engine(url)
    if engine.dialect.name != "postgresql":
        raise SystemExit("race_http needs PostgreSQL (--url postgresql://...)")
    coordinator, places = build_world(engine, rounds)
    port = free_port()
    env = server_env(url, port, WEB_CONCURRENCY=str(workers), EMAIL_CONFIRMATION_REQUIRED="false")
    figures = Figures()
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "gunicorn.log"
        with log.open("ab") as out:
            proc = subprocess.Popen(  # noqa: S603 - our own command line
                [str(BIN / "gunicorn"), "-c", str(ROOT / "deploy/gunicorn.conf.py"), APP],
                env=env,
                cwd=ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        try:
            base = f"http://127.0.0.1:{port}"
            wait_ready(base + "/api/v1/openapi.json")
            before = deadlocks(engine)
            play(base, coordinator, places, figures)
            found = deadlocks(engine) - before
        finally:
            stop(proc)
            server_log = log.read_text(errors="replace")
    check_seats(engine, places, figures)
    engine.dispose()
    return {
        "rounds": figures.rounds,
        "requests": figures.requests,
        "statuses": dict(sorted(figures.statuses.items())),
        "responses_5xx": figures.server_errors,
        "overbooked_shifts": figures.overbooked,
        "phantom_seats": figures.phantom,
        "unexpected": figures.unexpected,
        "deadlocks_detected": found,
        "server_tracebacks": server_log.count("Traceback"),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True, help="a PostgreSQL database (it is migrated)")
    parser.add_argument("--rounds", type=int, default=40, help="rounds of each scenario")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    args = parser.parse_args(argv)
    figures = run(args.url, args.rounds, args.workers)
    print(json.dumps(figures, indent=2))
    bad = figures["responses_5xx"] + figures["overbooked_shifts"] + figures["phantom_seats"]
    return 1 if bad or figures["unexpected"] else 0


if __name__ == "__main__":
    sys.exit(main())
