"""The demo world's feedback on tasks and its moderation queue."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from coprod.demo.people import DEMO_ZONE, VOLUNTEER_NAMES
from coprod.models import (
    ContributionLog,
    Programme,
    Shift,
    Signup,
    SignupStatus,
    Task,
    User,
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


def make_feedback(session: Session, tasks: list[Task], p: dict[str, User], now: datetime) -> None:
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


def make_moderation(session: Session, green: Programme, p: dict[str, User], now: datetime) -> None:
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
