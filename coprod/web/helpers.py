"""Small tools every HTML view uses: the public marker, service calls on forms, redirects."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypedDict, TypeVar, cast
from urllib.parse import urljoin, urlsplit

from flask import current_app, request
from flask_login import current_user
from flask_wtf import FlaskForm

from coprod.db import db
from coprod.errors import Conflict, Invalid
from coprod.models import User
from coprod.services.pagination import clamp

F = TypeVar("F", bound=Callable[..., object])
T = TypeVar("T")


def public(view: F) -> F:
    """Mark a view as reachable without signing in (everything else requires a login)."""
    view._public = True  # type: ignore[attr-defined]
    return view


def run_service(form: FlaskForm, call: Callable[[], T]) -> T | None:
    """Call a service for a submitted form and commit; on Invalid or Conflict put the
    message beside the field (or in the form's summary) and return None, changing nothing."""
    try:
        result = call()
        db.session.commit()
        return result
    except Invalid as err:
        db.session.rollback()
        for field, messages in err.errors.items():
            target = getattr(form, field, None)
            if target is not None and hasattr(target, "errors"):
                target.errors = [*list(target.errors or []), *messages]
            else:
                form.form_errors.extend(messages)
        return None
    except Conflict as err:
        db.session.rollback()
        form.form_errors.append(err.message)
        return None


def page_args() -> tuple[int, int]:
    """The page and page size asked for in the query string (Invalid when they are not numbers)."""
    default = int(current_app.config.get("PER_PAGE", 20))
    return clamp(request.args.get("page"), request.args.get("per_page"), default)


class WindowArgs(TypedDict):
    after: str | None
    before: str | None
    per_page: int


def window_args() -> WindowArgs:
    """The cursor (`after` or `before`) and window size asked for in the query string, for a
    list read by keyset windows (a `page` number is ignored: such a link shows the first
    window); a cursor that does not decode is the service's Invalid."""
    default = int(current_app.config.get("PER_PAGE", 20))
    _, per_page = clamp(1, request.args.get("per_page"), default)
    return {
        "after": request.args.get("after"),
        "before": request.args.get("before"),
        "per_page": per_page,
    }


def commit() -> None:
    """The view owns the transaction: one commit after the service returns."""
    db.session.commit()


def is_safe_url(target: str | None) -> bool:
    """Only relative paths on our own site: no scheme, no host, no backslash tricks."""
    if not target or "\\" in target or any(ord(c) < 32 for c in target):
        return False
    ref = urlsplit(request.host_url)
    test = urlsplit(urljoin(request.host_url, target))
    return (
        test.scheme in ("http", "https")
        and test.netloc == ref.netloc
        and target.startswith("/")
        and not target.startswith("//")
    )


def safe_next(target: str | None, default: str) -> str:
    return target if target and is_safe_url(target) else default


def form_status(form: FlaskForm) -> int:
    """422 when a submitted form is shown again with errors, 200 otherwise."""
    return 422 if request.method == "POST" and (form.errors or form.form_errors) else 200


def viewer() -> User | None:
    """The signed-in person for a read service, or None for a visitor (who may see what is
    public)."""
    if not current_user.is_authenticated:
        return None
    return current_user._get_current_object()  # type: ignore[no-any-return]


def signed_in() -> User:
    """The signed-in person, for views behind the login gate (which never lets a visitor in)."""
    return cast(User, current_user._get_current_object())
