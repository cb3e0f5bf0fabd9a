"""The checks bench/cluster.sh runs against two gunicorn instances behind nginx.

    python -m bench.cluster_checks --a http://127.0.0.1:5112 --b http://127.0.0.1:5113 \
        --lb http://127.0.0.1:5119 --url postgresql://…

1. A person signed in through instance A stays signed in through instance B and through nginx
   (the session is a cookie signed with the SECRET_KEY every instance shares).
2. The login rate limit is shared: the per-account limit's refused attempts made through A
   count on B (the counters live in Redis), so B answers 429.
3. Jobs run once: the job table was written by the one scheduler (checked by cluster.sh, which
   also starts a second scheduler and expects it to exit 1 having run nothing).
Exits non-zero when a check fails.
"""

from __future__ import annotations

import argparse
import sys

from sqlalchemy import text

from bench.generate import DOMAIN
from bench.load import Browser
from coprod.db import make_engine


def session_is_shared(a: str, b: str, lb: str) -> bool:
    person = Browser(a)
    person.login(f"v0@{DOMAIN}")
    ok = True
    for name, base in (("instance B", b), ("nginx", lb)):
        person.base = base
        status, page = person.get("/my/schedule")
        signed_in = status == 200 and "Sign out" in page
        print(f"  signed in through A, then {name}: status {status}, signed in: {signed_in}")
        ok = ok and signed_in
    return ok


def login_limit_is_shared(a: str, b: str, limit: int) -> bool:
    """`limit` refused sign-ins on A, then one more on B must be refused with 429."""
    email = f"v1@{DOMAIN}"
    person = Browser(a)
    statuses = []
    for _ in range(limit):
        _, page = person.get("/login")
        status, _ = person.post(
            "/login", {"csrf_token": person.csrf(page), "email": email, "password": "wrong"}
        )
        statuses.append(status)
    person.base = b
    _, page = person.get("/login")
    status, _ = person.post(
        "/login", {"csrf_token": person.csrf(page), "email": email, "password": "wrong"}
    )
    print(f"  {limit} wrong passwords through A: {statuses}; the next one through B: {status}")
    return status == 429 and 429 not in statuses


def jobs_ran_once(url: str) -> bool:
    engine = make_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT job_id, last_run_at FROM job_state ORDER BY job_id")).all()
    engine.dispose()
    for job_id, last in rows:
        print(f"  job {job_id}: last run {last}")
    return bool(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--a", required=True)
    parser.add_argument("--b", required=True)
    parser.add_argument("--lb", required=True)
    parser.add_argument("--url", required=True)
    parser.add_argument("--account-limit", type=int, default=5, help="LOGIN_LIMIT_PER_ACCOUNT")
    args = parser.parse_args(argv)
    results = []
    print("1. sessions shared between instances")
    results.append(session_is_shared(args.a, args.b, args.lb))
    print("2. login rate limit shared (Redis)")
    results.append(login_limit_is_shared(args.a, args.b, args.account_limit))
    print("3. the scheduler's jobs ran (one scheduler)")
    results.append(jobs_ran_once(args.url))
    for n, ok in enumerate(results, 1):
        print(f"check {n}: {'ok' if ok else 'FAILED'}")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
