"""The partnership agreement: lead staff publish numbered versions (each a snapshot of every
partner's terms), and each partner organisation, through one of its admins, accepts the
newest version or objects to it with a comment. Versions and answers are never deleted; a
changed answer is audited with its before and after.

Concurrency: the version number is max + 1 under the unique (programme, version), so two
publishing at once get two numbers (the loser of the insert reads the new max and retries);
the answer is one row per (version, organisation), so two admins answering at once end with
one row (the loser of the insert locks the winner's row and changes it).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from coprod import policy
from coprod.errors import Conflict, FieldErrors, Invalid, NotFound
from coprod.i18n import _, _l
from coprod.models import (
    Agreement,
    AgreementAnswer,
    DecisionRule,
    NotificationKind,
    Organisation,
    Programme,
    Role,
    User,
)
from coprod.services import audit, notifications, organisations
from coprod.services.bounds import parse_day
from coprod.services.governance import latest_agreement
from coprod.services.governance.terms import current_terms
from coprod.services.localtime import format_day, local_today
from coprod.services.text import clean_text

MAX_PURPOSE = 10_000
MAX_COMMENT = 2_000
MAX_REVIEW_YEARS = 10  # a review date further ahead than this is a typing mistake
PUBLISH_TRIES = 5
OBJECTION_NEEDS_COMMENT = _l("Say what should change: a comment is required when you object.")

RULE_LABELS = {
    DecisionRule.MAJORITY: _l("Majority"),
    DecisionRule.CONSENSUS: _l("Consensus"),
}
RULE_EXPLAINED = {
    DecisionRule.MAJORITY: _l(
        "A shared decision is carried when more than half of the organisations that may vote "
        "choose the same option."
    ),
    DecisionRule.CONSENSUS: _l(
        "A shared decision is carried only when every organisation that may vote chooses the "
        "same option."
    ),
}


def rule_label(rule: DecisionRule) -> str:
    return str(RULE_LABELS[rule])


def rule_explained(rule: DecisionRule) -> str:
    return str(RULE_EXPLAINED[rule])


def require_view(actor: User | None, programme: Programme) -> None:
    """The programme's agreement is read by the partnership only (agreement.view's rule on
    the programme, before any version exists); anyone else is told it does not exist."""
    if not policy.can(actor, "programme.view_reports", programme):
        raise NotFound(_("Not found."))


# --- publishing ---------------------------------------------------------------------------


def _decision_rule(raw: DecisionRule | str | None) -> DecisionRule:
    try:
        return DecisionRule(str(raw or ""))
    except ValueError:
        raise Invalid(
            "decision_rule", _("Choose how the partners decide: majority or consensus.")
        ) from None


def _review_on(raw: date | str | None, programme: Programme, now: datetime) -> date:
    label = _("The review date")
    day = parse_day(raw, "review_on", label=label, required=True, example="2027-12-01")
    assert day is not None
    today = local_today(programme, now)
    if day < today:
        raise Invalid("review_on", _("The review date cannot be in the past."))
    last = today.replace(year=today.year + MAX_REVIEW_YEARS, day=min(today.day, 28))
    if day > last:
        raise Invalid(
            "review_on",
            _("The review date is too far in the future: choose one by %(day)s.",
              day=format_day(last)),
        )  # fmt: skip
    return day


def _next_version(session: Session, programme: Programme) -> int:
    found = session.scalar(
        select(func.max(Agreement.version)).where(Agreement.programme_id == programme.id)
    )
    return int(found or 0) + 1


def publish(
    session: Session,
    actor: User,
    programme: Programme,
    *,
    purpose: str | None,
    decision_rule: DecisionRule | str | None,
    review_on: date | str | None,
    now: datetime,
) -> Agreement:
    """Lead staff publish the programme's next agreement version, snapshotting every current
    partner's terms; each partner organisation's admins are asked by email to answer it."""
    require_view(actor, programme)
    policy.require(actor, "programme.manage", programme)
    errs = FieldErrors()
    text = errs.check(
        lambda: clean_text(
            purpose, "purpose", _("The purpose"), max_len=MAX_PURPOSE, required=True,
            multiline=True,
        )
    )  # fmt: skip
    rule = errs.check(lambda: _decision_rule(decision_rule))
    review = errs.check(lambda: _review_on(review_on, programme, now))
    errs.raise_if_any()
    terms = current_terms(programme)
    if not terms:
        raise Conflict(_("Add the programme's partners before publishing its agreement."))
    for _try in range(PUBLISH_TRIES):
        agreement = Agreement(
            programme_id=programme.id,
            version=_next_version(session, programme),
            purpose=text,
            decision_rule=rule,
            review_on=review,
            terms=terms,
            published_by_id=actor.id,
            published_at=now,
        )
        try:
            with session.begin_nested():
                session.add(agreement)
                session.flush()
            break
        except IntegrityError:
            continue  # another version took this number: read the new max and try again
    else:
        raise Conflict(_("Someone else is publishing this agreement. Try again."))
    after = {
        "programme_id": programme.id,
        "version": agreement.version,
        "purpose": text,
        "decision_rule": rule,
        "review_on": review,
        "partners": [t["organisation_name"] for t in terms],
    }
    audit.record(session, actor, "agreement.published", agreement, after=after, at=now)
    ask_partners(session, agreement, now=now)
    return agreement


def _admins(session: Session, org_ids: list[int]) -> list[tuple[int, User]]:
    return organisations.holders(session, org_ids, (Role.ADMIN,))


def ask_partners(session: Session, agreement: Agreement, *, now: datetime) -> int:
    """Email each admin of each partner organisation named in the version, once, asking them
    to accept it or object; the number of emails queued."""
    names = {t["organisation_id"]: t["organisation_name"] for t in agreement.terms}
    programme = agreement.programme
    base = notifications.base_url()
    title, version = programme.name, agreement.version
    subject = notifications.Later(
        lambda: _(
            "Please answer version %(version)s of the %(programme)s partnership agreement",
            version=version,
            programme=title,
        )
    )
    queued = 0
    for org_id, user in _admins(session, sorted(names)):
        ctx = {
            "programme": programme,
            "agreement": agreement,
            "organisation_name": names[org_id],
            "agreement_url": f"{base}/programmes/{programme.id}/agreement#answer",
        }
        occasion = f"agreement{agreement.id}:org{org_id}"
        if notifications.queue(
            session, user, NotificationKind.AGREEMENT, occasion, subject, ctx, now=now
        ):
            queued += 1
    return queued


# --- answering ----------------------------------------------------------------------------


def _answer_fields(answer: AgreementAnswer) -> dict[str, Any]:
    return {
        "agreement_id": answer.agreement_id,
        "organisation_id": answer.organisation_id,
        "accepted": answer.accepted,
        "comment": answer.comment,
    }


def _existing(session: Session, agreement: Agreement, org: Organisation) -> AgreementAnswer | None:
    return session.scalar(
        select(AgreementAnswer)
        .where(
            AgreementAnswer.agreement_id == agreement.id,
            AgreementAnswer.organisation_id == org.id,
        )
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def _refuse_unnamed_or_old(session: Session, agreement: Agreement, org: Organisation) -> None:
    if org.id not in {t["organisation_id"] for t in agreement.terms}:
        raise Invalid(
            "organisation_id",
            _(
                "%(name)s is not a partner of this programme named in version %(version)s of "
                "its agreement.",
                name=org.name,
                version=agreement.version,
            ),
        )
    newest = latest_agreement(session, agreement.programme)
    if newest is not None and newest.version != agreement.version:
        raise Conflict(
            _(
                "Version %(version)s is no longer in force: answer version %(newest)s instead.",
                version=agreement.version,
                newest=newest.version,
            )
        )


def answer(
    session: Session,
    actor: User,
    agreement: Agreement,
    organisation: Organisation,
    *,
    accepted: bool,
    comment: str | None,
    now: datetime,
) -> AgreementAnswer:
    """An admin of a partner organisation named in the newest version accepts it, or objects
    with a comment, in the organisation's name; answering again changes the answer."""
    policy.require(actor, "agreement.view", agreement)
    policy.require(actor, "org.speak_for", organisation)
    _refuse_unnamed_or_old(session, agreement, organisation)
    text = clean_text(
        comment, "comment", _("Your comment"), max_len=MAX_COMMENT, required=False,
        multiline=True,
    )  # fmt: skip
    if not accepted and not text:
        raise Invalid("comment", str(OBJECTION_NEEDS_COMMENT))
    found = _existing(session, agreement, organisation)
    if found is None:
        made = AgreementAnswer(
            agreement_id=agreement.id,
            organisation_id=organisation.id,
            accepted=bool(accepted),
            comment=text,
            answered_by_id=actor.id,
            answered_at=now,
        )
        try:
            with session.begin_nested():
                session.add(made)
                session.flush()
        except IntegrityError:
            # Another admin of the organisation answered at the same moment: change theirs.
            found = _existing(session, agreement, organisation)
            if found is None:  # pragma: no cover - the unique row exists after the conflict
                raise Conflict(
                    _("Your organisation's answer changed meanwhile. Try again.")
                ) from None
        else:
            audit.record(
                session, actor, "agreement.answered", made, after=_answer_fields(made), at=now
            )
            return made
    before = _answer_fields(found)
    found.accepted, found.comment = bool(accepted), text
    found.answered_by_id, found.answered_at = actor.id, now
    session.flush()
    audit.record(
        session,
        actor,
        "agreement.answer_changed",
        found,
        before=before,
        after=_answer_fields(found),
        at=now,
    )
    return found


__all__ = [
    "MAX_COMMENT",
    "MAX_PURPOSE",
    "answer",
    "ask_partners",
    "publish",
    "require_view",
    "rule_explained",
    "rule_label",
]
