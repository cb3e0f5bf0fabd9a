"""Helpers the operations on logs share: field names, the shift named, outcome pairs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from coprod.api.auth import current_actor
from coprod.api.fields import referenced, renamed
from coprod.db import db
from coprod.models import Shift
from coprod.services import signups

T = TypeVar("T")


RENAMED = {"shift": "shift_id", "organisation": "organisation_id"}


def _renaming(call: Callable[[], T]) -> T:
    """The services name some fields as the web form does; the API names them `<object>_id`."""
    return renamed(call, RENAMED)


def _shift(shift_id: int | None) -> Shift | None:
    if shift_id is None:
        return None
    return referenced(
        lambda: signups.get_shift(db.session(), current_actor(), shift_id), "shift_id"
    )


def _pairs(args: dict[str, Any]) -> dict[str, Any]:
    return {
        "outcomes": [(o["metric_id"], o["quantity"]) for o in args["outcomes"]],
        "in_kind": [(i["description"], i["value"]) for i in args["in_kind"]],
    }
