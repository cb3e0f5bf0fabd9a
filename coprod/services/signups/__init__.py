"""Sign-ups: volunteers on shifts, the waitlist, assignments and attendance.

Seats are counted in `shift.confirmed` and taken or given back only through guarded UPDATEs
(never read-then-write), so concurrent requests cannot overbook; `CHECK confirmed <= capacity`
is the backstop. On PostgreSQL every change takes the shift's row, then the sign-up's (re-read
under the lock), then the person's, always in that order (see booking.py); SQLite serialises
every writing transaction (BEGIN IMMEDIATE) already.
"""

from coprod.services.signups.assigning import (
    NO_SUCH_VOLUNTEER,
    assign,
    assign_by_email,
    assign_by_id,
    assign_member,
)
from coprod.services.signups.booking import (
    ALREADY_CANCELLED,
    DUPLICATE,
    cancel,
    fill_from_waitlist,
    free_seat,
    holders_of_overlapping_shifts,
    lock_person,
    lock_shifts,
    mark_attendance,
    refuse_cancelled,
    sign_up,
)
from coprod.services.signups.reading import (
    count_waitlisted,
    describe_time,
    get_my_signups,
    get_roster,
    get_shift,
    get_signup,
    is_assignable,
    list_my_schedule,
    roster_contacts,
    roster_size,
    waitlist_position,
    waitlist_positions,
)
from coprod.services.signups.roster import (
    Candidate,
    RosterLine,
    count_unmarked,
    list_members_to_assign,
    list_roster_lines,
    mark_all_attended,
    mark_attendance_of,
    roster_csv,
    roster_file_name,
    spreadsheet_cell,
)

__all__ = [
    "ALREADY_CANCELLED",
    "DUPLICATE",
    "NO_SUCH_VOLUNTEER",
    "Candidate",
    "RosterLine",
    "assign",
    "assign_by_email",
    "assign_by_id",
    "assign_member",
    "cancel",
    "count_unmarked",
    "count_waitlisted",
    "describe_time",
    "fill_from_waitlist",
    "free_seat",
    "get_my_signups",
    "get_roster",
    "get_shift",
    "get_signup",
    "holders_of_overlapping_shifts",
    "is_assignable",
    "list_members_to_assign",
    "list_my_schedule",
    "list_roster_lines",
    "lock_person",
    "lock_shifts",
    "mark_all_attended",
    "mark_attendance",
    "mark_attendance_of",
    "refuse_cancelled",
    "roster_contacts",
    "roster_csv",
    "roster_file_name",
    "roster_size",
    "sign_up",
    "spreadsheet_cell",
    "waitlist_position",
    "waitlist_positions",
]
