"""Queuing one email: rendered from templates/emails in its recipient's language, added to the
outbox once per occasion, only for people who want its kind."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from config import settings
from coprod.i18n import SOURCE, _, catalogue, current_language, in_language
from coprod.models import NotificationKind, OutboxMessage, OutboxStatus, Shift, User
from coprod.services.localtime import format_short_day
from coprod.services.money import format_money, format_number
from coprod.services.notifications.preferences import wants
from coprod.services.text import one_line

if TYPE_CHECKING:
    from flask_babel import LazyString

TEMPLATES = Path(__file__).resolve().parents[3] / "templates" / "emails"


class Later:
    """Text worked out when it is shown, not when it is made: a subject or a shift's time,
    given to `queue` and turned into text inside the recipient's language."""

    __slots__ = ("_make",)

    def __init__(self, make: Callable[[], str]) -> None:
        self._make = make

    def __str__(self) -> str:
        return self._make()


if TYPE_CHECKING:
    from typing import TypeAlias

    Text: TypeAlias = str | Later | LazyString  # what `queue` takes as a subject


def _gettext(message: str) -> str:
    # Jinja's newstyle gettext fills the placeholders itself: hand it the bare translation.
    return _(message)


def _ngettext(singular: str, plural: str, num: int) -> str:
    return str(catalogue(current_language()).ngettext(singular, plural, num))


def _quantity(value: Any) -> str:
    """Hours in an email: as they always were in English ("12.50"), the reader's way in
    another language ("12,5")."""
    return str(value) if current_language() == SOURCE else format_number(value)


_env = Environment(
    loader=FileSystemLoader(str(TEMPLATES)),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
    extensions=["jinja2.ext.i18n"],
)
_env.install_gettext_callables(  # type: ignore[attr-defined]
    gettext=_gettext, ngettext=_ngettext, newstyle=True
)
_env.globals["current_language"] = current_language  # <html lang>
_env.filters["money"] = format_money  # {{ amount|money(programme.currency) }}, as on pages
_env.filters["local_date"] = format_short_day  # "28 Mar 2026", "28 mar 2026"
_env.filters["quantity"] = _quantity


def base_url() -> str:
    """PUBLIC_BASE_URL of this process's settings (config.py; in development it follows PORT)."""
    return str(settings()["PUBLIC_BASE_URL"]).rstrip("/")


def describe_time(shift: Shift) -> str:
    from coprod.services.signups import describe_time as describe  # signups imports us

    return describe(shift)


def render(kind: NotificationKind, context: Mapping[str, Any]) -> tuple[str, str]:
    """The plain-text and HTML bodies of a kind of email, in the current language (`queue`
    calls it inside the recipient's)."""
    text = _env.get_template(f"{kind.value}.txt").render(context)
    html = _env.get_template(f"{kind.value}.html").render(context)
    return text, html


def dedupe_key(kind: NotificationKind, occasion: str, user: User) -> str:
    return f"{kind.value}:{occasion}:user{user.id}"[:200]


def _queued(session: Session, key: str) -> bool:
    return (
        session.scalar(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == key)) is not None
    )


def queue(
    session: Session,
    user: User | None,
    kind: NotificationKind,
    occasion: str,
    subject: Text,
    context: Mapping[str, Any],
    *,
    now: datetime,
    recipient: str | None = None,
) -> OutboxMessage | None:
    """Add one email to the outbox, unless the person is gone, does not want this kind, or it
    is already queued for this occasion. `recipient` sends it to another address of the
    person's (a new address to confirm) instead of their current one. The subject and both
    bodies are written in the person's language."""
    if user is None or not user.is_active or user.deleted_at is not None:
        return None
    key = dedupe_key(kind, occasion, user)
    if not wants(session, user, kind) or _queued(session, key):
        return None
    base = base_url()
    with in_language(user.language):
        title = str(subject)
        ctx = {
            "user": user,
            "subject": title,
            "base_url": base,
            "settings_url": f"{base}/account/notifications",
            **context,
        }
        text, html = render(kind, ctx)
    message = OutboxMessage(
        user_id=user.id,
        recipient=recipient or user.email,
        kind=kind,
        subject=one_line(title)[:200],
        body_text=text,
        body_html=html,
        dedupe_key=key,
        status=OutboxStatus.PENDING,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    try:
        with session.begin_nested():  # a concurrent twin wins; this one is dropped
            session.add(message)
            session.flush()
    except IntegrityError:
        return None
    return message
