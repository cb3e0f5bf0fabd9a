"""Partners: the organisations that take part in a programme, each with its written role,
responsibilities and commitments (what the partnership agreement says of it); added, edited and
removed by the lead agency's staff."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from coprod import policy
from coprod.errors import Conflict, FieldErrors, Invalid, NotFound
from coprod.i18n import _
from coprod.models import Organisation, Partner, Programme, User
from coprod.services import audit
from coprod.services.text import clean_text

MAX_TEXT = 10_000  # responsibilities, commitments
MAX_ROLE = 200


def add_partner(
    session: Session,
    actor: User,
    programme: Programme,
    org: Organisation,
    role: str,
    commitments: str = "",
    responsibilities: str = "",
) -> Partner:
    """The lead agency's staff add an organisation once, with its written role,
    responsibilities and commitments; the lead agency itself is not a partner."""
    policy.require(actor, "programme.manage", programme)
    errs = FieldErrors()
    role, responsibilities, commitments = _clean_terms(errs, role, responsibilities, commitments)
    if org.id == programme.lead_organisation_id:
        errs.add(
            "organisation",
            _("%(name)s leads this programme, so it is not added as a partner.", name=org.name),
        )
    errs.raise_if_any()
    taken = _("%(name)s is already a partner in this programme.", name=org.name)
    if any(p.organisation_id == org.id for p in programme.partners):
        raise Conflict(taken)
    partner = Partner(
        programme=programme,
        organisation=org,
        role=role,
        responsibilities=responsibilities,
        commitments=commitments,
    )
    session.add(partner)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        raise Conflict(taken) from None
    audit.record(
        session,
        actor,
        "partner.added",
        partner,
        after={"programme_id": programme.id, "organisation_id": org.id, "role": role},
    )
    return partner


def _clean_terms(
    errs: FieldErrors, role: str | None, responsibilities: str | None, commitments: str | None
) -> tuple[str, str, str]:
    def long_text(raw: str | None, field: str, label: str) -> str:
        return clean_text(raw, field, label, max_len=MAX_TEXT, required=False, multiline=True)

    return (
        errs.check(
            lambda: clean_text(role, "role", _("The role"), max_len=MAX_ROLE, required=True)
        ),
        errs.check(
            lambda: long_text(responsibilities, "responsibilities", _("The responsibilities"))
        ),
        errs.check(lambda: long_text(commitments, "commitments", _("The commitments"))),
    )


TERMS = ["role", "responsibilities", "commitments"]


def edit_partner(
    session: Session,
    actor: User,
    partner: Partner,
    *,
    role: str | None,
    responsibilities: str | None,
    commitments: str | None,
) -> Partner:
    """The lead agency's staff change a partner's role, responsibilities and commitments (the
    next published agreement version carries them)."""
    policy.require(actor, "programme.manage", partner.programme)
    errs = FieldErrors()
    cleaned = _clean_terms(errs, role, responsibilities, commitments)
    errs.raise_if_any()
    before = audit.snapshot(partner, TERMS)
    partner.role, partner.responsibilities, partner.commitments = cleaned
    session.flush()
    after = audit.snapshot(partner, TERMS)
    if after != before:
        audit.record(session, actor, "partner.edited", partner, before=before, after=after)
    return partner


def remove_partner(session: Session, actor: User, partner: Partner) -> Partner:
    """The lead agency's staff remove a partner from the programme."""
    programme = partner.programme
    policy.require(actor, "programme.manage", programme)
    before = {
        "programme_id": programme.id,
        "organisation_id": partner.organisation_id,
        "role": partner.role,
        "responsibilities": partner.responsibilities,
        "commitments": partner.commitments,
    }
    audit.record(session, actor, "partner.removed", partner, before=before)
    programme.partners.remove(partner)
    session.flush()
    return partner


def get_partner(session: Session, programme: Programme, partner_id: int) -> Partner:
    """A partner of this programme (never of another one)."""
    for partner in programme.partners:
        if partner.id == partner_id:
            return partner
    raise NotFound(_("No such partner in this programme."))


def find_organisation(session: Session, name: str, field: str = "organisation") -> Organisation:
    """The organisation with this name (any case), or Invalid on the field."""
    text = (name or "").strip()
    if not text:
        raise Invalid(field, _("Enter the organisation's name."))
    org = session.scalar(
        select(Organisation).where(func.lower(Organisation.name) == text.lower()).limit(1)
    )
    if org is None:
        raise Invalid(
            field, _("No organisation is called “%(name)s”. Check the spelling.", name=text)
        )
    return org
