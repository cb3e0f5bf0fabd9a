from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from coprod.errors import Conflict, Invalid, NotAllowed, NotFound
from coprod.models import AuditEntry, OrgKind, Partner, Role
from coprod.services import partners
from coprod.services import programmes as svc
from tests.factories import add_partner, make_member, make_metric, make_org, make_programme


def _agency_staff(session, *, verified: bool = True):
    agency = make_org(session, OrgKind.AGENCY, verified=verified)
    return agency, make_member(session, agency, Role.STAFF)


def _create(session, actor, lead, **overrides):
    fields = {
        "name": "Meals on wheels",
        "description": "Hot meals for people at home.",
        "starts_on": "2026-07-01",
        "ends_on": "2027-06-30",
        "is_pilot": False,
        "hypothesis": "",
        "hourly_rate": "31.50",
    }
    fields.update(overrides)
    return svc.create_programme(session, actor, lead, **fields)


def _audit(session, action: str) -> AuditEntry | None:
    return session.scalar(select(AuditEntry).where(AuditEntry.action == action))


# --- creating -----------------------------------------------------------------------------


def test_staff_of_a_verified_agency_create_a_programme_it_leads(session) -> None:
    agency, staff = _agency_staff(session)
    programme = _create(session, staff, agency)
    assert programme.lead_organisation_id == agency.id
    assert programme.starts_on == date(2026, 7, 1)
    assert programme.hourly_rate == Decimal("31.50")
    entry = _audit(session, "programme.created")
    assert entry is not None
    assert entry.after is not None
    assert entry.after["name"] == "Meals on wheels"


def test_an_unverified_agency_is_told_it_must_be_verified_first(session) -> None:
    agency, staff = _agency_staff(session, verified=False)
    with pytest.raises(NotAllowed) as exc:
        _create(session, staff, agency)
    assert "must be verified" in exc.value.message


def test_a_nonprofit_cannot_lead_a_programme(session) -> None:
    org = make_org(session, OrgKind.NONPROFIT)
    staff = make_member(session, org, Role.STAFF)
    with pytest.raises(NotAllowed):
        _create(session, staff, org)


@pytest.mark.parametrize("role", [Role.MEMBER, Role.COORDINATOR, Role.REVIEWER])
def test_only_agency_staff_create_programmes(session, role) -> None:
    agency = make_org(session, OrgKind.AGENCY)
    with pytest.raises(NotAllowed):
        _create(session, make_member(session, agency, role), agency)


def test_staff_of_another_agency_cannot_create_for_this_one(session) -> None:
    _, staff = _agency_staff(session)
    other = make_org(session, OrgKind.AGENCY)
    with pytest.raises(NotAllowed):
        _create(session, staff, other)


def test_a_programme_cannot_end_before_it_starts(session) -> None:
    agency, staff = _agency_staff(session)
    with pytest.raises(Invalid) as exc:
        _create(session, staff, agency, starts_on="2026-07-01", ends_on="2026-06-30")
    assert "ends_on" in exc.value.errors
    _create(session, staff, agency, starts_on="2026-07-01", ends_on="2026-07-01")


def test_a_pilot_needs_a_hypothesis(session) -> None:
    agency, staff = _agency_staff(session)
    with pytest.raises(Invalid) as exc:
        _create(session, staff, agency, is_pilot=True, hypothesis="  ")
    assert "hypothesis" in exc.value.errors
    pilot = _create(session, staff, agency, is_pilot=True, hypothesis="Texts cut no-shows.")
    assert pilot.is_pilot
    assert pilot.hypothesis == "Texts cut no-shows."


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": ""}, "name"),
        ({"starts_on": ""}, "starts_on"),
        ({"starts_on": "2026-02-30"}, "starts_on"),
        ({"ends_on": "soon"}, "ends_on"),
        ({"hourly_rate": "ten"}, "hourly_rate"),
        ({"hourly_rate": "-1"}, "hourly_rate"),
        ({"hourly_rate": "1.234"}, "hourly_rate"),
        ({"hourly_rate": "NaN"}, "hourly_rate"),
        (
            {"evaluation_starts_on": "2026-08-01", "evaluation_ends_on": "2026-07-01"},
            "evaluation_ends_on",
        ),
    ],
)
def test_creating_a_programme_refuses_bad_values_beside_the_field(
    session, overrides, field
) -> None:
    agency, staff = _agency_staff(session)
    with pytest.raises(Invalid) as exc:
        _create(session, staff, agency, **overrides)
    assert field in exc.value.errors


def test_update_programme_keeps_the_rules_and_audits_what_changed(session) -> None:
    agency, staff = _agency_staff(session)
    programme = make_programme(session, agency, name="Old name")
    with pytest.raises(Invalid):
        svc.update_programme(session, staff, programme, ends_on="2025-01-01")
    svc.update_programme(session, staff, programme, name="New name", hourly_rate="40")
    assert programme.name == "New name"
    assert programme.hourly_rate == Decimal("40")
    entry = _audit(session, "programme.updated")
    assert entry is not None
    assert entry.before == {"name": "Old name", "hourly_rate": "30.00"}


def test_only_lead_staff_update_a_programme(session) -> None:
    programme = make_programme(session)
    _, other_staff = _agency_staff(session)
    with pytest.raises(NotAllowed):
        svc.update_programme(session, other_staff, programme, name="Taken over")


# --- partners -----------------------------------------------------------------------------


def test_lead_staff_add_a_partner_with_role_and_commitments(session) -> None:
    agency, staff = _agency_staff(session)
    programme = make_programme(session, agency)
    org = make_org(session)
    partner = partners.add_partner(session, staff, programme, org, "Delivery", "Two vans a week")
    assert partner.organisation_id == org.id
    assert partner.commitments == "Two vans a week"
    assert _audit(session, "partner.added") is not None


def test_an_organisation_is_a_partner_only_once_per_programme(session) -> None:
    agency, staff = _agency_staff(session)
    programme = make_programme(session, agency)
    org = make_org(session)
    partners.add_partner(session, staff, programme, org, "Delivery")
    with pytest.raises(Conflict):
        partners.add_partner(session, staff, programme, org, "Again")


def test_the_lead_agency_is_not_added_as_its_own_partner(session) -> None:
    agency, staff = _agency_staff(session)
    programme = make_programme(session, agency)
    with pytest.raises(Invalid) as exc:
        partners.add_partner(session, staff, programme, agency, "Lead")
    assert "organisation" in exc.value.errors


def test_a_partner_needs_a_role(session) -> None:
    agency, staff = _agency_staff(session)
    programme = make_programme(session, agency)
    with pytest.raises(Invalid) as exc:
        partners.add_partner(session, staff, programme, make_org(session), " ")
    assert "role" in exc.value.errors


def test_partner_staff_cannot_add_partners(session) -> None:
    programme = make_programme(session)
    partner_org = make_org(session)
    add_partner(session, programme, partner_org)
    staff = make_member(session, partner_org, Role.ADMIN)
    with pytest.raises(NotAllowed):
        partners.add_partner(session, staff, programme, make_org(session), "Delivery")


def test_lead_staff_remove_a_partner(session) -> None:
    agency, staff = _agency_staff(session)
    programme = make_programme(session, agency)
    partner = add_partner(session, programme, make_org(session))
    partners.remove_partner(session, staff, partner)
    assert session.scalars(select(Partner).where(Partner.programme_id == programme.id)).all() == []
    assert _audit(session, "partner.removed") is not None


def test_a_partner_is_found_only_through_its_own_programme(session) -> None:
    programme, other = make_programme(session), make_programme(session)
    partner = add_partner(session, other, make_org(session))
    with pytest.raises(NotFound):
        partners.get_partner(session, programme, partner.id)


# --- metrics ------------------------------------------------------------------------------


def test_lead_staff_add_a_metric_with_unit_target_and_date(session) -> None:
    agency, staff = _agency_staff(session)
    programme = make_programme(session, agency)
    metric = svc.add_metric(
        session, staff, programme, "Meals delivered", "meals", "5000", "2027-06-30"
    )
    assert metric.target == Decimal("5000")
    assert metric.target_date == date(2027, 6, 30)
    assert _audit(session, "metric.added") is not None


@pytest.mark.parametrize("target", ["0", "-5", "", "many"])
def test_a_metric_target_must_be_above_zero(session, target) -> None:
    agency, staff = _agency_staff(session)
    programme = make_programme(session, agency)
    with pytest.raises(Invalid) as exc:
        svc.add_metric(session, staff, programme, "Meals", "meals", target, "2027-06-30")
    assert "target" in exc.value.errors


def test_a_metric_needs_a_name_unit_and_target_date(session) -> None:
    agency, staff = _agency_staff(session)
    programme = make_programme(session, agency)
    with pytest.raises(Invalid) as exc:
        svc.add_metric(session, staff, programme, "", "", "10", "")
    assert {"name", "unit", "target_date"} <= set(exc.value.errors)


def test_metric_names_are_unique_within_a_programme(session) -> None:
    agency, staff = _agency_staff(session)
    programme = make_programme(session, agency)
    make_metric(session, programme, name="Meals delivered")
    session.refresh(programme, ["metrics"])
    with pytest.raises(Invalid) as exc:
        svc.add_metric(session, staff, programme, "meals DELIVERED", "meals", "5", "2027-01-01")
    assert "name" in exc.value.errors


def test_only_lead_staff_add_metrics(session) -> None:
    programme = make_programme(session)
    _, other_staff = _agency_staff(session)
    with pytest.raises(NotAllowed):
        svc.add_metric(session, other_staff, programme, "Meals", "meals", "5", "2027-01-01")


# --- reading ------------------------------------------------------------------------------


def test_list_programmes_searches_name_and_description(session) -> None:
    hit = make_programme(session, name="Riverside clean-up", description="Litter picking")
    also = make_programme(session, name="Parks", description="Weekly LITTER rounds")
    make_programme(session, name="Meals", description="Hot food")
    page = svc.list_programmes(session, None, "litter", 1, 100)
    assert {p.id for p in page.items} >= {hit.id, also.id}
    assert all("litter" in (p.name + p.description).lower() for p in page.items)


def test_a_percent_sign_in_the_search_is_matched_as_typed(session) -> None:
    exact = make_programme(session, name="100% recycled", description="Paper")
    make_programme(session, name="1000 trees", description="Planting")
    page = svc.list_programmes(session, None, "100%", 1, 100)
    assert [p.id for p in page.items] == [exact.id]


def test_get_programme_loads_partners_and_metrics_in_constant_queries(
    session, count_queries
) -> None:
    programme = make_programme(session)
    for _ in range(3):
        add_partner(session, programme, make_org(session))
        make_metric(session, programme)
    session.expunge_all()
    count_queries.count = 0
    loaded = svc.get_programme(session, None, programme.id)
    names = [p.organisation.name for p in loaded.partners] + [m.name for m in loaded.metrics]
    assert len(names) == 6
    assert loaded.lead_organisation.name
    assert count_queries.count <= 3


def test_get_programme_of_an_unknown_id_is_not_found(session) -> None:
    with pytest.raises(NotFound):
        svc.get_programme(session, None, 999_999)
