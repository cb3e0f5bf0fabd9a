"""Commitments over the API: partner objects carry their figures (this month and to date) for
the partnership; lead staff add and remove figures; errors are problem+json."""

from __future__ import annotations

import pytest

from coprod.models import Role
from tests.api.conftest import is_problem
from tests.conftest import NOW
from tests.factories import make_member, make_user
from tests.services.test_commitments import World, build_world


@pytest.fixture
def world(session) -> World:
    """The hand-computed world of the service tests."""
    return build_world(session)


@pytest.fixture(autouse=True)
def _clock(monkeypatch) -> None:
    for module in (
        "commitments",
        "programmes.schemas",
        "reports.snapshot_views",
        "reports.impact_views",
    ):
        monkeypatch.setattr(f"coprod.api.{module}.utcnow", lambda: NOW)


def _path(w, tail: str = "") -> str:
    return f"/programmes/{w.programme.id}/partners/{w.partner.id}/commitments{tail}"


def test_partner_objects_carry_their_figures_this_month_and_to_date(
    as_user, session, world
) -> None:
    body = as_user(world.staff).get(f"/programmes/{world.programme.id}").get_json()
    food = next(p for p in body["partners"] if p["id"] == world.partner.id)
    hours = next(f for f in food["figures"] if f["kind"] == "hours")
    assert hours["description"] == "40 volunteer hours a month from 1 January 2026"
    assert (hours["month"], hours["committed"], hours["expected"], hours["delivered"]) == (
        "2026-06-01",
        40,
        16,
        10,
    )
    assert (hours["committed_to_date"], hours["delivered_to_date"]) == (240, 81)
    assert (hours["status"], hours["on_track"]) == ("behind", False)
    other = next(p for p in body["partners"] if p["id"] != world.partner.id)
    assert other["figures"] == []


def test_the_public_sees_no_figures(as_user, session, world) -> None:
    body = as_user(None).get(f"/programmes/{world.programme.id}").get_json()
    assert all(p["figures"] is None for p in body["partners"])


def test_lead_staff_add_a_figure_and_remove_it(as_user, session, world) -> None:
    api = as_user(world.staff)
    created = api.post(
        _path(world),
        json={"kind": "in_kind", "amount": 50, "period": "week", "starts_on": "2026-06-01"},
    )
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["description"] == "£50.00 of in-kind support a week from 1 June 2026"
    assert body["partner_id"] == world.partner.id and created.headers["Location"]
    gone = api.delete(_path(world, f"/{body['id']}"))
    assert gone.status_code == 204
    assert is_problem(api.delete(_path(world, f"/{body['id']}")), 404)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "hours", "amount": 40}, "period"),
        ({"kind": "hours", "amount": 0, "period": "month"}, "amount"),
        ({"kind": "hours", "amount": 2000000, "period": "month"}, "amount"),
        ({"kind": "outcome", "amount": 5, "due_on": "2026-12-31"}, "metric_id"),
        ({"kind": "outcome", "amount": 5, "metric_id": 999999}, "due_on"),
        ({"kind": "wishes", "amount": 5}, "kind"),
    ],
)
def test_wrong_values_are_problems_naming_the_field(as_user, session, world, body, field) -> None:
    response = as_user(world.staff).post(_path(world), json=body)
    assert is_problem(response, 422)
    assert field in response.get_json()["errors"]


def test_the_same_figure_twice_is_a_conflict(as_user, session, world) -> None:
    body = {"kind": "hours", "amount": 40, "period": "month"}
    assert is_problem(as_user(world.staff).post(_path(world), json=body), 409)


@pytest.mark.parametrize(
    ("who", "status"),
    [("partner admin", 403), ("stranger", 403), ("nobody", 401), ("lead reviewer", 403)],
)
def test_only_lead_staff_change_figures(as_user, session, world, who, status) -> None:
    agency = world.programme.lead_organisation
    actor = {
        "partner admin": lambda: make_member(session, world.partner.organisation, Role.ADMIN),
        "stranger": lambda: make_user(session),
        "nobody": lambda: None,
        "lead reviewer": lambda: make_member(session, agency, Role.REVIEWER),
    }[who]()
    api = as_user(actor)
    body = {"kind": "hours", "amount": 3, "period": "week"}
    assert is_problem(api.post(_path(world), json=body), status)
    assert is_problem(api.delete(_path(world, f"/{world.hours.id}")), status)


def test_the_report_object_carries_the_figures(as_user, session, world) -> None:
    from coprod.services import reports

    reports.rebuild_reports(session, now=NOW, programme_id=world.programme.id)
    body = as_user(world.staff).get(f"/programmes/{world.programme.id}/reports/month/2026-05-01")
    [entry] = body.get_json()["commitments"]
    hours = entry["figures"][0]
    assert (hours["committed"], hours["delivered"], hours["status"]) == (40, 31, "behind")
