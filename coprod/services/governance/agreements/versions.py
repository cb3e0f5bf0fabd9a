"""Publishing the agreement's numbered versions and asking the partners to answer them; the
decision rule's labels and who may read the agreement."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from coprod import policy
from coprod.errors import Conflict, FieldErrors, Invalid, NotFound
from coprod.i18n import _, _l
from coprod.models import Agreement, DecisionRule, NotificationKind, Programme, Role, User
from coprod.services import audit, notifications, organisations
from coprod.services.bounds import parse_day
from coprod.services.governance.terms import current_terms
from coprod.services.localtime import format_day, local_today
from coprod.services.text import clean_text

MAX_PURPOSE = 10_000


MAX_REVIEW_YEARS = 10  # a review date further ahead than this is a typing mistake
PUBLISH_TRIES = 5


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
