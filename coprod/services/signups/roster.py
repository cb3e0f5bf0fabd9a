"""A roster on the day: its lines for the CSV export and the printed sign-in sheet (contact
details only where the roster may share them), attendance for everyone at once, and the
coordinating organisation's members to pick from when assigning.

Marking attendance, one person or all, always goes through `booking.mark_attendance`, so
whatever marking one person does (an audit entry, their contribution log) happens for each.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, and_, case, func, select
from sqlalchemy.orm import Session, contains_eager

from coprod import policy
from coprod.errors import Conflict, Invalid
from coprod.i18n import _, _l
from coprod.models import ACTIVE, SEATED, Membership, Shift, Signup, SignupStatus, User
from coprod.services import localtime
from coprod.services.capacity import rosters
from coprod.services.shift_state import has_started
from coprod.services.signups.booking import lock_shifts, mark_attendance
from coprod.services.signups.reading import roster_contacts
from coprod.services.text import clean_text, contains

# A printed sheet or a file lists everyone on the shift: capacity is small, but bound it.
MAX_LINES = 500
MAX_PICK = 50
MAX_QUERY = 100
NOT_STARTED = _l("Attendance can be marked once the shift has started.")

PLACE_LABELS = {
    SignupStatus.CONFIRMED: _l("Confirmed"),
    SignupStatus.ATTENDED: _l("Confirmed"),
    SignupStatus.NO_SHOW: _l("Confirmed"),
    SignupStatus.WAITLISTED: _l("Waitlisted"),
}
ATTENDANCE_LABELS = {SignupStatus.ATTENDED: _l("Attended"), SignupStatus.NO_SHOW: _l("No-show")}
CSV_HEADER = [_l("Name"), _l("Email"), _l("Phone"), _l("Status"), _l("Attendance")]


@dataclass(frozen=True)
class RosterLine:
    """One person on the roster as an export shows them: contacts are None when not shared."""

    signup: Signup
    name: str
    email: str | None
    phone: str | None
    place: str
    attendance: str


def _roster_query(actor: User, shift: Shift) -> Select[Signup]:
    waiting = case((Signup.status == SignupStatus.WAITLISTED, 1), else_=0)
    return (
        select(Signup)
        .join(Signup.volunteer)
        .options(contains_eager(Signup.volunteer))
        .where(
            Signup.shift_id == shift.id,
            policy.visible_signups(actor),
            Signup.status != SignupStatus.CANCELLED,
        )
        .order_by(waiting, Signup.queued_at, Signup.id)
    )


def list_roster_lines(
    session: Session, actor: User, shift: Shift, now: datetime, *, seated_only: bool = False
) -> list[RosterLine]:
    """Everyone on the shift (the roster's keepers only), seated first: the name, the email
    and phone where the roster shares them, the place and the attendance marked."""
    policy.require(actor, "shift.view_roster", shift)
    stmt = _roster_query(actor, shift).limit(MAX_LINES)
    if seated_only:
        stmt = stmt.where(Signup.status.in_(SEATED))
    rows = list(session.scalars(stmt))
    shared = roster_contacts(session, actor, shift, rows)
    started = has_started(shift, now)
    return [
        RosterLine(
            signup=s,
            name=s.volunteer.display_name,
            email=s.volunteer.email if s.id in shared else None,
            phone=(s.volunteer.phone or None) if s.id in shared else None,
            place=str(PLACE_LABELS.get(s.status, s.status)),
            attendance=str(
                ATTENDANCE_LABELS.get(
                    s.status,
                    _("Not marked") if started and s.status == SignupStatus.CONFIRMED else "",
                )
            ),
        )
        for s in rows
    ]


def spreadsheet_cell(value: object) -> str:
    """Text a spreadsheet shows as text: one starting with =, +, -, @ (or a tab or carriage
    return) gets a leading quote, so it is never run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def roster_csv(lines: Iterable[RosterLine]) -> str:
    """The roster as CSV: name, email and phone where shared, status, attendance."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([str(header) for header in CSV_HEADER])
    for line in lines:
        row = [line.name, line.email, line.phone, line.place, line.attendance]
        writer.writerow([spreadsheet_cell(v) for v in row])
    return out.getvalue()


def roster_file_name(shift: Shift) -> str:
    """`roster-<task title as a slug>-<local date>`, ASCII only (for a download's name)."""
    ascii_title = unicodedata.normalize("NFKD", shift.task.title).encode("ascii", "ignore")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.decode().lower()).strip("-")[:60] or "task"
    day = localtime.to_local(shift.starts_at, localtime.shift_zone(shift)).date()
    return f"roster-{slug}-{day.isoformat()}"


# --- attendance for many ------------------------------------------------------------------


def _require_started(actor: User, shift: Shift, now: datetime) -> None:
    policy.require(actor, "shift.attendance", shift)
    if not has_started(shift, now):
        raise Conflict(str(NOT_STARTED))


def count_unmarked(session: Session, shift: Shift) -> int:
    """How many confirmed volunteers of the shift have no attendance marked yet."""
    return (
        session.scalar(
            select(func.count())
            .select_from(Signup)
            .where(Signup.shift_id == shift.id, Signup.status == SignupStatus.CONFIRMED)
        )
        or 0
    )


def mark_all_attended(session: Session, actor: User, shift: Shift, now: datetime) -> list[Signup]:
    """Once the shift has started, mark every confirmed volunteer not yet marked as attended,
    each through `mark_attendance`; those already marked (attended or no-show) are left as
    they are, so a second run changes nothing."""
    return mark_attendance_of(session, actor, shift, [], now, others_attended=True)


def mark_attendance_of(
    session: Session,
    actor: User,
    shift: Shift,
    marks: Sequence[tuple[int, bool]],
    now: datetime,
    *,
    others_attended: bool = False,
) -> list[Signup]:
    """Once the shift has started, mark the listed sign-ups of the shift (id, attended), then,
    with `others_attended`, every confirmed one still unmarked as attended; each goes through
    `mark_attendance`. An id not on this shift, or listed twice, is refused before anything
    changes; the caller's transaction makes it all or nothing."""
    _require_started(actor, shift, now)
    ids = [signup_id for signup_id, _ in marks]
    twice = next((i for i in ids if ids.count(i) > 1), None)
    if twice is not None:
        raise Invalid("signups", _("Sign-up %(id)s is given twice.", id=twice))
    lock_shifts(session, shift)  # nobody joins or leaves while the list is read and marked
    found = {
        s.id: s
        for s in session.scalars(
            select(Signup).where(Signup.shift_id == shift.id, Signup.id.in_(ids))
        )
    }
    missing = [i for i in ids if i not in found]
    if missing:
        raise Invalid("signups", _("No such sign-up on this shift: %(id)s.", id=missing[0]))
    marked = [mark_attendance(session, actor, found[i], attended, now) for i, attended in marks]
    if others_attended:
        waiting = session.scalars(
            select(Signup)
            .where(Signup.shift_id == shift.id, Signup.status == SignupStatus.CONFIRMED)
            .order_by(Signup.id)
        ).all()
        marked += [mark_attendance(session, actor, s, True, now) for s in waiting]
    return marked


# --- picking a member to assign -------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """A member of the coordinating organisation, and why they cannot be assigned (or None)."""

    user: User
    reason: str | None


def _reasons(session: Session, shift: Shift, users: list[User]) -> dict[int, str]:
    """Why each person cannot be assigned, by the rules assigning applies (see assigning.py)."""
    ids = [u.id for u in users]
    reasons: dict[int, str] = {}
    for u in users:
        if not u.is_active:
            reasons[u.id] = _("Account closed")
        elif u.email_confirmed_at is None:
            reasons[u.id] = _("Email address not confirmed yet")
    overlapping = session.scalars(
        select(Signup.user_id)
        .join(Signup.shift)
        .where(
            Signup.user_id.in_(ids),
            Signup.status.in_(ACTIVE),
            Signup.shift_id != shift.id,
            and_(Shift.starts_at < shift.ends_at, Shift.ends_at > shift.starts_at),
        )
    )
    for user_id in overlapping:
        reasons[user_id] = _("Has another shift at this time")
    for user_id, missing in rosters.missing_by_person(session, ids, shift).items():
        reasons[user_id] = _("Will not hold %(name)s on the day", name=missing[0].name)
    on_shift = session.scalars(
        select(Signup.user_id).where(
            Signup.shift_id == shift.id,
            Signup.user_id.in_(ids),
            Signup.status != SignupStatus.CANCELLED,
        )
    )
    for user_id in on_shift:
        reasons[user_id] = _("Already on this shift")
    return reasons


def list_members_to_assign(
    session: Session, actor: User, shift: Shift, query: str | None
) -> tuple[list[Candidate], bool]:
    """The coordinating organisation's members (the lead agency's when the task names none)
    whose name or email holds the words, by name, each marked with why they cannot be
    assigned; and whether more match than are shown (MAX_PICK)."""
    policy.require(actor, "shift.assign", shift)
    words = clean_text(query, "q", _("Search"), max_len=MAX_QUERY, required=False)
    task = shift.task
    org_id = task.coordinating_organisation_id or task.programme.lead_organisation_id
    stmt = (
        select(User)
        .where(
            User.id.in_(select(Membership.user_id).where(Membership.organisation_id == org_id)),
            User.deleted_at.is_(None),
        )
        .order_by(User.display_name, User.id)
        .limit(MAX_PICK + 1)
    )
    if words:
        stmt = stmt.where(contains(words, User.display_name, User.email))
    users = list(session.scalars(stmt))
    more, users = len(users) > MAX_PICK, users[:MAX_PICK]
    reasons = _reasons(session, shift, users)
    return [Candidate(u, reasons.get(u.id)) for u in users], more
