"""Shared by the decision modules: the limits and labels, who votes for the partnership, and
emailing its organisations' admins."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from coprod import policy
from coprod.errors import Invalid, NotAllowed
from coprod.i18n import _, _l
from coprod.models import (
    Decision,
    DecisionOutcome,
    DecisionRule,
    NotificationKind,
    Organisation,
    Partner,
    Programme,
    Role,
    User,
)
from coprod.services import localtime, notifications, organisations

Actor = User | None

MAX_QUESTION = 300
MAX_DETAILS = 5000
MAX_LABEL = 200
MIN_OPTIONS, MAX_OPTIONS = 2, 10
MAX_COMMENT = 2000
MAX_AHEAD = timedelta(days=365)  # a decision closes within a year
HOME_ITEMS = 10  # decisions waiting for a vote, on the home page
BATCH = 200  # due decisions closed by one run of the job

RULE_LABELS = {
    DecisionRule.MAJORITY: _l("Majority: an option chosen by more than half of the organisations"),
    DecisionRule.CONSENSUS: _l("Consensus: every organisation votes, and all for the same option"),
}
OUTCOME_LABELS = {
    DecisionOutcome.CARRIED: _l("Carried"),
    DecisionOutcome.NO_MAJORITY: _l("No majority"),
    DecisionOutcome.NO_CONSENSUS: _l("No consensus"),
    DecisionOutcome.NO_VOTES: _l("No votes"),
}
CLOSED = _l("This decision is closed: votes can no longer be cast or changed.")


def rule_label(rule: DecisionRule) -> str:
    return str(RULE_LABELS[rule])


def outcome_label(outcome: DecisionOutcome | None) -> str:
    return str(OUTCOME_LABELS[outcome]) if outcome is not None else ""


def is_open(decision: Decision, now: datetime) -> bool:
    return decision.closed_at is None and decision.closes_at > now


def voting_organisation_ids(session: Session, programme: Programme) -> list[int]:
    """The partnership: the lead agency and every partner organisation (one query)."""
    partners = session.scalars(
        select(Partner.organisation_id).where(Partner.programme_id == programme.id)
    )
    return sorted({programme.lead_organisation_id, *partners})


def voting_organisations(session: Session, programme: Programme) -> list[Organisation]:
    """The organisations entitled to vote on the programme's decisions, by name."""
    ids = voting_organisation_ids(session, programme)
    return list(
        session.scalars(
            select(Organisation).where(Organisation.id.in_(ids)).order_by(Organisation.name)
        )
    )


def _admins(session: Session, org_ids: list[int], roles: tuple[Role, ...]) -> list[User]:
    """The (active) people holding one of the roles in the organisations, each once."""
    people = {user.id: user for _org, user in organisations.holders(session, org_ids, roles)}
    return [people[i] for i in sorted(people)]


def organisation_to_vote_for(
    session: Session, actor: Actor, decision: Decision, organisation_id: int | None
) -> Organisation:
    """The organisation the person votes for: the one named, or the only organisation of the
    partnership they are an admin of (422 when there are several and none is named)."""
    if organisation_id is not None:
        org = session.get(Organisation, organisation_id)
        if org is None:
            raise Invalid("organisation_id", _("No such organisation."))
        return org
    voting = set(voting_organisation_ids(session, decision.programme))
    mine = sorted(voting & policy.spoken_for(actor))
    if not mine:
        raise NotAllowed(
            _("Only an admin of an organisation in this partnership can vote in its name.")
        )
    if len(mine) > 1:
        raise Invalid(
            "organisation_id",
            _("You are an admin of several organisations in this partnership: choose one."),
        )
    org = session.get(Organisation, mine[0])
    assert org is not None
    return org


def organisations_i_vote_for(session: Session, actor: Actor, decision: Decision) -> list[int]:
    """The organisations of the partnership in whose name this person may vote."""
    voting = voting_organisation_ids(session, decision.programme)
    return [i for i in voting if i in policy.spoken_for(actor)]


def _email(session: Session, decision: Decision, *, opened: bool, now: datetime) -> int:
    """Opened: each admin of each voting organisation. Closed: the same, and the lead
    agency's staff. Once per person and occasion (the outbox's dedupe key)."""
    programme = decision.programme
    voting = voting_organisation_ids(session, programme)
    people = {u.id: u for u in _admins(session, voting, (Role.ADMIN,))}
    if not opened:
        staff = _admins(session, [programme.lead_organisation_id], (Role.STAFF, Role.ADMIN))
        people.update({u.id: u for u in staff})
    question = decision.question
    if opened:
        subject = notifications.Later(lambda: _("A decision for your vote: “%(q)s”", q=question))
    else:
        subject = notifications.Later(lambda: _("Decision closed: “%(q)s”", q=question))
    chosen = next((o for o in decision.options if o.id == decision.chosen_option_id), None)
    tz = localtime.programme_zone(programme)
    ctx = {
        "decision": decision,
        "programme": programme,
        "opened": opened,
        "rule": notifications.Later(lambda: rule_label(decision.rule)),
        "closes": notifications.Later(lambda: localtime.format_instant(decision.closes_at, tz)),
        "outcome": notifications.Later(lambda: outcome_label(decision.outcome)),
        "chosen": chosen.label if chosen else "",
        "decision_url": f"{notifications.base_url()}/decisions/{decision.id}",
    }
    occasion = f"decision{decision.id}:{'opened' if opened else 'closed'}"
    return sum(
        notifications.queue(
            session, person, NotificationKind.DECISION, occasion, subject, ctx, now=now
        )
        is not None
        for person in people.values()
    )
