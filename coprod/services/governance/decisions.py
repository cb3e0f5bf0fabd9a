"""Shared decisions: the lead agency's staff put a question to the partnership, with 2 to 10
options and a closing time; every organisation in the partnership -- the lead agency and each
partner organisation of the programme -- has one vote, cast by one of its admins with a
comment, and changeable until the close. The rule (majority or consensus) is copied from the
agreement in force when the decision opens.

The result, decided when the decision closes (at its closing time by the scheduler, or earlier
by the lead staff), counts the votes of the organisations entitled to vote at that moment:
- no votes at all: NO_VOTES;
- majority: an option chosen by more than half of the entitled organisations is CARRIED (so
  with four organisations an option needs three votes; a 2-2 tie carries nothing), otherwise
  NO_MAJORITY;
- consensus: CARRIED when every entitled organisation voted and all for the same option,
  otherwise NO_CONSENSUS.

Races: a vote locks the decision's row (FOR UPDATE, then re-reads it) before it checks that the
decision is open, and closing is a guarded UPDATE ... WHERE closed_at IS NULL (which waits for
that lock); so a vote either lands before the close and is counted, or is refused after it.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any, cast

from sqlalchemy import CursorResult, and_, case, exists, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload, selectinload

from coprod import policy
from coprod.errors import Conflict, FieldErrors, Invalid, NotAllowed, NotFound
from coprod.i18n import _, _l, ngettext
from coprod.models import (
    Decision,
    DecisionOption,
    DecisionOutcome,
    DecisionRule,
    DecisionVote,
    NotificationKind,
    Organisation,
    Partner,
    Programme,
    Role,
    User,
)
from coprod.services import audit, localtime, notifications, organisations
from coprod.services.bounds import check_instant
from coprod.services.governance import decision_rule
from coprod.services.pagination import Page, paginate
from coprod.services.text import clean_text

log = logging.getLogger("coprod.decisions")

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


# --- who votes ----------------------------------------------------------------------------


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


# --- opening ------------------------------------------------------------------------------


def _closing_instant(programme: Programme, closes_at: datetime, now: datetime) -> datetime:
    """The instant a decision closes: a naive time is wall-clock time in the programme's zone
    (a time skipped by a clock change is refused); in the future, at most a year ahead."""
    check_instant(closes_at, "closes_at")
    if closes_at.tzinfo is None:
        tz = localtime.programme_zone(programme)
        instant = localtime.from_local(closes_at.date(), closes_at.time(), tz, "closes_at")
    else:
        instant = closes_at.astimezone(UTC)
    if instant <= now:
        raise Invalid("closes_at", _("The closing time must be in the future."))
    if instant > now + MAX_AHEAD:
        raise Invalid("closes_at", _("The closing time must be at most a year in the future."))
    return instant


def _labels(raw: list[str], errs: FieldErrors) -> list[str]:
    def one(r: str) -> str:
        return clean_text(r, "options", _("An option"), max_len=MAX_LABEL, required=False)

    labels = [label for r in raw if (label := errs.check(partial(one, r)))]
    if not MIN_OPTIONS <= len(labels) <= MAX_OPTIONS:
        errs.add(
            "options",
            _("Give from %(min)d to %(max)d options.", min=MIN_OPTIONS, max=MAX_OPTIONS),
        )
    seen: set[str] = set()
    for label in labels:
        if label.casefold() in seen:
            errs.add("options", _("The option “%(label)s” is given twice.", label=label))
        seen.add(label.casefold())
    return labels


def open_decision(
    session: Session,
    actor: Actor,
    programme: Programme,
    *,
    question: str,
    details: str = "",
    options: list[str],
    closes_at: datetime,
    now: datetime,
) -> Decision:
    """The lead agency's staff put a question (with 2-10 distinct options and a closing time
    in the next year) to the partnership, under the rule of the agreement in force; each
    voting organisation's admins are emailed."""
    policy.require(actor, "programme.manage", programme)
    assert actor is not None
    errs = FieldErrors()
    text = errs.check(
        lambda: clean_text(
            question, "question", _("The question"), max_len=MAX_QUESTION, required=True
        )
    )
    more = errs.check(
        lambda: clean_text(
            details,
            "details",
            _("The details"),
            max_len=MAX_DETAILS,
            required=False,
            multiline=True,
        )
    )
    labels = _labels(list(options or [])[: MAX_OPTIONS * 5], errs)
    instant = errs.check(lambda: _closing_instant(programme, closes_at, now))
    errs.raise_if_any()
    decision = Decision(
        programme_id=programme.id,
        question=text,
        details=more,
        rule=decision_rule(session, programme),
        opened_by_id=actor.id,
        opened_at=now,
        closes_at=instant,
        options=[DecisionOption(position=i, label=lb) for i, lb in enumerate(labels, start=1)],
    )
    session.add(decision)
    session.flush()
    decision.programme = programme
    audit.record(
        session,
        actor,
        "decision.opened",
        decision,
        after={
            "question": text,
            "rule": decision.rule,
            "closes_at": instant,
            "options": labels,
        },
        at=now,
    )
    _email(session, decision, opened=True, now=now)
    return decision


# --- voting -------------------------------------------------------------------------------


def _lock(session: Session, decision: Decision) -> Decision:
    """Lock the decision's row and read it again (another transaction may have closed it)."""
    locked = session.scalar(
        select(Decision)
        .where(Decision.id == decision.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if locked is None:
        raise NotFound(_("No such decision."))
    return locked


def _vote_row(session: Session, decision: Decision, org: Organisation) -> DecisionVote | None:
    return session.scalar(
        select(DecisionVote)
        .where(DecisionVote.decision_id == decision.id, DecisionVote.organisation_id == org.id)
        .execution_options(populate_existing=True)
    )


VOTE_FIELDS = ["organisation_id", "option_id", "comment"]


def vote(
    session: Session,
    actor: Actor,
    decision: Decision,
    organisation: Organisation,
    *,
    option_id: int,
    comment: str = "",
    now: datetime,
) -> DecisionVote:
    """An admin of an organisation in the partnership casts (or changes) its one vote for one
    of the decision's options, with a comment, while the decision is open."""
    policy.require(actor, "decision.view", decision)
    policy.require(actor, "org.speak_for", organisation)
    if organisation.id not in voting_organisation_ids(session, decision.programme):
        raise NotAllowed(
            _(
                "%(name)s is not in this programme's partnership, so it has no vote here.",
                name=organisation.name,
            )
        )
    errs = FieldErrors()
    note = errs.check(
        lambda: clean_text(
            comment,
            "comment",
            _("The comment"),
            max_len=MAX_COMMENT,
            required=False,
            multiline=True,
        )
    )
    if option_id not in {o.id for o in decision.options}:
        errs.add("option_id", _("No such option: choose one of this decision's options."))
    errs.raise_if_any()
    decision = _lock(session, decision)
    if not is_open(decision, now):
        raise Conflict(str(CLOSED))
    existing = _vote_row(session, decision, organisation)
    if existing is None:
        try:
            with session.begin_nested():  # a twin vote of the same organisation got in first
                existing = DecisionVote(
                    decision_id=decision.id,
                    organisation_id=organisation.id,
                    option_id=option_id,
                    comment=note,
                    voted_by_id=actor.id if actor else None,
                    voted_at=now,
                )
                session.add(existing)
                session.flush()
            audit.record(
                session,
                actor,
                "decision.voted",
                existing,
                after=audit.snapshot(existing, VOTE_FIELDS),
                at=now,
            )
            return existing
        except IntegrityError:
            existing = _vote_row(session, decision, organisation)
            if existing is None:
                raise Conflict(_("The vote could not be recorded: try again.")) from None
    before = audit.snapshot(existing, VOTE_FIELDS)
    existing.option_id, existing.comment = option_id, note
    existing.voted_by_id, existing.voted_at = (actor.id if actor else None), now
    session.flush()
    audit.record(
        session,
        actor,
        "decision.vote_changed",
        existing,
        before=before,
        after=audit.snapshot(existing, VOTE_FIELDS),
        at=now,
    )
    return existing


# --- closing ------------------------------------------------------------------------------


def tally(
    rule: DecisionRule, entitled: list[int], votes: dict[int, int]
) -> tuple[DecisionOutcome, int | None]:
    """The outcome under the rule (see the module) of votes {organisation id: option id},
    counting only the entitled organisations; and the chosen option when carried."""
    counted = {org: option for org, option in votes.items() if org in set(entitled)}
    if not counted:
        return DecisionOutcome.NO_VOTES, None
    if rule == DecisionRule.CONSENSUS:
        chosen = set(counted.values())
        if len(counted) == len(set(entitled)) and len(chosen) == 1:
            return DecisionOutcome.CARRIED, chosen.pop()
        return DecisionOutcome.NO_CONSENSUS, None
    option, n = Counter(counted.values()).most_common(1)[0]
    if n * 2 > len(set(entitled)):
        return DecisionOutcome.CARRIED, option
    return DecisionOutcome.NO_MAJORITY, None


def close_decision(
    session: Session, decision: Decision, now: datetime, actor: Actor = None
) -> bool:
    """Close the decision and record its outcome under its rule (see the module): at its
    closing time (the job, no actor) or earlier by the lead agency's staff. Idempotent: a
    decision already closed is left as it is (False); the partnership is emailed once."""
    if actor is not None:
        policy.require(actor, "decision.view", decision)
        policy.require(actor, "programme.manage", decision.programme)
    claimed = cast(
        CursorResult[Any],
        session.execute(
            update(Decision)
            .where(Decision.id == decision.id, Decision.closed_at.is_(None))
            .values(closed_at=now)
            .execution_options(synchronize_session=False)
        ),
    )
    if claimed.rowcount != 1:
        session.refresh(decision)
        return False
    session.refresh(decision)
    entitled = voting_organisation_ids(session, decision.programme)
    votes = dict(
        session.execute(
            select(DecisionVote.organisation_id, DecisionVote.option_id).where(
                DecisionVote.decision_id == decision.id
            )
        ).all()
    )
    outcome, chosen = tally(decision.rule, entitled, votes)
    decision.outcome, decision.chosen_option_id = outcome, chosen
    session.flush()
    audit.record(
        session,
        actor,
        "decision.closed",
        decision,
        before={"closes_at": decision.closes_at},
        after={
            "closed_at": now,
            "outcome": outcome,
            "chosen_option_id": chosen,
            "votes": len(votes),
            "entitled": len(entitled),
        },
        at=now,
    )
    _email(session, decision, opened=False, now=now)
    return True


def close_due_decisions(session: Session, *, now: datetime) -> int:
    """Close every open decision whose closing time has passed, each in its own savepoint:
    one that fails is logged and skipped, the others are closed. The number closed."""
    due = list(
        session.scalars(
            select(Decision.id)
            .where(Decision.closed_at.is_(None), Decision.closes_at <= now)
            .order_by(Decision.closes_at, Decision.id)
            .limit(BATCH)
        )
    )
    closed = 0
    for decision_id in due:
        try:
            with session.begin_nested():
                decision = session.get(Decision, decision_id)
                if decision is not None:
                    closed += close_decision(session, decision, now)
        except Exception as err:  # one bad decision costs only itself
            log.error(
                "governance.decisions: decision %s not closed (skipped): %s: %s",
                decision_id,
                type(err).__name__,
                err,
            )
    return closed


# --- emails -------------------------------------------------------------------------------


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


# --- reading ------------------------------------------------------------------------------


def _loaded() -> list[Any]:
    return [
        joinedload(Decision.programme).joinedload(Programme.lead_organisation),
        selectinload(Decision.options),
        selectinload(Decision.votes).joinedload(DecisionVote.organisation),
        selectinload(Decision.votes).joinedload(DecisionVote.voted_by),
    ]


def get_decision(session: Session, actor: Actor, decision_id: int) -> Decision:
    """The decision with its options and votes, for the partnership (NotFound otherwise)."""
    decision = session.scalar(
        select(Decision).where(Decision.id == decision_id).options(*_loaded())
    )
    if decision is None or not policy.can(actor, "decision.view", decision):
        raise NotFound(_("No such decision."))
    return decision


def require_partnership(actor: Actor, programme: Programme) -> None:
    """The programme's decisions are the partnership's: others are told they do not exist."""
    if not policy.can(actor, "programme.view_reports", programme):
        raise NotFound(_("Not found."))


def list_decisions(
    session: Session, actor: Actor, programme: Programme, *, page: int = 1, per_page: int = 20
) -> Page[Decision]:
    """A programme's decisions for the partnership: the open ones first (soonest to close),
    then the closed ones (latest closed first)."""
    require_partnership(actor, programme)
    still_open = Decision.closed_at.is_(None)
    stmt = (
        select(Decision)
        .where(Decision.programme_id == programme.id, policy.visible_decisions(actor))
        .options(*_loaded())
        .order_by(
            case((still_open, 0), else_=1),
            case((still_open, Decision.closes_at), else_=None),
            Decision.closed_at.desc(),
            Decision.id.desc(),
        )
    )
    return paginate(session, stmt, page, per_page)


def count_open(session: Session, actor: Actor, programme: Programme) -> int:
    """How many of the programme's decisions are open (for the programme page's link)."""
    return int(
        session.scalar(
            select(func.count(Decision.id)).where(
                Decision.programme_id == programme.id,
                Decision.closed_at.is_(None),
                policy.visible_decisions(actor),
            )
        )
        or 0
    )


@dataclass(frozen=True)
class Ballot:
    """An organisation entitled to vote, and its vote (None: not voted yet)."""

    organisation: Organisation
    vote: DecisionVote | None


@dataclass
class DecisionView:
    """What a decision's page shows."""

    decision: Decision
    counts: dict[int, int]  # option id -> votes of entitled organisations
    ballots: list[Ballot]  # every entitled organisation, voted first
    others: list[DecisionVote] = field(default_factory=list)  # votes of former partners
    mine: list[Organisation] = field(default_factory=list)  # the organisations I vote for
    open: bool = False

    @property
    def not_voted(self) -> list[Organisation]:
        return [b.organisation for b in self.ballots if b.vote is None]

    @property
    def chosen(self) -> DecisionOption | None:
        return next(
            (o for o in self.decision.options if o.id == self.decision.chosen_option_id), None
        )


def view_decision(
    session: Session,
    actor: Actor,
    decision: Decision,
    *,
    now: datetime,
    entitled: list[Organisation] | None = None,
) -> DecisionView:
    """The decision with its counts, each entitled organisation's vote and comment (or none
    yet), and the organisations the person may vote for while it is open."""
    policy.require(actor, "decision.view", decision)
    if entitled is None:  # a list of one programme's decisions reads them once
        entitled = voting_organisations(session, decision.programme)
    ids = {o.id for o in entitled}
    by_org = {v.organisation_id: v for v in decision.votes}
    counts = Counter(v.option_id for v in decision.votes if v.organisation_id in ids)
    ballots = [Ballot(o, by_org.get(o.id)) for o in entitled]
    ballots.sort(key=lambda b: b.vote is None)
    admin_of = policy.spoken_for(actor)
    return DecisionView(
        decision=decision,
        counts={o.id: counts.get(o.id, 0) for o in decision.options},
        ballots=ballots,
        others=[v for v in decision.votes if v.organisation_id not in ids],
        mine=[o for o in entitled if o.id in admin_of],
        open=is_open(decision, now),
    )


def vote_counts(session: Session, decision_ids: list[int]) -> dict[int, int]:
    """How many organisations voted on each decision (one query)."""
    if not decision_ids:
        return {}
    rows = session.execute(
        select(DecisionVote.decision_id, func.count(DecisionVote.id))
        .where(DecisionVote.decision_id.in_(decision_ids))
        .group_by(DecisionVote.decision_id)
    )
    return {d: int(n) for d, n in rows}


@dataclass(frozen=True)
class Waiting:
    """An open decision waiting for the vote of an organisation the person is an admin of."""

    decision: Decision
    organisation: Organisation


def waiting_for_my_vote(session: Session, actor: Actor, *, now: datetime) -> list[Waiting] | None:
    """The open decisions of the partnerships the person's organisations (as admin) belong
    to, that those organisations have not voted on, soonest to close first (one statement);
    None for someone who is an admin of no organisation."""
    admin_of = sorted(policy.spoken_for(actor))
    if not admin_of:
        return None
    in_partnership = or_(
        Programme.lead_organisation_id == Organisation.id,
        exists().where(
            Partner.programme_id == Programme.id, Partner.organisation_id == Organisation.id
        ),
    )
    voted = exists().where(
        DecisionVote.decision_id == Decision.id, DecisionVote.organisation_id == Organisation.id
    )
    rows = session.execute(
        select(Decision, Organisation)
        .join(Programme, Programme.id == Decision.programme_id)
        .join(Organisation, and_(Organisation.id.in_(admin_of), in_partnership))
        .options(joinedload(Decision.programme))
        .where(Decision.closed_at.is_(None), Decision.closes_at > now, ~voted)
        .order_by(Decision.closes_at, Decision.id, Organisation.name)
        .limit(HOME_ITEMS)
    ).all()
    return [Waiting(d, o) for d, o in rows]


def voted_summary(n: int, of: int) -> str:
    """ "2 of 4 organisations voted"."""
    return ngettext(
        "%(voted)d of %(num)d organisation voted",
        "%(voted)d of %(num)d organisations voted",
        of,
        voted=n,
    )


__all__ = [
    "MAX_COMMENT",
    "MAX_DETAILS",
    "MAX_LABEL",
    "MAX_OPTIONS",
    "MAX_QUESTION",
    "MIN_OPTIONS",
    "Ballot",
    "DecisionView",
    "Waiting",
    "close_decision",
    "close_due_decisions",
    "count_open",
    "get_decision",
    "is_open",
    "list_decisions",
    "open_decision",
    "organisation_to_vote_for",
    "organisations_i_vote_for",
    "outcome_label",
    "require_partnership",
    "rule_label",
    "tally",
    "view_decision",
    "vote",
    "vote_counts",
    "voted_summary",
    "voting_organisation_ids",
    "voting_organisations",
    "waiting_for_my_vote",
]
