"""What a log is made of: its limits, the statuses that count, and what a person typed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from coprod.models import LogStatus, Shift, SignupStatus

MAX_HOURS_PER_DAY = Decimal("24")
# The earliest day a log can be for: older dates are typing mistakes (0001-01-01 once stopped
# every report from building).
EARLIEST_LOG_DATE = date(2000, 1, 1)
MAX_NOTES = 2000
MAX_DESCRIPTION = 300
MAX_QUANTITY = Decimal("999999999999.99")
MAX_VALUE = Decimal("9999999999.99")
# Logs that hold part of a person's 24 hours of a day (rejected and superseded ones do not).
DAY_COUNTED = (LogStatus.SUBMITTED, LogStatus.APPROVED, LogStatus.CHANGES_REQUESTED)
PENDING = (LogStatus.SUBMITTED, LogStatus.CHANGES_REQUESTED)
# A person has one log per shift: one of these (withdrawn and rejected logs free the shift; a
# correction of an approved log replaces it, so it is not a second log).
HOLDS_SHIFT = (LogStatus.SUBMITTED, LogStatus.APPROVED, LogStatus.CHANGES_REQUESTED)
# The sign-ups that let a person log a shift: they held it.
HELD = (SignupStatus.CONFIRMED, SignupStatus.ATTENDED)
AUDITED = ["status", "date", "hours", "notes", "shift_id", "organisation_id", "corrects_id"]

Outcomes = Sequence[tuple[int, Decimal]]
InKind = Sequence[tuple[str, Decimal | None]]


@dataclass(frozen=True)
class LogInput:
    """What a person typed for a log (the same for a new log, a resubmission, a correction)."""

    on: date | None
    hours: Decimal | None
    outcomes: Outcomes = ()
    notes: str = ""
    in_kind: InKind = ()
    shift: Shift | None = None
