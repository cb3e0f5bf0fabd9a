"""A page of a query's results, counted in the database."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from coprod.errors import Invalid
from coprod.i18n import _

T = TypeVar("T")

MAX_PER_PAGE = 100
# Far beyond any real list, and small enough that (page - 1) * per_page stays a valid OFFSET
# for every database (PostgreSQL refuses anything past a bigint).
MAX_PAGE = 100_000


def page_range_message() -> str:
    return _("The page number must be between 1 and %(max)s.", max=format(MAX_PAGE, ","))


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max((self.total + self.per_page - 1) // self.per_page, 1)

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def clamp(page: Any, per_page: Any, default_per_page: int = 20) -> tuple[int, int]:
    """Validate page numbers from a query string."""
    p = _whole(page, 1, "page", _("Page numbers must be whole numbers."))
    pp = _whole(per_page, default_per_page, "per_page", _("per_page must be a whole number."))
    if not 1 <= p <= MAX_PAGE:
        raise Invalid("page", page_range_message())
    if not 1 <= pp <= MAX_PER_PAGE:
        raise Invalid("per_page", _("per_page must be between 1 and %(max)d.", max=MAX_PER_PAGE))
    return p, pp


def _whole(raw: Any, default: int, field: str, message: str) -> int:
    if raw is None or raw == "":
        return default
    if isinstance(raw, int):
        return raw
    text = str(raw).strip()
    # A few digits are a page number; a thousand are not (and int() of them is slow).
    if len(text) > 12:
        raise Invalid(field, page_range_message() if field == "page" else message)
    try:
        return int(text)
    except ValueError:
        raise Invalid(field, message) from None


def paginate(session: Session, stmt: Select[Any], page: int, per_page: int) -> Page[Any]:
    """Run `stmt` for one page (scalars) and count its rows with one COUNT query -- unless
    the page itself shows where the rows end (a first page that is empty, or any page that is
    not full), as it does for most people's own lists."""
    if not 1 <= page <= MAX_PAGE:  # every list, whoever parsed the number
        raise Invalid("page", page_range_message())
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise Invalid("per_page", _("per_page must be between 1 and %(max)d.", max=MAX_PER_PAGE))
    offset = (page - 1) * per_page
    items = list(session.scalars(stmt.limit(per_page).offset(offset)).unique())
    if 0 < len(items) < per_page or (page == 1 and not items):
        total = offset + len(items)
    else:
        count = select(func.count()).select_from(stmt.order_by(None).subquery())
        total = session.scalar(count) or 0
    return Page(items=items, page=page, per_page=per_page, total=total)
