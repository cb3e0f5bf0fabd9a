"""Personal access tokens: shown once, stored hashed, revocable, only the owner's."""

from __future__ import annotations

from datetime import timedelta

import pytest

from coprod.errors import Invalid, NotFound
from coprod.models import ApiToken
from coprod.services import tokens
from tests.factories import make_user


def test_a_token_is_stored_only_as_its_sha256_hash(session):
    user = make_user(session)
    token, secret = tokens.create_token(session, user, "BI dashboard")
    stored = session.get(ApiToken, token.id)
    assert stored.token_hash == tokens.hash_secret(secret)
    assert secret not in (stored.token_hash, stored.name)
    assert len(stored.token_hash) == 64


def test_a_token_authenticates_its_owner(session, now):
    user = make_user(session)
    _token, secret = tokens.create_token(session, user, "CRM")
    assert tokens.authenticate_token(session, secret, now) is user


def test_an_unknown_or_empty_secret_authenticates_nobody(session, now):
    make_user(session)
    assert tokens.authenticate_token(session, "cpt_not-a-token", now) is None
    assert tokens.authenticate_token(session, "", now) is None


def test_a_revoked_token_stops_working(session, now):
    user = make_user(session)
    token, secret = tokens.create_token(session, user, "Phone")
    tokens.revoke_token(session, user, token, now)
    assert tokens.authenticate_token(session, secret, now) is None


def test_a_closed_account_token_stops_working(session, now):
    user = make_user(session)
    _token, secret = tokens.create_token(session, user, "Phone")
    user.deleted_at = now
    assert tokens.authenticate_token(session, secret, now) is None


def test_last_use_is_recorded_at_most_once_an_hour(session, now):
    user = make_user(session)
    token, secret = tokens.create_token(session, user, "Phone")
    tokens.authenticate_token(session, secret, now)
    assert token.last_used_at == now
    tokens.authenticate_token(session, secret, now + timedelta(minutes=30))
    assert token.last_used_at == now
    tokens.authenticate_token(session, secret, now + timedelta(hours=2))
    assert token.last_used_at == now + timedelta(hours=2)


def test_a_token_needs_a_name(session):
    with pytest.raises(Invalid) as err:
        tokens.create_token(session, make_user(session), "  ")
    assert "name" in err.value.errors


def test_only_the_owner_sees_or_revokes_a_token(session, now):
    owner, other = make_user(session), make_user(session)
    token, _secret = tokens.create_token(session, owner, "CRM")
    with pytest.raises(NotFound):
        tokens.get_token(session, other, token.id)
    with pytest.raises(NotFound):
        tokens.revoke_token(session, other, token, now)
    assert token.revoked_at is None


def test_the_list_holds_only_the_owners_working_tokens(session, now):
    owner, other = make_user(session), make_user(session)
    kept, _ = tokens.create_token(session, owner, "Kept")
    gone, _ = tokens.create_token(session, owner, "Gone")
    tokens.create_token(session, other, "Other")
    tokens.revoke_token(session, owner, gone, now)
    page = tokens.list_tokens(session, owner, 1, 20)
    assert [t.id for t in page.items] == [kept.id]
    assert page.total == 1
