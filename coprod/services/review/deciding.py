"""A reviewer's decisions on logs: approve, reject or ask for changes, one log or many."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from coprod import policy
from coprod.errors import Conflict, DomainError, Invalid, NotAllowed, NotFound
from coprod.i18n import _, _l
from coprod.models import ContributionLog, LogStatus, Task, User
from coprod.services import audit, notifications
from coprod.services.contributions import MAX_NOTES, log_state
from coprod.services.contributions.changes import lock_log
from coprod.services.text import storable

MAX_BULK = 100
STATUS_WORDS = {
    LogStatus.SUBMITTED: _l("waiting for review"),
    LogStatus.APPROVED: _l("already approved"),
    LogStatus.REJECTED: _l("rejected"),
    LogStatus.CHANGES_REQUESTED: _l("sent back for changes"),
    LogStatus.SUPERSEDED: _l("replaced by a correction"),
    LogStatus.WITHDRAWN: _l("withdrawn by its contributor"),
}
REVIEW_FIELDS = ["status", "review_comment", "reviewed_by_id", "reviewed_at", "counted_changed_at"]


def _comment(raw: str | None, *, missing: str | None = None) -> str:
    """The reviewer's comment, trimmed; `missing` is the message when it is required and blank."""
    text = (raw or "").strip()
    if missing is not None and not text:
        raise Invalid("comment", missing)
    if len(text) > MAX_NOTES or not storable(text):
        raise Invalid(
            "comment",
            _("The comment must be at most %(max)s plain characters.", max=MAX_NOTES),
        )
    return text


def _words(status: LogStatus) -> str:
    return str(STATUS_WORDS[status])


def _lock(session: Session, log: ContributionLog) -> None:
    # Two reviewers deciding at once: the second one waits here and re-reads the log, so it
    # decides on the first one's decision (a Conflict), never on the status it loaded before.
    lock_log(session, log)


def _check_reviewable(actor: User, log: ContributionLog) -> None:
    policy.require(actor, "log.review", log)
    if log.status != LogStatus.SUBMITTED:
        raise Conflict(
            _(
                "This log is %(status)s: only a submitted log is reviewed.",
                status=_words(log.status),
            )
        )


def _decide(
    session: Session,
    actor: User,
    log: ContributionLog,
    status: LogStatus,
    comment: str,
    now: datetime,
) -> ContributionLog:
    before = audit.snapshot(log, REVIEW_FIELDS)
    log.status = status
    log.review_comment = comment
    log.reviewed_by_id = actor.id
    log.reviewed_at = now
    log.updated_at = now
    if status == LogStatus.APPROVED:
        log.counted_changed_at = now  # it enters the approved set: reports must recount
    after = audit.snapshot(log, REVIEW_FIELDS)
    audit.record(session, actor, f"log.{status.value}", log, before=before, after=after, at=now)
    notifications.log_reviewed(session, log, now=now)
    return log


def _supersede(session: Session, actor: User, original: ContributionLog, now: datetime) -> None:
    """The corrected log leaves the approved set when its correction is approved."""
    before = log_state(original) | {
        "counted_changed_at": audit.jsonable(original.counted_changed_at)
    }
    original.status = LogStatus.SUPERSEDED
    original.counted_changed_at = now
    original.updated_at = now
    after = log_state(original) | {"counted_changed_at": audit.jsonable(now)}
    audit.record(session, actor, "log.superseded", original, before=before, after=after, at=now)


def _approve_locked(
    session: Session, actor: User, log: ContributionLog, comment: str, now: datetime
) -> ContributionLog:
    _check_reviewable(actor, log)
    original = log.corrects
    if original is not None:
        _lock(session, original)
        if original.status != LogStatus.APPROVED:
            raise Conflict(
                _(
                    "The log this corrects is %(status)s, so the correction cannot replace it.",
                    status=_words(original.status),
                )
            )
    _decide(session, actor, log, LogStatus.APPROVED, comment, now)
    if original is not None:
        _supersede(session, actor, original, now)
    session.flush()
    return log


def approve(
    session: Session, actor: User, log: ContributionLog, now: datetime, *, comment: str = ""
) -> ContributionLog:
    """A reviewer of the lead agency approves a submitted log (never their own); an approved
    correction supersedes the log it corrects."""
    _lock(session, log)
    return _approve_locked(session, actor, log, _comment(comment), now)


def reject(
    session: Session, actor: User, log: ContributionLog, reason: str, now: datetime
) -> ContributionLog:
    """A reviewer rejects a submitted log, always with a reason."""
    _lock(session, log)
    _check_reviewable(actor, log)
    text = _comment(reason, missing=_("Enter the reason for rejecting this log."))
    _decide(session, actor, log, LogStatus.REJECTED, text, now)
    session.flush()
    return log


def request_changes(
    session: Session, actor: User, log: ContributionLog, comment: str, now: datetime
) -> ContributionLog:
    """A reviewer sends a submitted log back to its contributor, saying what to change."""
    _lock(session, log)
    _check_reviewable(actor, log)
    text = _comment(comment, missing=_("Enter what the contributor should change."))
    _decide(session, actor, log, LogStatus.CHANGES_REQUESTED, text, now)
    session.flush()
    return log


DECISIONS = {"approve", "reject", "request_changes"}


def review(
    session: Session,
    actor: User,
    log: ContributionLog,
    decision: str,
    comment: str,
    *,
    now: datetime,
) -> ContributionLog:
    """One reviewer decision on one log: approve, reject or request changes."""
    policy.require(actor, "log.review", log)
    if decision == "approve":
        return approve(session, actor, log, comment=comment, now=now)
    if decision == "reject":
        return reject(session, actor, log, comment, now=now)
    if decision == "request_changes":
        return request_changes(session, actor, log, comment, now=now)
    raise Invalid("decision", _("Choose approve, reject or ask for changes."))


@dataclass
class BulkResult:
    """Per-item outcome of a bulk approval: what was approved and why the others were not."""

    approved: list[int] = field(default_factory=list)
    refused: list[tuple[int, str]] = field(default_factory=list)


def bulk_approve(
    session: Session, actor: User, log_ids: Iterable[int], now: datetime
) -> BulkResult:
    """Approve every selected log that can be approved; report each other one with its reason.

    Per item, not all-or-nothing: one log approved meanwhile by a colleague should not stop a
    reviewer approving the twenty others they checked. Nothing is skipped silently.
    """
    ids = list(dict.fromkeys(int(i) for i in log_ids))
    if not ids:
        raise Invalid("log_ids", _("Select at least one log to approve."))
    if len(ids) > MAX_BULK:
        raise Invalid("log_ids", _("Approve at most %(max)s logs at a time.", max=MAX_BULK))
    rows = session.scalars(
        select(ContributionLog)
        .where(ContributionLog.id.in_(ids))
        .options(
            selectinload(ContributionLog.task).selectinload(Task.programme),
            selectinload(ContributionLog.corrects),
        )
        .order_by(ContributionLog.id)
        .with_for_update(of=ContributionLog)
    )
    logs = {log.id: log for log in rows}
    result = BulkResult()
    for log_id in ids:
        log = logs.get(log_id)
        try:
            if log is None:
                raise NotFound(_("not found, or not one you review"))
            with session.begin_nested():
                _approve_locked(session, actor, log, "", now)
            result.approved.append(log_id)
        except NotFound:
            result.refused.append((log_id, _("not found, or not one you review")))
        except NotAllowed:
            own = log is not None and policy.can(actor, "log.view", log)
            reason = _("your own log") if own else _("not one you may review")
            result.refused.append((log_id, reason))
        except DomainError as err:
            if log is not None and log.status != LogStatus.SUBMITTED:
                result.refused.append((log_id, _words(log.status)))
            else:
                result.refused.append((log_id, err.message))
    return result
