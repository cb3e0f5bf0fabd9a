"""An API request takes the token owner's roles from this process's memory under their
roles_version, as a signed-in page does (coprod/models/grants.py): built once per stamp, not
on every request, and a role changed elsewhere shows on the next request."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pytest

from coprod.models import ApiToken, OrgKind, Role
from coprod.models.grants import Grants
from coprod.services import organisations, tokens
from tests.api.conftest import Api, bearer
from tests.factories import make_member, make_org


def _reviews(api: Api) -> bool:
    """The home's reviewer section is there only for a reviewer of an agency."""
    return api.get("/me/home").get_json()["reviewer"] is not None


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the times a person's roles are built from their memberships."""
    counted: list[int] = []
    build = Grants.build.__func__  # type: ignore[attr-defined]

    def counting(cls: type[Grants], rows: Iterable[Any]) -> Grants:
        counted.append(1)
        return build(cls, rows)  # type: ignore[no-any-return]

    monkeypatch.setattr(Grants, "build", classmethod(counting))
    return counted


def test_an_api_request_builds_the_roles_once_per_roles_version(client, session, builds) -> None:
    agency = make_org(session, OrgKind.AGENCY)
    reviewer = make_member(session, agency, Role.REVIEWER)
    api = Api(client, bearer(session, reviewer))
    assert _reviews(api)
    assert len(builds) == 1  # read once, for a stamp new to this process
    builds.clear()
    assert _reviews(api)
    assert builds == []  # then from memory


def test_a_role_removed_elsewhere_is_gone_on_the_next_api_request(client, session) -> None:
    agency = make_org(session, OrgKind.AGENCY)
    admin = make_member(session, agency, Role.ADMIN)
    reviewer = make_member(session, agency, Role.REVIEWER)
    api = Api(client, bearer(session, reviewer))
    assert _reviews(api)
    organisations.remove_member(session, admin, agency, reviewer)
    session.flush()
    assert not _reviews(api)


def test_a_role_given_elsewhere_shows_on_the_next_api_request(client, session) -> None:
    agency = make_org(session, OrgKind.AGENCY)
    admin = make_member(session, agency, Role.ADMIN)
    person = make_member(session, agency, Role.MEMBER)
    api = Api(client, bearer(session, person))
    assert not _reviews(api)
    organisations.set_roles(session, admin, agency, person, ["reviewer"])
    session.flush()
    assert _reviews(api)


def test_a_token_s_first_use_is_recorded_when_the_roles_are_read_too(client, session) -> None:
    """Reading the roles (a stamp new to this process) must not flush the token's last use
    and so leave nothing to commit: the use is kept."""
    agency = make_org(session, OrgKind.AGENCY)
    reviewer = make_member(session, agency, Role.REVIEWER)
    token, secret = tokens.create_token(session, reviewer, "test")
    session.flush()
    assert token.last_used_at is None
    assert _reviews(Api(client, {"Authorization": f"Bearer {secret}"}))
    session.expire_all()
    assert session.get(ApiToken, token.id).last_used_at is not None
