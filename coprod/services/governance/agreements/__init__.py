"""The partnership agreement: lead staff publish numbered versions (each a snapshot of every
partner's terms), and each partner organisation, through one of its admins, accepts the
newest version or objects to it with a comment. Versions and answers are never deleted; a
changed answer is audited with its before and after.

Concurrency: the version number is max + 1 under the unique (programme, version), so two
publishing at once get two numbers (the loser of the insert reads the new max and retries);
the answer is one row per (version, organisation), so two admins answering at once end with
one row (the loser of the insert locks the winner's row and changes it).
"""

from __future__ import annotations

from coprod.services.governance.agreements.answers import MAX_COMMENT, answer
from coprod.services.governance.agreements.versions import (
    MAX_PURPOSE,
    RULE_LABELS,
    ask_partners,
    publish,
    require_view,
    rule_explained,
    rule_label,
)

__all__ = [
    "MAX_COMMENT",
    "MAX_PURPOSE",
    "RULE_LABELS",
    "answer",
    "ask_partners",
    "publish",
    "require_view",
    "rule_explained",
    "rule_label",
]
