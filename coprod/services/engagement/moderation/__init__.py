"""Moderation: anyone signed in flags a proposal or a public comment (once per person and
item, at most FLAGS_PER_HOUR flags an hour); the lead agency's staff hide it with a reason its
author reads, restore it, or dismiss the flags; their queue lists what was flagged or hidden."""

from coprod.services.engagement.moderation.deciding import (
    HIDE_FIELDS,
    dismiss_flags,
    hide_feedback,
    hide_proposal,
    open_flags_of,
    restore_feedback,
    restore_proposal,
)
from coprod.services.engagement.moderation.flagging import (
    Flagged,
    flag_feedback,
    flag_proposal,
    flags_per_hour,
)
from coprod.services.engagement.moderation.items import (
    MAX_REASON,
    Item,
    clean_reason,
    get_feedback,
    get_proposal,
)
from coprod.services.engagement.moderation.review_queue import (
    REASONS_SHOWN,
    SHOWS,
    QueueItem,
    Show,
    moderation_queue,
    open_flag_count,
    open_flags_by_programme,
)

__all__ = [
    "HIDE_FIELDS",
    "MAX_REASON",
    "REASONS_SHOWN",
    "SHOWS",
    "Flagged",
    "Item",
    "QueueItem",
    "Show",
    "clean_reason",
    "dismiss_flags",
    "flag_feedback",
    "flag_proposal",
    "flags_per_hour",
    "get_feedback",
    "get_proposal",
    "hide_feedback",
    "hide_proposal",
    "moderation_queue",
    "open_flag_count",
    "open_flags_by_programme",
    "open_flags_of",
    "restore_feedback",
    "restore_proposal",
]
