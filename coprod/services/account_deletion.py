"""Deleting an account: the person asks (after re-entering their password) or a site admin does
it on their request, with a reason; the retention job does the same to long-inactive accounts.

Nothing that reports count is deleted. The user row stays, anonymised: its name shows as "A
former volunteer", its email becomes `deleted-<id>@invalid` (unique, no address), phone,
pending address and the person's free text (log notes, in-kind descriptions, feedback
comments; their ratings stay) are blanked, and their real address is scrubbed from every
outbox row and audit entry. Their logs keep their hours, dates, organisation (so sector
shares hold), outcomes and in-kind values. Their places on future shifts are cancelled
through the booking path (waitlists promoted); sessions, API tokens and the calendar feed
link die; `deleted_at` makes every sign-in fail.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import String, cast, delete, or_, select, update
from sqlalchemy.orm import Session

from coprod import policy
from coprod.errors import Conflict, Invalid
from coprod.i18n import _
from coprod.models import (
    ApiToken,
    AuditEntry,
    ContributionLog,
    DataExport,
    Feedback,
    InKindItem,
    Membership,
    NotificationPreference,
    Organisation,
    OutboxMessage,
    OutboxStatus,
    Role,
    ServiceLetter,
    TaskInterest,
    User,
)
from coprod.models.accounts import new_token
from coprod.models.grants import bump_roles_version
from coprod.services import audit
from coprod.services.accounts import revoke_api_tokens
from coprod.services.passwords import verify_password
from coprod.services.signups.booking import release_future_places
from coprod.services.text import clean_text

# The keys of audit before/after detail that hold personal data (the retention job removes
# their values after RETENTION_AUDIT_DETAIL_DAYS; a deletion removes them from the entries
# about the person at once).
PERSONAL_KEYS = frozenset(
    {"email", "display_name", "phone", "pending_email", "new_email", "old_email", "notes"}
)
# A deleted person's logs also lose their in-kind descriptions from the audit detail.
LOG_TEXT_KEYS = PERSONAL_KEYS | {"description"}
REMOVED = "(removed)"
# What the user row stores as the name (shown translated, see User.display_name), and what
# replaces the person's name in emails sent to others -- when the name is not so short that
# replacing it would change other words.
FORMER = "A former volunteer"
MIN_NAME_TO_REPLACE = 3


def placeholder_email(user: User) -> str:
    """A unique value that is no address (the .invalid domain cannot exist)."""
    return f"deleted-{user.id}@invalid"


def delete_own_account(session: Session, user: User, password: str, *, now: datetime) -> User:
    """The person deletes their own account after re-entering their password."""
    if not verify_password(user.password_hash, password or ""):
        raise Invalid("password", _("Your password is not right."))
    return anonymise(session, user, user, now=now, action="user.deleted")


def delete_on_request(
    session: Session, actor: User, user: User, reason: str, *, now: datetime
) -> User:
    """A site admin deletes someone's account at their request; the reason is audited."""
    policy.require(actor, "accounts.manage")
    why = clean_text(reason, "reason", _("The reason"), max_len=500, required=True, multiline=True)
    if user.id == actor.id:
        raise Conflict(_("Delete your own account from your account page."))
    return anonymise(session, actor, user, now=now, action="user.deleted_by_admin", reason=why)


def organisations_needing_handover(session: Session, user: User) -> list[Organisation]:
    """The organisations whose only admin the person is."""
    mine = select(Membership.organisation_id).where(
        Membership.user_id == user.id, Membership.role == Role.ADMIN
    )
    others = select(Membership.organisation_id).where(
        Membership.user_id != user.id, Membership.role == Role.ADMIN
    )
    stmt = (
        select(Organisation)
        .where(Organisation.id.in_(mine), Organisation.id.not_in(others))
        .order_by(Organisation.name, Organisation.id)
    )
    return list(session.scalars(stmt))


def refuse_last_admin(session: Session, user: User) -> None:
    """An organisation's last admin hands over before their account goes."""
    orgs = organisations_needing_handover(session, user)
    if orgs:
        raise Conflict(
            _(
                "%(person)s is the last admin of %(names)s. Make someone else an admin there "
                "first: nothing was deleted.",
                person=user.display_name,
                names=", ".join(o.name for o in orgs),
            )
        )


def anonymise(
    session: Session,
    actor: User | None,
    user: User,
    *,
    now: datetime,
    action: str,
    reason: str | None = None,
) -> User:
    """Anonymise the account as the module docstring says (refused, changing nothing, while
    the person is an organisation's last admin or the account is already deleted)."""
    # The person's row first, re-read under the lock: a booking of theirs in flight (it holds
    # the person's lock last, after its shift) commits before we look for their places, and
    # one arriving later waits here, then finds the account deleted (booking.lock_person). An
    # exception to the lock order (shift, sign-up, person) that cannot deadlock: a booking
    # waiting for the person holds only the lock of a shift they have no place on yet, which
    # this deletion never asks for; cancels never take the person's lock.
    session.execute(select(User.id).where(User.id == user.id).with_for_update())
    session.refresh(user, ["deleted_at"])
    if user.deleted_at is not None:
        raise Conflict(_("This account is already deleted."))
    refuse_last_admin(session, user)
    email, address = user.email, placeholder_email(user)
    released = release_future_places(session, actor, user, now)
    revoked = revoke_api_tokens(session, user, now=now)
    _scrub_records(session, user, email, address)
    user.email, user.pending_email, user.phone = address, None, None
    user.stored_name = FORMER
    user.password_hash = "!"  # noqa: S105 - no password matches it
    user.session_version += 1
    user.calendar_token = new_token()
    user.is_site_admin = False
    user.deleted_at = now
    after: dict[str, Any] = {"places_released": released, "api_tokens_revoked": revoked}
    if reason is not None:
        after["reason"] = reason
    audit.record(session, actor, action, user, after=after, at=now)
    return user


def _scrub_records(session: Session, user: User, email: str, address: str) -> None:
    """Remove the person's free text, links and address from every other table."""
    ops = {"synchronize_session": False}
    session.execute(delete(Membership).where(Membership.user_id == user.id), execution_options=ops)
    bump_roles_version(session, user_ids=[user.id])  # a bulk DELETE: the flush hook sees none
    session.execute(delete(TaskInterest).where(TaskInterest.user_id == user.id))
    session.execute(delete(NotificationPreference).where(NotificationPreference.user_id == user.id))
    # Their service letters stop verifying (and no longer hold their name), and a data export
    # waiting for them goes with its ZIP.
    session.execute(delete(ServiceLetter).where(ServiceLetter.user_id == user.id))
    session.execute(delete(DataExport).where(DataExport.user_id == user.id))
    session.execute(
        update(ApiToken).where(ApiToken.user_id == user.id).values(name=""), execution_options=ops
    )
    mine = select(ContributionLog.id).where(ContributionLog.user_id == user.id)
    session.execute(
        update(ContributionLog).where(ContributionLog.user_id == user.id).values(notes=""),
        execution_options=ops,
    )
    session.execute(
        update(InKindItem).where(InKindItem.log_id.in_(mine)).values(description=""),
        execution_options=ops,
    )
    # Their feedback comments go; the ratings stay in the averages.
    session.execute(
        update(Feedback).where(Feedback.user_id == user.id).values(comment="", public=False),
        execution_options=ops,
    )
    _scrub_outbox(session, user, email, address)
    _scrub_audit(session, user, email, address)
    session.flush()
    session.expire_all()  # the bulk updates above are what the rows hold now


def _scrub_outbox(session: Session, user: User, email: str, address: str) -> None:
    """Emails to the person lose their bodies (unsent ones are never sent); their address is
    replaced wherever another email mentions it."""
    ops = {"synchronize_session": False}
    theirs = or_(OutboxMessage.user_id == user.id, OutboxMessage.recipient == email)
    session.execute(
        update(OutboxMessage)
        .where(theirs, OutboxMessage.status.in_((OutboxStatus.PENDING, OutboxStatus.SENDING)))
        .values(status=OutboxStatus.FAILED, last_error="account deleted"),
        execution_options=ops,
    )
    session.execute(
        update(OutboxMessage)
        .where(theirs)
        .values(recipient=address, subject="", body_text="", body_html=""),
        execution_options=ops,
    )
    replacements = [(email, address)]
    if len(user.stored_name) >= MIN_NAME_TO_REPLACE:
        replacements.append((user.stored_name, FORMER))
    for old, new in replacements:
        _replace_in_outbox(session, old, new)


def _replace_in_outbox(session: Session, old: str, new: str) -> None:
    for message in session.scalars(
        select(OutboxMessage).where(
            or_(
                OutboxMessage.subject.contains(old, autoescape=True),
                OutboxMessage.body_text.contains(old, autoescape=True),
                OutboxMessage.body_html.contains(old, autoescape=True),
                OutboxMessage.last_error.contains(old, autoescape=True),
            )
        )
    ):
        message.subject = message.subject.replace(old, new)
        message.body_text = message.body_text.replace(old, new)
        message.body_html = message.body_html.replace(old, new)
        message.last_error = message.last_error.replace(old, new)


def _scrub_audit(session: Session, user: User, email: str, address: str) -> None:
    """Entries about the person lose their personal fields, entries about their logs the
    text they wrote too; any other entry that names their address has it replaced."""
    pattern = f"%{email}%"
    logs = select(ContributionLog.id).where(ContributionLog.user_id == user.id)
    about_user = (AuditEntry.object_type == "User") & (AuditEntry.object_id == user.id)
    about_logs = (AuditEntry.object_type == "ContributionLog") & AuditEntry.object_id.in_(logs)
    their_tokens = select(ApiToken.id).where(ApiToken.user_id == user.id)
    about_tokens = (AuditEntry.object_type == "ApiToken") & AuditEntry.object_id.in_(their_tokens)
    found = session.scalars(
        select(AuditEntry).where(
            or_(
                about_user,
                about_logs,
                about_tokens,
                cast(AuditEntry.before, String).like(pattern),
                cast(AuditEntry.after, String).like(pattern),
            )
        )
    )
    for entry in found:
        keys: frozenset[str] = frozenset()
        if entry.object_type == "User" and entry.object_id == user.id:
            keys = PERSONAL_KEYS
        elif entry.object_type == "ContributionLog":
            keys = LOG_TEXT_KEYS
        elif entry.object_type == "ApiToken":
            keys = frozenset({"name"})
        for side in ("before", "after"):
            value = getattr(entry, side)
            if value is not None:
                setattr(entry, side, scrub_detail(value, email, address, keys=keys))


def scrub_detail(
    value: Any, email: str | None, address: str, *, keys: frozenset[str] = PERSONAL_KEYS
) -> Any:
    """The JSON detail with `email` replaced by `address` in every string and the value of
    every key in `keys` (at any depth) replaced by REMOVED."""
    if isinstance(value, dict):
        return {
            k: (
                REMOVED
                if k in keys and v not in (None, "", REMOVED)
                else scrub_detail(v, email, address, keys=keys)
            )
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [scrub_detail(v, email, address, keys=keys) for v in value]
    if isinstance(value, str) and email:
        return value.replace(email, address)
    return value
