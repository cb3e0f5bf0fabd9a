"""Reading the partnership agreement: a programme's versions (newest first) with their
answers, one version, each partner's standing (the version it last accepted, and its answer to
the newest one) and the agreements waiting for a person's organisations to answer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from coprod import policy
from coprod.errors import NotFound
from coprod.i18n import _
from coprod.models import Agreement, AgreementAnswer, Organisation, Partner, Programme, User
from coprod.services.bounds import MAX_ID
from coprod.services.governance import latest_agreement
from coprod.services.governance.agreements import require_view
from coprod.services.pagination import Page, paginate

HOME_ITEMS = 10  # agreements waiting for an answer, on the home page


@dataclass(frozen=True)
class PartnerStanding:
    """Where one partner organisation stands with the agreement."""

    accepted_version: int | None  # the newest version it accepted
    accepted_at: datetime | None
    newest: AgreementAnswer | None  # its answer to the newest version, if any
    newest_version: int | None  # the newest version, if the programme has one
    named: bool  # the newest version names it (so it may answer)


@dataclass(frozen=True)
class Waiting:
    """A newest version waiting for an organisation's answer."""

    agreement: Agreement
    organisation: Organisation


def list_versions(
    session: Session, actor: User | None, programme: Programme, *, page: int = 1, per_page: int = 20
) -> Page[Agreement]:
    """The programme's versions, newest first, with their answers (the partnership only)."""
    require_view(actor, programme)
    stmt = (
        select(Agreement)
        .where(Agreement.programme_id == programme.id, policy.visible_agreements(actor))
        .options(
            selectinload(Agreement.answers).joinedload(AgreementAnswer.organisation),
            selectinload(Agreement.answers).joinedload(AgreementAnswer.answered_by),
            joinedload(Agreement.published_by),
        )
        .order_by(Agreement.version.desc())
    )
    return paginate(session, stmt, page, per_page)


def get_version(
    session: Session, actor: User | None, programme: Programme, version: int
) -> Agreement:
    """One version of the programme's agreement (NotFound when there is none by that number
    or the person is outside the partnership)."""
    require_view(actor, programme)
    if not 1 <= version <= MAX_ID:
        raise NotFound(_("This agreement has no version %(n)s.", n=version))
    found = session.scalar(
        select(Agreement).where(
            Agreement.programme_id == programme.id, Agreement.version == version
        )
    )
    if found is None:
        raise NotFound(_("This agreement has no version %(n)s.", n=version))
    policy.require(actor, "agreement.view", found)
    return found


def get_agreement(session: Session, actor: User | None, agreement_id: int) -> Agreement:
    """One version by its id, for the partnership only."""
    found = session.get(Agreement, agreement_id) if 1 <= agreement_id <= MAX_ID else None
    if found is None:
        raise NotFound(_("Not found."))
    policy.require(actor, "agreement.view", found)
    return found


def newest(session: Session, actor: User | None, programme: Programme) -> Agreement | None:
    """The agreement in force (its newest version), for the partnership only."""
    require_view(actor, programme)
    return latest_agreement(session, programme)


def answer_of(agreement: Agreement, organisation_id: int) -> AgreementAnswer | None:
    return next((a for a in agreement.answers if a.organisation_id == organisation_id), None)


def standings(
    session: Session, programme: Programme, newest_version: Agreement | None
) -> dict[int, PartnerStanding]:
    """Every current partner's standing, keyed by organisation id (two statements: the
    accepted answers, then the newest version's answers). The caller checked the person may
    read the agreement."""
    accepted: dict[int, tuple[int, datetime]] = {}
    rows = session.execute(
        select(AgreementAnswer.organisation_id, Agreement.version, AgreementAnswer.answered_at)
        .join(Agreement, Agreement.id == AgreementAnswer.agreement_id)
        .where(Agreement.programme_id == programme.id, AgreementAnswer.accepted.is_(True))
        .order_by(Agreement.version.desc())
    )
    for org_id, version, at in rows:
        accepted.setdefault(org_id, (version, at))
    answers: dict[int, AgreementAnswer] = {}
    named: set[int] = set()
    if newest_version is not None:
        answers = {a.organisation_id: a for a in newest_version.answers}
        named = {t["organisation_id"] for t in newest_version.terms}
    result = {}
    for partner in programme.partners:
        org_id = partner.organisation_id
        last = accepted.get(org_id)
        result[org_id] = PartnerStanding(
            accepted_version=last[0] if last else None,
            accepted_at=last[1] if last else None,
            newest=answers.get(org_id),
            newest_version=newest_version.version if newest_version else None,
            named=org_id in named,
        )
    return result


def speakable(actor: User | None, agreement: Agreement) -> list[Organisation]:
    """The organisations named in the version whose admin the person is (those they may answer
    for), from the programme's current partners."""
    named = {t["organisation_id"] for t in agreement.terms}
    return sorted(
        (
            p.organisation
            for p in agreement.programme.partners
            if p.organisation_id in named and policy.can(actor, "org.speak_for", p.organisation)
        ),
        key=lambda o: (o.name.lower(), o.id),
    )


def waiting_for(session: Session, actor: User) -> list[Waiting]:
    """The newest versions naming an organisation the person is admin of that it has not
    answered yet (one statement; none for people who are nobody's admin)."""
    org_ids = sorted(policy.spoken_for(actor))
    if not org_ids:
        return []
    newest_versions = (
        select(Agreement.programme_id, func.max(Agreement.version).label("version"))
        .group_by(Agreement.programme_id)
        .subquery()
    )
    answered = (
        select(AgreementAnswer.id)
        .where(
            AgreementAnswer.agreement_id == Agreement.id,
            AgreementAnswer.organisation_id == Organisation.id,
        )
        .exists()
    )
    rows = session.execute(
        select(Agreement, Organisation)
        .join(
            newest_versions,
            and_(
                newest_versions.c.programme_id == Agreement.programme_id,
                newest_versions.c.version == Agreement.version,
            ),
        )
        .join(Partner, Partner.programme_id == Agreement.programme_id)
        .join(Organisation, Organisation.id == Partner.organisation_id)
        .where(Partner.organisation_id.in_(org_ids), ~answered)
        .options(joinedload(Agreement.programme).joinedload(Programme.lead_organisation))
        .order_by(Agreement.published_at.desc(), Agreement.id, Organisation.id)
        .limit(HOME_ITEMS * 3)
    ).all()
    found = [
        Waiting(agreement, org)
        for agreement, org in rows
        if org.id in {t["organisation_id"] for t in agreement.terms}
    ]
    return found[:HOME_ITEMS]


__all__ = [
    "PartnerStanding",
    "Waiting",
    "answer_of",
    "get_agreement",
    "get_version",
    "list_versions",
    "newest",
    "speakable",
    "standings",
    "waiting_for",
]
