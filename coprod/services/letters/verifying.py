"""Verifying a letter at /verify/<code>: genuine or not, and only the letter's own figures."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from coprod.models import ServiceLetter
from coprod.services.letters.figures import compute_figures, letter_figures

MAX_CODE_LENGTH = 64


@dataclass(frozen=True)
class Verification:
    """What /verify/<code> may say: genuine or not, and only the letter's own figures."""

    valid: bool
    letter: ServiceLetter | None = None
    figures: dict[str, Any] | None = None
    # True when the approved logs today would give other figures (a later correction).
    differs_now: bool = False


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
