"""Qualifications and their holders: an organisation defines, edits and archives its
qualifications; their verifiers award them to people (with an expiry from the validity) and
revoke awards; a person sees their own awards and sets their skills and whether coordinators
may invite them to understaffed shifts."""

from coprod.services.capacity.qualifications.awarding import (
    ALREADY_REVOKED,
    ARCHIVED,
    AWARD_FIELDS,
    FIRST_AWARD_DAY,
    MAX_EVIDENCE,
    NOBODY_TO_AWARD,
    award,
    revoke,
)
from coprod.services.capacity.qualifications.defining import (
    FIELDS,
    MAX_NAME,
    MAX_TEXT,
    MAX_VALIDITY,
    NAME_TAKEN,
    VERIFIER_LABELS,
    define_qualification,
    programmes_for,
    set_archived,
    update_qualification,
)
from coprod.services.capacity.qualifications.profile import (
    my_awards,
    my_skills,
    set_open_to_invitations,
    set_skills,
    update_my_profile,
)
from coprod.services.capacity.qualifications.reading import (
    TRAININGS_SHOWN,
    get_award,
    get_qualification,
    list_holders,
    list_qualifications,
    offered_for_task,
    training_tasks,
)
from coprod.services.capacity.qualifications.states import (
    STATE_LABELS,
    AwardState,
    Holding,
    award_state,
    notice_days,
    org_today,
    state_label,
)

__all__ = [
    "ALREADY_REVOKED",
    "ARCHIVED",
    "AWARD_FIELDS",
    "FIELDS",
    "FIRST_AWARD_DAY",
    "MAX_EVIDENCE",
    "MAX_NAME",
    "MAX_TEXT",
    "MAX_VALIDITY",
    "NAME_TAKEN",
    "NOBODY_TO_AWARD",
    "STATE_LABELS",
    "TRAININGS_SHOWN",
    "VERIFIER_LABELS",
    "AwardState",
    "Holding",
    "award",
    "award_state",
    "define_qualification",
    "get_award",
    "get_qualification",
    "list_holders",
    "list_qualifications",
    "my_awards",
    "my_skills",
    "notice_days",
    "offered_for_task",
    "org_today",
    "programmes_for",
    "revoke",
    "set_archived",
    "set_open_to_invitations",
    "set_skills",
    "state_label",
    "training_tasks",
    "update_my_profile",
    "update_qualification",
]
