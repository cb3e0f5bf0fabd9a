from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from coprod.models import Metric, OrgKind, Partner, Programme, Role
from tests.conftest import login
from tests.factories import add_partner, make_member, make_metric, make_org, make_programme


def _lead(session, *, verified: bool = True):
    agency = make_org(session, OrgKind.AGENCY, verified=verified, name="Parks Department")
    return agency, make_member(session, agency, Role.STAFF)


# --- public pages -------------------------------------------------------------------------


def test_the_public_lists_and_searches_programmes(client, session) -> None:
    make_programme(session, name="Riverside clean-up")
    make_programme(session, name="Meals on wheels")
    page = client.get("/programmes")
    assert page.status_code == 200
    assert b"Riverside clean-up" in page.data
    found = client.get("/programmes?q=riverside")
    assert b"Riverside clean-up" in found.data
    assert b"Meals on wheels" not in found.data


def test_a_search_with_no_match_says_so(client, session) -> None:
    page = client.get("/programmes?q=zzzznothing")
    assert page.status_code == 200
    assert b"No programmes match" in page.data


def test_a_bad_page_number_is_a_4xx_not_a_500(client, session) -> None:
    assert client.get("/programmes?page=abc").status_code == 422
    assert client.get("/programmes?per_page=5000").status_code == 422


def test_the_programme_list_issues_a_constant_number_of_queries(
    client, session, count_queries
) -> None:
    for _ in range(2):
        make_programme(session)
    client.get("/programmes")
    count_queries.count = 0
    client.get("/programmes")
    few = count_queries.count
    for _ in range(6):
        make_programme(session)
    count_queries.count = 0
    client.get("/programmes")
    assert count_queries.count == few


def test_the_programme_page_shows_the_partnership_agreement_and_objectives(client, session) -> None:
    agency, _ = _lead(session)
    programme = make_programme(session, agency, name="Meals", description="Hot meals at home.")
    add_partner(session, programme, make_org(session, name="Food Bank"), "Delivery", "Two vans")
    make_metric(session, programme, name="Meals delivered", unit="meals", target=Decimal("5000"))
    page = client.get(f"/programmes/{programme.id}")
    assert page.status_code == 200
    for text in (b"Parks Department", b"Food Bank", b"Two vans", b"Meals delivered", b"5,000"):
        assert text in page.data
    assert b"Edit programme" not in page.data
    assert b"Add a partner" not in page.data


def test_lead_staff_see_the_management_links(client, session) -> None:
    agency, staff = _lead(session)
    programme = make_programme(session, agency)
    page = login(client, staff).get(f"/programmes/{programme.id}")
    assert b"Edit programme" in page.data
    assert b"Add a partner" in page.data
    assert b"Add an objective" in page.data


def test_the_programme_page_issues_a_constant_number_of_queries(
    client, session, count_queries
) -> None:
    programme = make_programme(session)
    add_partner(session, programme, make_org(session))
    make_metric(session, programme)
    client.get(f"/programmes/{programme.id}")
    count_queries.count = 0
    client.get(f"/programmes/{programme.id}")
    few = count_queries.count
    for _ in range(5):
        add_partner(session, programme, make_org(session))
        make_metric(session, programme)
    count_queries.count = 0
    client.get(f"/programmes/{programme.id}")
    assert count_queries.count == few


def test_an_unknown_programme_is_not_found(client, session) -> None:
    assert client.get("/programmes/999999").status_code == 404


# --- creating and editing -----------------------------------------------------------------


def test_staff_create_a_programme_with_their_agency_preselected(client, session) -> None:
    agency, staff = _lead(session)
    login(client, staff)
    form = client.get(f"/programmes/new?org={agency.id}")
    assert form.status_code == 200
    assert f'<option selected value="{agency.id}"'.encode() in form.data or (
        f'value="{agency.id}" selected'.encode() in form.data
    )
    resp = client.post(
        "/programmes/new",
        data={"org": agency.id, "name": "Meals", "starts_on": "2026-07-01", "hourly_rate": "30"},
    )
    assert resp.status_code == 303
    created = session.scalar(select(Programme).where(Programme.name == "Meals"))
    assert created is not None
    assert created.lead_organisation_id == agency.id


def test_the_new_programme_form_shows_errors_beside_fields(client, session) -> None:
    agency, staff = _lead(session)
    resp = login(client, staff).post(
        "/programmes/new",
        data={
            "org": agency.id,
            "name": "",
            "starts_on": "2026-07-01",
            "ends_on": "2026-06-01",
            "is_pilot": "y",
            "hourly_rate": "lots",
        },
    )
    assert resp.status_code == 422
    for field in (b"name", b"ends_on", b"hypothesis", b"hourly_rate"):
        assert b'id="' + field + b'-error"' in resp.data
    assert (
        session.scalar(select(Programme).where(Programme.lead_organisation_id == agency.id)) is None
    )


def test_an_unverified_agency_is_told_to_get_verified(client, session) -> None:
    agency, staff = _lead(session, verified=False)
    resp = login(client, staff).post(
        "/programmes/new", data={"org": agency.id, "name": "Meals", "starts_on": "2026-07-01"}
    )
    assert resp.status_code == 403
    assert b"must be verified" in resp.data


def test_someone_without_an_agency_cannot_open_the_new_programme_form(client, session) -> None:
    org = make_org(session)
    member = make_member(session, org, Role.ADMIN)
    resp = login(client, member).get("/programmes/new")
    assert resp.status_code == 403
    assert b"Only staff of a verified agency" in resp.data


def test_creating_for_an_unknown_agency_is_not_found(client, session) -> None:
    _, staff = _lead(session)
    resp = login(client, staff).post(
        "/programmes/new", data={"org": 999999, "name": "X", "starts_on": "2026-07-01"}
    )
    assert resp.status_code == 404


def test_lead_staff_edit_a_programme(client, session) -> None:
    agency, staff = _lead(session)
    programme = make_programme(session, agency, name="Old")
    login(client, staff)
    form = client.get(f"/programmes/{programme.id}/edit")
    assert form.status_code == 200
    assert b'value="Old"' in form.data
    resp = client.post(
        f"/programmes/{programme.id}/edit",
        data={"name": "New", "starts_on": "2026-01-01", "hourly_rate": "25.00"},
    )
    assert resp.status_code == 303
    session.refresh(programme)
    assert programme.name == "New"
    assert programme.hourly_rate == Decimal("25.00")


def test_others_cannot_open_the_edit_form(client, session) -> None:
    programme = make_programme(session)
    other_staff = make_member(session, make_org(session, OrgKind.AGENCY), Role.STAFF)
    assert login(client, other_staff).get(f"/programmes/{programme.id}/edit").status_code == 403


# --- partners and metrics -----------------------------------------------------------------


def test_adding_a_partner_by_organisation_name(client, session) -> None:
    agency, staff = _lead(session)
    programme = make_programme(session, agency)
    org = make_org(session, name="Food Bank")
    resp = login(client, staff).post(
        f"/programmes/{programme.id}/partners/new",
        data={"organisation": "food bank", "role": "Delivery", "commitments": "Two vans"},
    )
    assert resp.status_code == 303
    partner = session.scalar(select(Partner).where(Partner.programme_id == programme.id))
    assert partner is not None
    assert partner.organisation_id == org.id


def test_partner_form_errors_appear_beside_fields(client, session) -> None:
    agency, staff = _lead(session)
    programme = make_programme(session, agency)
    login(client, staff)
    resp = client.post(
        f"/programmes/{programme.id}/partners/new", data={"organisation": "Nobody", "role": ""}
    )
    assert resp.status_code == 422
    assert b'id="organisation-error"' in resp.data
    resp = client.post(
        f"/programmes/{programme.id}/partners/new",
        data={"organisation": agency.name, "role": "Lead"},
    )
    assert resp.status_code == 422
    assert b"not added as a partner" in resp.data


def test_a_duplicate_partner_is_refused_with_a_message(client, session) -> None:
    agency, staff = _lead(session)
    programme = make_programme(session, agency)
    org = make_org(session)
    add_partner(session, programme, org)
    resp = login(client, staff).post(
        f"/programmes/{programme.id}/partners/new", data={"organisation": org.name, "role": "X"}
    )
    assert resp.status_code == 422
    assert b"already a partner" in resp.data


def test_removing_a_partner_needs_confirmation(client, session) -> None:
    agency, staff = _lead(session)
    programme = make_programme(session, agency)
    partner = add_partner(session, programme, make_org(session))
    login(client, staff)
    path = f"/programmes/{programme.id}/partners/{partner.id}/remove"
    assert client.get(path).status_code == 200
    assert client.post(path, data={}).status_code == 422
    assert session.get(Partner, partner.id) is not None
    assert client.post(path, data={"confirm": "y"}).status_code == 303
    session.expunge_all()
    assert session.get(Partner, partner.id) is None


def test_a_partner_of_another_programme_cannot_be_removed_through_mine(client, session) -> None:
    agency, staff = _lead(session)
    mine = make_programme(session, agency)
    theirs = make_programme(session)
    partner = add_partner(session, theirs, make_org(session))
    login(client, staff)
    path = f"/programmes/{mine.id}/partners/{partner.id}/remove"
    assert client.post(path, data={"confirm": "y"}).status_code == 404
    direct = f"/programmes/{theirs.id}/partners/{partner.id}/remove"
    assert client.post(direct, data={"confirm": "y"}).status_code == 403
    session.expire_all()
    assert session.get(Partner, partner.id) is not None


def test_adding_a_metric(client, session) -> None:
    agency, staff = _lead(session)
    programme = make_programme(session, agency)
    resp = login(client, staff).post(
        f"/programmes/{programme.id}/metrics/new",
        data={"name": "Meals", "unit": "meals", "target": "5,000", "target_date": "2027-06-30"},
    )
    assert resp.status_code == 303
    metric = session.scalar(select(Metric).where(Metric.programme_id == programme.id))
    assert metric is not None
    assert metric.target == Decimal("5000")


def test_a_metric_with_a_zero_target_is_refused_beside_the_field(client, session) -> None:
    agency, staff = _lead(session)
    programme = make_programme(session, agency)
    resp = login(client, staff).post(
        f"/programmes/{programme.id}/metrics/new",
        data={"name": "Meals", "unit": "meals", "target": "0", "target_date": "2027-06-30"},
    )
    assert resp.status_code == 422
    assert b'id="target-error"' in resp.data
    assert session.scalar(select(Metric).where(Metric.programme_id == programme.id)) is None


# --- currency -----------------------------------------------------------------------------


def test_staff_choose_a_programme_currency_and_amounts_show_its_symbol(client, session) -> None:
    agency, staff = _lead(session)
    login(client, staff)
    form = client.get(f"/programmes/new?org={agency.id}").text
    assert '<option selected value="GBP">GBP — British Pound (£)</option>' in form
    assert '<option value="USD">USD — US Dollar ($)</option>' in form
    resp = client.post(
        "/programmes/new",
        data={"org": agency.id, "name": "Meals", "starts_on": "2026-07-01",
              "hourly_rate": "1234.5", "currency": "USD"},
    )  # fmt: skip
    assert resp.status_code == 303
    created = session.scalar(select(Programme).where(Programme.name == "Meals"))
    assert created is not None and created.currency == "USD"
    page = client.get(f"/programmes/{created.id}").text
    assert "<dd>$1,234.50</dd>" in page and "USD — US Dollar ($)" in page
    resp = client.post(
        f"/programmes/{created.id}/edit",
        data={"name": "Meals", "starts_on": "2026-07-01", "hourly_rate": "10", "currency": "EUR"},
    )
    assert resp.status_code == 303
    assert "<dd>€10.00</dd>" in client.get(f"/programmes/{created.id}").text


def test_an_unknown_currency_is_shown_beside_its_field(client, session) -> None:
    agency, staff = _lead(session)
    programme = make_programme(session, agency, name="Old")
    resp = login(client, staff).post(
        f"/programmes/{programme.id}/edit",
        data={"name": "Old", "starts_on": "2026-01-01", "currency": "XYZ"},
    )
    assert resp.status_code == 422
    assert 'id="currency-error"' in resp.text and "ISO 4217" in resp.text
    session.refresh(programme)
    assert programme.currency == "GBP"


def test_the_programme_form_gives_the_services_every_programme_field(app) -> None:
    from coprod.services import programmes
    from coprod.web.programmes import ProgrammeForm

    with app.test_request_context(method="POST", data={"name": "Riverside"}):
        values = ProgrammeForm(meta={"csrf": False}).values()
    assert set(values) == set(programmes.FIELDS)
    assert values["name"] == "Riverside"
    assert values["description"] == ""  # not sent: blank, as the services read it
