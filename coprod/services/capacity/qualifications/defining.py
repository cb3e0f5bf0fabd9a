"""Defining qualifications: an organisation's coordinators or staff define, edit and archive
them, each with who verifies it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from coprod import policy
from coprod.errors import FieldErrors, Invalid
from coprod.i18n import _, _l
from coprod.models import Organisation, Partner, Programme, Qualification, Verifier
from coprod.services import audit
from coprod.services.bounds import MAX_ID
from coprod.services.capacity.qualifications.states import Actor
from coprod.services.text import text_fields

MAX_NAME = 120
MAX_TEXT = 5000
MAX_VALIDITY = 600
FIELDS = [
    "name",
    "description",
    "how_to_get",
    "validity_months",
    "verifier",
    "programme_id",
    "archived_at",
]

NAME_TAKEN = _l("This organisation already has a qualification with this name.")
VERIFIER_LABELS = {
    Verifier.COORDINATORS: _l("Our coordinators"),
    Verifier.LEAD_AGENCY: _l("The lead agency of a programme"),
}


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
    text = text_fields(errs, values)

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
