"""What the sign-up views share: a sign-up's status in words, the person, the roster's URL."""

from __future__ import annotations

from flask import url_for
from flask_login import current_user

from coprod.i18n import _l
from coprod.models import Shift, SignupStatus, User

STATUS_LABELS = {
    SignupStatus.CONFIRMED: _l("Confirmed"),
    SignupStatus.WAITLISTED: _l("Waitlisted"),
    SignupStatus.CANCELLED: _l("Cancelled"),
    SignupStatus.ATTENDED: _l("Attended"),
    SignupStatus.NO_SHOW: _l("No-show"),
    SignupStatus.SHIFT_CANCELLED: _l("Shift cancelled"),
}


def _actor() -> User:
    user: User = current_user._get_current_object()
    return user


def _roster_url(shift: Shift) -> str:
    return url_for("signups.roster", shift_id=shift.id)
