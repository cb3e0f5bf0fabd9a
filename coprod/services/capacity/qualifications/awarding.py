"""Awarding: a qualification's verifiers award it to a person (with an expiry from its
validity) and revoke awards."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from coprod import policy
from coprod.errors import Conflict, FieldErrors, Invalid
from coprod.i18n import _, _l
from coprod.models import AwardSource, Qualification, QualificationAward, User
from coprod.services import audit
from coprod.services.accounts import get_user_by_email, normalise_email
from coprod.services.bounds import MAX_ID
from coprod.services.capacity import expires_on_for
from coprod.services.capacity.qualifications.states import A, Actor, org_today
from coprod.services.text import clean_text

MAX_EVIDENCE = 500
FIRST_AWARD_DAY = date(2000, 1, 1)
AWARD_FIELDS = ["user_id", "qualification_id", "awarded_on", "expires_on", "evidence", "source"]
NOBODY_TO_AWARD = _l(
    "Nobody with this email address can be awarded it: check the address, or ask the person "
    "to register first."
)
ARCHIVED = _l("This qualification is archived, so it cannot be awarded. Unarchive it first.")
ALREADY_REVOKED = _l("This award has already been revoked.")


def _awardee(session: Session, user_id: int | None) -> User | None:
    if user_id is None or not 1 <= user_id <= MAX_ID:
        return None
    person = session.get(User, user_id)
    if person is None or not person.is_active or person.deleted_at is not None:
        return None
    return person


def _award_day(raw: Any, today: date) -> date:
    if not isinstance(raw, date):
        raise Invalid("awarded_on", _("Give the day it was awarded as a date."))
    if raw > today:
        raise Invalid("awarded_on", _("The day it was awarded cannot be in the future."))
    if raw < FIRST_AWARD_DAY:
        raise Invalid("awarded_on", _("The day it was awarded cannot be before 1 January 2000."))
    return raw


def award(
    session: Session,
    actor: Actor,
    qualification: Qualification,
    *,
    user_id: int | None = None,
    email: str | None = None,
    awarded_on: date | None,
    evidence: str = "",
    now: datetime,
) -> QualificationAward:
    """A verifier awards the qualification to an active person (by id, or by email address: an
    unknown address is answered like an account that cannot be awarded), on a day neither in
    the future nor before 2000; it expires as the qualification's validity says."""
    policy.require(actor, "qualification.verify", qualification)
    if qualification.archived_at is not None:
        raise Conflict(str(ARCHIVED))
    errs = FieldErrors()
    field = "email" if email is not None else "user_id"
    if email is not None:
        address = errs.check(lambda: normalise_email(email))
        person = _awardee_by_email(session, address) if address else None
    else:
        person = _awardee(session, user_id)
    if person is None and field not in errs.errors:
        errs.add(field, str(NOBODY_TO_AWARD))
    today = org_today(qualification.organisation, now)
    day = errs.check(lambda: _award_day(awarded_on, today))
    note = errs.check(
        lambda: clean_text(
            evidence, "evidence", _("The evidence"), max_len=MAX_EVIDENCE, required=False,
            multiline=True,
        )
    )  # fmt: skip
    errs.raise_if_any()
    assert person is not None
    made = A(
        user_id=person.id,
        qualification_id=qualification.id,
        awarded_on=day,
        expires_on=expires_on_for(qualification, day),
        evidence=note,
        source=AwardSource.VERIFIED,
        awarded_by_id=actor.id if actor else None,
        created_at=now,
    )
    session.add(made)
    session.flush()
    made.qualification, made.holder = qualification, person
    audit.record(
        session, actor, "award.created", made, after=audit.snapshot(made, AWARD_FIELDS), at=now
    )
    return made


def _awardee_by_email(session: Session, address: str) -> User | None:
    person = get_user_by_email(session, address)
    return _awardee(session, person.id) if person is not None else None


def revoke(
    session: Session, actor: Actor, award: QualificationAward, *, now: datetime
) -> QualificationAward:
    """A verifier revokes an award (once): it counts nowhere from now on."""
    policy.require(actor, "award.revoke", award)
    locked = session.scalars(
        select(A)
        .where(A.id == award.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    if locked.revoked_at is not None:
        raise Conflict(str(ALREADY_REVOKED))
    locked.revoked_at = now
    locked.revoked_by_id = actor.id if actor else None
    audit.record(
        session, actor, "award.revoked", locked, before={"revoked_at": None},
        after={"revoked_at": now}, at=now,
    )  # fmt: skip
    return locked
