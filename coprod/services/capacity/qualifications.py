"""Qualifications and their holders: an organisation defines, edits and archives its
qualifications; their verifiers award them to people (with an expiry from the validity) and
revoke awards; a person sees their own awards and sets their skills and whether coordinators
may invite them to understaffed shifts."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import delete, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from coprod import policy
from coprod.errors import Conflict, FieldErrors, Invalid, NotFound
from coprod.i18n import _, _l
from coprod.models import (
    AwardSource,
    Organisation,
    Partner,
    Programme,
    Qualification,
    QualificationAward,
    Shift,
    Task,
    TaskStatus,
    User,
    UserSkill,
    Verifier,
)
from coprod.services import audit, localtime
from coprod.services.accounts import get_user_by_email, normalise_email
from coprod.services.bounds import MAX_ID
from coprod.services.capacity import expires_on_for, parse_tags
from coprod.services.pagination import Page, paginate
from coprod.services.shift_state import live_shift, not_started_shift
from coprod.services.text import clean_text

Actor = User | None
A = QualificationAward

MAX_NAME = 120
MAX_TEXT = 5000
MAX_EVIDENCE = 500
MAX_VALIDITY = 600
FIRST_AWARD_DAY = date(2000, 1, 1)
FIELDS = [
    "name",
    "description",
    "how_to_get",
    "validity_months",
    "verifier",
    "programme_id",
    "archived_at",
]
AWARD_FIELDS = ["user_id", "qualification_id", "awarded_on", "expires_on", "evidence", "source"]

NAME_TAKEN = _l("This organisation already has a qualification with this name.")
NOBODY_TO_AWARD = _l(
    "Nobody with this email address can be awarded it: check the address, or ask the person "
    "to register first."
)
ARCHIVED = _l("This qualification is archived, so it cannot be awarded. Unarchive it first.")
ALREADY_REVOKED = _l("This award has already been revoked.")


class AwardState(StrEnum):
    """An award as it stands on a day."""

    VALID = "valid"
    EXPIRING = "expiring"  # valid, and expires within EXPIRY_NOTICE_DAYS
    EXPIRED = "expired"
    REVOKED = "revoked"


STATE_LABELS = {
    AwardState.VALID: _l("Valid"),
    AwardState.EXPIRING: _l("Expires soon"),
    AwardState.EXPIRED: _l("Expired"),
    AwardState.REVOKED: _l("Revoked"),
}
VERIFIER_LABELS = {
    Verifier.COORDINATORS: _l("Our coordinators"),
    Verifier.LEAD_AGENCY: _l("The lead agency of a programme"),
}


def state_label(state: AwardState | str) -> str:
    return str(STATE_LABELS[AwardState(state)])


def notice_days() -> int:
    """How many days before its expiry an award counts as expiring soon (EXPIRY_NOTICE_DAYS)."""
    from config import settings

    return int(settings().get("EXPIRY_NOTICE_DAYS", 30))


def award_state(award: QualificationAward, today: date, notice: int | None = None) -> AwardState:
    """Valid, expiring soon (within EXPIRY_NOTICE_DAYS), expired or revoked, on `today`."""
    if award.revoked_at is not None:
        return AwardState.REVOKED
    if award.expires_on is not None and award.expires_on <= today:
        return AwardState.EXPIRED
    days = notice_days() if notice is None else notice
    if award.expires_on is not None and award.expires_on <= today + timedelta(days=days):
        return AwardState.EXPIRING
    return AwardState.VALID


def org_today(org: Organisation, now: datetime) -> date:
    """The organisation's calendar date at this instant."""
    return now.astimezone(localtime.zone(localtime.organisation_zone_name(org))).date()


# --- defining -----------------------------------------------------------------------------


def _validity(raw: Any) -> int | None:
    """Months from a form (text) or the API (a number); empty means it does not expire."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    message = _(
        "Give the validity as a whole number of months from 1 to %(max)d, or leave it empty "
        "if it does not expire.",
        max=MAX_VALIDITY,
    )
    if isinstance(raw, bool):
        raise Invalid("validity_months", message)
    text = str(raw).strip()
    if len(text) > 6 or not text.lstrip("+").isdigit():
        raise Invalid("validity_months", message)
    months = int(text)
    if not 1 <= months <= MAX_VALIDITY:
        raise Invalid("validity_months", message)
    return months


def _verifier(raw: Any) -> Verifier:
    try:
        return Verifier(raw or Verifier.COORDINATORS)
    except ValueError:
        raise Invalid("verifier", _("Choose who verifies it from the options offered.")) from None


def programmes_for(session: Session, org: Organisation) -> list[Programme]:
    """The programmes whose lead agency may verify the organisation's qualifications: those it
    leads or is a partner of."""
    partnered = select(Partner.programme_id).where(Partner.organisation_id == org.id)
    return list(
        session.scalars(
            select(Programme)
            .where(or_(Programme.lead_organisation_id == org.id, Programme.id.in_(partnered)))
            .order_by(Programme.name, Programme.id)
        )
    )


def _programme(session: Session, org: Organisation, verifier: Verifier, raw: Any) -> int | None:
    if verifier != Verifier.LEAD_AGENCY:
        return None
    if raw in (None, ""):
        raise Invalid("programme_id", _("Choose the programme whose lead agency verifies it."))
    try:
        programme_id = int(raw)
    except (TypeError, ValueError):
        programme_id = 0
    if not 1 <= programme_id <= MAX_ID or programme_id not in {
        p.id for p in programmes_for(session, org)
    }:
        raise Invalid(
            "programme_id", _("Choose a programme your organisation leads or is a partner of.")
        )
    return programme_id


def _name_taken(session: Session, org_id: int, name: str, exclude_id: int | None) -> bool:
    stmt = select(Qualification.id).where(
        Qualification.organisation_id == org_id, func.lower(Qualification.name) == name.lower()
    )
    if exclude_id is not None:
        stmt = stmt.where(Qualification.id != exclude_id)
    return session.scalar(stmt.limit(1)) is not None


def _clean(
    session: Session, org: Organisation, values: dict[str, Any], exclude_id: int | None
) -> dict[str, Any]:
    """Every field checked at once, each message beside its field."""
    errs = FieldErrors()

    def text(field: str, label: str, max_len: int, required: bool, multiline: bool) -> Any:
        return errs.check(
            lambda: clean_text(
                values.get(field),
                field,
                label,
                max_len=max_len,
                required=required,
                multiline=multiline,
            )
        )

    name = text("name", _("A name"), MAX_NAME, True, False)
    if name and _name_taken(session, org.id, name, exclude_id):
        errs.add("name", str(NAME_TAKEN))
    verifier = errs.check(lambda: _verifier(values.get("verifier")))
    out = {
        "name": name,
        "description": text("description", _("The description"), MAX_TEXT, False, True),
        "how_to_get": text("how_to_get", _("How to get it"), MAX_TEXT, False, True),
        "validity_months": errs.check(lambda: _validity(values.get("validity_months"))),
        "verifier": verifier,
        "programme_id": errs.check(
            lambda: (
                _programme(session, org, verifier, values.get("programme_id"))
                if verifier is not None
                else None
            )
        ),
    }
    errs.raise_if_any()
    return out


def _save(session: Session) -> None:
    """Flush; two definitions of one name sent at once end as one row and one Invalid."""
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        raise Invalid("name", str(NAME_TAKEN)) from None


def define_qualification(
    session: Session,
    actor: Actor,
    org: Organisation,
    *,
    name: str,
    description: str = "",
    how_to_get: str = "",
    validity_months: int | str | None = None,
    verifier: str | Verifier = Verifier.COORDINATORS,
    programme_id: int | str | None = None,
    now: datetime,
) -> Qualification:
    """An organisation's coordinators or staff define a qualification: a name unique in the
    organisation whatever its case, a validity of 1 to 600 months or none, and who verifies it
    (their coordinators, or the lead agency of a programme they lead or are a partner of)."""
    policy.require(actor, "org.manage_qualifications", org)
    raw = dict(name=name, description=description, how_to_get=how_to_get)
    values = _clean(
        session,
        org,
        {
            **raw,
            "validity_months": validity_months,
            "verifier": verifier,
            "programme_id": programme_id,
        },
        None,
    )
    qualification = Qualification(
        organisation_id=org.id,
        created_by_id=actor.id if actor else None,
        created_at=now,
        updated_at=now,
        **values,
    )
    session.add(qualification)
    _save(session)
    qualification.organisation = org
    audit.record(
        session,
        actor,
        "qualification.created",
        qualification,
        after=audit.snapshot(qualification, FIELDS),
        at=now,
    )
    return qualification


def update_qualification(
    session: Session,
    actor: Actor,
    qualification: Qualification,
    *,
    now: datetime,
    **changes: Any,
) -> Qualification:
    """Change a qualification's fields (those not given stay); the same rules as defining it.
    Awards already made keep their expiry."""
    policy.require(actor, "org.manage_qualifications", qualification.organisation)
    before = audit.snapshot(qualification, FIELDS)
    keys = [f for f in FIELDS if f != "archived_at"]
    current = {k: getattr(qualification, k) for k in keys}
    unknown = set(changes) - set(keys)
    if unknown:
        raise Invalid(sorted(unknown)[0], _("This field cannot be changed."))
    values = _clean(session, qualification.organisation, {**current, **changes}, qualification.id)
    for key, value in values.items():
        setattr(qualification, key, value)
    qualification.updated_at = now
    _save(session)
    audit.record(
        session,
        actor,
        "qualification.updated",
        qualification,
        before=before,
        after=audit.snapshot(qualification, FIELDS),
        at=now,
    )
    return qualification


def set_archived(
    session: Session, actor: Actor, qualification: Qualification, archived: bool, *, now: datetime
) -> Qualification:
    """Archive a qualification (no longer offered for tasks or awards; awards stay) or bring it
    back."""
    policy.require(actor, "org.manage_qualifications", qualification.organisation)
    if (qualification.archived_at is not None) == archived:
        return qualification
    before = {"archived_at": qualification.archived_at}
    qualification.archived_at = now if archived else None
    qualification.updated_at = now
    action = "qualification.archived" if archived else "qualification.unarchived"
    audit.record(
        session,
        actor,
        action,
        qualification,
        before=before,
        after={"archived_at": qualification.archived_at},
        at=now,
    )
    return qualification


# --- reading ------------------------------------------------------------------------------


def get_qualification(session: Session, actor: Actor, qualification_id: int) -> Qualification:
    """A qualification (public: what it is and how to get it), or NotFound."""
    found = (
        session.get(
            Qualification, qualification_id, options=[joinedload(Qualification.organisation)]
        )
        if 1 <= qualification_id <= MAX_ID
        else None
    )
    if found is None or not policy.can(actor, "qualification.view", found):
        raise NotFound(_("No such qualification."))
    return found


def list_qualifications(
    session: Session,
    actor: Actor,
    org: Organisation,
    *,
    archived: bool = False,
    page: int = 1,
    per_page: int = 20,
) -> Page[Qualification]:
    """An organisation's qualifications by name (the archived ones on their own list)."""
    policy.require(actor, "org.view", org)
    stmt = select(Qualification).where(Qualification.organisation_id == org.id)
    stmt = stmt.where(
        Qualification.archived_at.is_not(None) if archived else Qualification.archived_at.is_(None)
    )
    stmt = stmt.order_by(func.lower(Qualification.name), Qualification.id)
    return paginate(session, stmt, page, per_page)


def offered_for_task(
    session: Session, programme: Programme, coordinating_organisation_id: int | None
) -> list[Qualification]:
    """What a task of the programme may require or train: the non-archived qualifications of
    its lead agency, its partners and its coordinating organisation."""
    partners = select(Partner.organisation_id).where(Partner.programme_id == programme.id)
    owners = [programme.lead_organisation_id]
    if coordinating_organisation_id is not None:
        owners.append(coordinating_organisation_id)
    return list(
        session.scalars(
            select(Qualification)
            .options(joinedload(Qualification.organisation))
            .where(
                Qualification.archived_at.is_(None),
                or_(
                    Qualification.organisation_id.in_(owners),
                    Qualification.organisation_id.in_(partners),
                ),
            )
            .order_by(func.lower(Qualification.name), Qualification.id)
        )
    )


TRAININGS_SHOWN = 20


def training_tasks(
    session: Session, actor: Actor, qualification: Qualification, *, now: datetime
) -> list[Task]:
    """The open tasks the person may see that train the qualification and have a shift to come
    (at most TRAININGS_SHOWN, the soonest first)."""
    soonest = (
        select(Shift.task_id, func.min(Shift.starts_at).label("starts_at"))
        .where(not_started_shift(now), live_shift())
        .group_by(Shift.task_id)
        .subquery()
    )
    return list(
        session.scalars(
            select(Task)
            .join(soonest, soonest.c.task_id == Task.id)
            .options(joinedload(Task.programme))
            .where(
                Task.trains_qualification_id == qualification.id,
                Task.status == TaskStatus.OPEN,
                policy.visible_tasks(actor),
            )
            .order_by(soonest.c.starts_at, Task.id)
            .limit(TRAININGS_SHOWN)
        )
    )


@dataclass(frozen=True)
class Holding:
    """An award with its state on the day it is looked at."""

    award: QualificationAward
    state: AwardState


def list_holders(
    session: Session,
    actor: Actor,
    qualification: Qualification,
    *,
    now: datetime,
    page: int = 1,
    per_page: int = 20,
) -> Page[Holding]:
    """Who holds (or held) the qualification, the newest awards first, each with its state
    today: for its verifiers only."""
    policy.require(actor, "qualification.verify", qualification)
    stmt = (
        select(A)
        .options(joinedload(A.holder), joinedload(A.qualification))
        .where(A.qualification_id == qualification.id, policy.visible_awards(actor))
        .order_by(A.awarded_on.desc(), A.id.desc())
    )
    found = paginate(session, stmt, page, per_page)
    today, notice = org_today(qualification.organisation, now), notice_days()
    items = [Holding(a, award_state(a, today, notice)) for a in found.items]
    return Page(items=items, page=found.page, per_page=found.per_page, total=found.total)


def my_awards(session: Session, person: User, *, now: datetime) -> list[Holding]:
    """All of a person's awards, the newest first, each with its state today."""
    awards = session.scalars(
        select(A)
        .options(joinedload(A.qualification).joinedload(Qualification.organisation))
        .where(A.user_id == person.id)
        .order_by(A.awarded_on.desc(), A.id.desc())
    ).all()
    notice = notice_days()
    return [
        Holding(a, award_state(a, org_today(a.qualification.organisation, now), notice))
        for a in awards
    ]


def get_award(session: Session, actor: Actor, award_id: int) -> QualificationAward:
    """One award, for its holder and the qualification's verifiers; NotFound for others."""
    found = session.get(A, award_id) if 1 <= award_id <= MAX_ID else None
    if found is None or not policy.can(actor, "award.view", found):
        raise NotFound(_("No such award."))
    return found


# --- awarding -----------------------------------------------------------------------------


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


# --- the person's own profile -------------------------------------------------------------


def my_skills(session: Session, person: User) -> list[str]:
    return list(
        session.scalars(
            select(UserSkill.tag).where(UserSkill.user_id == person.id).order_by(UserSkill.tag)
        )
    )


def set_skills(session: Session, person: User, tags: str | Iterable[str]) -> list[str]:
    """The person's skills become exactly these tags (normalised, each once, at most 20)."""
    wanted = parse_tags(tags)
    before = my_skills(session, person)
    session.execute(delete(UserSkill).where(UserSkill.user_id == person.id))
    for tag in wanted:
        session.add(UserSkill(user_id=person.id, tag=tag))
    session.flush()
    if sorted(wanted) != before:
        audit.record(
            session, person, "user.skills_set", person, before={"skills": before},
            after={"skills": sorted(wanted)},
        )  # fmt: skip
    return sorted(wanted)


def set_open_to_invitations(session: Session, person: User, open_: bool) -> None:
    """Whether coordinators may invite the person to understaffed shifts they qualify for."""
    if person.open_to_invitations == bool(open_):
        return
    before = {"open_to_invitations": person.open_to_invitations}
    person.open_to_invitations = bool(open_)
    audit.record(
        session, person, "user.invitations_set", person, before=before,
        after={"open_to_invitations": person.open_to_invitations},
    )  # fmt: skip


def update_my_profile(
    session: Session, person: User, *, skills: str | Iterable[str], open_to_invitations: bool
) -> list[str]:
    """The person's skills and invitation choice, from /my/qualifications or the API."""
    tags = set_skills(session, person, skills)
    set_open_to_invitations(session, person, open_to_invitations)
    return tags
