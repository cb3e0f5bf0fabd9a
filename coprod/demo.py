"""A small, believable demo world: one agency, its partners, volunteers, tasks, shifts and logs.

Dates are laid out around the moment the data is loaded, so there are always past shifts to log
and future shifts to sign up for. Loading is idempotent: a second run finds the world and stops.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from coprod.db import utcnow
from coprod.demo_capacity import load_capacity
from coprod.demo_governance.agreements import load as load_agreements
from coprod.demo_governance.commitments import load as load_commitments
from coprod.demo_governance.decisions import load as load_decisions
from coprod.demo_governance.pilots import load as load_pilots
from coprod.demo_proposals import load_proposals
from coprod.models import (
    ContributionLog,
    InKindItem,
    LogStatus,
    Membership,
    Metric,
    Organisation,
    OrgKind,
    OutcomeQuantity,
    Partner,
    Programme,
    Role,
    Shift,
    Signup,
    SignupStatus,
    Task,
    TaskInterest,
    TaskStatus,
    User,
)
from coprod.services import audit, localtime, task_figures
from coprod.services.passwords import hash_password

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - published demo credentials
DOMAIN = "demo.coprod.org"
AGENCY = "Riverside City Council"
# The demo city is in the UK: its pages show shifts in London time (GMT in winter, BST in summer).
DEMO_ZONE = "Europe/London"

DEMO_LOGINS = [
    (f"admin@{DOMAIN}", "site admin (verifies organisations, sees the audit log)"),
    (f"staff@{DOMAIN}", "agency staff (programmes, tasks, shifts, rosters)"),
    (f"reviewer@{DOMAIN}", "agency reviewer (review queue)"),
    (f"coordinator@{DOMAIN}", "nonprofit coordinator (Riverside Food Bank)"),
    (f"partner@{DOMAIN}", "partner member (Green Streets Trust: reads reports)"),
    (f"volunteer@{DOMAIN}", "citizen volunteer"),
    (f"jonas@{DOMAIN}", "volunteer without Food hygiene (the kitchen refuses him until trained)"),
    (f"chloe@{DOMAIN}", "volunteer whose Food hygiene expires before a kitchen shift of hers"),
    (f"rosa@{DOMAIN}", "citizen volunteer who reads coprod in Spanish"),
]

VOLUNTEER_NAMES = [
    "Amara Okafor",
    "Ben Kowalski",
    "Chloe Martin",
    "Dev Patel",
    "Elif Yilmaz",
    "Finn O'Neill",
    "Grace Liu",
    "Hamza Rahman",
    "Isla Campbell",
    "Jonas Weber",
    "Kemi Adeyemi",
    "Leo Rossi",
    "Maya Cohen",
    "Noah Schmidt",
    "Olivia Brown",
    "Priya Nair",
    "Quinn Murphy",
    "Rosa Garcia",
    "Sam Taylor",
]


def load_demo_data(
    session: Session,
    *,
    now: datetime | None = None,
    progress: Callable[[str], None] = lambda _msg: None,
) -> bool:
    """Create the demo world unless it exists; True when something was created."""
    if session.scalar(select(Organisation.id).where(Organisation.name == AGENCY)) is not None:
        return False
    now = now or utcnow()
    pw = hash_password(DEMO_PASSWORD)
    progress("Creating people and organisations …")
    people = _people(session, pw)
    orgs = _organisations(session, people, now)
    progress("Creating programmes, tasks and shifts …")
    programmes = _programmes(session, orgs, now)
    tasks = _tasks(session, programmes, orgs, now)
    progress("Creating sign-ups and contribution logs …")
    _signups(session, tasks, people, now)
    _cancelled_shift(session, tasks, people, now)
    _logs(session, tasks, people, orgs, now)
    _ongoing_task(session, programmes["green"], people, orgs, now)
    _earlier_logs(session, tasks, people, orgs, now)
    load_proposals(session, programmes["green"], people, orgs, now)
    _feedback(session, tasks, people, now)
    _moderation(session, programmes["green"], people, now)
    progress("Creating qualifications, awards and skills …")
    load_capacity(session, programmes, tasks, people, orgs, now)
    progress("Creating partners' commitment figures …")
    load_commitments(session, programmes, tasks, people, orgs, now)
    progress("Creating partnership agreements …")
    load_agreements(session, programmes, tasks, people, orgs, now)
    progress("Creating the partnership's decisions …")
    load_decisions(session, programmes, tasks, people, orgs, now)
    progress("Creating a finished pilot with its evaluation …")
    load_pilots(session, programmes, tasks, people, orgs, now)
    session.flush()
    # The world above writes shifts and seats directly: keep the task list's figures once.
    task_figures.refresh_all(session, now)
    return True


def _user(session: Session, email: str, name: str, pw: str, **extra: object) -> User:
    # Demo accounts are confirmed: their addresses are made up, and people try them at once.
    user = User(
        email=email, display_name=name, password_hash=pw, email_confirmed_at=utcnow(), **extra
    )
    session.add(user)
    return user


def _people(session: Session, pw: str) -> dict[str, User]:
    people = {
        "admin": _user(session, f"admin@{DOMAIN}", "Ada Admin", pw, is_site_admin=True),
        "staff": _user(session, f"staff@{DOMAIN}", "Sofia Staff", pw),
        "reviewer": _user(session, f"reviewer@{DOMAIN}", "Ravi Reviewer", pw),
        "coordinator": _user(session, f"coordinator@{DOMAIN}", "Cora Coordinator", pw),
        "green": _user(session, f"partner@{DOMAIN}", "Gabriel Green", pw),
        "volunteer": _user(session, f"volunteer@{DOMAIN}", "Vera Volunteer", pw),
    }
    for i, name in enumerate(VOLUNTEER_NAMES):
        slug = name.split()[0].lower()
        # Numbers from the range Ofcom keeps for drama: they ring nobody.
        phone = f"+44 7700 900{i:03d}"
        # Rosa reads coprod, and gets its emails, in Spanish.
        language = "es" if slug == "rosa" else None
        people[f"v{i}"] = _user(
            session, f"{slug}@{DOMAIN}", name, pw, phone=phone, language=language
        )
    session.flush()
    return people


def _organisations(session: Session, p: dict[str, User], now: datetime) -> dict[str, Organisation]:
    specs = {
        "agency": (AGENCY, OrgKind.AGENCY, "The city's community services department."),
        "foodbank": ("Riverside Food Bank", OrgKind.NONPROFIT, "Collects and shares food."),
        "green": ("Green Streets Trust", OrgKind.NONPROFIT, "Trees, parks and clean streets."),
        "residents": ("Northside Residents' Association", OrgKind.COMMUNITY, "Neighbours."),
        "bakery": ("Harbour Bakery", OrgKind.BUSINESS, "A local bakery that donates bread."),
    }
    orgs = {
        key: Organisation(
            name=name,
            kind=kind,
            description=desc,
            timezone=DEMO_ZONE,
            verified_at=now,
            verified_by_id=p["admin"].id,
        )
        for key, (name, kind, desc) in specs.items()
    }
    session.add_all(orgs.values())
    session.flush()
    for organisation in orgs.values():
        audit.record(
            session,
            p["admin"],
            "organisation.verified",
            organisation,
            before={"verified_at": None},
            after={"verified_at": now},
            at=now,
        )
    roles = [
        ("staff", "agency", Role.STAFF),
        ("staff", "agency", Role.ADMIN),
        ("reviewer", "agency", Role.REVIEWER),
        ("coordinator", "foodbank", Role.COORDINATOR),
        ("coordinator", "foodbank", Role.ADMIN),
        ("green", "green", Role.COORDINATOR),
        ("green", "green", Role.ADMIN),
        ("v0", "foodbank", Role.MEMBER),
        ("v1", "foodbank", Role.MEMBER),
        ("v2", "residents", Role.ADMIN),
        ("v3", "bakery", Role.ADMIN),
        ("v4", "green", Role.MEMBER),
        # More food bank volunteers, for the roster's member picker.
        ("v12", "foodbank", Role.MEMBER),
        ("v13", "foodbank", Role.MEMBER),
        ("v16", "foodbank", Role.MEMBER),
    ]
    for person, org, role in roles:
        session.add(Membership(user_id=p[person].id, organisation_id=orgs[org].id, role=role))
    return orgs


def _programmes(
    session: Session, o: dict[str, Organisation], now: datetime
) -> dict[str, Programme]:
    year_start = date(now.year, 1, 1)
    meals = Programme(
        name="Community Meals",
        lead_organisation_id=o["agency"].id,
        starts_on=year_start,
        description="Hot meals and food parcels for older and isolated residents, cooked and "
        "delivered by the council, the food bank, neighbours and local businesses.",
        hourly_rate=Decimal("28.50"),
        currency="GBP",
    )
    green = Programme(
        name="Green Streets",
        lead_organisation_id=o["agency"].id,
        starts_on=year_start,
        description="Planting street trees and keeping parks clean, together with residents.",
        is_pilot=True,
        hypothesis="Residents who plant a tree keep watering it: survival > 90%.",
        evaluation_starts_on=year_start,
        evaluation_ends_on=date(now.year + 1, 6, 30),
        hourly_rate=Decimal("25.00"),
        currency="GBP",
    )
    session.add_all([meals, green])
    session.flush()
    partners = [
        (
            meals,
            "foodbank",
            "Food sourcing and volunteer coordination",
            "Collect surplus food weekly; run the Saturday kitchen roster.",
        ),
        (meals, "residents", "Delivery rounds", "Recruit neighbours for delivery rounds."),
        (meals, "bakery", "Donations", "Donate unsold bread every Friday."),
        (green, "green", "Planting and training", "Train volunteers; supply tools and trees."),
        (green, "residents", "Watering", "Adopt and water new trees through the summer."),
    ]
    for programme, org, role, commitments in partners:
        session.add(
            Partner(
                programme_id=programme.id,
                organisation_id=o[org].id,
                role=role,
                commitments=commitments,
            )
        )
    target = date(now.year + 1, 6, 30)
    session.add_all(
        [
            Metric(
                programme_id=meals.id,
                name="Meals delivered",
                unit="meals",
                target=Decimal("5000"),
                target_date=target,
            ),
            Metric(
                programme_id=meals.id,
                name="Food collected",
                unit="kg",
                target=Decimal("2000"),
                target_date=target,
            ),
            Metric(
                programme_id=green.id,
                name="Trees planted",
                unit="trees",
                target=Decimal("500"),
                target_date=target,
            ),
            Metric(
                programme_id=green.id,
                name="Litter collected",
                unit="bags",
                target=Decimal("1200"),
                target_date=target,
            ),
        ]
    )
    session.flush()
    return {"meals": meals, "green": green}


TASK_SPECS = [
    (
        "meals",
        "Saturday community kitchen",
        "Cook and pack hot meals.",
        "Riverside Hall",
        "foodbank",
        0,
        6,
    ),
    (
        "meals",
        "Meal delivery round — Northside",
        "Deliver meals to older residents.",
        "Northside depot",
        "residents",
        0,
        4,
    ),
    (
        "meals",
        "Food bank sorting",
        "Sort and date-check donated food.",
        "Food bank warehouse",
        "foodbank",
        1,
        8,
    ),
    (
        "meals",
        "Bread collection run",
        "Collect donated bread from the bakery.",
        "Harbour Bakery",
        None,
        0,
        2,
    ),
    (
        "meals",
        "Winter warm-meal pop-up",
        "Serve soup at the winter market.",
        "Market square",
        None,
        None,
        10,
    ),
    (
        "green",
        "Street tree planting — Elm Road",
        "Plant new street trees.",
        "Elm Road",
        "green",
        0,
        8,
    ),
    (
        "green",
        "Park litter pick",
        "Collect litter in Riverside Park.",
        "Riverside Park gate",
        "green",
        1,
        12,
    ),
    (
        "green",
        "Tree watering rota",
        "Water the newly planted trees.",
        "Northside streets",
        "residents",
        1,
        5,
    ),
    ("green", "Tool shed tidy-up", "Clean and sort the planting tools.", "Depot", "green", 0, 3),
    (
        "green",
        "Pond clearance (completed)",
        "Clear the pond of weeds.",
        "Riverside Park",
        None,
        None,
        6,
    ),
]


def _tasks(
    session: Session, pr: dict[str, Programme], o: dict[str, Organisation], now: datetime
) -> list[Task]:
    metrics: dict[int, list[Metric]] = {}
    ids = [p.id for p in pr.values()]
    for m in session.scalars(select(Metric).where(Metric.programme_id.in_(ids))):
        metrics.setdefault(m.programme_id, []).append(m)
    today = now.date()
    tasks: list[Task] = []
    for i, (prog, title, desc, place, coord, metric_index, capacity) in enumerate(TASK_SPECS):
        programme = pr[prog]
        status = TaskStatus.OPEN
        if "completed" in title:
            status = TaskStatus.COMPLETED
        elif metric_index is None:
            status = TaskStatus.DRAFT
        task = Task(
            programme_id=programme.id,
            title=title.replace(" (completed)", ""),
            description=desc,
            location=place,
            status=status,
            coordinating_organisation_id=o[coord].id if coord else None,
            # Posted before its first (past) shift: a log of a day it was held is not refused
            # as "before the task was created".
            created_at=now - timedelta(days=30),
        )
        task.metrics = list(metrics[programme.id]) if metric_index is not None else []
        session.add(task)
        session.flush()
        # Two past shifts and three upcoming, weekly, two hours long at staggered hours.
        for week in (-2, -1, 1, 2, 3):
            day = today + timedelta(days=7 * week + (i % 5) - 2)
            # Round local times in the agency's zone (09:00 in London is 08:00 UTC in summer).
            starts = localtime.from_local(day, time(9 + (i % 4) * 2, 0), ZoneInfo(DEMO_ZONE))
            if status == TaskStatus.COMPLETED and week > 0:
                continue
            session.add(
                Shift(
                    task_id=task.id,
                    starts_at=starts,
                    ends_at=starts + timedelta(hours=2),
                    capacity=capacity,
                )
            )
        tasks.append(task)
    session.flush()
    for task in tasks:
        session.refresh(task, ["shifts"])
    return tasks


def _signups(session: Session, tasks: list[Task], p: dict[str, User], now: datetime) -> None:
    volunteers = [p["volunteer"]] + [p[f"v{i}"] for i in range(len(VOLUNTEER_NAMES))]
    for t_index, task in enumerate(tasks):
        if task.status == TaskStatus.DRAFT:
            continue
        for s_index, shift in enumerate(task.shifts):
            past = shift.starts_at < now
            # The bread run's first upcoming shift is full, with two people waiting.
            wanted = shift.capacity + 2 if (t_index == 3 and not past) else shift.capacity - 1
            start = (t_index * 3 + s_index) % len(volunteers)
            chosen = [volunteers[(start + k) % len(volunteers)] for k in range(wanted)]
            for k, person in enumerate(chosen):
                if person is p["volunteer"] and not (t_index in (0, 5) and past):
                    continue
                seated = shift.confirmed < shift.capacity
                if past:
                    status = SignupStatus.NO_SHOW if k == 1 else SignupStatus.ATTENDED
                else:
                    status = SignupStatus.CONFIRMED if seated else SignupStatus.WAITLISTED
                if status != SignupStatus.WAITLISTED:
                    shift.confirmed += 1
                session.add(
                    Signup(
                        shift_id=shift.id,
                        user_id=person.id,
                        status=status,
                        queued_at=now - timedelta(days=20, minutes=-k),
                    )
                )
            if t_index == 3 and not past:
                break
    # Vera has one upcoming confirmed shift to see on "My schedule".
    kitchen = tasks[0].shifts[2]
    if (
        not any(
            s.user_id == p["volunteer"].id
            for s in session.new
            if isinstance(s, Signup) and s.shift_id == kitchen.id
        )
        and kitchen.confirmed < kitchen.capacity
    ):
        kitchen.confirmed += 1
        session.add(
            Signup(
                shift_id=kitchen.id,
                user_id=p["volunteer"].id,
                status=SignupStatus.CONFIRMED,
                queued_at=now - timedelta(days=1),
            )
        )
    # A kitchen shift inside the default 24-hour reminder window, so the scheduler queues
    # reminders for it as soon as `make run` starts: the first whole hour at least two hours
    # away that falls in the daytime (09:00-16:00 in the demo's zone), at most ~20 hours away.
    starts = (now + timedelta(hours=3)).replace(minute=0, second=0, microsecond=0)
    while not 9 <= starts.astimezone(ZoneInfo(DEMO_ZONE)).hour <= 16:
        starts += timedelta(hours=1)
    soon = Shift(
        task_id=tasks[0].id,
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        capacity=4,
        confirmed=3,
    )
    session.add(soon)
    session.flush()
    for k, person in enumerate((p["volunteer"], p["v10"], p["v11"])):
        session.add(
            Signup(
                shift_id=soon.id,
                user_id=person.id,
                status=SignupStatus.CONFIRMED,
                queued_at=now - timedelta(hours=2, minutes=-k),
            )
        )
    _waiting_for_attendance(session, tasks[0], p, now)
    session.flush()


def _cancelled_shift(
    session: Session, tasks: list[Task], p: dict[str, User], now: datetime
) -> None:
    """The Northside delivery round of the week after next is called off (through the same
    service as the page): its volunteers, Vera among them, were told, their places ended, and
    the shift shows "Cancelled" with its reason on the task page, roster, My schedule and
    calendar feed."""
    from coprod.services.shift_changes import cancel_shift  # services import the models

    shift = tasks[1].shifts[3]
    session.flush()
    if shift.confirmed < shift.capacity:
        shift.confirmed += 1
        session.add(
            Signup(
                shift_id=shift.id,
                user_id=p["volunteer"].id,
                status=SignupStatus.CONFIRMED,
                queued_at=now - timedelta(days=3),
            )
        )
        session.flush()
    cancel_shift(
        session,
        p["staff"],
        shift,
        reason="The depot is closed for repairs that week.",
        now=now - timedelta(hours=1),
    )


def _waiting_for_attendance(
    session: Session, task: Task, p: dict[str, User], now: datetime
) -> None:
    """A kitchen shift yesterday afternoon whose four confirmed volunteers nobody has marked
    yet: the coordinator's roster offers "Mark all attended" for it."""
    day = now.astimezone(ZoneInfo(DEMO_ZONE)).date() - timedelta(days=1)
    starts = localtime.from_local(day, time(14, 0), ZoneInfo(DEMO_ZONE))
    people = (p["v12"], p["v13"], p["v14"], p["v15"])
    shift = Shift(
        task_id=task.id,
        starts_at=starts,
        ends_at=starts + timedelta(hours=3),
        capacity=6,
        confirmed=len(people),
    )
    session.add(shift)
    session.flush()
    for k, person in enumerate(people):
        session.add(
            Signup(
                shift_id=shift.id,
                user_id=person.id,
                status=SignupStatus.CONFIRMED,
                queued_at=now - timedelta(days=6, minutes=-k),
            )
        )


def _logs(
    session: Session,
    tasks: list[Task],
    p: dict[str, User],
    o: dict[str, Organisation],
    now: datetime,
) -> None:
    cycle = (
        [LogStatus.APPROVED] * 6
        + [LogStatus.SUBMITTED] * 3
        + [LogStatus.REJECTED, LogStatus.CHANGES_REQUESTED]
    )
    people = [p["volunteer"]] + [p[f"v{i}"] for i in range(len(VOLUNTEER_NAMES))]
    people += [p["coordinator"], p["green"], p["staff"]]
    # Coordinators (and org admins) log for their organisation, so every sector has hours.
    for_org = {
        p["coordinator"].id: o["foodbank"],
        p["green"].id: o["green"],
        p["staff"].id: o["agency"],
        p["v2"].id: o["residents"],
        p["v3"].id: o["bakery"],
    }
    n = 0
    for task in tasks:
        if task.status == TaskStatus.DRAFT:
            continue
        for shift in task.shifts:
            if shift.starts_at >= now:
                continue
            for k in range(3):
                person = people[(n + k) % len(people)]
                status = cycle[n % len(cycle)]
                n += 1
                on_behalf = for_org.get(person.id)
                log = _log(session, task, shift, person, status, now, on_behalf, n, p["reviewer"])
                if task.metrics:
                    log.outcomes.append(
                        OutcomeQuantity(metric_id=task.metrics[0].id, quantity=Decimal(5 + n % 20))
                    )
    # An organisation's log with an in-kind donation, and a corrected log.
    bread = tasks[3]
    past = next(s for s in bread.shifts if s.starts_at < now)
    gift = _log(
        session, bread, past, p["v3"], LogStatus.APPROVED, now, o["bakery"], 1, p["reviewer"]
    )
    gift.in_kind.append(InKindItem(description="40 loaves of bread", value=Decimal("120.00")))
    original = _log(
        session,
        tasks[0],
        tasks[0].shifts[0],
        p["coordinator"],
        LogStatus.SUPERSEDED,
        now,
        o["foodbank"],
        2,
        p["reviewer"],
    )
    session.flush()
    fix = _log(
        session,
        tasks[0],
        tasks[0].shifts[0],
        p["coordinator"],
        LogStatus.APPROVED,
        now,
        o["foodbank"],
        3,
        p["reviewer"],
    )
    fix.corrects_id = original.id
    fix.notes = "Correction: we stayed an extra hour."
    session.flush()
    _flagged_log(session, tasks, p, now)


def _flagged_log(session: Session, tasks: list[Task], p: dict[str, User], now: datetime) -> None:
    """A log waiting in the review queue with a flag: more hours than its shift lasted, by the
    demo volunteer, who held the shift and had not logged it."""
    logged = select(ContributionLog.id).where(
        ContributionLog.user_id == Signup.user_id, ContributionLog.shift_id == Signup.shift_id
    )
    row = session.execute(
        select(Signup, Shift)
        .join(Shift, Signup.shift_id == Shift.id)
        .where(
            Shift.task_id.in_([t.id for t in tasks if t.status != TaskStatus.DRAFT]),
            Shift.ends_at < now,
            Signup.status.in_([SignupStatus.ATTENDED, SignupStatus.CONFIRMED]),
            Signup.user_id == p["volunteer"].id,  # Vera can change or withdraw it, too
            ~logged.exists(),
        )
        .order_by(Shift.starts_at.desc(), Signup.id)
        .limit(1)
    ).first()
    if row is None:
        return
    signup, shift = row
    task = next(t for t in tasks if t.id == shift.task_id)
    log = _log(
        session, task, shift, signup.volunteer, LogStatus.SUBMITTED, now, None, 0, p["reviewer"]
    )
    length = Decimal((shift.ends_at - shift.starts_at).total_seconds()) / 3600
    log.hours = min(length + Decimal("2.5"), Decimal("24")).quantize(Decimal("0.01"))
    log.notes = "Stayed on after the shift to unload the late delivery van."
    session.flush()


def _log(
    session: Session,
    task: Task,
    shift: Shift,
    person: User,
    status: LogStatus,
    now: datetime,
    org: Organisation | None,
    n: int,
    reviewer: User,
) -> ContributionLog:
    # Never more than the shift lasted (a reviewer's queue flags that; one log does it below).
    length = Decimal((shift.ends_at - shift.starts_at).total_seconds()) / 3600
    hours = max(length - Decimal(n % 3) / 2, Decimal("0.5")).quantize(Decimal("0.01"))
    reviewed = status not in (LogStatus.SUBMITTED,)
    comment = {
        LogStatus.REJECTED: "This shift was cancelled; please log the day you came.",
        LogStatus.CHANGES_REQUESTED: "Please add how many meals you delivered.",
    }.get(status, "")
    log = ContributionLog(
        user_id=person.id,
        created_by_id=person.id,
        organisation_id=org.id if org else None,
        programme_id=task.programme_id,
        task_id=task.id,
        shift_id=shift.id,
        date=shift.starts_at.astimezone(ZoneInfo(DEMO_ZONE)).date(),
        hours=hours,
        status=status,
        notes="Good session." if n % 2 else "",
        submitted_at=shift.ends_at,
        created_at=shift.ends_at,  # logged the day it was done: not "logged long after"
        review_comment=comment,
        reviewed_by_id=reviewer.id if reviewed else None,
        reviewed_at=shift.ends_at + timedelta(days=1) if reviewed else None,
        counted_changed_at=now if status in (LogStatus.APPROVED, LogStatus.SUPERSEDED) else None,
    )
    session.add(log)
    # The history a reviewer and the contributor see on the log page, and the audit log.
    submitted = {"status": LogStatus.SUBMITTED.value, "hours": str(hours)}
    audit.record(session, person, "log.submitted", log, after=submitted, at=shift.ends_at)
    if reviewed and log.reviewed_at is not None:
        decided = LogStatus.APPROVED if status == LogStatus.SUPERSEDED else status
        after = {"status": decided.value, "review_comment": comment}
        audit.record(
            session,
            reviewer,
            f"log.{decided.value}",
            log,
            before=submitted,
            after=after,
            at=log.reviewed_at,
        )
    return log


def _ongoing_task(
    session: Session,
    green: Programme,
    p: dict[str, User],
    o: dict[str, Organisation],
    now: datetime,
) -> Task:
    """An open ongoing task (no shifts): two approved logs and one person interested."""
    litter = session.scalars(select(Metric).where(Metric.programme_id == green.id)).all()[-1]
    task = Task(
        programme_id=green.id,
        title="Adopt a storm drain",
        description="Keep the storm drain on your street clear of leaves and litter, so the "
        "road does not flood. No shifts: clear it when it needs it, then log your hours.",
        location="Any street in Riverside",
        status=TaskStatus.OPEN,
        ongoing=True,
        coordinating_organisation_id=o["green"].id,
        created_at=now - timedelta(days=30),
    )
    task.metrics = [litter]
    session.add(task)
    session.flush()
    zone = ZoneInfo(DEMO_ZONE)
    for k, (person, days_ago) in enumerate(((p["v4"], 10), (p["v5"], 3))):
        done = max((now - timedelta(days=days_ago)).astimezone(zone).date(), green.starts_on)
        log = ContributionLog(
            user_id=person.id,
            created_by_id=person.id,
            programme_id=green.id,
            task_id=task.id,
            date=done,
            hours=Decimal(1 + k),
            status=LogStatus.APPROVED,
            notes="Cleared the drain after the storm.",
            submitted_at=now - timedelta(days=days_ago),
            reviewed_by_id=p["reviewer"].id,
            reviewed_at=now - timedelta(days=days_ago - 1),
            counted_changed_at=now,
        )
        log.outcomes.append(OutcomeQuantity(metric_id=litter.id, quantity=Decimal(2 + k)))
        session.add(log)
        sent = {"status": LogStatus.SUBMITTED.value, "hours": str(log.hours)}
        audit.record(session, person, "log.submitted", log, after=sent, at=log.submitted_at)
        approved = {"status": LogStatus.APPROVED.value, "review_comment": ""}
        audit.record(
            session,
            p["reviewer"],
            "log.approved",
            log,
            before=sent,
            after=approved,
            at=log.reviewed_at,
        )
    session.add(
        TaskInterest(task_id=task.id, user_id=p["v6"].id, created_at=now - timedelta(days=2))
    )
    return task


def _earlier_logs(
    session: Session,
    tasks: list[Task],
    p: dict[str, User],
    o: dict[str, Organisation],
    now: datetime,
) -> None:
    """Approved hours in the two months before this one (logged without a shift, on each
    programme's completed tasks or else its first published one), so the report, which opens
    on the last complete month, has figures whatever the day the demo is loaded; none before
    the programme began or the task was created."""
    today = now.astimezone(ZoneInfo(DEMO_ZONE)).date()
    first = today.replace(day=1)
    months = [(first - timedelta(days=1)).replace(day=1)]
    months.insert(0, (months[0] - timedelta(days=1)).replace(day=1))
    who = [
        (p["volunteer"], None),
        (p["v0"], None),
        (p["coordinator"], o["foodbank"]),
        (p["v2"], o["residents"]),
        (p["v3"], o["bakery"]),
        (p["staff"], o["agency"]),
    ]
    # Each programme's completed tasks, or its first published one when none is completed.
    chosen = [t for t in tasks if t.status == TaskStatus.COMPLETED]
    for programme_id in sorted({t.programme_id for t in tasks} - {t.programme_id for t in chosen}):
        chosen += [
            t for t in tasks if t.programme_id == programme_id and t.status != TaskStatus.DRAFT
        ][:1]
    for i, task in enumerate(chosen):
        programme = session.get(Programme, task.programme_id)
        assert programme is not None
        shown = [m for m in months if m >= programme.starts_on]
        if not shown:
            continue
        task.created_at = localtime.from_local(shown[0], time(9, 0), ZoneInfo(DEMO_ZONE))
        for m, month in enumerate(shown):
            for k, (person, org) in enumerate(who):
                day = month.replace(day=8 + (i + k + m) % 14)
                submitted = localtime.from_local(day, time(18, 0), ZoneInfo(DEMO_ZONE))
                session.add(
                    ContributionLog(
                        user_id=person.id,
                        created_by_id=person.id,
                        organisation_id=org.id if org else None,
                        programme_id=task.programme_id,
                        task_id=task.id,
                        date=day,
                        hours=Decimal(1 + (i + k + m) % 3),
                        status=LogStatus.APPROVED,
                        submitted_at=submitted,
                        reviewed_by_id=p["reviewer"].id,
                        reviewed_at=submitted + timedelta(days=1),
                        counted_changed_at=now,
                    )
                )


# (task index, or None for the ongoing storm drain): ratings and comments, public or only for
# the task's organisers, given by the volunteers who attended (or logged hours on) the task.
FEEDBACK_SPECS: list[tuple[int | None, list[tuple[int, str, bool]]]] = [
    (
        0,
        [
            (5, "Friendly team and clear jobs from the start. I'd come again.", True),
            (
                4,
                "Good morning's work. The hall was cold until ten: could the heating go on "
                "earlier?",
                False,
            ),
            (3, "", False),
            (2, "Nobody met me at the door and I waited twenty minutes to be given a job.", False),
        ],
    ),
    (
        5,
        [
            (5, "Planting a tree on my own street felt great. Bring gloves!", True),
            (4, "The tools were ready and the staff showed us how to plant properly.", True),
        ],
    ),
    (9, [(4, "Hard work, but the pond looks so much better now.", True)]),
    (
        None,
        [
            (
                5,
                "Easy to fit around work. A longer litter picker would help with the grate.",
                False,
            ),
            (4, "", False),
        ],
    ),
]


def _feedback(session: Session, tasks: list[Task], p: dict[str, User], now: datetime) -> None:
    """Feedback through the same service as the task page, from people who attended a shift of
    the task (or logged hours on the ongoing one): public comments, comments only the
    coordinators read (the kitchen's Cora reads two), ratings without a comment. Vera gives
    none, so she can rate the kitchen and the tree planting herself."""
    from coprod.services.engagement import feedback  # services import the models

    drain = session.scalars(select(Task).where(Task.ongoing.is_(True))).first()
    citizens = [p[f"v{i}"] for i in range(len(VOLUNTEER_NAMES))]
    for index, items in FEEDBACK_SPECS:
        task = tasks[index] if index is not None else drain
        if task is None:
            continue
        worked = (
            select(Signup.user_id)
            .join(Shift, Signup.shift_id == Shift.id)
            .where(Shift.task_id == task.id, Signup.status == SignupStatus.ATTENDED)
            .union(select(ContributionLog.user_id).where(ContributionLog.task_id == task.id))
        )
        ids = set(session.scalars(worked))
        people = [v for v in citizens if v.id in ids]
        turn = 2 * (index or 0) % max(len(people), 1)  # not the same few people on every task
        people = people[turn:] + people[:turn]
        for k, ((rating, comment, public), person) in enumerate(zip(items, people, strict=False)):
            feedback.give_feedback(
                session,
                person,
                task,
                rating=rating,
                comment=comment,
                public=public,
                now=now - timedelta(days=len(items) - k, hours=k),
            )


def _moderation(session: Session, green: Programme, p: dict[str, User], now: datetime) -> None:
    """What lead staff moderate: a spam proposal hidden with a reason, an open report on a
    proposal, and one on a public comment (items of its own, so it works alone)."""
    from coprod.models import Feedback, Proposal
    from coprod.services.engagement import moderation, proposals

    green.accepts_proposals = True
    spam = Proposal(
        programme_id=green.id,
        author_id=p["v7"].id,
        title="Cheap garden furniture: visit my shop",
        what="Best prices in town on benches and planters, order today.",
        created_at=now - timedelta(days=6),
    )
    underpass = Proposal(
        programme_id=green.id,
        author_id=p["v8"].id,
        title="Paint a mural in the Mill Lane underpass",
        what="Cover the grey walls of the underpass with a mural designed by local children.",
        location="Mill Lane underpass",
        why="It is dark and people avoid it after school.",
        contribution="I can lead a design workshop at the primary school.",
        created_at=now - timedelta(days=4),
    )
    session.add_all([spam, underpass])
    session.flush()
    for k, supporter in enumerate(("v1", "v2", "v3")):
        proposals.support(session, p[supporter], underpass, now=now - timedelta(days=3, hours=k))
    moderation.flag_proposal(
        session, p["v9"], spam, reason="An advert.", now=now - timedelta(days=5)
    )
    moderation.hide_proposal(
        session,
        p["staff"],
        spam,
        reason="Advertising is not a proposal for the programme.",
        now=now - timedelta(days=5, hours=-2),
    )
    moderation.flag_proposal(
        session,
        p["v10"],
        underpass,
        reason="Painting on public walls is vandalism.",
        now=now - timedelta(days=1),
    )
    comment = session.scalar(
        select(Feedback)
        .where(Feedback.public.is_(True), Feedback.hidden_at.is_(None), Feedback.comment != "")
        .order_by(Feedback.id)
    )
    if comment is None:  # the feedback part of the demo is not loaded: make one
        drain = session.scalars(
            select(Task).where(Task.programme_id == green.id, Task.ongoing.is_(True))
        ).first()
        if drain is None:
            return
        comment = Feedback(
            programme_id=green.id,
            task_id=drain.id,
            user_id=p["v5"].id,
            rating=2,
            comment="The coordinator never answers the phone, what a useless lot.",
            public=True,
            date=(now - timedelta(days=2)).astimezone(ZoneInfo(DEMO_ZONE)).date(),
            created_at=now - timedelta(days=2),
            changed_at=now - timedelta(days=2),
        )
        session.add(comment)
        session.flush()
    moderation.flag_feedback(
        session,
        p["v11"],
        comment,
        reason="Insulting to the volunteers.",
        now=now - timedelta(hours=5),
    )
