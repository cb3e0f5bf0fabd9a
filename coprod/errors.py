"""Domain errors raised by services; the web layer and the API translate them once."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class DomainError(Exception):
    """A rule of the product refused the request; `message` is safe to show to the user."""

    status = 400
    title = "Bad request"

    def __init__(self, message: str) -> None:
        message = str(message)  # a lazy translation becomes text in the reader's language
        super().__init__(message)
        self.message = message
        # Extension members of the API's problem+json (RFC 9457 §3.2): {"qualification_id": 7}.
        self.extensions: dict[str, object] = {}


class NotFound(DomainError):
    status = 404
    title = "Not found"


class NotAllowed(DomainError):
    status = 403
    title = "Forbidden"


class Conflict(DomainError):
    status = 409
    title = "Conflict"


class TooMany(DomainError):
    """A per-person limit of the product (PROPOSALS_PER_DAY, ...) is used up for now."""

    status = 429
    title = "Too many requests"


class Unavailable(DomainError):
    """The database could not be reached, or its connection was lost mid-request: nothing a
    person did wrong, and worth trying again in a moment."""

    status = 503
    title = "Service unavailable"


class Invalid(DomainError):
    """One or more fields hold values the rules refuse; `errors` maps field -> messages."""

    status = 422
    title = "Invalid input"

    def __init__(self, field: str | None, message: str) -> None:
        super().__init__(message)
        self.errors: dict[str, list[str]] = {field or "_": [self.message]}

    @classmethod
    def many(cls, errors: dict[str, list[str]]) -> Invalid:
        first = next(iter(errors.values()))[0]
        err = cls(None, first)
        err.errors = {field: [str(m) for m in messages] for field, messages in errors.items()}
        return err


class FieldErrors:
    """Gathers Invalid from several checks so a form shows every wrong field at once.

    errs = FieldErrors()
    email = errs.check(lambda: normalise_email(raw))
    errs.raise_if_any()
    """

    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.errors.setdefault(field, []).append(str(message))

    def check(self, call: Callable[[], T]) -> T:
        """The call's result; on Invalid its messages are kept and a None stands in."""
        try:
            return call()
        except Invalid as err:
            for field, messages in err.errors.items():
                self.errors.setdefault(field, []).extend(messages)
            return None  # type: ignore[return-value]

    def raise_if_any(self) -> None:
        if self.errors:
            raise Invalid.many(self.errors)
