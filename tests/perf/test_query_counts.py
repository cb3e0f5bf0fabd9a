"""The pages of the load test issue a fixed number of SQL statements whatever the data size.

Two worlds are generated with bench/generate.py's own `build` (the rules hold: seat counters,
no overlaps, 24 h days) inside the test's transaction: a small one, then a bigger one beside it
(several pages of tasks, more sign-ups per person, more logs to review). Each page is requested
as the matching person of each world; public pages see both worlds, so they only grow.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from bench.generate import Sizes, build
from coprod.models import Proposal, ProposalStatus, Task, User
from coprod.services import reports
from coprod.services.engagement import impact
from tests.conftest import login

SMALL = Sizes(tasks=25, shifts_per_task=1, signups_per_shift=2, logs=120, users=30, programmes=2,
              nonprofits=2)  # fmt: skip
BIGGER = Sizes(tasks=70, shifts_per_task=4, signups_per_shift=5, logs=600, users=40, programmes=3,
               nonprofits=3)  # fmt: skip
# The signed-in person's row is one of them; their roles come from the process's memory (read
# once per person and roles_version: `_counts` lets each person make one request first).
# The task list (a keyset window): the window, its tasks' programmes, the few rows whose kept
# next shift has started since the job last ran (read afresh), a count capped at 1,000, and the
# programme filter.
STATEMENTS = {
    "task list, page 1": 5,
    "task list, last page": 5,  # reached by following Next: the same statements as the first
    "task list, search": 4,  # no count: one window shows it whole, or "Next" says there is more
    # + the proposal it came from, if any (its credit), and the feedback summary (one more
    # with public comments to show), + its required qualifications and its skill tags (issue
    # #17: one statement each, whatever their number)
    "task page": 8,
    # + the person's logs of the shifts shown ("Log hours" or "View your log"), and their
    # feedback on the tasks of attended shifts ("Rate this task"); a keyset window, no COUNT
    "my schedule": 4,
    "review queue": 8,  # + tasks, outcomes, in-kind items and the flags' day totals, one query each
    "review queue, all statuses": 8,
    "report page": 4,  # 3 once its figures are in the cache (tests run without one)
    # the window, its programmes and its stale rows: the API says `next`, not a count
    "API task list": 3,
    # the person, then a few statements per section, whatever the data (with the proposals
    # overdue for an answer and the programmes with reports to moderate)
    # + 3 for "Tasks that fit you" (issue #17): the person's awards, the shifts that fit, the
    # skills they match
    # + 1 for partners behind their commitment figures (issue #18): the figures of the
    # programmes the person runs (and one grouped sum when there are some, whatever their number)
    # + the longest shift (one index entry), the lower bound of the shifts under way; the
    # understaffed shifts of the week read light, then the shown ones whole
    "home page, staff": 18,
    "home page, volunteer": 9,  # one more where the next shifts run past the five shown
    "you said, we did": 4,  # the programme, a page of answers, their tasks, the COUNT
}
NEXT = re.compile(r'<a href="([^"]+)"[^>]*rel="next"')
PAGES = [
    ("task list, page 1", None, "/tasks"),
    ("task list, last page", None, "{last_page}"),
    ("task list, search", None, "/tasks?q=garden"),
    ("task page", None, "/tasks/{task}"),
    ("my schedule", "volunteer", "/my/schedule?past=1"),
    ("review queue", "staff", "/review"),
    ("review queue, all statuses", "staff", "/review?status=all"),
    ("report page", "staff", "/programmes/{programme}/reports"),
    ("API task list", None, "/api/v1/tasks"),
    ("home page, staff", "staff", "/"),
    ("home page, volunteer", "volunteer", "/"),
    ("you said, we did", None, "/programmes/{programme}/you-said-we-did"),
]
# Answered proposals of the first programme in each world: (accepted with a task, declined).
PROPOSALS = {1: (3, 2), 2: (12, 9)}


def _world(session: Any, sizes: Sizes, seed: int, now: datetime) -> dict[str, Any]:
    world = build(session.connection(), sizes, now=now, seed=seed, quiet=True, password_hash="x")
    reports.rebuild_reports(session, now=now, programme_id=world["programmes"][0])
    _answered_proposals(session, world, *PROPOSALS[seed], now=now)
    session.flush()
    return world


def _answered_proposals(
    session: Any, world: dict[str, Any], accepted: int, declined: int, *, now: datetime
) -> None:
    """Accepted proposals on the first programme's tasks (their figures computed) and declined
    ones, by the world's volunteers."""
    programme_id = world["programmes"][0]
    task_ids = session.scalars(
        select(Task.id).where(Task.programme_id == programme_id).order_by(Task.id)
    ).all()
    authors = world["volunteers"]
    for n in range(accepted + declined):
        status = ProposalStatus.ACCEPTED if n < accepted else ProposalStatus.DECLINED
        session.add(
            Proposal(
                programme_id=programme_id,
                author_id=authors[n % len(authors)],
                title=f"Idea {n}",
                status=status,
                answer="Thank you.",
                answered_at=now - timedelta(hours=n),
                task_id=task_ids[n] if n < accepted else None,
            )
        )
    session.flush()
    impact.refresh_impact(session, programme_ids=[programme_id], now=now)


def _counts(app: Any, session: Any, count_queries: Any, world: dict[str, Any]):
    last = "/tasks"  # the task list's last window, by following its Next links
    while found := NEXT.search(app.test_client().get(last).get_data(as_text=True)):
        last = html.unescape(found.group(1))
    values = {
        "last_page": last,
        "task": world["future_task"],
        "programme": world["programmes"][0],
    }
    people = {
        "volunteer": session.get(User, world["volunteers"][0]),
        "staff": session.get(User, world["staff"]),
    }
    counts: dict[str, int] = {}
    sizes: dict[str, int] = {}
    for name, who, path in PAGES:
        client = app.test_client()
        if who:
            login(client, people[who])
            client.get("/privacy")  # the person's first request here reads their roles
        count_queries.count = 0
        response = client.get(path.format(**values))
        assert response.status_code == 200, (name, response.status_code)
        counts[name] = count_queries.count
        sizes[name] = len(response.data)
    return counts, sizes


def test_each_page_keeps_to_its_statement_budget_in_a_small_and_a_bigger_world(
    app, client, session, count_queries
) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    small = _world(session, SMALL, 1, now)
    small_counts, small_sizes = _counts(app, session, count_queries, small)
    bigger = _world(session, BIGGER, 2, now)
    bigger_counts, bigger_sizes = _counts(app, session, count_queries, bigger)

    # A fixed budget per page in the bigger world; the small world sends the same, or one
    # fewer where its list fits on one page (the page itself then gives the total: no COUNT).
    assert bigger_counts == STATEMENTS
    for name, budget in STATEMENTS.items():
        assert budget - 1 <= small_counts[name] <= budget, name
    # The bigger world really shows more on the pages that list things.
    for name in ("task list, page 1", "my schedule", "review queue", "you said, we did"):
        assert bigger_sizes[name] > small_sizes[name], name
