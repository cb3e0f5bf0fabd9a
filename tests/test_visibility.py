"""Who may see what is written twice in coprod/policy/ — a predicate for one object and its
query twin for lists — and both must agree, for every kind of person.

One mixed world (two agencies with programmes, tasks in every status, partner charities that
coordinate some tasks, sign-ups and logs in every status, report snapshots) is looked at by
each person in turn: a visitor, a site admin, a deactivated admin, agency admins, staff,
reviewers and members, charity coordinators and members, volunteers, and someone holding
roles in two organisations. For each of them:

1. every twin selects exactly the objects its predicate allows (`can(person, action, obj)`);
2. every list service returns exactly the objects `can(person, "….view", obj)` allows (and
   refuses the lists the person may not read at all);
3. the API's list endpoints and the web's list pages give the same sets.

The last tests show the check bites: a twin or a predicate changed on its own makes it fail.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from sqlalchemy import Connection, false, or_, select, true

from coprod import policy
from coprod.errors import NotAllowed, NotFound
from coprod.extensions import limiter
from coprod.models import (
    Agreement,
    ContributionLog,
    Decision,
    Feedback,
    LogStatus,
    Membership,
    Organisation,
    OrgKind,
    PeriodKind,
    Programme,
    Proposal,
    Qualification,
    QualificationAward,
    ReportSnapshot,
    Role,
    Shift,
    Signup,
    SignupStatus,
    Task,
    TaskInterest,
    TaskStatus,
    User,
    Verifier,
)
from coprod.services import (
    calendar,
    contributions,
    listings,
    organisations,
    programmes,
    reports,
    review,
    shifts,
    signups,
    tasks,
)
from coprod.services.capacity import qualifications as quals
from tests.api.conftest import Api, bearer
from tests.conftest import login, module_session
from tests.factories import (
    add_partner,
    add_role,
    make_agreement,
    make_award,
    make_decision,
    make_log,
    make_member,
    make_org,
    make_programme,
    make_qualification,
    make_shift,
    make_signup,
    make_task,
    make_user,
)

BIG = 100  # one page (of the largest size) holds every list of the world

# --- the world ------------------------------------------------------------------------------


@dataclass
class World:
    now: datetime
    people: dict[str, User | None] = field(default_factory=dict)
    organisations: list[Organisation] = field(default_factory=list)
    programmes: list[Programme] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    shifts: list[Shift] = field(default_factory=list)
    signups: list[Signup] = field(default_factory=list)
    logs: list[ContributionLog] = field(default_factory=list)
    snapshots: list[ReportSnapshot] = field(default_factory=list)
    memberships: list[Membership] = field(default_factory=list)
    interests: list[TaskInterest] = field(default_factory=list)
    proposals: list[Proposal] = field(default_factory=list)
    feedback: list[Feedback] = field(default_factory=list)
    qualifications: list[Qualification] = field(default_factory=list)
    awards: list[QualificationAward] = field(default_factory=list)
    agreements: list[Agreement] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)


ROLES = [
    "visitor",
    "site admin",
    "deactivated agency A admin",
    "agency A admin",
    "agency A staff",
    "agency A reviewer",
    "agency A member",
    "agency B staff and reviewer",
    "charity N coordinator",
    "charity N member",
    "charity M coordinator",
    "agency B reviewer, charity N coordinator",
    "unverified agency staff",
    "volunteer",
    "other volunteer",
    "co-coordinating volunteer",
]


def build_world(session: Any) -> World:
    now = datetime.now(UTC).replace(microsecond=0)
    w = World(now=now)
    agency_a = make_org(session, OrgKind.AGENCY)
    agency_b = make_org(session, OrgKind.AGENCY)
    charity_n, charity_m = make_org(session), make_org(session)
    unverified = make_org(session, OrgKind.AGENCY, verified=False)
    w.organisations = [agency_a, agency_b, charity_n, charity_m, unverified]

    p = w.people
    p["visitor"] = None
    p["site admin"] = make_user(session, is_site_admin=True)
    p["deactivated agency A admin"] = make_member(session, agency_a, Role.ADMIN, is_active=False)
    p["agency A admin"] = make_member(session, agency_a, Role.ADMIN)
    p["agency A staff"] = make_member(session, agency_a, Role.STAFF)
    p["agency A reviewer"] = make_member(session, agency_a, Role.REVIEWER)
    p["agency A member"] = make_member(session, agency_a, Role.MEMBER)
    p["agency B staff and reviewer"] = make_member(session, agency_b, Role.STAFF, Role.REVIEWER)
    p["charity N coordinator"] = make_member(session, charity_n, Role.COORDINATOR)
    p["charity N member"] = make_member(session, charity_n, Role.MEMBER)
    p["charity M coordinator"] = make_member(session, charity_m, Role.COORDINATOR)
    both = make_member(session, agency_b, Role.REVIEWER)
    p["agency B reviewer, charity N coordinator"] = add_role(
        session, both, charity_n, Role.COORDINATOR
    )
    p["unverified agency staff"] = make_member(session, unverified, Role.STAFF)
    p["volunteer"] = make_user(session)
    p["other volunteer"] = make_user(session)
    p["co-coordinating volunteer"] = make_user(session)
    gone = make_user(session)  # an account deleted since: its logs keep no owner

    pa1 = make_programme(session, agency_a)
    add_partner(session, pa1, charity_n)
    pa2 = make_programme(session, agency_a)
    pb = make_programme(session, agency_b)
    add_partner(session, pb, charity_m)
    w.programmes = [pa1, pa2, pb]

    for programme, coordinator in [
        (pa1, None),
        (pa1, charity_n),
        (pa2, None),
        (pb, None),
        (pb, charity_m),
        (pb, charity_n),
    ]:
        for status in TaskStatus:
            coordinating = coordinator.id if coordinator else None
            task = make_task(
                session, programme, status=status, coordinating_organisation_id=coordinating
            )
            if programme is pb and coordinator is charity_n:  # a citizen co-coordinates these
                task.co_coordinator_id = p["co-coordinating volunteer"].id
            w.tasks.append(task)
            w.shifts.append(make_shift(session, task, starts_at=now + timedelta(days=3)))
            w.shifts.append(make_shift(session, task, starts_at=now - timedelta(days=3)))

    signers = [
        p["volunteer"],
        p["other volunteer"],
        p["deactivated agency A admin"],
        p["agency A reviewer"],
        p["charity N coordinator"],
    ]
    statuses = list(SignupStatus)
    for i, shift in enumerate(w.shifts):
        for j, who in enumerate(signers):
            if (i + j) % 2 == 0:
                status = statuses[(i + j) % len(statuses)]
                w.signups.append(make_signup(session, shift, who, status=status))

    # Logs in every status, made by volunteers, by a reviewer (their own), by a deactivated
    # person, on behalf of charity N by its coordinator, and by an account deleted since.
    authors: list[tuple[User, User, Organisation | None]] = [
        (p["volunteer"], p["volunteer"], None),
        (p["other volunteer"], p["other volunteer"], None),
        (p["agency A reviewer"], p["agency A reviewer"], None),
        (p["deactivated agency A admin"], p["deactivated agency A admin"], None),
        (p["charity N member"], p["charity N coordinator"], charity_n),
        (p["agency B reviewer, charity N coordinator"], p["volunteer"], charity_n),
        (gone, gone, None),
    ]
    log_statuses = list(LogStatus)
    loggable = [t for t in w.tasks if t.status != TaskStatus.DRAFT]
    for i in range(len(loggable) * 2):
        task = loggable[i % len(loggable)]
        user, by, org = authors[i % len(authors)]
        w.logs.append(
            make_log(
                session,
                user=user,
                task=task,
                status=log_statuses[i % len(log_statuses)],
                created_by_id=by.id,
                organisation_id=org.id if org else None,
            )
        )
    for log in w.logs:
        if log.user_id == gone.id:
            log.user_id = log.created_by_id = None
    session.flush()

    for programme in w.programmes:
        start = now.date().replace(day=1)
        snap = ReportSnapshot(
            programme_id=programme.id,
            period=PeriodKind.MONTH,
            start=start,
            end=start + timedelta(days=27),
            hours_total=Decimal(0),
            hours_by_sector={},
            data={},
        )
        session.add(snap)
        w.snapshots.append(snap)
    session.flush()
    for task in w.tasks:  # someone interested in every task (the contact lists)
        interest = TaskInterest(task_id=task.id, user_id=p["volunteer"].id, created_at=now)
        session.add(interest)
        w.interests.append(interest)
    session.flush()
    # Proposals, shown and hidden, by volunteers and by the co-coordinator, in both agencies'
    # programmes; feedback public and private, shown and hidden, on tasks in every status.
    authors_of_ideas = [p["volunteer"], p["other volunteer"], p["co-coordinating volunteer"]]
    for i, programme in enumerate([pa1, pb, pa1, pb, pa2, pb]):
        author = authors_of_ideas[i % len(authors_of_ideas)]
        proposal = Proposal(
            programme_id=programme.id,
            author_id=author.id,
            title=f"Idea {i}",
            hidden_at=now if i % 2 else None,
            created_at=now,
        )
        session.add(proposal)
        w.proposals.append(proposal)
    for i, task in enumerate(w.tasks):
        author = authors_of_ideas[i % len(authors_of_ideas)]
        item = Feedback(
            programme_id=task.programme_id,
            task_id=task.id,
            user_id=author.id,
            rating=1 + i % 5,
            comment="Fine",
            public=i % 3 != 0,
            hidden_at=now if i % 4 == 1 else None,
            date=now.date(),
            created_at=now,
            changed_at=now,
        )
        session.add(item)
        w.feedback.append(item)
    session.flush()
    # Qualifications verified by an organisation's coordinators and by a programme's lead
    # agency, one archived; awards to volunteers, members and a deactivated person, one revoked.
    lead = Verifier.LEAD_AGENCY
    w.qualifications = [
        make_qualification(session, charity_n),
        make_qualification(session, charity_n, verifier=lead, programme_id=pa1.id),
        make_qualification(session, charity_m, verifier=lead, programme_id=pb.id),
        make_qualification(session, agency_a, archived_at=now),
        make_qualification(session, charity_m),
        make_qualification(session, unverified),
    ]
    holders = [
        p["volunteer"],
        p["other volunteer"],
        p["charity N member"],
        p["deactivated agency A admin"],
        p["charity N coordinator"],
    ]
    for i, qualification in enumerate(w.qualifications):
        for j, who in enumerate(holders):
            if (i + j) % 2 == 0:
                revoked = now if (i + j) % 4 == 0 else None
                w.awards.append(make_award(session, who, qualification, revoked_at=revoked))
    # Agreement versions and partnership decisions in every programme (two in the one with a
    # partner in each agency's family).
    for programme in [pa1, pa1, pa2, pb]:
        w.agreements.append(make_agreement(session, programme))
        w.decisions.append(make_decision(session, programme))
    org_ids = [o.id for o in w.organisations]
    w.memberships = list(
        session.scalars(select(Membership).where(Membership.organisation_id.in_(org_ids)))
    )
    return w


@pytest.fixture(scope="module")
def built_world(module_connection: Connection) -> World:
    """The world, built once for the module; each test sees it as built (tests/conftest.py)."""
    with module_session(module_connection) as builder:
        return build_world(builder)


@pytest.fixture
def world(built_world: World, session: Any) -> World:
    """The module's world with its objects read afresh in the test's own session."""
    return read_again(built_world, session)


def read_again(built: World, session: Any) -> World:
    """The same world, every object read in `session` (one statement per kind of object)."""

    def again(rows: list[Any]) -> list[Any]:
        if not rows:
            return []
        model = type(rows[0])
        found = session.scalars(select(model).where(model.id.in_([r.id for r in rows])))
        by_id = {o.id: o for o in found}
        return [by_id[r.id] for r in rows]

    names = [name for name, who in built.people.items() if who is not None]
    people = dict(zip(names, again([built.people[n] for n in names]), strict=True))
    w = World(now=built.now, people={n: people.get(n) for n in built.people})
    for f in fields(World):
        if f.name not in ("now", "people"):
            setattr(w, f.name, again(getattr(built, f.name)))
    return w


def ids(objects: Iterable[Any]) -> set[int]:
    return {o.id for o in objects}


def allowed(
    actor: User | None, action: str, objects: Iterable[Any], through: Any = None
) -> set[int]:
    """The ids of the objects the predicate lets the person do `action` on."""
    return {o.id for o in objects if policy.can(actor, action, through(o) if through else o)}


# --- 1. each twin selects exactly what its predicate allows --------------------------------

# (action, model, twin's name in coprod.policy, the world's objects, what `can` is asked about)
TWINS: list[tuple[str, type, str, str, Callable[[Any], Any] | None]] = [
    ("org.view", Organisation, "visible_organisations", "organisations", None),
    ("log.create_for_org", Organisation, "organisations_to_log_for", "organisations", None),
    (
        "org.view_members",
        Membership,
        "visible_memberships",
        "memberships",
        lambda m: m.organisation,
    ),
    ("programme.view", Programme, "visible_programmes", "programmes", None),
    ("programme.view_reports", Programme, "report_programmes", "programmes", None),
    (
        "programme.view_reports",
        ReportSnapshot,
        "visible_reports",
        "snapshots",
        lambda s: s.programme,
    ),
    ("programme.review_logs", Programme, "reviewed_programmes", "programmes", None),
    ("programme.manage", Programme, "managed_programmes", "programmes", None),
    ("programme.moderate", Programme, "moderated_programmes", "programmes", None),
    ("task.view", Task, "visible_tasks", "tasks", None),
    ("shift.view", Shift, "visible_shifts", "shifts", None),
    ("shift.view_roster", Shift, "roster_shifts", "shifts", None),
    ("shift.assign", Shift, "roster_shifts", "shifts", None),
    ("signup.view", Signup, "visible_signups", "signups", None),
    ("log.view", ContributionLog, "visible_logs", "logs", None),
    ("log.review", ContributionLog, "reviewable_logs", "logs", None),
    (
        "task.view_interested",
        TaskInterest,
        "visible_task_interests",
        "interests",
        lambda i: i.task,
    ),
    ("proposal.view", Proposal, "visible_proposals", "proposals", None),
    ("feedback.view", Feedback, "visible_feedback", "feedback", None),
    (
        "qualification.verify",
        Qualification,
        "verified_qualifications",
        "qualifications",
        None,
    ),
    ("award.view", QualificationAward, "visible_awards", "awards", None),
    ("agreement.view", Agreement, "visible_agreements", "agreements", None),
    ("decision.view", Decision, "visible_decisions", "decisions", None),
]


def check_twins(session: Any, w: World, actor: User | None) -> None:
    for action, model, twin, objects, through in TWINS:
        rows = getattr(w, objects)
        condition = getattr(policy, twin)(actor)
        selected = set(
            session.scalars(select(model.id).where(model.id.in_(ids(rows)), condition))  # type: ignore[attr-defined]
        )
        assert selected == allowed(actor, action, rows, through), f"{twin} vs {action}"
    # roster_tasks is roster_shifts' rule on the joined task of a shift query
    shifts = ids(w.shifts)
    joined = select(Shift.id).join(Task, Shift.task_id == Task.id).where(Shift.id.in_(shifts))
    assert set(session.scalars(joined.where(policy.roster_tasks(actor)))) == allowed(
        actor, "shift.view_roster", w.shifts, None
    ), "roster_tasks vs shift.view_roster"


def test_the_world_gives_every_twin_something_to_tell_apart(session, world) -> None:
    """Each twin lets someone see some but not all of its objects, so agreement means
    something (a twin that always says yes or always no would not be caught otherwise)."""
    for action, _model, twin, objects, through in TWINS:
        rows = getattr(world, objects)
        seen = [allowed(world.people[r], action, rows, through) for r in ROLES]
        if twin in ("visible_organisations", "visible_programmes"):  # public, by design
            assert all(s == ids(rows) for s in seen), twin
            continue
        assert any(s for s in seen) and any(s != ids(rows) for s in seen), twin
        assert len({frozenset(s) for s in seen}) >= 3, twin


# --- 2. every list service returns exactly what `can` allows --------------------------------


def _refused(call: Callable[[], Any]) -> bool:
    try:
        call()
    except (NotAllowed, NotFound):
        return True
    return False


def check_task_lists(session: Any, w: World, actor: User | None) -> None:
    for status in TaskStatus:
        page = tasks.list_tasks(session, actor, status=status, per_page=BIG, now=w.now)
        in_status = [t for t in w.tasks if t.status == status]
        assert {row.task.id for row in page.items} == allowed(actor, "task.view", in_status), (
            f"tasks {status}"
        )
    open_page = tasks.list_tasks(session, actor, per_page=BIG, now=w.now)
    open_tasks = [t for t in w.tasks if t.status == TaskStatus.OPEN]
    assert {s.task.id for s in open_page.items} == allowed(actor, "task.view", open_tasks)
    with_open = {t.programme_id for t in w.tasks if t.id in allowed(actor, "task.view", open_tasks)}
    listed = ids(tasks.list_programmes_with_open_tasks(session, actor)) & ids(w.programmes)
    assert listed == with_open
    for programme in w.programmes:
        theirs = [t for t in w.tasks if t.programme_id == programme.id]
        listed = ids(tasks.list_programme_tasks(session, actor, programme, limit=BIG))
        assert listed == allowed(actor, "task.view", theirs), f"tasks of {programme.name}"


def check_shift_lists(session: Any, w: World, actor: User | None) -> None:
    for task in w.tasks:
        theirs = [s for s in w.shifts if s.task_id == task.id]
        if not policy.can(actor, "task.view", task):
            assert _refused(
                lambda task=task: shifts.list_task_shifts(
                    session, actor, task, past=False, per_page=BIG, now=w.now
                )
            )
            assert not allowed(actor, "shift.view", theirs)
            continue
        listed: set[int] = set()
        for past in (False, True):
            page = shifts.list_task_shifts(session, actor, task, past=past, per_page=BIG, now=w.now)
            listed |= ids(page.items)
        assert listed == allowed(actor, "shift.view", theirs), f"shifts of task {task.id}"
    for shift in w.shifts:
        if policy.can(actor, "shift.view", shift):
            assert signups.get_shift(session, actor, shift.id) is shift
        else:
            assert _refused(lambda shift=shift: signups.get_shift(session, actor, shift.id))


def check_signup_lists(session: Any, w: World, actor: User | None) -> None:
    live = [s for s in w.signups if s.status != SignupStatus.CANCELLED]
    for shift in w.shifts:
        on_shift = [s for s in live if s.shift_id == shift.id]
        if policy.can(actor, "shift.view_roster", shift):
            roster = signups.get_roster(session, actor, shift, per_page=100)
            assert ids(roster.items) == allowed(actor, "signup.view", on_shift) == ids(on_shift)
        else:
            assert _refused(
                lambda shift=shift: signups.get_roster(session, actor, shift, per_page=100)
            )
    if actor is None:
        assert signups.get_my_signups(session, actor, ids(w.shifts)) == {}
        return
    own = [s for s in live if s.user_id == actor.id]
    schedule = signups.list_my_schedule(session, actor, w.now, per_page=BIG, include_past=True)
    assert ids(schedule.items) == allowed(actor, "signup.view", own), "my schedule"
    mine = signups.get_my_signups(session, actor, ids(w.shifts))
    every_own = [s for s in w.signups if s.user_id == actor.id]
    assert {s.id for s in mine.values()} == allowed(actor, "signup.view", every_own)
    feed = calendar.feed_signups(session, actor)
    in_feed = [s for s in own if s.status in calendar.IN_FEED]
    assert ids(feed) == allowed(actor, "signup.view", in_feed), "calendar feed"


def check_log_lists(session: Any, w: World, actor: User | None) -> None:
    if actor is None:  # every log list needs a signed-in person
        assert not allowed(actor, "log.view", w.logs)
        return
    every = listings.list_logs(
        session,
        actor,
        status=None,
        programme_id=None,
        task_id=None,
        user_id=None,
        mine=False,
        per_page=BIG,
    )
    assert ids(every.items) == allowed(actor, "log.view", w.logs), "logs"
    for status in LogStatus:
        page = listings.list_logs(
            session,
            actor,
            status=status,
            programme_id=None,
            task_id=None,
            user_id=None,
            mine=True,
            per_page=BIG,
        )
        own = [g for g in w.logs if actor.id in (g.user_id, g.created_by_id) and g.status == status]
        assert ids(page.items) == allowed(actor, "log.view", own), f"my logs {status}"
    may_log_for = ids(contributions.organisations_to_log_for(session, actor))
    assert may_log_for == allowed(actor, "log.create_for_org", w.organisations)
    mine = contributions.list_my_logs(session, actor, None, per_page=BIG)
    contributed = [g for g in w.logs if g.user_id == actor.id]
    assert ids(mine.window.items) == allowed(actor, "log.view", contributed), "my logs page"


def check_review_lists(session: Any, w: World, actor: User | None) -> None:
    if actor is None or not policy.can(actor, "log.review_queue"):
        if actor is not None:
            assert _refused(lambda: review.review_queue(session, actor, status=None))
            assert _refused(lambda: review.reviewed_programmes(session, actor))
        assert not allowed(actor, "log.review", w.logs)
        return
    queue: set[int] = set()
    after = None
    while True:  # the queue shows at most 100 a window
        page = review.review_queue(session, actor, status=None, after=after, per_page=100)
        queue |= ids(page.items)
        if not page.window.has_next:
            break
        after = page.window.next
    assert queue == allowed(actor, "log.review", w.logs), "review queue"
    for status in LogStatus:
        page = review.review_queue(session, actor, status=status, per_page=100)
        in_status = [g for g in w.logs if g.status == status]
        assert ids(page.items) == allowed(actor, "log.review", in_status), f"queue {status}"
    reviewed = ids(review.reviewed_programmes(session, actor))
    assert reviewed == allowed(actor, "programme.review_logs", w.programmes)
    reviewable = allowed(actor, "log.review", w.logs)
    for programme in w.programmes:
        if programme.id not in reviewed:
            continue
        offered = ids(review.reviewed_tasks(session, actor, programme.id))
        expected = {
            t.id
            for t in w.tasks
            if t.programme_id == programme.id
            and (
                policy.can(actor, "task.view", t)
                or any(g.task_id == t.id and g.id in reviewable for g in w.logs)
            )
        }
        assert offered == expected, f"queue's task filter, {programme.name}"


def check_programme_and_org_lists(session: Any, w: World, actor: User | None) -> None:
    listed = ids(programmes.list_programmes(session, actor, None, 1, BIG).items)
    assert listed & ids(w.programmes) == allowed(actor, "programme.view", w.programmes)
    for programme in w.programmes:
        theirs = [s for s in w.snapshots if s.programme_id == programme.id]
        if policy.can(actor, "programme.view_reports", programme):
            page = listings.list_snapshots(
                session,
                actor,
                programme.id,
                period=None,
                date_from=None,
                date_to=None,
                per_page=BIG,
            )
            assert ids(page.items) == ids(theirs)
            latest = max(s.start for s in theirs).isoformat()  # the month in progress
            report = reports.get_report(
                session, actor, programme.id, period="month", start=latest, now=w.now
            )
            assert report.snapshot is not None and report.snapshot.id in ids(theirs)
        else:
            assert _refused(
                lambda programme=programme: reports.get_report(
                    session, actor, programme.id, period="month", start=None, now=w.now
                )
            )
            assert _refused(
                lambda programme=programme: listings.list_snapshots(
                    session,
                    actor,
                    programme.id,
                    period=None,
                    date_from=None,
                    date_to=None,
                    per_page=BIG,
                )
            )
    orgs = ids(organisations.list_organisations(session, actor, 1, BIG).items)
    assert orgs & ids(w.organisations) == allowed(actor, "org.view", w.organisations)
    for org in w.organisations:
        theirs = [m for m in w.memberships if m.organisation_id == org.id]
        if policy.can(actor, "org.view_members", org):
            page = organisations.list_members(session, actor, org, per_page=BIG)
            assert {r.user.id for r in page.items} == {m.user_id for m in theirs}
        else:
            assert _refused(
                lambda org=org: organisations.list_members(session, actor, org, per_page=BIG)
            )
    if policy.can(actor, "org.verify"):
        waiting = organisations.list_awaiting_verification(session, actor, 1, BIG)
        assert ids(waiting.items) & ids(w.organisations) == {w.organisations[-1].id}
    else:
        assert _refused(lambda: organisations.list_awaiting_verification(session, actor, 1, 20))


def check_interest_lists(session: Any, w: World, actor: User | None) -> None:
    """Each task's contact list: the interests the person may read, or refused."""
    for task in w.tasks:
        mine = [i for i in w.interests if i.task_id == task.id]
        if not policy.can(actor, "task.view", task):
            continue
        if policy.can(actor, "task.view_interested", task):
            page = tasks.list_interested(session, actor, task, per_page=BIG)
            assert ids(page.items) == allowed(actor, "task.view_interested", mine, lambda i: i.task)
        else:
            assert _refused(lambda t=task: tasks.list_interested(session, actor, t)), task.id


def check_award_lists(session: Any, w: World, actor: User | None) -> None:
    for qualification in w.qualifications:
        theirs = [a for a in w.awards if a.qualification_id == qualification.id]
        if policy.can(actor, "qualification.verify", qualification):
            page = quals.list_holders(session, actor, qualification, now=w.now, per_page=BIG)
            listed = {h.award.id for h in page.items}
            assert listed == allowed(actor, "award.view", theirs), f"holders {qualification.id}"
        else:
            assert _refused(
                lambda q=qualification: quals.list_holders(session, actor, q, now=w.now)
            ), qualification.id
    if actor is not None:
        mine = {h.award.id for h in quals.my_awards(session, actor, now=w.now)}
        own = {a.id for a in w.awards if a.user_id == actor.id}
        assert mine == own
        if own and actor.is_active:
            assert own <= allowed(actor, "award.view", w.awards)


LIST_CHECKS = [
    check_award_lists,
    check_task_lists,
    check_interest_lists,
    check_shift_lists,
    check_signup_lists,
    check_log_lists,
    check_review_lists,
    check_programme_and_org_lists,
]


@pytest.mark.parametrize("role", ROLES)
def test_each_twin_and_list_service_gives_exactly_what_the_person_may_see(
    session, world, role
) -> None:
    check_twins(session, world, world.people[role])  # (1.)
    for check in LIST_CHECKS:  # (2.)
        check(session, world, world.people[role])


# --- 3. the API's list endpoints and the web's list pages agree too ------------------------


def _api_ids(api: Api, path: str, key: str = "id", **query: Any) -> set[int] | int:
    """Every id the endpoint lists (through all its pages, or by its `next` links for a list
    read by cursor), or its status when refused."""
    found: set[int] = set()
    page = 1
    args: dict[str, Any] = {**query, "per_page": 100}
    while True:
        # The first request names no page: both kinds of list start at their beginning.
        response = api.get(path, query_string=args if page == 1 else {**args, "page": page})
        if response.status_code != 200:
            return int(response.status_code)
        body = response.get_json()
        found |= {item[key] for item in body["items"]}
        if "next" in body:  # a window: follow `next` to the end
            if body["next"] is None:
                return found
            args = dict(parse_qsl(urlsplit(body["next"]).query))
            assert args.keys() >= {*query, "after"}, "next keeps the filters"
            continue  # (page stays 1: the cursor says where)
        if page * body["per_page"] >= body["total"]:
            return found
        page += 1


@pytest.mark.parametrize("role", [r for r in ROLES if r != "deactivated agency A admin"])
def test_the_api_lists_exactly_what_the_person_may_see(client, session, world, role) -> None:
    limiter.reset()
    actor = world.people[role]
    api = Api(client, bearer(session, actor) if actor is not None else None)
    for status in TaskStatus:
        in_status = [t for t in world.tasks if t.status == status]
        assert _api_ids(api, "/tasks", status=status.value) == allowed(
            actor, "task.view", in_status
        )
    for task in world.tasks[:12]:  # programme A1's tasks: with and without a coordinator
        theirs = [s for s in world.shifts if s.task_id == task.id]
        listed = _api_ids(api, f"/tasks/{task.id}/shifts")
        past = _api_ids(api, f"/tasks/{task.id}/shifts", past="true")
        if policy.can(actor, "task.view", task):
            assert isinstance(listed, set) and isinstance(past, set)
            assert listed | past == allowed(actor, "shift.view", theirs)
        else:
            assert listed == past == 404
    if actor is None:
        assert _api_ids(api, "/contributions") == 401
        return
    assert _api_ids(api, "/contributions") == allowed(actor, "log.view", world.logs)
    own_logs = [g for g in world.logs if actor.id in (g.user_id, g.created_by_id)]
    assert _api_ids(api, "/contributions", mine="true") == allowed(actor, "log.view", own_logs)
    live = [s for s in world.signups if s.status != SignupStatus.CANCELLED]
    own = [s for s in live if s.user_id == actor.id]
    schedule = _api_ids(api, "/signups", include_past="true")
    assert schedule == allowed(actor, "signup.view", own)
    for shift in world.shifts[:24:3]:
        roster = _api_ids(api, f"/shifts/{shift.id}/signups")
        if policy.can(actor, "shift.view_roster", shift):
            on_shift = [s for s in live if s.shift_id == shift.id]
            assert roster == allowed(actor, "signup.view", on_shift)
        else:
            assert roster in (403, 404)
    for programme in world.programmes:
        built = _api_ids(api, f"/programmes/{programme.id}/reports", key="start")
        if policy.can(actor, "programme.view_reports", programme):
            theirs = {
                s.start.isoformat() for s in world.snapshots if s.programme_id == programme.id
            }
            assert built == theirs
        else:
            assert built == 403
    for org in world.organisations:
        members = _api_ids(api, f"/organisations/{org.id}/members", key="user_id")
        if policy.can(actor, "org.view_members", org):
            assert members == {m.user_id for m in world.memberships if m.organisation_id == org.id}
        else:
            assert members == 403


LOG_LINK = re.compile(r'href="/logs/(\d+)"')
TASK_LINK = re.compile(r'href="/tasks/(\d+)"')


@pytest.mark.parametrize("role", [r for r in ROLES if r != "visitor"])
def test_the_web_lists_exactly_what_the_person_may_see(app, session, world, role) -> None:
    actor = world.people[role]
    assert actor is not None
    client = login(app.test_client(), actor)
    if not actor.is_active:  # signed out at once: every page sends them to sign in
        assert client.get("/review?status=all").status_code in (302, 303, 401)
        return
    response = client.get("/review?status=all&per_page=100")
    if policy.can(actor, "log.review_queue"):
        shown = {int(i) for i in LOG_LINK.findall(response.get_data(as_text=True))}
        assert shown == allowed(actor, "log.review", world.logs)
    else:
        assert response.status_code == 403
    for programme in world.programmes:
        page = client.get(f"/programmes/{programme.id}").get_data(as_text=True)
        shown = {int(i) for i in TASK_LINK.findall(page)}
        theirs = [t for t in world.tasks if t.programme_id == programme.id]
        assert shown == allowed(actor, "task.view", theirs), programme.name
    mine = client.get("/my/logs?per_page=100").get_data(as_text=True)
    contributed = [g for g in world.logs if g.user_id == actor.id]
    assert {int(i) for i in LOG_LINK.findall(mine)} == allowed(actor, "log.view", contributed)


# --- the check bites ----------------------------------------------------------------------


def test_a_twin_that_forgets_part_of_its_rule_is_caught(session, world, monkeypatch) -> None:
    """visible_logs without the coordinators' branch: the charity's coordinator would lose
    the logs made for their organisation from every list, and the check says so."""

    def forgetful(user: User | None) -> Any:
        if user is None or not user.is_active:
            return false()
        if policy.is_site_admin(user):
            return true()
        reviews = policy.org_ids_with_role(user, Role.REVIEWER)
        led = select(Programme.id).where(Programme.lead_organisation_id.in_(reviews))
        return or_(
            ContributionLog.user_id == user.id,
            ContributionLog.created_by_id == user.id,
            ContributionLog.programme_id.in_(led),
        )

    monkeypatch.setattr(policy, "visible_logs", forgetful)
    coordinator = world.people["charity N coordinator"]
    with pytest.raises(AssertionError, match=r"visible_logs vs log\.view"):
        check_twins(session, world, coordinator)
    with pytest.raises(AssertionError, match="logs"):
        check_log_lists(session, world, coordinator)


def test_a_predicate_changed_without_its_twin_is_caught(session, world, monkeypatch) -> None:
    """task.view letting closed tasks be seen by their runners only: the public lists (and the
    twin) still show them, and the check says so."""
    strict = dict(policy.RULES)

    def only_open_is_public(user: User | None, task: Task) -> bool:
        if task.status == TaskStatus.CLOSED:
            return policy.can(user, "task.manage", task)
        return strict["task.view"](user, task)

    monkeypatch.setitem(policy.RULES, "task.view", only_open_is_public)
    with pytest.raises(AssertionError, match=r"visible_tasks vs task\.view"):
        check_twins(session, world, None)
    with pytest.raises(AssertionError, match="tasks closed"):
        check_task_lists(session, world, None)
