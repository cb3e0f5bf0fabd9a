"""Proposing: a signed-in, confirmed person proposes a task for a programme that accepts
proposals, at most PROPOSALS_PER_DAY in 24 hours."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from coprod import policy
from coprod.errors import FieldErrors, NotAllowed, TooMany
from coprod.i18n import _, _l, ngettext
from coprod.models import Programme, Proposal, ProposalStatus, User
from coprod.services import audit
from coprod.services.accounts import require_confirmed
from coprod.services.engagement import limit
from coprod.services.text import text_fields

Actor = User | None

MAX_TITLE = 200
MAX_TEXT = 5000
MAX_LOCATION = 300
FIELDS = ["title", "what", "location", "why", "contribution", "anonymous", "status"]
NOT_ACCEPTING = _l("This programme does not take proposals.")


def proposals_per_day() -> int:
    return limit("PROPOSALS_PER_DAY")


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    """Check every field at once (each message beside its field)."""
    errs = FieldErrors()
    text = text_fields(errs, values)

    out = {
        "title": text("title", _("A title"), MAX_TITLE, True, False),
        "what": text("what", _("What should be done"), MAX_TEXT, True, True),
        "location": text("location", _("The place"), MAX_LOCATION, False, False),
        "why": text("why", _("Why it matters"), MAX_TEXT, False, True),
        "contribution": text("contribution", _("What you could do"), MAX_TEXT, False, True),
    }
    errs.raise_if_any()
    return out


def _refuse_too_many(session: Session, actor: User, now: datetime, per_day: int) -> None:
    """At most `per_day` proposals by one person in 24 hours (web, API and CLI together); the
    person's row is locked first so two forms sent at once are counted one after the other."""
    session.execute(select(User.id).where(User.id == actor.id).with_for_update())
    made = session.scalar(
        select(func.count(Proposal.id)).where(
            Proposal.author_id == actor.id, Proposal.created_at > now - timedelta(days=1)
        )
    )
    if (made or 0) >= per_day:
        raise TooMany(
            ngettext(
                "You can make %(num)d proposal a day. Try again tomorrow.",
                "You can make %(num)d proposals a day. Try again tomorrow.",
                per_day,
            )
        )


def create_proposal(
    session: Session,
    actor: Actor,
    programme: Programme,
    *,
    title: str,
    what: str,
    location: str = "",
    why: str = "",
    contribution: str = "",
    anonymous: bool = False,
    now: datetime,
    per_day: int | None = None,
) -> Proposal:
    """A signed-in person with a confirmed email address proposes a task for a programme that
    accepts proposals, at most PROPOSALS_PER_DAY in 24 hours."""
    if actor is not None and not programme.accepts_proposals:
        raise NotAllowed(str(NOT_ACCEPTING))
    policy.require(actor, "programme.propose", programme)
    assert actor is not None
    require_confirmed(actor)
    raw = {"title": title, "what": what, "location": location, "why": why}
    values = _clean({**raw, "contribution": contribution})
    _refuse_too_many(session, actor, now, proposals_per_day() if per_day is None else per_day)
    proposal = Proposal(
        programme_id=programme.id,
        author_id=actor.id,
        anonymous=bool(anonymous),
        status=ProposalStatus.OPEN,
        supports=0,
        created_at=now,
        updated_at=now,
        **values,
    )
    session.add(proposal)
    session.flush()
    proposal.programme = programme
    audit.record(
        session, actor, "proposal.created", proposal, after=audit.snapshot(proposal, FIELDS), at=now
    )
    return proposal
