"""The programme's moderation queue: reported items, or the hidden ones."""

from __future__ import annotations

from flask.typing import ResponseReturnValue

from coprod.api.auth import current_actor, token_required
from coprod.api.fields import window_out
from coprod.api.moderation import blp
from coprod.api.moderation._common import _moderated_out
from coprod.api.moderation.schemas import QueueArgs, QueueArgsData, QueuePage
from coprod.db import db
from coprod.models import Proposal
from coprod.services import programmes
from coprod.services.engagement import moderation


def _queue_out(entry: moderation.QueueItem) -> dict[str, object]:
    item = entry.item
    proposal = isinstance(item, Proposal)
    return {
        **_moderated_out(item),
        "title": item.title if isinstance(item, Proposal) else "",
        "text": item.what if isinstance(item, Proposal) else item.comment,
        "task_id": None if proposal else getattr(item, "task_id", None),
        "rating": None if proposal else getattr(item, "rating", None),
        "author_id": item.author_id if isinstance(item, Proposal) else item.user_id,
        "author_name": entry.author.display_name if entry.author else None,
        "open_flags": entry.open_flags,
        "latest_flag_at": entry.latest_flag_at,
        "reasons": entry.reasons,
    }


@blp.route("/programmes/<int:programme_id>/flags", methods=["GET"])
@blp.arguments(QueueArgs, location="query")
@blp.response(200, QueuePage)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
@token_required
def list_flags(args: QueueArgsData, programme_id: int) -> ResponseReturnValue:
    """The programme's moderation queue (lead agency staff): items with open reports, the
    most recently reported first, with the count, the latest reasons and the author; or,
    with show=hidden, the hidden items, the latest hidden first. Read by cursor: follow `next`
    (null at the end); `page` numbers are not accepted."""
    session, actor = db.session(), current_actor()
    programme = programmes.get_programme(session, actor, programme_id)
    found = moderation.moderation_queue(
        session,
        actor,
        programme,
        after=args["after"],
        per_page=args["per_page"],
        show=args["show"],
    )
    items = [_queue_out(entry) for entry in found.items]
    return window_out(found, items, "api_moderation.list_flags", programme_id=programme_id)
