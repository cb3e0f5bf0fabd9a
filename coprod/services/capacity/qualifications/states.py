"""An award as it stands on a day (valid, expiring soon, expired, revoked), in the
organisation's calendar."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from coprod.i18n import _l
from coprod.models import Organisation, QualificationAward, User
from coprod.services import localtime

Actor = User | None
A = QualificationAward


class AwardState(StrEnum):
    """An award as it stands on a day."""

    VALID = "valid"
    EXPIRING = "expiring"  # valid, and expires within EXPIRY_NOTICE_DAYS
    EXPIRED = "expired"
    REVOKED = "revoked"


STATE_LABELS = {
    AwardState.VALID: _l("Valid"),
    AwardState.EXPIRING: _l("Expires soon"),
    AwardState.EXPIRED: _l("Expired"),
    AwardState.REVOKED: _l("Revoked"),
}


def state_label(state: AwardState | str) -> str:
    return str(STATE_LABELS[AwardState(state)])


def notice_days() -> int:
    """How many days before its expiry an award counts as expiring soon (EXPIRY_NOTICE_DAYS)."""
    from config import settings

    return int(settings().get("EXPIRY_NOTICE_DAYS", 30))


def award_state(award: QualificationAward, today: date, notice: int | None = None) -> AwardState:
    """Valid, expiring soon (within EXPIRY_NOTICE_DAYS), expired or revoked, on `today`."""
    if award.revoked_at is not None:
        return AwardState.REVOKED
    if award.expires_on is not None and award.expires_on <= today:
        return AwardState.EXPIRED
    days = notice_days() if notice is None else notice
    if award.expires_on is not None and award.expires_on <= today + timedelta(days=days):
        return AwardState.EXPIRING
    return AwardState.VALID


def org_today(org: Organisation, now: datetime) -> date:
    """The organisation's calendar date at this instant."""
    return now.astimezone(localtime.zone(localtime.organisation_zone_name(org))).date()


@dataclass(frozen=True)
class Holding:
    """An award with its state on the day it is looked at."""

    award: QualificationAward
    state: AwardState
