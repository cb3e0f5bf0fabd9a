"""Proposals: a signed-in, confirmed person proposes a task for a programme that accepts
proposals; others support it (one support each, a public count, never a list of names); the
lead agency's staff answer it in public (under review → accepted | declined | already
planned). Accepting makes a draft task crediting the proposer, who may become its
co-coordinator; the author and every supporter are told of each answer by email."""

from coprod.services.engagement.proposals.answering import (
    ANSWER_CHOICES,
    ANSWERS,
    MAX_TASK_DESCRIPTION,
    answer,
)
from coprod.services.engagement.proposals.proposing import (
    FIELDS,
    MAX_LOCATION,
    MAX_TEXT,
    MAX_TITLE,
    NOT_ACCEPTING,
    create_proposal,
    proposals_per_day,
)
from coprod.services.engagement.proposals.reading import (
    A_RESIDENT,
    MAX_QUERY,
    NEWEST_KEYS,
    OVERDUE_SHOWN,
    SORTS,
    SUPPORTED_KEYS,
    Overdue,
    answer_days,
    author_label,
    get_proposal,
    is_supporting,
    list_my_proposals,
    list_proposals,
    overdue_proposals,
    supported_ids,
    task_proposal,
)
from coprod.services.engagement.proposals.supporting import (
    ALREADY_SUPPORTING,
    NOT_SUPPORTING,
    NOT_WAITING,
    OWN_PROPOSAL,
    support,
    withdraw_support,
)

__all__ = [
    "ALREADY_SUPPORTING",
    "ANSWERS",
    "ANSWER_CHOICES",
    "A_RESIDENT",
    "FIELDS",
    "MAX_LOCATION",
    "MAX_QUERY",
    "MAX_TASK_DESCRIPTION",
    "MAX_TEXT",
    "MAX_TITLE",
    "NEWEST_KEYS",
    "NOT_ACCEPTING",
    "NOT_SUPPORTING",
    "NOT_WAITING",
    "OVERDUE_SHOWN",
    "OWN_PROPOSAL",
    "SORTS",
    "SUPPORTED_KEYS",
    "Overdue",
    "answer",
    "answer_days",
    "author_label",
    "create_proposal",
    "get_proposal",
    "is_supporting",
    "list_my_proposals",
    "list_proposals",
    "overdue_proposals",
    "proposals_per_day",
    "support",
    "supported_ids",
    "task_proposal",
    "withdraw_support",
]
