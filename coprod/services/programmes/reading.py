"""Reading programmes: the search list, one programme, one to manage."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from coprod import policy
from coprod.errors import NotFound
from coprod.i18n import _
from coprod.models import Partner, Programme, User
from coprod.services.pagination import Page, paginate
from coprod.services.text import contains


def list_programmes(
    session: Session, actor: User | None, q: str | None, page: int, per_page: int
) -> Page[Programme]:
    """Programmes whose name or description contains the search words, newest first."""
    stmt = (
        select(Programme)
        .where(policy.visible_programmes(actor))
        .options(joinedload(Programme.lead_organisation))
    )
    for word in (q or "").split()[:10]:
        stmt = stmt.where(contains(word, Programme.name, Programme.description))
    stmt = stmt.order_by(Programme.starts_on.desc(), Programme.id.desc())
    return paginate(session, stmt, page, per_page)


def get_programme(session: Session, actor: User | None, programme_id: int) -> Programme:
    """The programme with its lead, partners (and their organisations) and metrics loaded."""
    programme = session.scalar(
        select(Programme)
        .where(Programme.id == programme_id)
        .options(
            joinedload(Programme.lead_organisation),
            selectinload(Programme.partners).joinedload(Partner.organisation),
            selectinload(Programme.metrics),
        )
    )
    if programme is None or not policy.can(actor, "programme.view", programme):
        raise NotFound(_("No such programme."))
    return programme


def get_programme_to_manage(session: Session, actor: User | None, programme_id: int) -> Programme:
    """The programme, loaded as get_programme does, if this person may manage it."""
    programme = get_programme(session, actor, programme_id)
    policy.require(actor, "programme.manage", programme)
    return programme
