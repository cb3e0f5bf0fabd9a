"""An organisation's members: adding them, changing their roles, removing and listing them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from coprod import policy
from coprod.errors import Conflict, FieldErrors, NotFound
from coprod.i18n import _
from coprod.models import Membership, Organisation, Role, User
from coprod.services import audit
from coprod.services.accounts import get_user_by_email, normalise_email
from coprod.services.keyset import Key, Window, window
from coprod.services.organisations.labels import ROLE_ORDER, parse_roles


@dataclass(frozen=True)
class MemberRow:
    """One person in an organisation with every role they hold there."""

    user: User
    roles: list[Role]


def _memberships(session: Session, org: Organisation, user: User) -> list[Membership]:
    return list(
        session.scalars(
            select(Membership).where(
                Membership.organisation_id == org.id, Membership.user_id == user.id
            )
        )
    )


def _admin_count(session: Session, org: Organisation) -> int:
    stmt = select(func.count(func.distinct(Membership.user_id))).where(
        Membership.organisation_id == org.id, Membership.role == Role.ADMIN
    )
    return session.scalar(stmt) or 0


def _refuse_losing_last_admin(session: Session, org: Organisation, user: User) -> None:
    held = {m.role for m in _memberships(session, org, user)}
    if Role.ADMIN in held and _admin_count(session, org) <= 1:
        raise Conflict(
            _(
                "%(person)s is the last admin of %(name)s. Make someone else an admin first.",
                person=user.display_name,
                name=org.name,
            )
        )


def _replace_roles(session: Session, org: Organisation, user: User, roles: list[Role]) -> None:
    for m in _memberships(session, org, user):
        session.delete(m)
    session.flush()
    for role in roles:
        session.add(Membership(user_id=user.id, organisation_id=org.id, role=role))
    session.flush()
    # The role checks read these collections: make them see the new rows.
    session.expire(user, ["memberships"])
    session.expire(org, ["memberships"])


def add_member(
    session: Session, actor: User, org: Organisation, email: str, roles: Iterable[str | Role]
) -> User:
    """An organisation's admin adds an existing account, by email, with one or more roles."""
    policy.require(actor, "org.manage", org)
    errs = FieldErrors()
    address = errs.check(lambda: normalise_email(email))
    chosen = errs.check(lambda: parse_roles(roles))
    user = get_user_by_email(session, address) if address else None
    if address and (user is None or user.deleted_at is not None or not user.is_active):
        errs.add(
            "email", _("No account uses this email address. Ask the person to register first.")
        )
    errs.raise_if_any()
    assert user is not None
    if _memberships(session, org, user):
        raise Conflict(
            _(
                "%(person)s is already a member. Change their roles instead.",
                person=user.display_name,
            )
        )
    _replace_roles(session, org, user, chosen)
    audit.record(
        session,
        actor,
        "membership.added",
        org,
        after={"user_id": user.id, "roles": [r.value for r in chosen]},
    )
    return user


def set_roles(
    session: Session, actor: User, org: Organisation, user: User, roles: Iterable[str | Role]
) -> list[Role]:
    """An organisation's admin changes a member's roles; the last admin keeps theirs."""
    policy.require(actor, "org.manage", org)
    chosen = parse_roles(roles)
    before = sorted(m.role.value for m in _memberships(session, org, user))
    if not before:
        raise NotFound(_("This person is not a member of the organisation."))
    if Role.ADMIN not in chosen:
        _refuse_losing_last_admin(session, org, user)
    _replace_roles(session, org, user, chosen)
    audit.record(
        session,
        actor,
        "membership.roles_changed",
        org,
        before={"user_id": user.id, "roles": before},
        after={"user_id": user.id, "roles": [r.value for r in chosen]},
    )
    return chosen


def remove_member(session: Session, actor: User, org: Organisation, user: User) -> User:
    """An organisation's admin removes a member; the last admin cannot be removed."""
    policy.require(actor, "org.manage", org)
    held = _memberships(session, org, user)
    if not held:
        raise NotFound(_("This person is not a member of the organisation."))
    _refuse_losing_last_admin(session, org, user)
    _replace_roles(session, org, user, [])
    audit.record(
        session,
        actor,
        "membership.removed",
        org,
        before={"user_id": user.id, "roles": sorted(m.role.value for m in held)},
    )
    return user


def get_member(
    session: Session,
    actor: User | None,
    org: Organisation,
    user_id: int,
    action: str = "org.view_members",
) -> MemberRow:
    """A member of this organisation (never of another one), with their roles, for those who
    may see its members (or do `action`, such as "org.manage", on the organisation)."""
    policy.require(actor, action, org)
    user = session.get(User, user_id)
    roles = _memberships(session, org, user) if user is not None else []
    if user is None or not roles:
        raise NotFound(_("This person is not a member of the organisation."))
    return MemberRow(user=user, roles=[r for r in ROLE_ORDER if r in {m.role for m in roles}])


# By name, the id breaking ties: ix_user_display_name_id serves the order for a big
# organisation; a small one's members are found through their memberships and sorted.
MEMBER_KEYS = (Key(User.stored_name.expression, str), Key(User.id.expression))


def list_members(
    session: Session,
    actor: User | None,
    org: Organisation,
    *,
    after: str | None = None,
    before: str | None = None,
    per_page: int = 20,
) -> Window[MemberRow]:
    """A window of the organisation's members (after or before a cursor) with their roles, in
    two queries, for its coordinators and admins and site admins (policy.visible_memberships)."""
    policy.require(actor, "org.view_members", org)
    member_ids = select(Membership.user_id).where(
        Membership.organisation_id == org.id, policy.visible_memberships(actor)
    )
    stmt = select(User).where(User.id.in_(member_ids))
    users = window(session, stmt, MEMBER_KEYS, after=after, before=before, per_page=per_page)
    held: dict[int, set[Role]] = {}
    if users.items:
        rows = session.scalars(
            select(Membership).where(
                Membership.organisation_id == org.id,
                Membership.user_id.in_([u.id for u in users.items]),
            )
        )
        for m in rows:
            held.setdefault(m.user_id, set()).add(m.role)
    items = [
        MemberRow(user=u, roles=[r for r in ROLE_ORDER if r in held.get(u.id, set())])
        for u in users.items
    ]
    return replace(users, items=items)
