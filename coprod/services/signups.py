"""Sign-ups: volunteers on shifts, the waitlist, assignments and attendance."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from coprod.models import Signup, User


def get_my_signups(
    session: Session, user: User | None, shift_ids: Iterable[int]
) -> dict[int, Signup]:
    """The user's sign-ups (any status) for these shifts, keyed by shift id, in one query."""
    ids = list(shift_ids)
    if user is None or not getattr(user, "is_authenticated", False) or not ids:
        return {}
    rows = session.scalars(
        select(Signup).where(Signup.user_id == user.id, Signup.shift_id.in_(ids))
    )
    return {s.shift_id: s for s in rows}
