"""Booking: seats taken and given back only through guarded UPDATEs, the rules (no overlap, not
after the start), signing up (and the booking an assignment makes, see assigning.py),
cancelling, promoting from the waitlist, attendance.

Lock order (PostgreSQL; SQLite renders no FOR UPDATE and serialises writers with BEGIN
IMMEDIATE): every change to a sign-up takes, in this order and never the other way round,
  1. the shift's row (`lock_shifts`, by id when there are several),
  2. the sign-up's row (`_relock`, which re-reads it: the decision uses what it read),
  3. the person's user row (`lock_person`),
  4. the task's row, last, to keep its figures (coprod.services.task_figures.refresh),
each `FOR NO KEY UPDATE`, which does not block the `KEY SHARE` locks that inserting rows
referring to them takes (audit entries, outbox rows, a new sign-up). Holding the shift's row
serialises every change to the shift's sign-ups, so the seat counter and the statuses move
together. A deadlock or serialization failure left anyway is retried by the unit of work
(coprod.db.retrying), never shown as an error.

One exception: deleting an account (account_deletion.anonymise) takes the person's row
first, so that no booking of theirs commits after it has listed their places; it cannot
deadlock, as a booking waiting for the person holds only a shift they have no place on.
"""

from coprod.services.signups.booking.attendance import CANNOT_MARK, mark_attendance
from coprod.services.signups.booking.locks import free_seat, lock_person, lock_shifts
from coprod.services.signups.booking.places import (
    ALREADY_CANCELLED,
    AUDIT_FIELDS,
    CANNOT_CANCEL,
    DUPLICATE,
    book,
    cancel,
    release_future_places,
    sign_up,
)
from coprod.services.signups.booking.rules import holders_of_overlapping_shifts, refuse_cancelled
from coprod.services.signups.booking.waitlist import fill_from_waitlist

__all__ = [
    "ALREADY_CANCELLED",
    "AUDIT_FIELDS",
    "CANNOT_CANCEL",
    "CANNOT_MARK",
    "DUPLICATE",
    "book",
    "cancel",
    "fill_from_waitlist",
    "free_seat",
    "holders_of_overlapping_shifts",
    "lock_person",
    "lock_shifts",
    "mark_attendance",
    "refuse_cancelled",
    "release_future_places",
    "sign_up",
]
