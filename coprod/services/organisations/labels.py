"""Roles and kinds of organisation: in words, and parsed from a form or a request."""

from __future__ import annotations

from collections.abc import Iterable

from coprod.errors import Invalid
from coprod.i18n import _, _l
from coprod.models import OrgKind, Role

ROLE_ORDER = [Role.MEMBER, Role.COORDINATOR, Role.STAFF, Role.REVIEWER, Role.ADMIN]


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
