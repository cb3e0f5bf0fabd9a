"""The roles a person holds, as the policy reads them, and the stamp that versions them.

Every signed-in request needs the person's roles (the navigation alone asks whether they
review or administer). Reading their memberships and organisations on every request costs a
join and an object per row, so a process keeps each person's `Grants` (plain, frozen data) in
memory, keyed by the person's id, `user.roles_version` and calendar token; the request reads
only the person's own row (by primary key) and takes the roles from memory when that stamp is
known.

`roles_version` is a new random number whenever anything the roles depend on changes: a
membership added, removed or changed, an organisation of theirs verified or changing kind.
It changes in the same transaction as the change (the flush hook below sees every ORM change
to a Membership or an Organisation, whichever service makes it), so the next request in every
process reads the new stamp and builds the roles again. A random number rather than a counter:
an account id reused after a rollback (SQLite) never meets another person's entry.

Everything else about the person (password, session version, deactivation, deletion, site
admin, language) is read from their row on every request, so it needs no version.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, event, or_, select, update
from sqlalchemy.orm import Session, UOWTransaction, attributes

from coprod.models.accounts import Membership, Role, User
from coprod.models.organisations import Organisation, OrgKind

GRANTS_ATTR = "_coprod_grants"  # a plain attribute of a User instance (not a column)
CACHE_MAX = 20_000  # people kept per process; past it the cache starts again empty


def new_roles_version() -> int:
    return secrets.randbits(62)


@dataclass(frozen=True)
class Grants:
    """A person's roles per organisation (an admin holds every role, any role includes
    member), and the facts about those organisations the policy asks: their kind, and
    whether they may post (verified agencies)."""

    roles: dict[int, frozenset[Role]] = field(default_factory=dict)
    kinds: dict[int, OrgKind] = field(default_factory=dict)
    posting: frozenset[int] = frozenset()

    @classmethod
    def build(cls, rows: Iterable[tuple[int, Role, OrgKind, bool]]) -> Grants:
        held: dict[int, set[Role]] = {}
        kinds: dict[int, OrgKind] = {}
        posting: set[int] = set()
        for org_id, role, kind, verified in rows:
            held.setdefault(org_id, set()).add(Role(role))
            kinds[org_id] = OrgKind(kind)
            if verified and kinds[org_id] == OrgKind.AGENCY:
                posting.add(org_id)
        roles = {
            org_id: frozenset(Role) if Role.ADMIN in rs else frozenset(rs | {Role.MEMBER})
            for org_id, rs in held.items()
        }
        return cls(roles, kinds, frozenset(posting))


_cache: dict[tuple[int, int, str], Grants] = {}


def grants_of(user: User) -> Grants:
    """The person's grants: the ones attached by `attach` (the signed-in person), else built
    from their memberships as loaded now (services, jobs and tests see every change)."""
    kept = user.__dict__.get(GRANTS_ATTR)
    if kept is not None:
        return kept  # type: ignore[no-any-return]
    return Grants.build(
        (m.organisation_id, m.role, m.organisation.kind, m.organisation.verified_at is not None)
        for m in user.memberships
    )


# Built once: the rows of a person's memberships with their organisations' kind and
# verification, as plain rows (no objects), read only when the stamp is new to this process.
_ROWS = (
    select(
        Membership.organisation_id,
        Membership.role,
        Organisation.kind,
        Organisation.verified_at.is_not(None),
    )
    .join(Organisation, Organisation.id == Membership.organisation_id)
    .where(Membership.user_id == bindparam("user_id"))
)


def attach(session: Session, user: User) -> Grants:
    """Attach the person's grants for this request: from the process's memory when their
    `roles_version` is known, else read (one statement) and kept."""
    # The calendar token (random, unique) too: an account id reused after a rollback or a
    # restore never meets another person's entry, whatever stamp its row was written with.
    key = (user.id, user.roles_version, user.calendar_token)
    grants = _cache.get(key)
    if grants is None:
        rows = session.execute(_ROWS, {"user_id": user.id}).all()
        grants = Grants.build((r[0], r[1], r[2], bool(r[3])) for r in rows)
        if len(_cache) >= CACHE_MAX:
            _cache.clear()
        _cache[key] = grants
    user.__dict__[GRANTS_ATTR] = grants
    return grants


def forget_cached() -> None:
    """Empty this process's memory of grants (tests)."""
    _cache.clear()


# --- the stamp follows every change -------------------------------------------------------

_ORG_FACTS = ("kind", "verified_at")


def _changed(obj: Any, names: Iterable[str]) -> bool:
    state = attributes.instance_state(obj)
    return any(state.attrs[name].history.has_changes() for name in names)


@event.listens_for(Session, "after_flush")
def _new_roles_version(session: Session, _flush: UOWTransaction) -> None:
    """In the flush that changes a membership or an organisation's kind or verification, give
    each person concerned a new roles_version (and drop the grants attached to them here)."""
    user_ids: set[int] = set()
    org_ids: set[int] = set()
    for obj in (*session.new, *session.deleted):
        if isinstance(obj, Membership):
            user_ids.add(obj.user_id)
    for obj in session.dirty:
        if isinstance(obj, Membership) and _changed(obj, ("role", "organisation_id", "user_id")):
            user_ids.add(obj.user_id)
            user_ids.update(attributes.instance_state(obj).attrs.user_id.history.deleted)
        elif isinstance(obj, Organisation) and _changed(obj, _ORG_FACTS):
            org_ids.add(obj.id)
    if not user_ids and not org_ids:
        return
    bump_roles_version(session, user_ids=user_ids, org_ids=org_ids)


def bump_roles_version(
    session: Session, *, user_ids: Iterable[int] = (), org_ids: Iterable[int] = ()
) -> None:
    """A new roles_version for these people and for every member of these organisations (in
    the session's transaction), for a change the flush hook cannot see (a bulk DELETE)."""
    users = sorted({u for u in user_ids if u is not None})  # a membership not yet flushed
    orgs = sorted(set(org_ids))
    stamp = new_roles_version()
    members = select(Membership.user_id).where(Membership.organisation_id.in_(orgs))
    people = []
    if users:
        people.append(User.id.in_(users))
    if orgs:
        people.append(User.id.in_(members))
    session.execute(
        update(User).where(or_(*people)).values(roles_version=stamp),
        execution_options={"synchronize_session": False},
    )
    # The objects in this session (the signed-in person among them) follow at once.
    member_ids = set(users)
    if orgs:
        member_ids |= set(session.scalars(members))
    for obj in list(session.identity_map.values()):
        if isinstance(obj, User) and obj.id in member_ids:
            attributes.set_committed_value(obj, "roles_version", stamp)
            obj.__dict__.pop(GRANTS_ATTR, None)
