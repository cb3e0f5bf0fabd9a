"""What flagging and deciding share: an item's kind and its flags."""

from __future__ import annotations

from sqlalchemy import ColumnElement

from coprod.models import ContentFlag, Proposal
from coprod.services.engagement.moderation.items import Item


def _kind(item: Item) -> str:
    return "proposal" if isinstance(item, Proposal) else "feedback"


def _flags_of(item: Item) -> ColumnElement[bool]:
    if isinstance(item, Proposal):
        return ContentFlag.proposal_id == item.id
    return ContentFlag.feedback_id == item.id
