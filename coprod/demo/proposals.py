"""The demo world's proposals (called by coprod.demo.load_demo_data): Green Streets takes
proposals, and residents' ideas stand in every state, with supports and the agency's answers.
One accepted idea is an open task its proposer co-coordinates, with its first approved hours
(so "You said, we did" has figures once the scheduler's first sweep runs); another is still a
draft; one open proposal has waited past PROPOSAL_ANSWER_DAYS, so it shows as overdue on the
staff's home page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from coprod.demo.people import DEMO_ZONE
from coprod.models import (
    ContributionLog,
    LogStatus,
    Metric,
    Organisation,
    OutcomeQuantity,
    Programme,
    Proposal,
    ProposalStatus,
    ProposalSupport,
    Task,
    TaskStatus,
    User,
)
from coprod.services import audit

S = ProposalStatus


@dataclass(frozen=True)
class Idea:
    author: str  # a key of the demo people
    title: str
    what: str
    location: str
    why: str
    contribution: str
    days_ago: int
    supporters: tuple[str, ...]
    status: ProposalStatus = S.OPEN
    answer: str = ""
    anonymous: bool = False


IDEAS = [
    Idea("v7", "Benches along the river path",
         "Put three benches along the river path between the bridge and the weir.",
         "River path", "Older residents walk there but have nowhere to rest.",
         "I can help choose the spots with my walking group.", 4,
         ("v1", "v2", "volunteer")),
    Idea("v8", "Bike racks outside the library",
         "Add bike racks by the library entrance.", "Riverside Library",
         "People lock bikes to the railings and block the ramp.", "", 30, ("v3",),
         anonymous=True),
    Idea("v9", "Wildflower verges on Mill Lane",
         "Sow wildflowers on the grass verges of Mill Lane instead of mowing them.",
         "Mill Lane", "Bees, and less mowing.", "Our street can water them in summer.", 12,
         ("v1", "v5", "v6", "v11"), S.UNDER_REVIEW,
         "We like this idea and are checking with the highways team which verges are safe "
         "to leave unmown. We will answer by the end of the month."),
    Idea("v10", "Monthly litter pick on the canal",
         "A monthly litter pick along the canal towpath, from the lock to the old mill.",
         "Canal towpath", "The towpath is full of litter and people have stopped using it.",
         "I can lead the first pick and bring grabbers.", 20,
         ("v2", "v3", "v12", "v13", "volunteer"), S.ACCEPTED,
         "Yes: Green Streets Trust will supply bags and grabbers, and Kemi will coordinate "
         "the picks with the trust. The first dates follow as shifts."),
    Idea("volunteer", "A repair café at the community centre",
         "Once a month, volunteers fix small appliances, clothes and bikes for free.",
         "Riverside Community Centre", "Fewer things thrown away; neighbours meet.",
         "I can sew and mend clothes.", 9, ("v4", "v14"), S.ACCEPTED,
         "Accepted: we are booking the hall and will publish the first dates soon."),
    Idea("v15", "Close the high street to cars on Sundays",
         "Make the high street car-free every Sunday.", "High Street",
         "Safer for children, better for the shops.", "", 25, ("v7",), S.DECLINED,
         "Not this year: the high street is a bus route and a closure needs a traffic order. "
         "We have passed the idea to the transport team."),
    Idea("v16", "Fruit trees in Victoria Park",
         "Plant apple and pear trees in Victoria Park.", "Victoria Park",
         "Free fruit for everyone, and blossom in spring.", "", 16, ("v8", "v9"),
         S.ALREADY_PLANNED,
         "Already planned: the spring planting in Victoria Park includes twelve fruit trees. "
         "Sign up for the planting shifts to help."),
]  # fmt: skip


def _task(session: Session, proposal: Proposal, idea: Idea, org: Organisation) -> Task:
    """The task an accepted idea became: the towpath one published (its shifts still to add),
    co-coordinated by its proposer; the others still drafts."""
    credit = f"Proposed by {proposal.author.display_name}." if proposal.author else ""
    going = idea.author != "volunteer"
    task = Task(
        programme_id=proposal.programme_id,
        title=idea.title,
        description=f"{idea.what}\n\nWhy: {idea.why}\n\n{credit}",
        location=idea.location,
        status=TaskStatus.OPEN if going else TaskStatus.DRAFT,
        coordinating_organisation_id=org.id if going else None,
        co_coordinator_id=proposal.author_id if going else None,
        created_at=proposal.answered_at,
    )
    session.add(task)
    session.flush()
    return task


def load_proposals(
    session: Session,
    green: Programme,
    p: dict[str, User],
    o: dict[str, Organisation],
    now: datetime,
) -> list[Proposal]:
    """Green Streets takes proposals; one idea in every state, with supports and answers."""
    green.accepts_proposals = True
    made = []
    for idea in IDEAS:
        created = now - timedelta(days=idea.days_ago)
        proposal = Proposal(
            programme_id=green.id,
            author=p[idea.author],
            anonymous=idea.anonymous,
            title=idea.title,
            what=idea.what,
            location=idea.location,
            why=idea.why,
            contribution=idea.contribution,
            status=idea.status,
            supports=len(idea.supporters),
            created_at=created,
            updated_at=created,
        )
        session.add(proposal)
        session.flush()
        audit.record(session, p[idea.author], "proposal.created", proposal, at=created)
        for k, key in enumerate(idea.supporters):
            at = created + timedelta(hours=k + 1)
            session.add(ProposalSupport(proposal_id=proposal.id, user_id=p[key].id, created_at=at))
            audit.record(session, p[key], "proposal.supported", proposal, at=at)
        if idea.status != S.OPEN:
            proposal.answer = idea.answer
            proposal.answered_at = created + timedelta(days=2)
            proposal.answered_by_id = p["staff"].id
            if idea.status == S.ACCEPTED:
                task = _task(session, proposal, idea, o["green"])
                proposal.task_id = task.id
                if task.status == TaskStatus.OPEN:
                    _first_picks(session, task, p, now)
            after = {"status": idea.status.value, "task_id": proposal.task_id}
            audit.record(
                session, p["staff"], "proposal.answered", proposal, after=after,
                at=proposal.answered_at,
            )  # fmt: skip
        made.append(proposal)
    session.flush()
    return made


# The towpath's first litter picks: (person, days ago, hours, bags of litter).
PICKS = [("v10", 9, "3", "6"), ("v2", 9, "2", "4"), ("v3", 2, "2", "3")]


def _first_picks(session: Session, task: Task, p: dict[str, User], now: datetime) -> None:
    """Approved hours and outcomes on the accepted towpath idea's task, by its proposer and two
    supporters (reviewed like the demo's other logs)."""
    litter = session.scalars(
        select(Metric).where(Metric.programme_id == task.programme_id).order_by(Metric.id)
    ).all()[-1]
    task.metrics = [litter]
    zone = ZoneInfo(DEMO_ZONE)
    for key, days_ago, hours, bags in PICKS:
        person = p[key]
        log = ContributionLog(
            user_id=person.id,
            created_by_id=person.id,
            programme_id=task.programme_id,
            task_id=task.id,
            date=(now - timedelta(days=days_ago)).astimezone(zone).date(),
            hours=Decimal(hours),
            status=LogStatus.APPROVED,
            notes="Litter pick from the lock to the old mill.",
            submitted_at=now - timedelta(days=days_ago),
            reviewed_by_id=p["reviewer"].id,
            reviewed_at=now - timedelta(days=days_ago - 1),
            counted_changed_at=now,
        )
        log.outcomes.append(OutcomeQuantity(metric_id=litter.id, quantity=Decimal(bags)))
        session.add(log)
        session.flush()
        sent = {"status": LogStatus.SUBMITTED.value, "hours": hours}
        audit.record(session, person, "log.submitted", log, after=sent, at=log.submitted_at)
        approved = {"status": LogStatus.APPROVED.value, "review_comment": ""}
        audit.record(
            session, p["reviewer"], "log.approved", log, before=sent, after=approved,
            at=log.reviewed_at,
        )  # fmt: skip
