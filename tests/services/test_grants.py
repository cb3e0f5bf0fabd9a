"""A person's roles_version changes in the same transaction as anything their roles depend on,
so every web process's memory of their roles (coprod/models/grants.py) is replaced."""

from __future__ import annotations

from sqlalchemy import select

from coprod import policy
from coprod.models import OrgKind, Role, User
from coprod.models.grants import Grants, attach, grants_of
from coprod.services import account_deletion, organisations
from tests.factories import PASSWORD, make_member, make_org, make_user


def _stored_version(session, user: User) -> int:
    return session.execute(select(User.roles_version).where(User.id == user.id)).scalar_one()


def test_adding_changing_and_removing_a_membership_each_give_a_new_roles_version(
    session, now
) -> None:
    org = make_org(session)
    admin = make_member(session, org, Role.ADMIN)
    person = make_user(session)
    seen = {_stored_version(session, person)}

    organisations.add_member(session, admin, org, person.email, ["coordinator"])
    session.flush()
    seen.add(_stored_version(session, person))
    organisations.set_roles(session, admin, org, person, ["reviewer"])
    session.flush()
    seen.add(_stored_version(session, person))
    organisations.remove_member(session, admin, org, person)
    session.flush()
    seen.add(_stored_version(session, person))

    assert len(seen) == 4  # a new stamp at each change
    assert person.roles_version == _stored_version(session, person)  # the object follows


def test_verifying_an_agency_gives_each_of_its_members_a_new_roles_version(session, now) -> None:
    site_admin = make_user(session, is_site_admin=True)
    agency = make_org(session, OrgKind.AGENCY, verified=False)
    staff = make_member(session, agency, Role.STAFF)
    outsider = make_member(session, make_org(session), Role.STAFF)
    before = (_stored_version(session, staff), _stored_version(session, outsider))

    attach(session, staff)
    assert not policy.can(staff, "programme.create_any")
    organisations.verify_organisation(session, site_admin, agency, now)
    session.flush()

    assert _stored_version(session, staff) != before[0]
    assert _stored_version(session, outsider) == before[1]
    # The grants attached to the staff member in this session were dropped with the change.
    assert policy.can(staff, "programme.create_any")


def test_deleting_an_account_gives_a_new_roles_version(session, now) -> None:
    org = make_org(session)
    make_member(session, org, Role.ADMIN)
    person = make_member(session, org, Role.COORDINATOR)
    before = _stored_version(session, person)

    account_deletion.delete_own_account(session, person, PASSWORD, now=now)
    session.flush()

    assert _stored_version(session, person) != before


def test_grants_expand_admin_to_every_role_and_know_which_agencies_may_post() -> None:
    grants = Grants.build(
        [
            (1, Role.ADMIN, OrgKind.NONPROFIT, True),
            (2, Role.STAFF, OrgKind.AGENCY, True),
            (3, Role.STAFF, OrgKind.AGENCY, False),
        ]
    )
    assert grants.roles[1] == frozenset(Role)
    assert grants.roles[2] == {Role.STAFF, Role.MEMBER}
    assert grants.posting == {2}


def test_attached_grants_are_the_ones_the_memberships_give(session) -> None:
    agency = make_org(session, OrgKind.AGENCY)
    person = make_member(session, agency, Role.REVIEWER, Role.STAFF)
    built = grants_of(person)
    assert attach(session, person) == built
    assert policy.org_ids_with_role(person, Role.REVIEWER) == {agency.id}
    assert policy.can(person, "log.review_queue")
