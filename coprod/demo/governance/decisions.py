"""The demo world's shared decisions (called by coprod.demo.load_demo_data).

In Community Meals the partnership -- the council, Riverside Food Bank, Northside Residents'
Association and Harbour Bakery, each with an admin -- decided "Move the Saturday kitchen to
10:00?": every organisation voted, with a comment, and it was carried. "Add a Wednesday
evening delivery round?" is open, closing in four days at 17:00 London time: the council and
the bakery have voted; the food bank (Cora Coordinator, coordinator@) and the residents'
association (Chloe Martin) have not, and see it on their home pages.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy.orm import Session

from coprod.models import (
    Decision,
    DecisionOption,
    DecisionRule,
    DecisionVote,
    Organisation,
    Programme,
    Task,
    User,
)
from coprod.services import audit, localtime
from coprod.services.governance import decision_rule
from coprod.services.governance.decisions import tally, voting_organisation_ids

CLOSED_QUESTION = "Move the Saturday kitchen to 10:00?"
OPEN_QUESTION = "Add a Wednesday evening delivery round?"


def _decision(
    session: Session,
    programme: Programme,
    opener: User,
    question: str,
    details: str,
    labels: list[str],
    opened_at: datetime,
    closes_at: datetime,
) -> Decision:
    decision = Decision(
        programme_id=programme.id,
        question=question,
        details=details,
        rule=decision_rule(session, programme),
        opened_by_id=opener.id,
        opened_at=opened_at,
        closes_at=closes_at,
        options=[DecisionOption(position=i, label=lb) for i, lb in enumerate(labels, 1)],
    )
    session.add(decision)
    session.flush()
    audit.record(
        session,
        opener,
        "decision.opened",
        decision,
        after={"question": question, "rule": decision.rule, "closes_at": closes_at,
               "options": labels},
        at=opened_at,
    )  # fmt: skip
    return decision


def _votes(
    session: Session,
    decision: Decision,
    votes: list[tuple[Organisation, User, int, str]],
    at: datetime,
) -> None:
    for n, (org, admin, pick, comment) in enumerate(votes):
        vote = DecisionVote(
            decision_id=decision.id,
            organisation_id=org.id,
            option_id=decision.options[pick].id,
            comment=comment,
            voted_by_id=admin.id,
            voted_at=at + timedelta(hours=2 * n),
        )
        session.add(vote)
        session.flush()
        after = {"organisation_id": org.id, "option_id": vote.option_id, "comment": comment}
        audit.record(session, admin, "decision.voted", vote, after=after, at=vote.voted_at)


def load(
    session: Session,
    programmes: dict[str, Programme],
    tasks: list[Task],
    p: dict[str, User],
    o: dict[str, Organisation],
    now: datetime,
) -> None:
    """A closed, carried decision with every organisation's vote, and an open one with some."""
    meals = programmes["meals"]
    zone = localtime.programme_zone(meals)
    today = now.astimezone(zone).date()
    opened = localtime.from_local(today - timedelta(days=24), time(9, 30), zone)
    closes = localtime.from_local(today - timedelta(days=10), time(17, 0), zone)
    kitchen = _decision(
        session,
        meals,
        p["staff"],
        CLOSED_QUESTION,
        "Riverside Hall is free from 8:00 on Saturdays now. Starting an hour later gives the "
        "food bank's van time to collect from the market, and meals would go out at 13:00.",
        ["Yes, from next month", "No, keep 9:00"],
        opened,
        closes,
    )
    # Under consensus every organisation must agree; by majority the bakery may dissent.
    bakery_pick = 0 if kitchen.rule == DecisionRule.CONSENSUS else 1
    bakery_comment = (
        "Our bread arrives at 9:00, so we would need a second trip, but we can manage it."
        if bakery_pick == 0
        else "Our bread arrives at 9:00: a 10:00 start means a second trip for us."
    )
    _votes(
        session,
        kitchen,
        [
            (o["agency"], p["staff"], 0, "The council can staff the hall from 9:30."),
            (o["foodbank"], p["coordinator"], 0, "The van can be at the market by 8:30."),
            (o["residents"], p["v2"], 0, "Neighbours prefer a later start on Saturdays."),
            (o["bakery"], p["v3"], bakery_pick, bakery_comment),
        ],
        opened + timedelta(hours=3),
    )
    _close(session, meals, kitchen, closes)

    soon = localtime.from_local(today + timedelta(days=4), time(17, 0), zone)
    evening = _decision(
        session,
        meals,
        p["staff"],
        OPEN_QUESTION,
        "Twelve residents on the Northside list are out during the day. A Wednesday evening "
        "round (17:30-19:30) would need two drivers and a packer each week.",
        ["Yes, from January", "Not before spring", "No"],
        now - timedelta(days=2),
        soon,
    )
    _votes(
        session,
        evening,
        [
            (o["agency"], p["staff"], 1, "We need to recruit evening drivers first."),
            (o["bakery"], p["v3"], 0, "We can add fresh rolls to the evening round."),
        ],
        now - timedelta(days=1, hours=20),
    )


def _close(session: Session, programme: Programme, decision: Decision, at: datetime) -> None:
    """Record the result the scheduler would have recorded at the closing time."""
    session.refresh(decision, ["votes"])
    votes = {v.organisation_id: v.option_id for v in decision.votes}
    entitled = voting_organisation_ids(session, programme)
    decision.outcome, decision.chosen_option_id = tally(decision.rule, entitled, votes)
    decision.closed_at = at
    session.flush()
    audit.record(
        session,
        None,
        "decision.closed",
        decision,
        before={"closes_at": decision.closes_at},
        after={"closed_at": at, "outcome": decision.outcome,
               "chosen_option_id": decision.chosen_option_id, "votes": len(votes),
               "entitled": len(entitled)},
        at=at,
    )  # fmt: skip
