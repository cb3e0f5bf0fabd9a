"""What the moderation operations share: a proposal or feedback answered with its state."""

from __future__ import annotations

from coprod.models import Feedback, Proposal


def _moderated_out(item: Proposal | Feedback) -> dict[str, object]:
    return {
        "type": "proposal" if isinstance(item, Proposal) else "feedback",
        "id": item.id,
        "programme_id": item.programme_id,
        "hidden": item.hidden_at is not None,
        "hidden_at": item.hidden_at,
        "hidden_reason": item.hidden_reason,
        "hidden_by_id": item.hidden_by_id,
    }
