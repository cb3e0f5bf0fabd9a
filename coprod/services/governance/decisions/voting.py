"""Voting on a decision: one vote per organisation of the partnership, changeable while the
decision is open."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from coprod import policy
from coprod.errors import Conflict, FieldErrors, NotAllowed, NotFound
from coprod.i18n import _
from coprod.models import Decision, DecisionVote, Organisation
from coprod.services import audit
from coprod.services.governance.decisions._common import (
    CLOSED,
    MAX_COMMENT,
    Actor,
    is_open,
    voting_organisation_ids,
)
from coprod.services.text import clean_text


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
