"""A programme with a partnership around it, for the agreement tests: a lead agency (its staff
and a member), two partner organisations (each with two admins and a member), a third
organisation that is not a partner (its admin) and a site admin."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from coprod.models import (
    CommitmentKind,
    Organisation,
    OrgKind,
    Partner,
    PeriodKind,
    Programme,
    Role,
    User,
)
from coprod.services.governance import agreements
from tests.conftest import NOW
from tests.factories import (
    add_partner,
    make_commitment,
    make_member,
    make_metric,
    make_org,
    make_programme,
    make_user,
)


@dataclass
class AgreementWorld:
    programme: Programme
    agency: Organisation
    staff: User
    lead_member: User
    foodbank: Organisation
    bakery: Organisation
    food_admin: User
    food_admin2: User
    food_member: User
    bakery_admin: User
    outsider_org: Organisation
    outsider_admin: User
    site_admin: User
    food_partner: Partner
    bakery_partner: Partner

    def people(self) -> dict[str, Any]:
        return {
            "visitor": None,
            "outsider": self.outsider_admin,
            "site_admin": self.site_admin,
            "staff": self.staff,
            "lead_member": self.lead_member,
            "food_admin": self.food_admin,
            "food_member": self.food_member,
            "bakery_admin": self.bakery_admin,
        }


def build(session: Any, suffix: str = "") -> AgreementWorld:
    """The world; `suffix` keeps the names unique where several are committed (race tests)."""
    agency = make_org(session, OrgKind.AGENCY, name="City Agency" + suffix)
    programme = make_programme(session, agency, name="Community Meals" + suffix, currency="GBP")
    staff = make_member(session, agency, Role.STAFF)
    lead_member = make_member(session, agency)
    foodbank = make_org(session, name="Riverside Food Bank" + suffix)
    bakery = make_org(session, OrgKind.BUSINESS, name="Harbour Bakery" + suffix)
    food_partner = add_partner(session, programme, foodbank, "Food sourcing", "Collect food.")
    food_partner.responsibilities = "Run the Saturday kitchen."
    bakery_partner = add_partner(session, programme, bakery, "Donations", "Donate bread.")
    meals = make_metric(session, programme, name="Meals delivered", unit="meals")
    make_commitment(session, food_partner)
    make_commitment(
        session,
        food_partner,
        kind=CommitmentKind.OUTCOME,
        amount=Decimal("500"),
        period=None,
        metric_id=meals.id,
        due_on=date(2027, 6, 30),
    )
    make_commitment(
        session, bakery_partner, kind=CommitmentKind.IN_KIND, amount=Decimal("200"),
        period=PeriodKind.QUARTER,
    )  # fmt: skip
    outsider_org = make_org(session, name="Elsewhere Trust" + suffix)
    session.flush()
    session.expire(programme, ["partners"])
    session.expire(food_partner, ["figures"])
    session.expire(bakery_partner, ["figures"])
    return AgreementWorld(
        programme=programme,
        agency=agency,
        staff=staff,
        lead_member=lead_member,
        foodbank=foodbank,
        bakery=bakery,
        food_admin=make_member(session, foodbank, Role.ADMIN),
        food_admin2=make_member(session, foodbank, Role.ADMIN),
        food_member=make_member(session, foodbank),
        bakery_admin=make_member(session, bakery, Role.ADMIN),
        outsider_org=outsider_org,
        outsider_admin=make_member(session, outsider_org, Role.ADMIN),
        site_admin=make_user(session, is_site_admin=True),
        food_partner=food_partner,
        bakery_partner=bakery_partner,
    )


def publish(session: Any, world: AgreementWorld, **fields: Any):
    values: dict[str, Any] = {
        "purpose": "Hot meals for older residents.",
        "decision_rule": "majority",
        "review_on": date(2027, 6, 1),
        "now": NOW,
    } | fields
    return agreements.publish(session, world.staff, world.programme, **values)
