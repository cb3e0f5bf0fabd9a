"""Creating an organisation, setting its time zone, and verifying or declining an agency."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from coprod import policy
from coprod.errors import Conflict, FieldErrors
from coprod.i18n import _, _l
from coprod.models import Membership, Organisation, OrgKind, Role, User
from coprod.services import account_emails, audit, localtime
from coprod.services.organisations.labels import parse_kind
from coprod.services.text import clean_text

# The longest name, description and refusal reason an organisation takes.
MAX_NAME = 200
MAX_DESCRIPTION = 5000
MAX_REASON = 500
NAME_TAKEN = _l("An organisation with this name already exists.")


def _name_taken(session: Session, name: str, exclude_id: int | None = None) -> bool:
    stmt = select(Organisation.id).where(func.lower(Organisation.name) == name.lower())
    if exclude_id is not None:
        stmt = stmt.where(Organisation.id != exclude_id)
    return session.scalar(stmt.limit(1)) is not None


def create_organisation(
    session: Session,
    actor: User,
    name: str,
    kind: str | OrgKind,
    description: str = "",
    timezone: str | None = None,
) -> Organisation:
    """Any signed-in person creates an organisation and becomes its admin; names are unique
    whatever their case, an agency starts unverified, and the time zone is an IANA name
    (DEFAULT_TIMEZONE when none is given)."""
    errs = FieldErrors()
    zone = errs.check(lambda: localtime.check_zone(timezone, required=False))
    name = errs.check(
        lambda: clean_text(name, "name", _("The name"), max_len=MAX_NAME, required=True)
    )
    org_kind = errs.check(lambda: parse_kind(kind))
    text = errs.check(
        lambda: clean_text(
            description,
            "description",
            _("The description"),
            max_len=MAX_DESCRIPTION,
            required=False,
            multiline=True,
        )
    )
    errs.raise_if_any()
    if _name_taken(session, name):
        raise Conflict(str(NAME_TAKEN))
    org = Organisation(
        name=name,
        kind=org_kind,
        description=text,
        timezone=zone or localtime.default_zone_name(),
    )
    try:  # the database's case-blind unique index settles a race between two creators
        with session.begin_nested():
            session.add(org)  # inside the savepoint: refused, it leaves the session too
            session.flush()
    except IntegrityError:
        raise Conflict(str(NAME_TAKEN)) from None
    session.add(Membership(user=actor, organisation=org, role=Role.ADMIN))
    session.flush()
    audit.record(
        session,
        actor,
        "organisation.created",
        org,
        after=audit.snapshot(org, ["name", "kind", "timezone"]),
    )
    return org


def set_organisation_timezone(
    session: Session, actor: User, org: Organisation, timezone: str | None
) -> Organisation:
    """An admin of the organisation sets its IANA time zone (its programmes that set none
    follow it)."""
    policy.require(actor, "org.manage", org)
    zone = localtime.check_zone(timezone)
    if zone != org.timezone:
        before = org.timezone
        org.timezone = zone  # type: ignore[assignment]  # required: never None here
        session.flush()
        audit.record(
            session,
            actor,
            "organisation.timezone_changed",
            org,
            before={"timezone": before},
            after={"timezone": zone},
        )
    return org


def verify_organisation(session: Session, actor: User, org: Organisation, now: datetime) -> None:
    """A site admin verifies an organisation (an agency may then lead programmes)."""
    policy.require(actor, "org.verify", org)
    if org.verified_at is not None:
        raise Conflict(_("%(name)s is already verified.", name=org.name))
    org.verified_at = now
    org.verified_by_id = actor.id
    org.declined_at, org.decline_reason = None, None
    audit.record(
        session,
        actor,
        "organisation.verified",
        org,
        before={"verified_at": None},
        after={"verified_at": now},
    )


def decline_organisation(
    session: Session, actor: User, org: Organisation, reason: str, *, now: datetime
) -> Organisation:
    """A site admin declines to verify an agency, with a reason its admins are emailed; it
    leaves the waiting list (a site admin can still verify it later)."""
    policy.require(actor, "org.verify", org)
    why = clean_text(
        reason, "reason", _("The reason"), max_len=MAX_REASON, required=True, multiline=True
    )
    if org.verified_at is not None:
        raise Conflict(_("%(name)s is already verified.", name=org.name))
    if org.declined_at is not None:
        raise Conflict(_("%(name)s was already declined.", name=org.name))
    org.declined_at, org.decline_reason = now, why
    audit.record(
        session,
        actor,
        "organisation.declined",
        org,
        before={"declined_at": None},
        after={"declined_at": now, "reason": why},
        at=now,
    )
    account_emails.organisation_declined(session, org, now=now)
    return org
