"""A partner organisation's answer to the newest version: accepted, or objected to with a
comment."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from coprod import policy
from coprod.errors import Conflict, Invalid
from coprod.i18n import _, _l
from coprod.models import Agreement, AgreementAnswer, Organisation, User
from coprod.services import audit
from coprod.services.governance import latest_agreement
from coprod.services.text import clean_text

MAX_COMMENT = 2_000


OBJECTION_NEEDS_COMMENT = _l("Say what should change: a comment is required when you object.")


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
