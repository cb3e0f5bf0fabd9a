"""Reading organisations: one, the lists of them, their work, whom to email in their name."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from coprod import policy
from coprod.errors import NotFound
from coprod.i18n import _
from coprod.models import Membership, Organisation, OrgKind, Programme, Role, Task, TaskStatus, User
from coprod.services.pagination import Page, paginate


def get_organisation(session: Session, actor: User | None, org_id: int) -> Organisation:
    """The organisation (public: its name, kind and description), or NotFound."""
    org = session.get(Organisation, org_id)
    if org is None or not policy.can(actor, "org.view", org):
        raise NotFound(_("No such organisation."))
    return org


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
