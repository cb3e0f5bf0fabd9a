"""What registering, the profile and the admins' list share: accounts and memberships."""

from __future__ import annotations

from typing import TypedDict

import marshmallow as ma
from marshmallow import fields

from coprod.api.fields import Email, Line, Password, UTCDateTime
from coprod.models import Role, User
from coprod.services import accounts
from coprod.services.organisations import ROLE_ORDER


class AccountIn(ma.Schema):
    email = Email(required=True)
    password = Password(required=True)
    display_name = Line(max_len=accounts.MAX_NAME, required=True)


class AccountInData(TypedDict):
    """What `AccountIn` loads."""

    email: str
    password: str
    display_name: str


class AccountOut(ma.Schema):
    id = fields.Integer(required=True)
    email = fields.String(required=True)
    display_name = fields.String(required=True)
    created_at = UTCDateTime(required=True)


class MembershipOut(ma.Schema):
    organisation_id = fields.Integer(required=True)
    organisation_name = fields.String(required=True)
    roles = fields.List(fields.String(), required=True)


class Accepted(ma.Schema):
    detail = fields.String(required=True)


def account_out(user: User) -> dict[str, object]:
    return {
        "id": user.id,
        "email": user.email,
        "display_name": user.display_name,
        "created_at": user.created_at,
    }


def memberships_out(user: User) -> list[dict[str, object]]:
    names: dict[int, str] = {}
    held: dict[int, set[Role]] = {}
    for m in user.memberships:
        names.setdefault(m.organisation_id, m.organisation.name)
        held.setdefault(m.organisation_id, set()).add(m.role)
    return [
        {"organisation_id": org_id, "organisation_name": name, "roles": _roles(held[org_id])}
        for org_id, name in sorted(names.items(), key=lambda item: item[1])
    ]


def _roles(held: set[Role]) -> list[str]:
    return [r.value for r in ROLE_ORDER if r in held]
