"""The schemas of moderation: a report's reason, reports, moderated items and the queue."""

from __future__ import annotations

from typing import TypedDict

import marshmallow as ma
from marshmallow import fields, validate

from coprod.api.fields import Check, CursorArgs, CursorArgsData, Pattern, UTCDateTime, window_schema
from coprod.i18n import _, _l
from coprod.services.engagement import moderation
from coprod.services.text import SPACE_CLASS, storable

# A reason: line breaks (taken as spaces) but no other control character, at most 500.
_REFUSED = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
_BREAKS = r"\t\n\r\u2028\u2029"
REASON_PATTERN = rf"^[^{_REFUSED}]*$"
NON_BLANK_REASON_PATTERN = rf"^[^{_REFUSED}]*[^{_REFUSED}{_BREAKS}{SPACE_CLASS}][^{_REFUSED}]*$"
REASON_DOC = (
    f"At most {moderation.MAX_REASON} characters; line breaks become spaces, other control "
    "characters are refused."
)


def _storable(value: str) -> None:
    if not storable(value):
        raise ma.ValidationError(_("The text contains a character that is not allowed."))


def Reason(*, required: bool) -> fields.String:
    pattern = Pattern(
        NON_BLANK_REASON_PATTERN if required else REASON_PATTERN,
        _l("Enter the reason, without control characters other than line breaks.")
        if required
        else _l("Remove the control characters (line breaks are fine)."),
    )
    checks: list[Check] = [
        _storable,
        pattern,
        validate.Length(min=1 if required else None, max=500),
    ]
    if required:
        return fields.String(required=True, validate=checks, metadata={"description": REASON_DOC})
    return fields.String(load_default="", validate=checks, metadata={"description": REASON_DOC})


class FlagIn(ma.Schema):
    reason = Reason(required=False)


class FlagInData(TypedDict):
    """What `FlagIn` loads."""

    reason: str


class HideIn(ma.Schema):
    reason = Reason(required=True)


class HideInData(TypedDict):
    """What `HideIn` loads."""

    reason: str


class FlagOut(ma.Schema):
    id = fields.Integer(required=True)
    proposal_id = fields.Integer(allow_none=True)
    feedback_id = fields.Integer(allow_none=True)
    programme_id = fields.Integer(required=True)
    reason = fields.String(required=True)
    created_at = UTCDateTime(required=True)


class ModeratedOut(ma.Schema):
    type = fields.String(required=True, validate=validate.OneOf(["proposal", "feedback"]))
    id = fields.Integer(required=True)
    programme_id = fields.Integer(required=True)
    hidden = fields.Boolean(required=True)
    hidden_at = UTCDateTime(allow_none=True)
    hidden_reason = fields.String(required=True, metadata={"description": "Its author reads it."})
    hidden_by_id = fields.Integer(allow_none=True)


class DismissedOut(ma.Schema):
    type = fields.String(required=True, validate=validate.OneOf(["proposal", "feedback"]))
    id = fields.Integer(required=True)
    dismissed = fields.Integer(required=True, metadata={"description": "Reports resolved now."})


class QueueArgs(CursorArgs):
    show = fields.String(
        load_default="open",
        validate=validate.OneOf(["open", "hidden"]),
        metadata={"description": "open: items with reports to look at; hidden: hidden items."},
    )


class QueueArgsData(CursorArgsData):
    """What `QueueArgs` loads."""

    show: str


class QueueItemOut(ModeratedOut):
    title = fields.String(required=True, metadata={"description": "A proposal's title; ''."})
    text = fields.String(required=True, metadata={"description": "What it says."})
    task_id = fields.Integer(allow_none=True, metadata={"description": "A comment's task."})
    rating = fields.Integer(allow_none=True)
    author_id = fields.Integer(allow_none=True)
    author_name = fields.String(allow_none=True)
    open_flags = fields.Integer(required=True)
    latest_flag_at = UTCDateTime(allow_none=True)
    reasons = fields.List(fields.String(), required=True, metadata={"description": "Latest."})


QueuePage = window_schema(QueueItemOut, "ModerationQueueWindow")
