"""Service letters: a volunteer's approved hours for a period (one programme or all), stored as
issued under a random code that anyone holding it can check at /verify/<code>."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from coprod import policy
from coprod.errors import Invalid, NotFound
from coprod.i18n import _, current_language
from coprod.models import (
    ContributionLog,
    LogStatus,
    Metric,
    OutcomeQuantity,
    Programme,
    ServiceLetter,
    Task,
    User,
)
from coprod.services import audit
from coprod.services.bounds import MAX_ID, parse_day
from coprod.services.pagination import Page, paginate

CODE_BYTES = 24  # 192 bits, written as 32 URL-safe characters
MAX_CODE_LENGTH = 64


@dataclass(frozen=True)
class Verification:
    """What /verify/<code> may say: genuine or not, and only the letter's own figures."""

    valid: bool
    letter: ServiceLetter | None = None
    figures: dict[str, Any] | None = None
    # True when the approved logs today would give other figures (a later correction).
    differs_now: bool = False


def new_code() -> str:
    """An unguessable verification code (192 random bits)."""
    return secrets.token_urlsafe(CODE_BYTES)


# --- the figures ----------------------------------------------------------------------------


def _hours(value: Any) -> str:
    return f"{Decimal(value or 0).quantize(Decimal('0.01'))}"


def compute_figures(
    session: Session, user_id: int, from_date: date, to_date: date, programme_id: int | None
) -> dict[str, Any]:
    """The person's approved hours in the period (dates inclusive, each log's programme-local
    date) per programme and task, with first and last dates, days and outcomes recorded."""
    where = [
        ContributionLog.user_id == user_id,
        ContributionLog.status == LogStatus.APPROVED,
        ContributionLog.date >= from_date,
        ContributionLog.date <= to_date,
    ]
    if programme_id is not None:
        where.append(ContributionLog.programme_id == programme_id)
    rows = session.execute(
        select(
            ContributionLog.programme_id,
            ContributionLog.task_id,
            func.sum(ContributionLog.hours),
            func.min(ContributionLog.date),
            func.max(ContributionLog.date),
            func.count(func.distinct(ContributionLog.date)),
        )
        .where(*where)
        .group_by(ContributionLog.programme_id, ContributionLog.task_id)
    ).all()
    outcomes = session.execute(
        select(
            ContributionLog.task_id, Metric.name, Metric.unit, func.sum(OutcomeQuantity.quantity)
        )
        .join(OutcomeQuantity, OutcomeQuantity.log_id == ContributionLog.id)
        .join(Metric, Metric.id == OutcomeQuantity.metric_id)
        .where(*where)
        .group_by(ContributionLog.task_id, Metric.id, Metric.name, Metric.unit)
        .order_by(Metric.id)
    ).all()
    return _arrange(session, rows, outcomes)


def _arrange(session: Session, rows: Any, outcomes: Any) -> dict[str, Any]:
    """Group the per-task sums under their programmes, by name."""
    programmes = {
        p.id: p
        for p in session.scalars(
            select(Programme)
            .where(Programme.id.in_({r[0] for r in rows}))
            .options(joinedload(Programme.lead_organisation))
        )
    }
    task_ids = {r[1] for r in rows}
    titles = dict(session.execute(select(Task.id, Task.title).where(Task.id.in_(task_ids))).all())
    by_task: dict[int, list[dict[str, str]]] = {}
    for task_id, name, unit, quantity in outcomes:
        by_task.setdefault(task_id, []).append(
            {"metric": name, "unit": unit, "quantity": f"{Decimal(quantity).normalize():f}"}
        )
    out: dict[int, dict[str, Any]] = {}
    for programme_id, task_id, hours, first, last, days in rows:
        programme = programmes[programme_id]
        entry = out.setdefault(
            programme_id,
            {
                "id": programme_id,
                "name": programme.name,
                "lead_agency": programme.lead_organisation.name,
                "signatory": programme.letter_signatory or "",
                "hours": Decimal(0),
                "tasks": [],
            },
        )
        entry["hours"] += Decimal(hours)
        entry["tasks"].append(
            {
                "id": task_id,
                "title": titles.get(task_id, ""),
                "hours": _hours(hours),
                "first_date": _iso(first),
                "last_date": _iso(last),
                "days": int(days),
                "outcomes": by_task.get(task_id, []),
            }
        )
    listed = sorted(out.values(), key=lambda p: (p["name"].lower(), p["id"]))
    total = sum((p["hours"] for p in listed), Decimal(0))
    for p in listed:
        p["hours"] = _hours(p["hours"])
        p["tasks"].sort(key=lambda t: (t["title"].lower(), t["id"]))
    return {"hours_total": _hours(total), "programmes": listed}


def _iso(day: Any) -> str:
    return day.isoformat() if isinstance(day, date) else str(day)


def _numbers(figures: dict[str, Any]) -> Any:
    """What a letter states as facts (hours, dates, outcomes), without names that may be
    edited later (a renamed task does not make a letter out of date)."""
    return (
        figures["hours_total"],
        [
            (
                p["id"],
                p["hours"],
                [
                    (
                        t["id"],
                        t["hours"],
                        t["first_date"],
                        t["last_date"],
                        t["days"],
                        [(o["metric"], o["unit"], o["quantity"]) for o in t["outcomes"]],
                    )
                    for t in p["tasks"]
                ],
            )
            for p in figures["programmes"]
        ],
    )


def letter_figures(letter: ServiceLetter) -> dict[str, Any]:
    """The figures as issued."""
    return dict(json.loads(letter.figures))


# --- issuing, listing, revoking -----------------------------------------------------------


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


# --- verifying --------------------------------------------------------------------------------


def verify(session: Session, code: str) -> Verification:
    """Genuine when the code is a letter's, not revoked, and its holder's account still exists;
    the figures are the ones issued, and `differs_now` tells whether today's would differ."""
    text = (code or "").strip()
    if not text or len(text) > MAX_CODE_LENGTH:
        return Verification(valid=False)
    letter = session.scalar(
        select(ServiceLetter)
        .where(ServiceLetter.code == text)
        .options(joinedload(ServiceLetter.holder))
    )
    if letter is None or letter.revoked_at is not None or letter.holder.deleted_at is not None:
        return Verification(valid=False)
    issued = letter_figures(letter)
    now = compute_figures(
        session, letter.user_id, letter.from_date, letter.to_date, letter.programme_id
    )
    return Verification(
        valid=True, letter=letter, figures=issued, differs_now=_numbers(now) != _numbers(issued)
    )


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
