"""The demo world's qualifications and skills (called by coprod.demo.load_demo_data).

Riverside Food Bank defines "Food hygiene" (24 months, verified by its coordinators) and the
Saturday community kitchen requires it; its "Food hygiene course" is a training that awards it,
with a shift two days ago whose one trainee, Jonas Weber, is not marked yet, and an upcoming
one with free places. Everyone with a kitchen place holds a valid award, except:
- Jonas Weber (jonas@) never held it: the kitchen refuses him until Cora marks him attended
  on the course (then it accepts him);
- Chloe Martin (chloe@) holds one that expires within the month, before her kitchen shift of
  the week after next (the roster and Cora's home page warn) but after next week's.
The council defines "Safeguarding check" (no expiry, verified by the staff of the agency
leading Green Streets), held by a few. Some people list skills and are open to invitations.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from coprod.models import (
    AwardSource,
    Organisation,
    Programme,
    Qualification,
    QualificationAward,
    Shift,
    Signup,
    SignupStatus,
    Task,
    TaskStatus,
    User,
    UserSkill,
    Verifier,
)
from coprod.services import localtime
from coprod.services.capacity import add_months, expires_on_for, shift_day

ZONE = ZoneInfo("Europe/London")
LACKING = "v9"  # Jonas Weber: never held Food hygiene
EXPIRING = "v2"  # Chloe Martin: hers expires before her kitchen shift of the week after next
SKILLS = {
    "volunteer": ("cooking", "driving"),
    "v0": ("cooking", "food safety"),
    "v1": ("driving", "first aid"),
    "v4": ("gardening", "tree care"),
    "v6": ("cooking",),
    "v9": ("cooking", "baking"),
    "v16": ("first aid", "spanish"),
    "v17": ("spanish", "gardening"),
}
OPEN_TO_INVITATIONS = ("volunteer", "v0", "v4", "v9", "v12", "v16", "v17")
SAFEGUARDED = ("v1", "v4", "v16")


def load_capacity(
    session: Session,
    programmes: dict[str, Programme],
    tasks: list[Task],
    p: dict[str, User],
    o: dict[str, Organisation],
    now: datetime,
) -> None:
    today = now.astimezone(ZONE).date()
    kitchen = tasks[0]
    hygiene = Qualification(
        organisation_id=o["foodbank"].id,
        name="Food hygiene",
        description="Safe handling, storage and cooking of food (level 2).",
        how_to_get="Attend the food bank's food hygiene course, or bring a level 2 food "
        "hygiene certificate to a coordinator of Riverside Food Bank.",
        validity_months=24,
        verifier=Verifier.COORDINATORS,
        created_by_id=p["coordinator"].id,
    )
    safeguarding = Qualification(
        organisation_id=o["agency"].id,
        name="Safeguarding check",
        description="A background check for work with children and vulnerable adults.",
        how_to_get="Ask the council's volunteering team for a check; it takes about two weeks.",
        validity_months=None,
        verifier=Verifier.LEAD_AGENCY,
        programme_id=programmes["green"].id,
        created_by_id=p["staff"].id,
    )
    session.add_all([hygiene, safeguarding])
    session.flush()
    kitchen.required_qualifications.append(hygiene)
    _course(session, programmes["meals"], o["foodbank"], hygiene, p, now, today)

    # Everyone with a kitchen place holds it (awarded 2 to 20 months ago), but Chloe's
    # expires before her kitchen shift of the week after next.
    holders: dict[int, list[Shift]] = {}
    rows = session.execute(
        select(Signup.user_id, Shift)
        .join(Shift, Signup.shift_id == Shift.id)
        .where(Shift.task_id == kitchen.id, Signup.status != SignupStatus.CANCELLED)
        .order_by(Shift.starts_at)
    ).all()
    for user_id, shift in rows:
        holders.setdefault(user_id, []).append(shift)
    holders.setdefault(p["coordinator"].id, [])
    assert p[LACKING].id not in holders, "Jonas has no kitchen place"
    for n, user_id in enumerate(sorted(holders)):
        awarded = _months_ago(today, 2 + (n * 7) % 19)
        expires = expires_on_for(hygiene, awarded)
        if user_id == p[EXPIRING].id:
            upcoming = [s for s in holders[user_id] if shift_day(s) > today]
            assert len(upcoming) >= 2, "Chloe has two upcoming kitchen shifts"
            expires = shift_day(upcoming[-1]) - timedelta(days=2)
            assert shift_day(upcoming[0]) < expires <= today + timedelta(days=30)
            awarded = _months_ago(expires, 24)
        _award(session, user_id, hygiene, awarded, expires, p["coordinator"])
    for key in SAFEGUARDED:
        _award(session, p[key].id, safeguarding, _months_ago(today, 5), None, p["staff"])

    for key, tags in SKILLS.items():
        session.add_all(UserSkill(user_id=p[key].id, tag=tag) for tag in tags)
    for key in OPEN_TO_INVITATIONS:
        p[key].open_to_invitations = True
    session.flush()


def _months_ago(day: date, months: int) -> date:
    return add_months(day, -months)


def _award(
    session: Session,
    user_id: int,
    qualification: Qualification,
    awarded: date,
    expires: date | None,
    by: User,
) -> None:
    award = QualificationAward(
        user_id=user_id,
        qualification_id=qualification.id,
        awarded_on=awarded,
        expires_on=expires,
        evidence="Certificate seen by a coordinator." if expires else "Check completed.",
        source=AwardSource.VERIFIED,
        awarded_by_id=by.id,
    )
    session.add(award)


def _course(
    session: Session,
    meals: Programme,
    foodbank: Organisation,
    hygiene: Qualification,
    p: dict[str, User],
    now: datetime,
    today: date,
) -> Task:
    """The food hygiene course: a shift two days ago (Jonas attended; not marked yet) and one
    next week with free places, both in the evening (after every other demo shift ends)."""
    course = Task(
        programme_id=meals.id,
        title="Food hygiene course",
        description="A two-hour course on handling food safely. Attending it gives you the "
        "food bank's Food hygiene qualification for 24 months, which the Saturday community "
        "kitchen requires.",
        location="Riverside Hall",
        status=TaskStatus.OPEN,
        coordinating_organisation_id=foodbank.id,
        trains_qualification_id=hygiene.id,
        created_at=now - timedelta(days=30),
    )
    course.metrics = []
    session.add(course)
    session.flush()
    shifts = []
    for days, capacity in ((-2, 10), (6, 12)):
        starts = localtime.from_local(today + timedelta(days=days), time(18, 0), ZONE)
        shift = Shift(
            task_id=course.id,
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            capacity=capacity,
        )
        session.add(shift)
        shifts.append(shift)
    session.flush()
    past, upcoming = shifts
    for shift, people in ((past, ("v9",)), (upcoming, ("v17",))):
        for k, key in enumerate(people):
            shift.confirmed += 1
            session.add(
                Signup(
                    shift_id=shift.id,
                    user_id=p[key].id,
                    status=SignupStatus.CONFIRMED,
                    queued_at=now - timedelta(days=5, minutes=-k),
                )
            )
    session.flush()
    return course
