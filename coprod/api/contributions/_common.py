"""Helpers the operations on logs share: field names, the shift named, outcome pairs."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypedDict, TypeVar

from coprod.api.auth import current_actor
from coprod.api.contributions.schemas import InKindInData, OutcomeInData
from coprod.api.fields import referenced, renamed
from coprod.db import db
from coprod.models import Shift
from coprod.services import signups
from coprod.services.contributions.rules.inputs import InKind, Outcomes

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


class Items(TypedDict):
    """A log's outcomes and in-kind items as the API names them."""

    outcomes: list[OutcomeInData]
    in_kind: list[InKindInData]


class Pairs(TypedDict):
    """The same as the services take them."""

    outcomes: Outcomes
    in_kind: InKind


def _pairs(args: Items) -> Pairs:
    return {
        "outcomes": [(o["metric_id"], o["quantity"]) for o in args["outcomes"]],
        "in_kind": [(i["description"], i["value"]) for i in args["in_kind"]],
    }
