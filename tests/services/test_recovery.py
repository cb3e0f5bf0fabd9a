"""Accounts people can recover: reset links, registering without revealing addresses,
confirmation, the profile, and what a new password ends."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from coprod.errors import Conflict, Invalid
from coprod.models import ApiToken, NotificationKind, OutboxMessage, User
from coprod.services import accounts, contributions, profile, recovery, signups, tokens
from coprod.services.accounts import EmailNotConfirmed
from tests.conftest import NOW
from tests.factories import PASSWORD, ShiftWorld, make_past_volunteer, make_user

SECRET = "test-secret"
NEW_PASSWORD = "a brand new passphrase"
Kind = NotificationKind


def mails(session, kind: NotificationKind, to: str | None = None) -> list[OutboxMessage]:
    stmt = select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)
    if to is not None:
        stmt = stmt.where(OutboxMessage.recipient == to)
    return list(session.scalars(stmt))


def link_token(message: OutboxMessage, path: str) -> str:
    found = re.search(rf"/{path}/(\S+)", message.body_text)
    assert found, message.body_text
    return found.group(1)


def reset_token(session, user: User, now=NOW) -> str:
    recovery.request_password_reset(session, user.email, secret=SECRET, now=now)
    return link_token(mails(session, Kind.PASSWORD_RESET, user.email)[-1], "reset-password")


# --- forgotten passwords --------------------------------------------------------------------


def test_a_reset_link_is_emailed_only_to_an_address_with_an_account(session) -> None:
    user = make_user(session, email="Kim@Example.org".lower())
    assert recovery.request_password_reset(session, "KIM@example.org", secret=SECRET, now=NOW)
    recovery.request_password_reset(session, "nobody@example.org", secret=SECRET, now=NOW)
    [sent] = mails(session, Kind.PASSWORD_RESET)
    assert sent.recipient == user.email and "/reset-password/" in sent.body_text
    assert "one hour" in sent.body_text


def test_a_deactivated_account_gets_no_reset_link(session) -> None:
    user = make_user(session, is_active=False)
    recovery.request_password_reset(session, user.email, secret=SECRET, now=NOW)
    assert mails(session, Kind.PASSWORD_RESET) == []


def test_a_reset_link_sets_the_password_once_and_ends_every_session(session) -> None:
    user = make_user(session)
    version = user.session_version
    token = reset_token(session, user)
    recovery.reset_password(session, token, NEW_PASSWORD, secret=SECRET, now=NOW)
    assert accounts.authenticate(session, email=user.email, password=NEW_PASSWORD) is user
    assert user.session_version == version + 1
    with pytest.raises(Invalid) as err:  # used once: dead
        recovery.reset_password(session, token, "yet another passphrase", secret=SECRET, now=NOW)
    assert "token" in err.value.errors


def test_a_reset_link_expires_after_an_hour(session) -> None:
    user = make_user(session)
    token = reset_token(session, user)
    later = NOW + timedelta(hours=1, seconds=1)
    with pytest.raises(Invalid):
        recovery.reset_password(session, token, NEW_PASSWORD, secret=SECRET, now=later)
    recovery.reset_password(
        session, token, NEW_PASSWORD, secret=SECRET, now=NOW + timedelta(minutes=59)
    )


def test_a_reset_link_dies_when_the_password_changes_another_way(session) -> None:
    user = make_user(session)
    token = reset_token(session, user)
    accounts.change_password(session, user, current=PASSWORD, new=NEW_PASSWORD, now=NOW)
    with pytest.raises(Invalid):
        recovery.get_reset_account(session, token, secret=SECRET, now=NOW)


def test_a_forged_or_mangled_reset_link_is_refused(session) -> None:
    user = make_user(session)
    token = reset_token(session, user)
    for bad in (token[:-2] + "xx", "nonsense", "", "a" * 600):
        with pytest.raises(Invalid):
            recovery.get_reset_account(session, bad, secret=SECRET, now=NOW)
    with pytest.raises(Invalid):  # signed with another key
        recovery.get_reset_account(session, token, secret="another-secret", now=NOW)


def test_a_reset_checks_the_password_rules(session) -> None:
    user = make_user(session)
    token = reset_token(session, user)
    with pytest.raises(Invalid) as err:
        recovery.reset_password(session, token, "short", secret=SECRET, now=NOW)
    assert "password" in err.value.errors
    recovery.get_reset_account(session, token, secret=SECRET, now=NOW)  # still alive


# --- a new password revokes API tokens ------------------------------------------------------


def test_changing_the_password_revokes_every_api_token(session) -> None:
    user, other = make_user(session), make_user(session)
    _t1, secret1 = tokens.create_token(session, user, "laptop")
    tokens.create_token(session, user, "phone")
    _t3, theirs = tokens.create_token(session, other, "theirs")
    done = accounts.change_password(session, user, current=PASSWORD, new=NEW_PASSWORD, now=NOW)
    assert done.tokens_revoked == 2
    session.expire_all()
    assert tokens.authenticate_token(session, secret1, NOW) is None
    assert tokens.authenticate_token(session, theirs, NOW) is other
    _t4, fresh = tokens.create_token(session, user, "new laptop")  # they can make new ones
    assert tokens.authenticate_token(session, fresh, NOW) is user


def test_a_password_reset_revokes_every_api_token(session) -> None:
    user = make_user(session)
    _token, secret = tokens.create_token(session, user, "laptop")
    done = recovery.reset_password(
        session, reset_token(session, user), NEW_PASSWORD, secret=SECRET, now=NOW
    )
    assert done.tokens_revoked == 1
    session.expire_all()
    assert tokens.authenticate_token(session, secret, NOW) is None
    revoked = session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    assert revoked.revoked_at == NOW


# --- registering reveals nothing ------------------------------------------------------------


def register(session, email: str, now=NOW, **kw) -> User | None:
    return recovery.register_or_notify(
        session,
        email=email,
        password="a long passphrase",
        display_name="Newcomer",
        secret=SECRET,
        now=now,
        **kw,
    )


def test_a_new_account_is_unconfirmed_and_gets_a_confirmation_link(session) -> None:
    user = register(session, "new@example.org")
    assert user is not None and user.email_confirmed_at is None
    [sent] = mails(session, Kind.CONFIRM_EMAIL)
    assert sent.recipient == "new@example.org" and "/confirm-email/" in sent.body_text


def test_registering_a_taken_address_creates_nothing_and_tells_its_owner(session) -> None:
    owner = make_user(session, email="owner@example.org")
    count = session.scalar(select(func.count()).select_from(User))
    assert register(session, "Owner@Example.org") is None
    assert session.scalar(select(func.count()).select_from(User)) == count
    assert owner.password_hash != "" and accounts.authenticate(
        session, email=owner.email, password=PASSWORD
    )
    [told] = mails(session, Kind.REGISTER_ATTEMPT)
    assert told.recipient == owner.email
    assert "tried to register" in told.body_text and "/reset-password/" in told.body_text
    assert mails(session, Kind.CONFIRM_EMAIL) == []


def test_without_the_confirmation_requirement_a_new_account_is_confirmed_at_once(session):
    user = register(session, "event@example.org", confirmation_required=False)
    assert user is not None and user.email_confirmed_at == NOW
    assert mails(session, Kind.CONFIRM_EMAIL) == []


# --- confirmation gates signing up and logging ----------------------------------------------


def test_an_unconfirmed_person_cannot_sign_up_or_log_hours_until_confirmed(session) -> None:
    world = ShiftWorld(session)
    user = register(session, "fresh@example.org")
    with pytest.raises(EmailNotConfirmed) as err:
        signups.sign_up(session, user, world.shift, NOW)
    assert "Confirm your email address" in err.value.message and err.value.status == 403
    with pytest.raises(EmailNotConfirmed):
        contributions.submit_log(
            session, user, world.task, on=NOW.date(), hours=Decimal(2), now=NOW
        )
    token = link_token(mails(session, Kind.CONFIRM_EMAIL, user.email)[0], "confirm-email")
    recovery.confirm_email(session, token, secret=SECRET, now=NOW)
    assert user.email_confirmed_at == NOW
    assert signups.sign_up(session, user, world.shift, NOW).user_id == user.id


def test_the_confirmation_link_can_be_sent_again_until_confirmed(session) -> None:
    user = register(session, "again@example.org")
    recovery.resend_confirmation(session, user, secret=SECRET, now=NOW + timedelta(minutes=5))
    assert len(mails(session, Kind.CONFIRM_EMAIL, user.email)) == 2
    user.email_confirmed_at = NOW
    with pytest.raises(Conflict):
        recovery.resend_confirmation(session, user, secret=SECRET, now=NOW)


def test_following_a_reset_link_also_confirms_the_address(session) -> None:
    user = register(session, "forgetful@example.org")
    recovery.reset_password(
        session, reset_token(session, user), NEW_PASSWORD, secret=SECRET, now=NOW
    )
    assert user.email_confirmed_at == NOW


# --- the profile ----------------------------------------------------------------------------


def test_the_profile_changes_name_and_phone_and_refuses_bad_values(session) -> None:
    user = make_user(session)
    profile.update_profile(
        session, user, display_name=" Kim Park ", phone="+44 20 7946 0000", secret=SECRET, now=NOW
    )
    assert (user.display_name, user.phone) == ("Kim Park", "+44 20 7946 0000")
    with pytest.raises(Invalid) as err:
        profile.update_profile(
            session, user, display_name="", phone="call me", secret=SECRET, now=NOW
        )
    assert {"display_name", "phone"} <= set(err.value.errors)
    assert user.display_name == "Kim Park"
    profile.update_profile(session, user, phone="", secret=SECRET, now=NOW)
    assert user.phone is None


def test_a_new_email_replaces_the_old_only_once_confirmed_and_the_old_is_told(session) -> None:
    user = make_user(session, email="old@example.org")
    change = profile.update_profile(session, user, email="New@Example.org", secret=SECRET, now=NOW)
    assert change.email_pending and user.email == "old@example.org"
    assert user.pending_email == "new@example.org"
    [link] = mails(session, Kind.CONFIRM_EMAIL, "new@example.org")
    token = link_token(link, "account/email")
    profile.confirm_email_change(session, token, secret=SECRET, now=NOW)
    assert (user.email, user.pending_email) == ("new@example.org", None)
    [told] = mails(session, Kind.EMAIL_CHANGED, "old@example.org")
    assert "new@example.org" in told.body_text
    with pytest.raises(Invalid):  # the link is used up
        profile.confirm_email_change(session, token, secret=SECRET, now=NOW)


def test_an_email_change_to_a_taken_address_tells_its_owner_and_changes_nothing(session):
    owner = make_user(session, email="taken@example.org")
    user = make_user(session, email="mine@example.org")
    change = profile.update_profile(
        session, user, email="taken@example.org", secret=SECRET, now=NOW
    )
    assert change.email_pending  # the same answer as for a free address
    assert mails(session, Kind.CONFIRM_EMAIL) == []
    [told] = mails(session, Kind.REGISTER_ATTEMPT, owner.email)
    assert "move another coprod account" in told.body_text
    assert user.email == "mine@example.org"


def test_a_newer_email_change_kills_the_older_link(session) -> None:
    user = make_user(session)
    profile.update_profile(session, user, email="first@example.org", secret=SECRET, now=NOW)
    first = link_token(mails(session, Kind.CONFIRM_EMAIL, "first@example.org")[0], "account/email")
    profile.update_profile(session, user, email="second@example.org", secret=SECRET, now=NOW)
    with pytest.raises(Invalid):
        profile.confirm_email_change(session, first, secret=SECRET, now=NOW)
    profile.cancel_email_change(session, user, now=NOW)
    assert user.pending_email is None


def test_a_coordinator_cannot_assign_someone_whose_address_is_unconfirmed(session) -> None:
    """Assigning is signing up on someone's behalf: the same rule, and no emails to an address
    nobody has proved is theirs."""
    world = ShiftWorld(session)
    user = register(session, "unproven@example.org")
    make_past_volunteer(session, world.shift.task.programme, user)  # someone one may assign
    with pytest.raises(Invalid) as err:
        signups.assign(session, world.coordinator, world.shift, user, NOW)
    assert "not confirmed their email address" in err.value.message
    user.email_confirmed_at = NOW
    assert signups.assign(session, world.coordinator, world.shift, user, NOW).user_id == user.id
