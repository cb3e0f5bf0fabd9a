"""Community engagement: citizens propose tasks and support each other's ideas (proposals),
the lead agency answers them in public, volunteers give feedback on the tasks they worked on
(feedback), anyone flags what should not be shown and lead staff hide it (moderation), and
"You said, we did" shows what became of the ideas (impact). One module per part; this package
holds only what they share: the words for a proposal's status and how a limit is read."""

from __future__ import annotations

from typing import TYPE_CHECKING

from coprod.i18n import _l
from coprod.models import ProposalStatus

if TYPE_CHECKING:
    from flask_babel import LazyString

STATUS_LABELS: dict[ProposalStatus, LazyString] = {
    ProposalStatus.OPEN: _l("Waiting for an answer"),
    ProposalStatus.UNDER_REVIEW: _l("Under review"),
    ProposalStatus.ACCEPTED: _l("Accepted"),
    ProposalStatus.DECLINED: _l("Declined"),
    ProposalStatus.ALREADY_PLANNED: _l("Already planned"),
}


def status_label(status: ProposalStatus | str) -> str:
    """A proposal status in the reader's language."""
    return str(STATUS_LABELS[ProposalStatus(status)])


def limit(name: str) -> int:
    """A whole-number setting of config.py (PROPOSALS_PER_DAY, FEEDBACK_PER_HOUR, ...), read
    the way services read settings: from this process's configuration, without Flask."""
    from config import settings

    return int(settings()[name])
