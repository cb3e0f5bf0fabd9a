"""A coordinator's message to everyone on a shift's roster, one email each."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from coprod import policy
from coprod.errors import Conflict, FieldErrors
from coprod.i18n import _
from coprod.models import Shift, Signup, SignupStatus, User
from coprod.services import audit
from coprod.services.notifications._common import _shift_context
from coprod.services.notifications.emails import Later, queue
from coprod.services.notifications.preferences import Kind
from coprod.services.text import has_control, storable

MAX_SUBJECT = 150
MAX_BODY = 5000


def message_roster(
    session: Session, actor: User, shift: Shift, subject: str, body: str, *, now: datetime
) -> int:
    """A coordinator of the shift writes to everyone on its roster (confirmed, attended or
    waiting); each person gets their own email, so nobody sees the others' addresses."""
    policy.require(actor, "shift.view_roster", shift)
    errs = FieldErrors()
    subject, body = (subject or "").strip(), (body or "").strip()
    if not subject:
        errs.add("subject", _("Enter a subject."))
    elif len(subject) > MAX_SUBJECT or has_control(subject):
        errs.add(
            "subject",
            _("The subject must be one line of at most %(max)d characters.", max=MAX_SUBJECT),
        )
    if not body:
        errs.add("body", _("Enter the message."))
    elif len(body) > MAX_BODY or not storable(body):
        errs.add("body", _("The message must be at most %(max)d characters.", max=MAX_BODY))
    errs.raise_if_any()
    people = list(
        session.scalars(
            select(Signup).where(
                Signup.shift_id == shift.id, Signup.status != SignupStatus.CANCELLED
            )
        )
    )
    if not people:
        raise Conflict(_("Nobody is on this roster yet, so there is nobody to write to."))
    entry = audit.record(
        session, actor, "shift.roster_message", shift, after={"subject": subject, "to": len(people)}
    )
    session.flush()
    ctx = _shift_context(shift) | {"sender": actor, "message": body}
    title = shift.task.title
    full = Later(lambda: _("%(subject)s (“%(title)s”)", subject=subject, title=title))
    return sum(
        queue(session, s.volunteer, Kind.ROSTER_MESSAGE, f"msg{entry.id}", full, ctx, now=now)
        is not None
        for s in people
    )
