"""A partnership for the decision tests: a programme led by an agency (London time) with three
partner organisations, an admin of each organisation, the agency's staff, a member of a
partner and the admin of an organisation outside the partnership."""

from __future__ import annotations

from typing import Any

from coprod.models import OrgKind, Role
from tests.factories import add_partner, make_member, make_org, make_programme


class DecisionWorld:
    def __init__(self, session: Any) -> None:
        self.agency = make_org(session, OrgKind.AGENCY, timezone="Europe/London")
        self.programme = make_programme(session, self.agency)
        self.partners = [make_org(session) for _ in range(3)]
        for org in self.partners:
            add_partner(session, self.programme, org)
        self.staff = make_member(session, self.agency, Role.STAFF)
        self.lead_admin = make_member(session, self.agency, Role.ADMIN)
        self.admins = [make_member(session, org, Role.ADMIN) for org in self.partners]
        self.member = make_member(session, self.partners[0], Role.MEMBER)
        self.outsider_org = make_org(session)
        self.outsider = make_member(session, self.outsider_org, Role.ADMIN)
        session.refresh(self.programme)

    @property
    def orgs(self) -> list[Any]:
        return [self.agency, *self.partners]

    def voters(self) -> list[tuple[Any, Any]]:
        return list(zip(self.orgs, [self.lead_admin, *self.admins], strict=True))
