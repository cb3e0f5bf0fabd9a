"""Issuing, listing and revoking letters: a volunteer's own, under an unguessable code."""

from __future__ import annotations

import json
import secrets
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from coprod import policy
from coprod.errors import Invalid, NotFound
from coprod.i18n import _, current_language
from coprod.models import ContributionLog, LogStatus, Programme, ServiceLetter, User
from coprod.services import audit
from coprod.services.bounds import MAX_ID, parse_day
from coprod.services.letters.figures import compute_figures
from coprod.services.pagination import Page, paginate

CODE_BYTES = 24  # 192 bits, written as 32 URL-safe characters


def new_code() -> str:
    """An unguessable verification code (192 random bits)."""
    return secrets.token_urlsafe(CODE_BYTES)


def _period(raw_from: date | str | None, raw_to: date | str | None) -> tuple[date, date]:
    first = parse_day(raw_from, "from_date", label=_("The first day"), required=True)
    last = parse_day(raw_to, "to_date", label=_("The last day"), required=True)
    assert first is not None and last is not None
    if last < first:
        raise Invalid("to_date", _("The last day must be on or after the first day."))
    return first, last


def _programme(session: Session, raw: int | str | None) -> Programme | None:
    if raw in (None, ""):
        return None
    try:
        programme_id = int(raw)
    except (TypeError, ValueError):
        programme_id = 0
    programme = session.get(Programme, programme_id) if 0 < programme_id <= MAX_ID else None
    if programme is None:
        raise Invalid(
            "programme_id", _("No such programme: choose one from the list, or all programmes.")
        )
    return programme


def issue_letter(
    session: Session,
    actor: User,
    *,
    from_date: date | str | None,
    to_date: date | str | None,
    programme_id: int | str | None = None,
    now: datetime,
) -> ServiceLetter:
    """A letter of the actor's own approved hours in the period, in their language, with the
    figures frozen as issued; a period without approved hours gets no letter."""
    policy.require(actor, "letter.create")
    first, last = _period(from_date, to_date)
    programme = _programme(session, programme_id)
    figures = compute_figures(
        session, actor.id, first, last, programme.id if programme is not None else None
    )
    if not figures["programmes"]:
        raise Invalid("to_date", _("You have no approved hours in this period."))
    agencies = sorted({p["lead_agency"] for p in figures["programmes"]})
    letter = ServiceLetter(
        user_id=actor.id,
        code=new_code(),
        programme_id=programme.id if programme is not None else None,
        from_date=first,
        to_date=last,
        holder_name=actor.display_name,
        lead_agencies="; ".join(agencies)[:1000],
        figures=json.dumps(figures, sort_keys=True),
        language=actor.language or current_language(),
        issued_at=now,
    )
    session.add(letter)
    session.flush()
    audit.record(
        session,
        actor,
        "letter.issued",
        letter,
        after={"from": first.isoformat(), "to": last.isoformat(), "hours": figures["hours_total"]},
        at=now,
    )
    return letter


def list_letters(session: Session, actor: User, page: int, per_page: int) -> Page[ServiceLetter]:
    """The actor's own letters, newest first (revoked ones too, marked)."""
    stmt = (
        select(ServiceLetter)
        .where(policy.own_letters(actor))
        .order_by(ServiceLetter.issued_at.desc(), ServiceLetter.id.desc())
    )
    return paginate(session, stmt, page, per_page)


def get_letter(session: Session, actor: User | None, letter_id: int) -> ServiceLetter:
    """One of the actor's letters; anyone else's does not exist for them."""
    letter = session.get(ServiceLetter, letter_id)
    if letter is None:
        raise NotFound(_("Not found."))
    policy.require(actor, "letter.view", letter)
    return letter


def revoke_letter(
    session: Session, actor: User, letter: ServiceLetter, *, now: datetime
) -> ServiceLetter:
    """Only the holder revokes a letter; from then on its code verifies as not valid."""
    policy.require(actor, "letter.revoke", letter)
    if letter.revoked_at is None:
        letter.revoked_at = now
        session.flush()
        audit.record(session, actor, "letter.revoked", letter, at=now)
    return letter


def letter_programmes(session: Session, actor: User) -> list[tuple[int, str]]:
    """The programmes the actor has approved hours in (to choose one for a letter), by name."""
    with_hours = select(ContributionLog.programme_id).where(
        ContributionLog.user_id == actor.id, ContributionLog.status == LogStatus.APPROVED
    )
    rows = session.execute(
        select(Programme.id, Programme.name)
        .where(Programme.id.in_(with_hours))
        .order_by(Programme.name, Programme.id)
    )
    return [(row.id, row.name) for row in rows]
