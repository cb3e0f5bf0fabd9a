"""The signed-in home page: what needs this person, one section per role they hold.

`home(session, actor, now)` reads everything in a handful of bounded queries (never one per
row). Each section is None when the role does not apply to the person, and an object with
empty lists when it applies but nothing needs them (the page says so plainly).

Every shift query adds `shift_state.live_shift()`, the one place that decides which shifts
still count (a cancelled shift does not).
"""

from coprod.services.home.page import home
from coprod.services.home.sections import (
    DAYS_AHEAD,
    MAX_PROGRAMMES,
    MAX_SHIFTS,
    MAX_TASKS,
    MAX_UNDERSTAFFED,
    NEXT_SHIFTS,
    OPEN_LOGS,
    RUNNING_TASKS,
    CoordinatorSection,
    Home,
    ProgrammeHours,
    ReviewerSection,
    ReviewRow,
    StaffProgramme,
    StaffSection,
    VolunteerSection,
)

__all__ = [
    "DAYS_AHEAD",
    "MAX_PROGRAMMES",
    "MAX_SHIFTS",
    "MAX_TASKS",
    "MAX_UNDERSTAFFED",
    "NEXT_SHIFTS",
    "OPEN_LOGS",
    "RUNNING_TASKS",
    "CoordinatorSection",
    "Home",
    "ProgrammeHours",
    "ReviewRow",
    "ReviewerSection",
    "StaffProgramme",
    "StaffSection",
    "VolunteerSection",
    "home",
]
