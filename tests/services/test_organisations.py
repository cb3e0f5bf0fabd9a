from __future__ import annotations

import pytest
from sqlalchemy import func, select

from coprod import policy
from coprod.errors import Conflict, Invalid, NotAllowed, NotFound
from coprod.models import AuditEntry, Membership, Organisation, OrgKind, Role
from coprod.services import organisations as orgs
from coprod.services.organisations import creating
from tests.factories import make_member, make_org, make_user


def _roles(session, org, user) -> set[Role]:
    rows = session.scalars(
        select(Membership.role).where(
            Membership.organisation_id == org.id, Membership.user_id == user.id
        )
    )
    return set(rows)


def _actions(session) -> list[str]:
    return list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


# --- creating -----------------------------------------------------------------------------


def test_any_signed_in_user_creates_an_organisation_and_becomes_its_admin(session) -> None:
    user = make_user(session)
    org = orgs.create_organisation(session, user, "  Food Bank  ", "nonprofit", "We feed people.")
    assert org.name == "Food Bank"
    assert org.kind == OrgKind.NONPROFIT
    assert _roles(session, org, user) == {Role.ADMIN}
    assert policy.can(user, "org.manage", org)
    assert "organisation.created" in _actions(session)


def test_organisation_names_are_unique_whatever_their_case(session) -> None:
    make_org(session, name="Food Bank")
    with pytest.raises(Conflict):
        orgs.create_organisation(session, make_user(session), "FOOD bank", "nonprofit")


def test_a_name_taken_between_the_check_and_the_insert_is_refused_cleanly(
    session, monkeypatch
) -> None:
    """Two people create "Food Bank" and "FOOD BANK" at the same moment: both pass the
    check, the database's case-blind unique index refuses the second, with the same message."""
    make_org(session, name="Food Bank")
    checked: list[object] = []
    monkeypatch.setattr(creating, "_name_taken", lambda *a, **k: checked.append(a) or False)
    with pytest.raises(Conflict) as exc:
        orgs.create_organisation(session, make_user(session), "FOOD BANK", "nonprofit")
    assert checked, "the check before the insert was not the one patched: nothing raced"
    assert exc.value.message == orgs.NAME_TAKEN
    assert session.scalar(select(func.count()).select_from(Organisation)) == 1


def test_an_agency_starts_unverified(session) -> None:
    org = orgs.create_organisation(session, make_user(session), "Parks Dept", "agency")
    assert org.verified_at is None
    assert not org.can_post


@pytest.mark.parametrize(
    ("name", "kind", "field"),
    [("", "agency", "name"), ("x" * 201, "agency", "name"), ("Good", "church", "kind")],
)
def test_creating_an_organisation_refuses_bad_values_beside_the_field(
    session, name, kind, field
) -> None:
    with pytest.raises(Invalid) as exc:
        orgs.create_organisation(session, make_user(session), name, kind)
    assert field in exc.value.errors


# --- verifying ----------------------------------------------------------------------------


def test_a_site_admin_verifies_an_agency(session, now) -> None:
    admin = make_user(session, is_site_admin=True)
    org = make_org(session, OrgKind.AGENCY, verified=False)
    orgs.verify_organisation(session, admin, org, now)
    assert org.verified_at == now
    assert org.verified_by_id == admin.id
    assert org.can_post
    assert "organisation.verified" in _actions(session)


def test_only_a_site_admin_verifies_even_the_agencys_own_admin_cannot(session, now) -> None:
    org = make_org(session, OrgKind.AGENCY, verified=False)
    own_admin = make_member(session, org, Role.ADMIN)
    with pytest.raises(NotAllowed):
        orgs.verify_organisation(session, own_admin, org, now)
    assert org.verified_at is None


def test_verifying_twice_is_a_conflict(session, now) -> None:
    admin = make_user(session, is_site_admin=True)
    org = make_org(session, OrgKind.AGENCY, verified=True)
    with pytest.raises(Conflict):
        orgs.verify_organisation(session, admin, org, now)


# --- members ------------------------------------------------------------------------------


def test_an_org_admin_adds_an_existing_account_by_email_with_several_roles(session) -> None:
    org = make_org(session)
    admin = make_member(session, org, Role.ADMIN)
    person = make_user(session, email="ana@example.org")
    added = orgs.add_member(session, admin, org, "ANA@example.org", ["staff", "reviewer"])
    assert added.id == person.id
    assert _roles(session, org, person) == {Role.STAFF, Role.REVIEWER}
    assert policy.has_role(person, org.id, Role.STAFF)
    assert "membership.added" in _actions(session)


def test_adding_an_email_with_no_account_is_refused_on_the_email_field(session) -> None:
    org = make_org(session)
    admin = make_member(session, org, Role.ADMIN)
    with pytest.raises(Invalid) as exc:
        orgs.add_member(session, admin, org, "nobody@example.org", ["member"])
    assert "No account uses this email" in exc.value.errors["email"][0]


def test_adding_a_member_needs_at_least_one_known_role(session) -> None:
    org = make_org(session)
    admin = make_member(session, org, Role.ADMIN)
    person = make_user(session)
    for roles in ([], ["boss"]):
        with pytest.raises(Invalid) as exc:
            orgs.add_member(session, admin, org, person.email, roles)
        assert "roles" in exc.value.errors


def test_adding_someone_already_a_member_is_a_conflict(session) -> None:
    org = make_org(session)
    admin = make_member(session, org, Role.ADMIN)
    person = make_member(session, org, Role.MEMBER)
    with pytest.raises(Conflict):
        orgs.add_member(session, admin, org, person.email, ["staff"])


@pytest.mark.parametrize("role", [Role.MEMBER, Role.COORDINATOR, Role.STAFF, Role.REVIEWER])
def test_only_org_admins_add_members(session, role) -> None:
    org = make_org(session)
    actor = make_member(session, org, role)
    person = make_user(session)
    with pytest.raises(NotAllowed):
        orgs.add_member(session, actor, org, person.email, ["member"])
    assert _roles(session, org, person) == set()


def test_an_admin_of_one_organisation_cannot_add_members_to_another(session) -> None:
    mine, theirs = make_org(session), make_org(session)
    admin = make_member(session, mine, Role.ADMIN)
    with pytest.raises(NotAllowed):
        orgs.add_member(session, admin, theirs, make_user(session).email, ["member"])


def test_set_roles_replaces_a_members_roles(session) -> None:
    org = make_org(session)
    admin = make_member(session, org, Role.ADMIN)
    person = make_member(session, org, Role.MEMBER, Role.STAFF)
    orgs.set_roles(session, admin, org, person, ["coordinator"])
    assert _roles(session, org, person) == {Role.COORDINATOR}
    assert "membership.roles_changed" in _actions(session)


def test_the_last_admin_cannot_drop_their_admin_role(session) -> None:
    org = make_org(session)
    admin = make_member(session, org, Role.ADMIN)
    with pytest.raises(Conflict) as exc:
        orgs.set_roles(session, admin, org, admin, ["member"])
    assert "last admin" in exc.value.message
    assert _roles(session, org, admin) == {Role.ADMIN}


def test_an_admin_can_step_down_when_another_admin_remains(session) -> None:
    org = make_org(session)
    admin = make_member(session, org, Role.ADMIN)
    make_member(session, org, Role.ADMIN)
    orgs.set_roles(session, admin, org, admin, ["member"])
    assert _roles(session, org, admin) == {Role.MEMBER}


def test_remove_member_takes_away_every_role(session) -> None:
    org = make_org(session)
    admin = make_member(session, org, Role.ADMIN)
    person = make_member(session, org, Role.STAFF, Role.REVIEWER)
    orgs.remove_member(session, admin, org, person)
    assert _roles(session, org, person) == set()
    assert not policy.has_role(person, org.id, Role.STAFF)
    assert "membership.removed" in _actions(session)


def test_the_last_admin_cannot_be_removed(session) -> None:
    org = make_org(session)
    admin = make_member(session, org, Role.ADMIN)
    with pytest.raises(Conflict) as exc:
        orgs.remove_member(session, admin, org, admin)
    assert "Make someone else an admin first" in exc.value.message
    assert _roles(session, org, admin) == {Role.ADMIN}


def test_removing_someone_who_is_not_a_member_is_not_found(session) -> None:
    org, other = make_org(session), make_org(session)
    admin = make_member(session, org, Role.ADMIN)
    outsider = make_member(session, other, Role.MEMBER)
    with pytest.raises(NotFound):
        orgs.remove_member(session, admin, org, outsider)
    with pytest.raises(NotFound):
        orgs.get_member(session, admin, org, outsider.id)


# --- reading ------------------------------------------------------------------------------


def test_list_members_gives_each_person_once_with_all_their_roles(session) -> None:
    org = make_org(session)
    bea = make_member(session, org, Role.ADMIN, display_name="Bea")
    make_member(session, org, Role.STAFF, Role.REVIEWER, display_name="Ada")
    make_member(session, make_org(session), Role.STAFF, display_name="Elsewhere")
    page = orgs.list_members(session, bea, org)
    assert page.next is None
    assert [(r.user.display_name, r.roles) for r in page.items] == [
        ("Ada", [Role.STAFF, Role.REVIEWER]),
        ("Bea", [Role.ADMIN]),
    ]


def test_awaiting_verification_lists_only_unverified_agencies(session) -> None:
    waiting = make_org(session, OrgKind.AGENCY, verified=False)
    make_org(session, OrgKind.AGENCY, verified=True)
    make_org(session, OrgKind.NONPROFIT, verified=False)
    site_admin = make_user(session, is_site_admin=True)
    page = orgs.list_awaiting_verification(session, site_admin, 1, 100)
    assert [o.id for o in page.items] == [waiting.id]
