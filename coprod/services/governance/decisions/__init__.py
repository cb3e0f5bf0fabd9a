"""Shared decisions: the lead agency's staff put a question to the partnership, with 2 to 10
options and a closing time; every organisation in the partnership -- the lead agency and each
partner organisation of the programme -- has one vote, cast by one of its admins with a
comment, and changeable until the close. The rule (majority or consensus) is copied from the
agreement in force when the decision opens.

The result, decided when the decision closes (at its closing time by the scheduler, or earlier
by the lead staff), counts the votes of the organisations entitled to vote at that moment:
- no votes at all: NO_VOTES;
- majority: an option chosen by more than half of the entitled organisations is CARRIED (so
  with four organisations an option needs three votes; a 2-2 tie carries nothing), otherwise
  NO_MAJORITY;
- consensus: CARRIED when every entitled organisation voted and all for the same option,
  otherwise NO_CONSENSUS.

Races: a vote locks the decision's row (FOR UPDATE, then re-reads it) before it checks that the
decision is open, and closing is a guarded UPDATE ... WHERE closed_at IS NULL (which waits for
that lock); so a vote either lands before the close and is counted, or is refused after it.
"""

from __future__ import annotations

from coprod.services.governance.decisions._common import (
    MAX_COMMENT,
    MAX_DETAILS,
    MAX_LABEL,
    MAX_OPTIONS,
    MAX_QUESTION,
    MIN_OPTIONS,
    is_open,
    organisation_to_vote_for,
    organisations_i_vote_for,
    outcome_label,
    rule_label,
    voting_organisation_ids,
    voting_organisations,
)
from coprod.services.governance.decisions.closing import close_decision, close_due_decisions, tally
from coprod.services.governance.decisions.opening import open_decision
from coprod.services.governance.decisions.reading import (
    Ballot,
    DecisionView,
    Waiting,
    count_open,
    get_decision,
    list_decisions,
    require_partnership,
    view_decision,
    vote_counts,
    voted_summary,
    waiting_for_my_vote,
)
from coprod.services.governance.decisions.voting import vote

__all__ = [
    "MAX_COMMENT",
    "MAX_DETAILS",
    "MAX_LABEL",
    "MAX_OPTIONS",
    "MAX_QUESTION",
    "MIN_OPTIONS",
    "Ballot",
    "DecisionView",
    "Waiting",
    "close_decision",
    "close_due_decisions",
    "count_open",
    "get_decision",
    "is_open",
    "list_decisions",
    "open_decision",
    "organisation_to_vote_for",
    "organisations_i_vote_for",
    "outcome_label",
    "require_partnership",
    "rule_label",
    "tally",
    "view_decision",
    "vote",
    "vote_counts",
    "voted_summary",
    "voting_organisation_ids",
    "voting_organisations",
    "waiting_for_my_vote",
]
