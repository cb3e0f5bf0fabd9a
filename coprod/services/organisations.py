"""Organisations: creating them, verifying agencies, and their members' roles."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Select, case, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload, selectinload

from coprod import policy
from coprod.errors import Conflict, FieldErrors, Invalid, NotFound
from coprod.i18n import _, _l
from coprod.models import (
    Membership,
    Organisation,
    OrgKind,
    Programme,
    Role,
    Task,
    TaskStatus,
    User,
)
from coprod.services import account_emails, audit, localtime
from coprod.services.accounts import get_user_by_email, normalise_email
from coprod.services.keyset import Key, Window, window
from coprod.services.pagination import Page, paginate
from coprod.services.text import clean_text

ROLE_ORDER = [Role.MEMBER, Role.COORDINATOR, Role.STAFF, Role.REVIEWER, Role.ADMIN]
# The longest name, description and refusal reason an organisation takes.
MAX_NAME = 200
MAX_DESCRIPTION = 5000
MAX_REASON = 500
NAME_TAKEN = _l("An organisation with this name already exists.")

# The words for a role and a kind of organisation, as people read them.
ROLE_LABELS = {
    Role.MEMBER: _l("member"),
    Role.COORDINATOR: _l("coordinator"),
    Role.STAFF: _l("staff"),
    Role.REVIEWER: _l("reviewer"),
    Role.ADMIN: _l("admin"),
}
KIND_LABELS = {
    OrgKind.AGENCY: _l("Agency"),
    OrgKind.NONPROFIT: _l("Nonprofit"),
    OrgKind.COMMUNITY: _l("Community"),
    OrgKind.BUSINESS: _l("Business"),
}


def role_label(role: Role | str) -> str:
    """ "coordinator" in the reader's language (lower case, for lists of roles)."""
    try:
        return str(ROLE_LABELS[Role(role)])
    except ValueError:
        return str(role)


def role_labels(roles: Iterable[Role | str]) -> str:
    """Roles in words, separated by commas: "member, admin"."""
    return ", ".join(role_label(r) for r in roles)


def kind_label(kind: OrgKind | str) -> str:
    """ "Agency": the kind of an organisation in the reader's language."""
    try:
        return str(KIND_LABELS[OrgKind(kind)])
    except ValueError:
        return str(kind)


@dataclass(frozen=True)
class MemberRow:
    """One person in an organisation with every role they hold there."""

    user: User
    roles: list[Role]


def parse_kind(raw: str | OrgKind | None) -> OrgKind:
    try:
        return OrgKind(raw or "")
    except ValueError:
        raise Invalid("kind", _("Choose the kind of organisation.")) from None


def parse_roles(raw: Iterable[str | Role] | None) -> list[Role]:
    """At least one known role, in a stable order."""
    chosen: set[Role] = set()
    for value in raw or []:
        try:
            chosen.add(Role(value))
        except ValueError:
            raise Invalid("roles", _("“%(value)s” is not a role.", value=value)) from None
    if not chosen:
        raise Invalid("roles", _("Choose at least one role."))
    return [r for r in ROLE_ORDER if r in chosen]


def _name_taken(session: Session, name: str, exclude_id: int | None = None) -> bool:
    stmt = select(Organisation.id).where(func.lower(Organisation.name) == name.lower())
    if exclude_id is not None:
        stmt = stmt.where(Organisation.id != exclude_id)
    return session.scalar(stmt.limit(1)) is not None


def create_organisation(
    session: Session,
    actor: User,
    name: str,
    kind: str | OrgKind,
    description: str = "",
    timezone: str | None = None,
) -> Organisation:
    """Any signed-in person creates an organisation and becomes its admin; names are unique
    whatever their case, an agency starts unverified, and the time zone is an IANA name
    (DEFAULT_TIMEZONE when none is given)."""
    errs = FieldErrors()
    zone = errs.check(lambda: localtime.check_zone(timezone, required=False))
    name = errs.check(
        lambda: clean_text(name, "name", _("The name"), max_len=MAX_NAME, required=True)
    )
    org_kind = errs.check(lambda: parse_kind(kind))
    text = errs.check(
        lambda: clean_text(
            description,
            "description",
            _("The description"),
            max_len=MAX_DESCRIPTION,
            required=False,
            multiline=True,
        )
    )
    errs.raise_if_any()
    if _name_taken(session, name):
        raise Conflict(str(NAME_TAKEN))
    org = Organisation(
        name=name,
        kind=org_kind,
        description=text,
        timezone=zone or localtime.default_zone_name(),
    )
    try:  # the database's case-blind unique index settles a race between two creators
        with session.begin_nested():
            session.add(org)  # inside the savepoint: refused, it leaves the session too
            session.flush()
    except IntegrityError:
        raise Conflict(str(NAME_TAKEN)) from None
    session.add(Membership(user=actor, organisation=org, role=Role.ADMIN))
    session.flush()
    audit.record(
        session,
        actor,
        "organisation.created",
        org,
        after=audit.snapshot(org, ["name", "kind", "timezone"]),
    )
    return org


def set_organisation_timezone(
    session: Session, actor: User, org: Organisation, timezone: str | None
) -> Organisation:
    """An admin of the organisation sets its IANA time zone (its programmes that set none
    follow it)."""
    policy.require(actor, "org.manage", org)
    zone = localtime.check_zone(timezone)
    if zone != org.timezone:
        before = org.timezone
        org.timezone = zone  # type: ignore[assignment]  # required: never None here
        session.flush()
        audit.record(
            session,
            actor,
            "organisation.timezone_changed",
            org,
            before={"timezone": before},
            after={"timezone": zone},
        )
    return org


def verify_organisation(session: Session, actor: User, org: Organisation, now: datetime) -> None:
    """A site admin verifies an organisation (an agency may then lead programmes)."""
    policy.require(actor, "org.verify", org)
    if org.verified_at is not None:
        raise Conflict(_("%(name)s is already verified.", name=org.name))
    org.verified_at = now
    org.verified_by_id = actor.id
    org.declined_at, org.decline_reason = None, None
    audit.record(
        session,
        actor,
        "organisation.verified",
        org,
        before={"verified_at": None},
        after={"verified_at": now},
    )


def decline_organisation(
    session: Session, actor: User, org: Organisation, reason: str, *, now: datetime
) -> Organisation:
    """A site admin declines to verify an agency, with a reason its admins are emailed; it
    leaves the waiting list (a site admin can still verify it later)."""
    policy.require(actor, "org.verify", org)
    why = clean_text(
        reason, "reason", _("The reason"), max_len=MAX_REASON, required=True, multiline=True
    )
    if org.verified_at is not None:
        raise Conflict(_("%(name)s is already verified.", name=org.name))
    if org.declined_at is not None:
        raise Conflict(_("%(name)s was already declined.", name=org.name))
    org.declined_at, org.decline_reason = now, why
    audit.record(
        session,
        actor,
        "organisation.declined",
        org,
        before={"declined_at": None},
        after={"declined_at": now, "reason": why},
        at=now,
    )
    account_emails.organisation_declined(session, org, now=now)
    return org


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


# --- reading ------------------------------------------------------------------------------


def get_organisation(session: Session, actor: User | None, org_id: int) -> Organisation:
    """The organisation (public: its name, kind and description), or NotFound."""
    org = session.get(Organisation, org_id)
    if org is None or not policy.can(actor, "org.view", org):
        raise NotFound(_("No such organisation."))
    return org


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


ORG_WORK_LIMIT = 50  # tasks, and programmes, listed on an organisation's page


@dataclass(frozen=True)
class OrgWork:
    """What an organisation does: the tasks it coordinates and the programmes it leads (the
    first ORG_WORK_LIMIT of each, with their totals)."""

    tasks: list[Task]
    task_total: int
    programmes: list[Programme]
    programme_total: int


def organisation_work(session: Session, actor: User | None, org: Organisation) -> OrgWork:
    """The tasks the organisation coordinates and the programmes it leads that the actor may
    see (policy.visible_tasks, policy.visible_programmes), in four bounded queries."""
    policy.require(actor, "org.view", org)
    task_stmt = select(Task).where(
        Task.coordinating_organisation_id == org.id, policy.visible_tasks(actor)
    )
    open_first = case((Task.status == TaskStatus.OPEN, 0), else_=1)
    tasks = list(
        session.scalars(
            task_stmt.options(joinedload(Task.programme))
            .order_by(open_first, Task.title, Task.id)
            .limit(ORG_WORK_LIMIT)
        )
    )
    programme_stmt = select(Programme).where(
        Programme.lead_organisation_id == org.id, policy.visible_programmes(actor)
    )
    programmes = list(
        session.scalars(programme_stmt.order_by(Programme.name, Programme.id).limit(ORG_WORK_LIMIT))
    )

    def total(stmt: Select[Any], shown: int) -> int:
        if shown < ORG_WORK_LIMIT:
            return shown
        return int(session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)

    return OrgWork(
        tasks, total(task_stmt, len(tasks)), programmes, total(programme_stmt, len(programmes))
    )


def list_my_organisations(
    session: Session, user: User, page: int, per_page: int
) -> Page[Organisation]:
    """The organisations in which the user holds any role, by name."""
    mine = select(Membership.organisation_id).where(Membership.user_id == user.id)
    stmt = select(Organisation).where(Organisation.id.in_(mine)).order_by(Organisation.name)
    return paginate(session, stmt, page, per_page)


def _all_stmt() -> Select[Organisation]:
    return select(Organisation).options(selectinload(Organisation.verified_by))


def list_organisations(
    session: Session, actor: User | None, page: int, per_page: int
) -> Page[Organisation]:
    """Every organisation, by name."""
    stmt = _all_stmt().where(policy.visible_organisations(actor)).order_by(Organisation.name)
    return paginate(session, stmt, page, per_page)


def list_awaiting_verification(
    session: Session, actor: User | None, page: int, per_page: int
) -> Page[Organisation]:
    """Agencies waiting for a site admin to verify them, oldest first (site admins only)."""
    policy.require(actor, "org.verify")
    stmt = (
        _all_stmt()
        .where(
            Organisation.kind == OrgKind.AGENCY,
            Organisation.verified_at.is_(None),
            Organisation.declined_at.is_(None),
        )
        .order_by(Organisation.created_at, Organisation.id)
    )
    return paginate(session, stmt, page, per_page)


def staff_agencies(session: Session, user: User) -> list[Organisation]:
    """The agencies in which the user is staff (verified or not), by name."""
    ids = policy.org_ids_with_role(user, Role.STAFF)
    if not ids:
        return []
    stmt = select(Organisation).where(Organisation.id.in_(ids), Organisation.kind == OrgKind.AGENCY)
    return list(session.scalars(stmt.order_by(Organisation.name)))


def holders(
    session: Session, org_ids: Iterable[int], roles: Iterable[Role]
) -> list[tuple[int, User]]:
    """(organisation id, person) for every active person holding one of the roles in the
    organisations, by organisation, then person: whom to email in an organisation's name."""
    ids, wanted = sorted(set(org_ids)), list(roles)
    if not ids or not wanted:
        return []
    rows = session.execute(
        select(Membership.organisation_id, User)
        .join(User, User.id == Membership.user_id)
        .where(
            Membership.organisation_id.in_(ids),
            Membership.role.in_(wanted),
            User.is_active.is_(True),
            User.deleted_at.is_(None),
        )
        .order_by(Membership.organisation_id, User.id)
    )
    return [(org_id, user) for org_id, user in rows]
