"""Partners' commitments as figures: the lead agency's staff add and remove them; everyone who
reads the programme's reports sees them against what the partner delivered (the arithmetic and
the flags: coprod.services.governance.figures)."""

from __future__ import annotations

from coprod.services.governance.commitments._fields import MAX_AMOUNT
from coprod.services.governance.commitments.changes import (
    MAX_FIGURES,
    add_commitment,
    get_commitment,
    refresh_reports,
    remove_commitment,
)
from coprod.services.governance.commitments.standings import (
    MAX_BEHIND,
    Behind,
    PartnerFigures,
    Standing,
    behind_partners,
    describe,
    partner_figures,
    programme_standings,
)

__all__ = [
    "MAX_AMOUNT",
    "MAX_BEHIND",
    "MAX_FIGURES",
    "Behind",
    "PartnerFigures",
    "Standing",
    "add_commitment",
    "behind_partners",
    "describe",
    "get_commitment",
    "partner_figures",
    "programme_standings",
    "refresh_reports",
    "remove_commitment",
]
