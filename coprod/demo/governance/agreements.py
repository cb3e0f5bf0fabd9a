"""The demo's partnership agreements: each partner's written responsibilities, and Community
Meals' agreement at version 2. Version 1 (five months ago) was accepted by all three partners;
version 2 (published last week, by majority, reviewed next year) is accepted by Riverside Food
Bank, objected to by Harbour Bakery over the Friday bread collection time, and not answered yet
by the residents' association. Partners' admins: Cora (food bank), Chloe (residents), Dev
(bakery)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from coprod.models import (
    Agreement,
    AgreementAnswer,
    DecisionRule,
    Organisation,
    Programme,
    Task,
    User,
)
from coprod.services import audit
from coprod.services.governance.terms import current_terms

RESPONSIBILITIES = {
    ("meals", "foodbank"): "Source surplus food and keep the Saturday kitchen staffed; report "
    "hours and meals every month.",
    ("meals", "residents"): "Recruit and brief neighbours for the delivery rounds; tell the "
    "council about residents who need a visit.",
    ("meals", "bakery"): "Set aside unsold bread on Fridays and have it ready for collection.",
    ("green", "green"): "Train volunteers in safe planting; supply the tools and the trees.",
    ("green", "residents"): "Adopt the new trees on each street and water them through summer.",
}
PURPOSE_V1 = (
    "Hot meals and food parcels for older and isolated residents of Riverside, cooked and "
    "delivered together by the council, the food bank, neighbours and local businesses."
)
PURPOSE_V2 = PURPOSE_V1 + (
    "\nFrom this version, bread is collected from the bakery on Fridays at 7am, before the "
    "morning rounds, and partners review the agreement together once a year."
)
OBJECTION = (
    "7am on Fridays is too early for us: our bread is ready at 9am. Please move the Friday "
    "bread collection to 9:30, or we cannot keep this commitment."
)


def _responsibilities(programmes: dict[str, Programme], orgs: dict[str, Organisation]) -> None:
    for (programme_key, org_key), text in RESPONSIBILITIES.items():
        for partner in programmes[programme_key].partners:
            if partner.organisation_id == orgs[org_key].id:
                partner.responsibilities = text


def _version(
    session: Session,
    programme: Programme,
    version: int,
    purpose: str,
    review_on: date,
    staff: User,
    at: datetime,
) -> Agreement:
    agreement = Agreement(
        programme_id=programme.id,
        version=version,
        purpose=purpose,
        decision_rule=DecisionRule.MAJORITY,
        review_on=review_on,
        terms=current_terms(programme),
        published_by_id=staff.id,
        published_at=at,
    )
    session.add(agreement)
    session.flush()
    after = {"programme_id": programme.id, "version": version, "purpose": purpose}
    audit.record(session, staff, "agreement.published", agreement, after=after, at=at)
    return agreement


def _answer(
    session: Session,
    agreement: Agreement,
    org: Organisation,
    admin: User,
    at: datetime,
    comment: str = "",
) -> None:
    made = AgreementAnswer(
        agreement_id=agreement.id,
        organisation_id=org.id,
        accepted=not comment,
        comment=comment,
        answered_by_id=admin.id,
        answered_at=at,
    )
    session.add(made)
    session.flush()
    after = {"agreement_id": agreement.id, "organisation_id": org.id, "accepted": not comment}
    audit.record(session, admin, "agreement.answered", made, after=after | {"comment": comment},
                 at=at)  # fmt: skip


def load(
    session: Session,
    programmes: dict[str, Programme],
    tasks: list[Task],
    people: dict[str, User],
    orgs: dict[str, Organisation],
    now: datetime,
) -> None:
    """Responsibilities for every partner; Community Meals' agreement at version 2."""
    session.flush()
    for programme in programmes.values():
        session.refresh(programme, ["partners"])
    _responsibilities(programmes, orgs)
    session.flush()
    meals, staff = programmes["meals"], people["staff"]
    first_at = now - timedelta(days=150)
    first = _version(
        session, meals, 1, PURPOSE_V1, (first_at + timedelta(days=365)).date(), staff, first_at
    )
    admins = {"foodbank": people["coordinator"], "residents": people["v2"], "bakery": people["v3"]}
    for n, key in enumerate(("foodbank", "residents", "bakery")):
        _answer(session, first, orgs[key], admins[key], first_at + timedelta(days=2 + n))
    second_at = now - timedelta(days=6)
    second = _version(session, meals, 2, PURPOSE_V2, date(now.year + 1, 3, 31), staff, second_at)
    _answer(session, second, orgs["foodbank"], admins["foodbank"], second_at + timedelta(days=1))
    _answer(
        session, second, orgs["bakery"], admins["bakery"], second_at + timedelta(days=2), OBJECTION
    )


__all__ = ["OBJECTION", "load"]
