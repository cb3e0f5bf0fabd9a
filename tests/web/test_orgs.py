from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select

from coprod.models import Membership, Organisation, OrgKind, Partner, Programme, Role, User
from tests.conftest import login
from tests.factories import add_role, make_member, make_org, make_programme, make_user


def _roles(session, org, user) -> set[Role]:
    return set(
        session.scalars(
            select(Membership.role).where(
                Membership.organisation_id == org.id, Membership.user_id == user.id
            )
        )
    )


# --- pages --------------------------------------------------------------------------------


def test_mine_lists_my_organisations_with_my_roles(client, session) -> None:
    org = make_org(session, name="Food Bank")
    me = make_member(session, org, Role.STAFF, Role.REVIEWER)
    make_org(session, name="Not mine")
    page = login(client, me).get("/orgs")
    assert page.status_code == 200
    assert b"Food Bank" in page.data
    assert b"staff, reviewer" in page.data
    assert b"Not mine" not in page.data


def test_mine_shows_an_empty_state_with_a_way_forward(client, session) -> None:
    page = login(client, make_user(session)).get("/orgs")
    assert b"do not belong to any organisation yet" in page.data
    assert b'href="/orgs/new"' in page.data


def test_mine_needs_a_login(client, session) -> None:
    resp = client.get("/orgs")
    assert resp.status_code == 302
    assert "/login" in resp.headers["Location"]


def test_creating_an_organisation_makes_me_its_admin(client, session) -> None:
    me = make_user(session)
    resp = login(client, me).post(
        "/orgs/new", data={"name": "Parks Dept", "kind": "agency", "description": "Parks."}
    )
    assert resp.status_code == 303
    org = session.scalar(select(Organisation).where(Organisation.name == "Parks Dept"))
    assert org is not None
    assert org.verified_at is None
    assert _roles(session, org, me) == {Role.ADMIN}
    page = client.get(resp.headers["Location"])
    assert b"Awaiting verification" in page.data


def test_creating_an_organisation_with_bad_input_shows_messages_beside_fields(
    client, session
) -> None:
    make_org(session, name="Food Bank")
    login(client, make_user(session))
    resp = client.post("/orgs/new", data={"name": "", "kind": "church"})
    assert resp.status_code == 422
    assert b'id="name-error"' in resp.data
    assert b'id="kind-error"' in resp.data
    resp = client.post("/orgs/new", data={"name": "food bank", "kind": "nonprofit"})
    assert resp.status_code == 422
    assert b"already exists" in resp.data
    assert session.scalar(select(Organisation).where(Organisation.name == "food bank")) is None


def test_the_public_sees_an_organisation_but_never_its_members(client, session) -> None:
    org = make_org(session, name="Food Bank", description="We feed people.")
    make_member(session, org, Role.ADMIN, email="secret-admin@example.org")
    page = client.get(f"/orgs/{org.id}")
    assert page.status_code == 200
    assert b"We feed people." in page.data
    assert b"secret-admin@example.org" not in page.data


@pytest.mark.parametrize(
    ("role", "sees_emails", "sees_form"),
    [
        (Role.MEMBER, False, False),
        (Role.STAFF, False, False),
        (Role.COORDINATOR, True, False),
        (Role.ADMIN, True, True),
    ],
)
def test_coordinators_read_the_member_list_and_admins_manage_it(
    client, session, role, sees_emails, sees_form
) -> None:
    org = make_org(session)
    make_member(session, org, Role.MEMBER, email="someone@example.org")
    me = make_member(session, org, role)
    page = login(client, me).get(f"/orgs/{org.id}")
    assert (b"someone@example.org" in page.data) is sees_emails
    assert (b"Add a member" in page.data) is sees_form


def test_adding_a_member_by_email(client, session) -> None:
    org = make_org(session)
    admin = make_member(session, org, Role.ADMIN)
    person = make_user(session, email="ana@example.org")
    resp = login(client, admin).post(
        f"/orgs/{org.id}/members", data={"email": "ana@example.org", "roles": ["staff", "reviewer"]}
    )
    assert resp.status_code == 303
    assert _roles(session, org, person) == {Role.STAFF, Role.REVIEWER}


def test_adding_an_unknown_email_shows_the_message_beside_the_email_field(client, session):
    org = make_org(session)
    admin = make_member(session, org, Role.ADMIN)
    resp = login(client, admin).post(
        f"/orgs/{org.id}/members", data={"email": "nobody@example.org", "roles": []}
    )
    assert resp.status_code == 422
    assert b'id="email-error"' in resp.data
    assert b"No account uses this email" in resp.data
    assert b'id="roles-error"' in resp.data


def test_changing_roles(client, session) -> None:
    org = make_org(session)
    admin = make_member(session, org, Role.ADMIN)
    person = make_member(session, org, Role.MEMBER)
    login(client, admin)
    form = client.get(f"/orgs/{org.id}/members/{person.id}/roles")
    assert form.status_code == 200
    assert b'value="member" checked' in form.data
    resp = client.post(f"/orgs/{org.id}/members/{person.id}/roles", data={"roles": ["coordinator"]})
    assert resp.status_code == 303
    assert _roles(session, org, person) == {Role.COORDINATOR}


def test_the_last_admin_is_told_why_they_cannot_step_down(client, session) -> None:
    org = make_org(session)
    admin = make_member(session, org, Role.ADMIN)
    resp = login(client, admin).post(
        f"/orgs/{org.id}/members/{admin.id}/roles", data={"roles": ["member"]}
    )
    assert resp.status_code == 422
    assert b"last admin" in resp.data
    assert _roles(session, org, admin) == {Role.ADMIN}


def test_removing_a_member_needs_the_confirmation_box(client, session) -> None:
    org = make_org(session)
    admin = make_member(session, org, Role.ADMIN)
    person = make_member(session, org, Role.STAFF)
    login(client, admin)
    page = client.get(f"/orgs/{org.id}/members/{person.id}/remove")
    assert page.status_code == 200
    resp = client.post(f"/orgs/{org.id}/members/{person.id}/remove", data={})
    assert resp.status_code == 422
    assert _roles(session, org, person) == {Role.STAFF}
    resp = client.post(f"/orgs/{org.id}/members/{person.id}/remove", data={"confirm": "y"})
    assert resp.status_code == 303
    assert _roles(session, org, person) == set()


def test_removing_the_last_admin_is_refused_with_a_message(client, session) -> None:
    org = make_org(session)
    admin = make_member(session, org, Role.ADMIN)
    resp = login(client, admin).post(
        f"/orgs/{org.id}/members/{admin.id}/remove", data={"confirm": "y"}
    )
    assert resp.status_code == 422
    assert b"Make someone else an admin first" in resp.data
    assert _roles(session, org, admin) == {Role.ADMIN}


# --- ids in URLs --------------------------------------------------------------------------


def test_an_admin_cannot_reach_another_organisations_member_through_their_own_org(
    client, session
) -> None:
    mine, theirs = make_org(session), make_org(session)
    admin = make_member(session, mine, Role.ADMIN)
    stranger = make_member(session, theirs, Role.STAFF)
    login(client, admin)
    for path in (
        f"/orgs/{mine.id}/members/{stranger.id}/roles",
        f"/orgs/{mine.id}/members/{stranger.id}/remove",
    ):
        assert client.get(path).status_code == 404
        assert client.post(path, data={"roles": ["member"], "confirm": "y"}).status_code == 404
    for path in (
        f"/orgs/{theirs.id}/members/{stranger.id}/roles",
        f"/orgs/{theirs.id}/members/{stranger.id}/remove",
        f"/orgs/{theirs.id}/members",
    ):
        resp = client.post(path, data={"roles": ["member"], "confirm": "y", "email": "x@y.org"})
        assert resp.status_code == 403
    assert _roles(session, theirs, stranger) == {Role.STAFF}


def test_unknown_organisations_are_not_found(client, session) -> None:
    login(client, make_user(session, is_site_admin=True))
    assert client.get("/orgs/999999").status_code == 404
    assert client.post("/orgs/999999/verify").status_code == 404
    assert client.post("/orgs/999999/members", data={"email": "a@b.org"}).status_code == 404


# --- the permission matrix ----------------------------------------------------------------


@dataclass
class World:
    agency: Organisation  # verified agency the roles are held in
    waiting: Organisation  # unverified agency, same roles
    programme: Programme
    actors: dict[str, User | None]


@pytest.fixture
def world(session) -> World:
    agency = make_org(session, OrgKind.AGENCY)
    waiting = make_org(session, OrgKind.AGENCY, verified=False)
    other_agency = make_org(session, OrgKind.AGENCY)
    actors: dict[str, User | None] = {"anonymous": None, "plain user": make_user(session)}
    for label, role in (
        ("org member", Role.MEMBER),
        ("org coordinator", Role.COORDINATOR),
        ("org admin", Role.ADMIN),
    ):
        user = make_member(session, agency, role)
        actors[label] = add_role(session, user, waiting, role)
    actors["staff of another agency"] = make_member(session, other_agency, Role.STAFF)
    actors["site admin"] = make_user(session, is_site_admin=True)
    programme = make_programme(session, agency)
    return World(agency, waiting, programme, actors)


def _request(client, world: World, endpoint: str, session) -> tuple[Any, Any]:
    """POST one state-changing endpoint; return the response and a check that it worked."""
    if endpoint == "verify":
        resp = client.post(f"/orgs/{world.waiting.id}/verify")
        return resp, lambda: session.get(Organisation, world.waiting.id).verified_at is not None
    if endpoint == "add member":
        newcomer = make_user(session)
        resp = client.post(
            f"/orgs/{world.agency.id}/members", data={"email": newcomer.email, "roles": ["member"]}
        )
        return resp, lambda: _roles(session, world.agency, newcomer) == {Role.MEMBER}
    if endpoint == "create programme":
        data = {"org": world.agency.id, "name": "Matrix programme", "starts_on": "2026-07-01"}
        resp = client.post("/programmes/new", data=data)
        return resp, lambda: session.scalar(
            select(Programme).where(Programme.name == "Matrix programme")
        )
    if endpoint == "add partner":
        partner_org = make_org(session)
        data = {"organisation": partner_org.name, "role": "Delivery"}
        resp = client.post(f"/programmes/{world.programme.id}/partners/new", data=data)
        return resp, lambda: session.scalar(
            select(Partner).where(Partner.organisation_id == partner_org.id)
        )
    data = {"name": "Meals", "unit": "meals", "target": "10", "target_date": "2027-01-01"}
    resp = client.post(f"/programmes/{world.programme.id}/metrics/new", data=data)
    return resp, lambda: world.programme.metrics


MATRIX = {
    # actor: (verify, add member, create programme, add partner, add metric)
    "anonymous": ("login",) * 5,
    "plain user": (403, 403, 403, 403, 403),
    "org member": (403, 403, 403, 403, 403),
    "org coordinator": (403, 403, 403, 403, 403),
    "org admin": (403, 303, 303, 303, 303),
    "staff of another agency": (403, 403, 403, 403, 403),
    "site admin": (303, 403, 403, 403, 403),
}
ENDPOINTS = ["verify", "add member", "create programme", "add partner", "add metric"]


@pytest.mark.parametrize(
    ("actor", "endpoint", "expected"),
    [
        (actor, endpoint, outcomes[i])
        for actor, outcomes in MATRIX.items()
        for i, endpoint in enumerate(ENDPOINTS)
    ],
)
def test_permission_matrix(client, session, world, actor, endpoint, expected) -> None:
    user = world.actors[actor]
    if user is not None:
        login(client, user)
    resp, worked = _request(client, world, endpoint, session)
    if expected == "login":
        assert resp.status_code == 302
        assert "/login" in resp.headers["Location"]
    else:
        assert resp.status_code == expected
    session.expire_all()  # re-read what the request changed
    assert bool(worked()) is (expected == 303)
