"""What the contribution views share: a log's status in words, the hours filter, the person."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import LazyString

from coprod.i18n import _l
from coprod.models import LogStatus, User
from coprod.services.bounds import as_id
from coprod.services.money import format_number
from coprod.web.contributions import bp
from coprod.web.helpers import signed_in

IN_KIND_ROWS = 3
STATUS_LABELS: dict[LogStatus, LazyString] = {
    LogStatus.SUBMITTED: _l("Waiting for review"),
    LogStatus.APPROVED: _l("Approved"),
    LogStatus.REJECTED: _l("Rejected"),
    LogStatus.CHANGES_REQUESTED: _l("Changes requested"),
    LogStatus.SUPERSEDED: _l("Replaced by a correction"),
    LogStatus.WITHDRAWN: _l("Withdrawn"),
}


@bp.app_template_filter("hours_text")
def hours_text(value: Decimal | None) -> str:
    """2.50 -> "2.5" ("2,5" in Spanish), 20 -> "20": numbers without trailing zeros."""
    return format_number(value)  # in the reader's language


def _actor() -> User:
    return signed_in()


def _int_or_none(value: str | None) -> int | None:
    return as_id(value)
