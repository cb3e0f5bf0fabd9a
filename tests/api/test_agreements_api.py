"""Partnership agreements over the API: the versions list, publishing (201, Location,
problem+json refusals), one version, and answers by partner admins; who may do what."""

from __future__ import annotations

import pytest

from coprod.models import Role
from tests.agreement_world import build, publish
from tests.api.conftest import is_problem
from tests.factories import make_member


@pytest.fixture
def w(session):
    return build(session)


BODY = {"purpose": "Meals together.", "decision_rule": "majority", "review_on": "2027-06-01"}


def test_staff_publish_with_201_a_location_and_the_snapshot(as_user, w):
    response = as_user(w.staff).post(f"/programmes/{w.programme.id}/agreements", json=BODY)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert response.headers["Location"].endswith(f"/api/v1/agreements/{body['id']}")
    assert (body["version"], body["in_force"], body["decision_rule"]) == (1, True, "majority")
    assert body["review_on"] == "2027-06-01" and body["answers"] == []
    food = next(t for t in body["terms"] if t["organisation_id"] == w.foodbank.id)
    assert food["responsibilities"] == "Run the Saturday kitchen."
    assert food["figures"][0] == {
        "kind": "hours",
        "amount": 40.0,
        "period": "month",
        "metric_id": None,
        "metric_name": None,
        "unit": None,
        "due_on": None,
    }
    assert food["figures"][1]["due_on"] == "2027-06-30"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"purpose": " "}, "purpose"),
        ({"decision_rule": "vote"}, "decision_rule"),
        ({"review_on": "2020-01-01"}, "review_on"),
        ({"review_on": "not a date"}, "review_on"),
    ],
)
def test_publishing_bad_values_is_a_422_on_the_field(as_user, w, change, field):
    response = as_user(w.staff).post(f"/programmes/{w.programme.id}/agreements", json=BODY | change)
    assert is_problem(response, 422) and field in response.get_json()["errors"]


@pytest.mark.parametrize(
    ("who", "status"),
    [("food_admin", 403), ("lead_member", 403), ("outsider", 404), ("site_admin", 403)],
)
def test_only_lead_staff_publish(as_user, w, who, status):
    response = as_user(w.people()[who]).post(f"/programmes/{w.programme.id}/agreements", json=BODY)
    assert is_problem(response, status)


def test_no_token_is_401(as_user, w):
    assert is_problem(as_user(None).get(f"/programmes/{w.programme.id}/agreements"), 401)


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("outsider", 404),
        ("site_admin", 200),
        ("staff", 200),
        ("lead_member", 200),
        ("food_member", 200),
        ("bakery_admin", 200),
    ],
)
def test_the_partnership_reads_versions_newest_first(session, as_user, w, who, status):
    first = publish(session, w)
    publish(session, w)
    api = as_user(w.people()[who])
    listed = api.get(f"/programmes/{w.programme.id}/agreements")
    one = api.get(f"/agreements/{first.id}")
    assert (listed.status_code, one.status_code) == (status, status)
    if status == 200:
        assert [a["version"] for a in listed.get_json()["items"]] == [2, 1]
        assert one.get_json()["in_force"] is False


def test_a_partner_admin_objects_then_accepts(session, as_user, w):
    agreement = publish(session, w)
    api = as_user(w.bakery_admin)
    refused = api.post(f"/agreements/{agreement.id}/answers", json={"accept": False})
    assert is_problem(refused, 422) and "comment" in refused.get_json()["errors"]
    response = api.post(
        f"/agreements/{agreement.id}/answers", json={"accept": False, "comment": "Too early."}
    )
    assert response.status_code == 200, response.get_json()
    answers = response.get_json()["answers"]
    assert [(a["organisation_name"], a["accepted"], a["comment"]) for a in answers] == [
        ("Harbour Bakery", False, "Too early.")
    ]
    response = api.post(f"/agreements/{agreement.id}/answers", json={"accept": True})
    assert [a["accepted"] for a in response.get_json()["answers"]] == [True]


@pytest.mark.parametrize(
    ("who", "status"),
    [("food_member", 403), ("staff", 403), ("lead_member", 403), ("outsider", 404)],
)
def test_only_partner_admins_answer(session, as_user, w, who, status):
    agreement = publish(session, w)
    response = as_user(w.people()[who]).post(
        f"/agreements/{agreement.id}/answers", json={"accept": True}
    )
    assert is_problem(response, status)


def test_an_admin_cannot_answer_for_another_partner(session, as_user, w):
    agreement = publish(session, w)
    response = as_user(w.bakery_admin).post(
        f"/agreements/{agreement.id}/answers",
        json={"accept": True, "organisation_id": w.foodbank.id},
    )
    assert is_problem(response, 403)


def test_an_admin_of_two_partners_names_the_one_answering(session, as_user, w):
    agreement = publish(session, w)
    both = make_member(session, w.foodbank, Role.ADMIN)
    from tests.factories import add_role

    add_role(session, both, w.bakery, Role.ADMIN)
    api = as_user(both)
    response = api.post(f"/agreements/{agreement.id}/answers", json={"accept": True})
    assert is_problem(response, 422) and "organisation_id" in response.get_json()["errors"]
    response = api.post(
        f"/agreements/{agreement.id}/answers",
        json={"accept": True, "organisation_id": w.bakery.id},
    )
    assert response.status_code == 200
    assert [a["organisation_id"] for a in response.get_json()["answers"]] == [w.bakery.id]


def test_an_older_version_is_a_409_naming_the_newer(session, as_user, w):
    first = publish(session, w)
    publish(session, w)
    response = as_user(w.food_admin).post(f"/agreements/{first.id}/answers", json={"accept": True})
    assert is_problem(response, 409) and "version 2" in response.get_json()["detail"]


def test_publishing_without_partners_is_a_409(session, as_user, w):
    from tests.factories import make_programme

    empty = make_programme(session, w.agency)
    response = as_user(w.staff).post(f"/programmes/{empty.id}/agreements", json=BODY)
    assert is_problem(response, 409)


def test_unknown_ids_are_404(as_user, w):
    api = as_user(w.staff)
    assert is_problem(api.get("/agreements/999999"), 404)
    assert is_problem(api.post("/agreements/999999/answers", json={"accept": True}), 404)


def test_the_document_describes_the_operations(client, w):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/programmes/{programme_id}/agreements"])
    assert "post" in paths["/api/v1/agreements/{agreement_id}/answers"]


def test_partners_carry_their_responsibilities(session, as_user, w):
    from tests.factories import make_org

    org = make_org(session)
    response = as_user(w.staff).post(
        f"/programmes/{w.programme.id}/partners",
        json={"organisation_id": org.id, "role": "Venue", "responsibilities": "Open the hall."},
    )
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["responsibilities"] == "Open the hall."
    listed = as_user(None).get(f"/programmes/{w.programme.id}").get_json()["partners"]
    assert "Run the Saturday kitchen." in [p["responsibilities"] for p in listed]
