"""Sign-ups: volunteers on shifts, the waitlist, assignments and attendance.

Seats are counted in `shift.confirmed` and taken or given back only through guarded UPDATEs
(never read-then-write), so concurrent requests cannot overbook; `CHECK confirmed <= capacity`
is the backstop. On PostgreSQL the volunteer's user row is locked before the overlap check so
two simultaneous bookings by the same person are serialised; SQLite serialises every writing
transaction (BEGIN IMMEDIATE) already.
"""

from coprod.services.signups.booking import (
    DUPLICATE,
    assign,
    assign_by_email,
    cancel,
    fill_from_waitlist,
    free_seat,
    holders_of_overlapping_shifts,
    mark_attendance,
    sign_up,
)
from coprod.services.signups.reading import (
    count_waitlisted,
    describe_time,
    get_my_signups,
    get_roster,
    get_shift,
    get_signup,
    list_my_schedule,
    waitlist_position,
    waitlist_positions,
)

__all__ = [
    "DUPLICATE",
    "assign",
    "assign_by_email",
    "cancel",
    "count_waitlisted",
    "describe_time",
    "fill_from_waitlist",
    "free_seat",
    "get_my_signups",
    "get_roster",
    "get_shift",
    "get_signup",
    "holders_of_overlapping_shifts",
    "list_my_schedule",
    "mark_attendance",
    "sign_up",
    "waitlist_position",
    "waitlist_positions",
]
