"""Flask extensions and the database binding, initialised by the app factory."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, current_app, g, session
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf import CSRFProtect

from coprod.cache import init_app as _init_visitor_cache
from coprod.db import db, make_engine, normalise_url, plan_once, retrying
from coprod.errors import Unavailable
from coprod.i18n import _l
from coprod.models import User, grants

F = TypeVar("F", bound=Callable[..., Any])

login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address)


def password_guess_limits(
    account_key: Callable[[], str],
    failed: Callable[[Any], bool],
    methods: list[str] | None = None,
) -> Callable[[F], F]:
    """The limits on password guesses as ONE budget shared by every door that takes a
    password (the sign-in form and POST /api/v1/tokens): an attacker gets no second allowance
    by switching doors. Three counters, each counting refused attempts only: per client
    address; per account *and* address (the tight one, so a stranger guessing from elsewhere
    cannot lock the owner out); and a much higher ceiling per account, against guessing from
    many addresses. `account_key` must give "account:<email>"."""
    per_address = limiter.shared_limit(
        lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"],
        scope="password-guesses-address",
        deduct_when=failed,
        methods=methods,
    )
    per_pair = limiter.shared_limit(
        lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT_ADDRESS"],
        scope="password-guesses-account-address",
        key_func=lambda: f"{account_key()}|{get_remote_address()}",
        deduct_when=failed,
        methods=methods,
    )
    per_account = limiter.shared_limit(
        lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"],
        scope="password-guesses-account",
        key_func=account_key,
        deduct_when=failed,
        methods=methods,
    )

    def decorate(view: F) -> F:
        return per_address(per_pair(per_account(view)))  # type: ignore[return-value]

    return decorate


def email_limits(
    email_key: Callable[[], str], methods: list[str] | None = None
) -> Callable[[F], F]:
    """The limits on asking for emails about an account (a reset link, a confirmation link),
    per client address and per email address, counting every request, so nobody can flood an
    inbox and the answer is the same whether or not the address has an account."""
    per_address = limiter.shared_limit(
        lambda: current_app.config["RESET_LIMIT_PER_ADDRESS"],
        scope="account-emails-address",
        methods=methods,
    )
    per_email = limiter.shared_limit(
        lambda: current_app.config["RESET_LIMIT_PER_ACCOUNT"],
        scope="account-emails-email",
        key_func=email_key,
        methods=methods,
    )

    def decorate(view: F) -> F:
        return per_address(per_email(view))  # type: ignore[return-value]

    return decorate


def verify_limits(view: F) -> F:
    """The limit on checking service letters' codes, one budget per client address shared by
    the page and the API (a code has 192 random bits; this keeps scanning noisy and slow)."""
    limit = limiter.shared_limit(
        lambda: current_app.config["VERIFY_LIMIT_PER_ADDRESS"], scope="letter-verify-address"
    )
    return limit(view)  # type: ignore[return-value]


def export_limits(view: F) -> F:
    """The budget for downloading one's data, shared by the web page and the API."""
    limit = limiter.shared_limit(
        lambda: current_app.config["EXPORT_LIMIT_PER_ADDRESS"], scope="data-export"
    )
    return limit(view)  # type: ignore[return-value]


def init_app(app: Flask) -> None:
    if not app.config.get("SECRET_KEY"):
        raise RuntimeError("SECRET_KEY must be set in the environment for production.")
    # Several apps in one process (tests, tools) share the engine of the same database.
    url = normalise_url(app.config["DATABASE_URL"])
    if db.engine is None or db.engine.url.render_as_string(hide_password=False) != url:
        engine = make_engine(
            app.config["DATABASE_URL"],
            echo=app.config["SQL_ECHO"],
            pool_recycle=app.config["DB_POOL_RECYCLE"],
        )
        db.configure(engine)

    @app.teardown_appcontext
    def _remove_session(_exc: BaseException | None) -> None:
        db.session.remove()

    # A request's statements are prepared and planned once (coprod/db/sessions.py).
    @app.before_request
    def _plan_once() -> None:
        g.plan_once_token = plan_once.set(True)

    @app.teardown_request
    def _plan_each_run(_exc: BaseException | None) -> None:
        token = g.pop("plan_once_token", None)
        if token is not None:
            plan_once.reset(token)

    _retry_aborted_requests(app)

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Sign in to continue.")
    login_manager.login_message_category = "info"
    login_manager.localize_callback = str  # the lazy message, in the reader's language
    login_manager.session_protection = "basic"
    csrf.init_app(app)
    limiter.init_app(app)
    _init_visitor_cache(app)


def _retry_aborted_requests(app: Flask) -> None:
    """Every view (web and API) runs again, on a rolled-back session, when PostgreSQL aborts its
    transaction as a deadlock or serialization failure (a view commits once, so nothing of the
    failed run is kept); a few times, then a Conflict (409): never a 500 for a race."""
    dispatch = app.dispatch_request

    def dispatch_with_retry() -> Any:
        flashes = list(session.get("_flashes", []))

        def before_retry() -> None:
            db.session.rollback()
            if flashes or "_flashes" in session:  # a view run again must not flash twice
                session["_flashes"] = list(flashes)

        return retrying(dispatch, before_retry=before_retry)

    app.dispatch_request = dispatch_with_retry  # type: ignore[method-assign]


@login_manager.user_loader
def _load_user(session_id: str) -> User | None:
    """Sessions carry "<user id>:<session version>"; a stale version is signed out.

    The person's own row is read by primary key on every request (so a password change,
    logout-everywhere, deactivation or deletion in any process takes effect on the next
    request); their roles come from this process's memory under the row's roles_version,
    read only when that stamp is new here (coprod/models/grants.py)."""
    try:
        raw_id, raw_version = session_id.split(":", 1)
        user_id, version = int(raw_id), int(raw_version)
    except ValueError:
        return None
    if g.get("coprod_database_down"):
        return None  # the error page that says so shows as for a visitor

    def load() -> User | None:
        session = db.session()
        user = session.get(User, user_id)
        if user is None or user.session_version != version:
            return None
        if not user.is_active or user.deleted_at is not None:
            return None
        grants.attach(session, user)
        return user

    try:
        return retrying(load, before_retry=db.session.rollback)
    except Unavailable:
        g.coprod_database_down = True
        raise
