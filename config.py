"""Configuration: every value comes from the environment (12-factor), with safe defaults.

This is the one module that reads the environment. Without COPROD_ENV coprod runs as
production: it refuses to start without SECRET_KEY, and its cookies are Secure.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NoReturn

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"


def _bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


class Config:
    """Production-shaped defaults; secrets must come from the environment."""

    SECRET_KEY = os.environ.get("SECRET_KEY", "")
    DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'coprod.sqlite'}")
    SQL_ECHO = _bool("SQL_ECHO", False)
    # PostgreSQL connections are replaced after this many seconds (not pinged before each use:
    # a connection found dead is replaced and the request's work runs again, see coprod/db/).
    # Keep it below any idle timeout of a proxy or firewall between coprod and the database.
    DB_POOL_RECYCLE = _int("DB_POOL_RECYCLE", 1800)
    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", True)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", True)
    REMEMBER_COOKIE_DURATION = 30 * 24 * 3600
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", str(1024 * 1024)))
    PER_PAGE = 20
    # Behind a reverse proxy: how many proxies to trust for X-Forwarded-For / -Proto (0: none),
    # so request.is_secure (HSTS) and the rate limits' client address are right.
    PROXY_FIX_X_FOR = int(os.environ.get("PROXY_FIX_X_FOR", "0"))
    PROXY_FIX_X_PROTO = int(os.environ.get("PROXY_FIX_X_PROTO", "0"))
    HSTS_MAX_AGE = int(os.environ.get("HSTS_MAX_AGE", str(365 * 24 * 3600)))
    # Rate limits (Flask-Limiter's own setting names). Use redis://… in production so every
    # web worker shares the counters.
    RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    # Public pages seen by visitors who are not signed in are shared for a few seconds
    # (coprod/cache.py; Flask-Caching's setting names). "RedisCache" + CACHE_REDIS_URL shares
    # them between web processes; "NullCache" turns the cache off.
    CACHE_TYPE = os.environ.get("CACHE_TYPE", "SimpleCache")
    CACHE_DEFAULT_TIMEOUT = int(os.environ.get("CACHE_DEFAULT_TIMEOUT", "5"))
    CACHE_REDIS_URL = os.environ.get("CACHE_REDIS_URL", "")
    CACHE_KEY_PREFIX = "coprod:"
    CACHE_NO_NULL_WARNING = True
    # Wrong passwords (sign-in form and POST /api/v1/tokens share the budgets): per client
    # address; per account *and* address, so a stranger elsewhere cannot lock the owner out;
    # and a much higher ceiling per account against guessing from many addresses.
    LOGIN_LIMIT_PER_ADDRESS = os.environ.get("LOGIN_LIMIT_PER_ADDRESS", "30/minute;200/hour")
    LOGIN_LIMIT_PER_ACCOUNT_ADDRESS = os.environ.get(
        "LOGIN_LIMIT_PER_ACCOUNT_ADDRESS", "5/minute;20/hour"
    )
    LOGIN_LIMIT_PER_ACCOUNT = os.environ.get("LOGIN_LIMIT_PER_ACCOUNT", "100/hour;500/day")
    # Forgotten-password requests and resent confirmation links: per client address and per
    # email address, so nobody floods an inbox.
    RESET_LIMIT_PER_ADDRESS = os.environ.get("RESET_LIMIT_PER_ADDRESS", "10/minute;50/hour")
    RESET_LIMIT_PER_ACCOUNT = os.environ.get("RESET_LIMIT_PER_ACCOUNT", "5/hour")
    # Checks of service letters' codes (web and API share it), per client address.
    VERIFY_LIMIT_PER_ADDRESS = os.environ.get("VERIFY_LIMIT_PER_ADDRESS", "30/minute;300/hour")
    # New accounts must confirm their email address before signing up for shifts or logging
    # hours. Switched off, a new account counts as confirmed when it is made (accounts made at
    # an in-person event, or by an integration that confirmed the address itself).
    EMAIL_CONFIRMATION_REQUIRED = _bool("EMAIL_CONFIRMATION_REQUIRED", True)
    REGISTER_LIMIT_PER_ADDRESS = os.environ.get("REGISTER_LIMIT_PER_ADDRESS", "100/hour")
    # Downloads of "my data" (each reads every table about the person), per client address;
    # the account page and GET /api/v1/me/export share the budget.
    EXPORT_LIMIT_PER_ADDRESS = os.environ.get("EXPORT_LIMIT_PER_ADDRESS", "20/hour")
    # Up to this many rows (logs, sign-ups, emails and audit entries) an export downloads at
    # once; a bigger one is built by the scheduler and its link mailed, valid this many days.
    EXPORT_INLINE_MAX_ROWS = _int("EXPORT_INLINE_MAX_ROWS", 10000)
    EXPORT_LINK_DAYS = _int("EXPORT_LINK_DAYS", 7)
    EXPORTS_SWEEP_MINUTES = _int("EXPORTS_SWEEP_MINUTES", 5)
    SCHEDULER_LOCK_FILE = os.environ.get(
        "SCHEDULER_LOCK_FILE", str(INSTANCE_DIR / "scheduler.lock")
    )
    # Links in emails start with this (coprod.services.notifications reads it through
    # settings(), outside any request).
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL") or "http://127.0.0.1:5000"
    # The scheduler's job table (coprod/scheduler/).
    REPORTS_SWEEP_MINUTES = _int("REPORTS_SWEEP_MINUTES", 5)
    REPORTS_REBUILD_HOUR = _int("REPORTS_REBUILD_HOUR", 2)
    OUTBOX_INTERVAL_SECONDS = _int("OUTBOX_INTERVAL_SECONDS", 30)
    REMINDERS_SWEEP_MINUTES = _int("REMINDERS_SWEEP_MINUTES", 10)
    # Email (Flask-Mail's names). Without MAIL_SERVER the scheduler prints emails to its console
    # and site admins read them on /admin/outbox.
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USE_TLS = _bool("MAIL_USE_TLS", False)
    MAIL_USE_SSL = _bool("MAIL_USE_SSL", False)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "coprod <no-reply@localhost>")
    MAIL_MAX_ATTEMPTS = int(os.environ.get("MAIL_MAX_ATTEMPTS", "8"))
    MAIL_RETRY_SECONDS = int(os.environ.get("MAIL_RETRY_SECONDS", "60"))
    REMINDER_HOURS_BEFORE = _int("REMINDER_HOURS_BEFORE", 24)
    # The review queue flags a log logged more than this many days after its date, and a day
    # on which the person's approved and waiting hours add up to more than this many hours.
    LOG_FLAG_LATE_DAYS = _int("LOG_FLAG_LATE_DAYS", 30)
    LOG_FLAG_DAY_HOURS = _int("LOG_FLAG_DAY_HOURS", 12)
    # Community engagement (coprod.services.engagement): a proposal nobody answered for this
    # many days shows as overdue on the lead agency staff's home page; each person may make at
    # most PROPOSALS_PER_DAY proposals in 24 hours, give FEEDBACK_PER_HOUR feedback comments
    # and raise FLAGS_PER_HOUR flags in an hour (web, API and CLI count together).
    PROPOSAL_ANSWER_DAYS = _int("PROPOSAL_ANSWER_DAYS", 21)
    PROPOSALS_PER_DAY = _int("PROPOSALS_PER_DAY", 5)
    FEEDBACK_PER_HOUR = _int("FEEDBACK_PER_HOUR", 10)
    FLAGS_PER_HOUR = _int("FLAGS_PER_HOUR", 20)
    # Capacity building (coprod.services.capacity): a person is emailed once this many days
    # before a qualification of theirs expires, with the training shifts that would renew it;
    # a coordinator may send at most INVITATIONS_PER_HOUR invitations to understaffed shifts.
    EXPIRY_NOTICE_DAYS = _int("EXPIRY_NOTICE_DAYS", 30)
    INVITATIONS_PER_HOUR = _int("INVITATIONS_PER_HOUR", 50)
    # Pilots (coprod.services.governance.pilots): an evaluation's bootstrap interval draws this
    # many resamples, and needs at least this many contributors in the pilot and in its
    # comparison.
    PILOT_BOOTSTRAP_SAMPLES = _int("PILOT_BOOTSTRAP_SAMPLES", 2000)
    PILOT_MIN_CONTRIBUTORS = _int("PILOT_MIN_CONTRIBUTORS", 5)
    # Retention (coprod.services.retention, applied daily by the scheduler's privacy.purge job,
    # and stated by the privacy notice at /privacy):
    # bodies of sent emails are cleared after this many days; personal fields in audit
    # before/after detail are removed after this many days; accounts nobody signed in to for
    # this many years are anonymised like a deletion (their approved hours stay in reports).
    RETENTION_EMAIL_DAYS = _int("RETENTION_EMAIL_DAYS", 90)
    RETENTION_AUDIT_DETAIL_DAYS = _int("RETENTION_AUDIT_DETAIL_DAYS", 730)
    RETENTION_INACTIVE_YEARS = _int("RETENTION_INACTIVE_YEARS", 3)
    PRIVACY_PURGE_HOUR = _int("PRIVACY_PURGE_HOUR", 3)
    # The IANA time zone new organisations get (each can change it; a programme can set its own).
    DEFAULT_TIMEZONE = os.environ.get("DEFAULT_TIMEZONE", "Europe/London")
    # The ISO 4217 currency new programmes get (and those that existed before currencies).
    DEFAULT_CURRENCY = os.environ.get("DEFAULT_CURRENCY", "GBP")
    # The privacy notice at /privacy states the retention settings above; its version is
    # recorded when someone registers. Change the version whenever the notice's words change.
    PRIVACY_NOTICE_VERSION = os.environ.get("PRIVACY_NOTICE_VERSION") or "2026-12-02"
    TESTING = False


class DevConfig(Config):
    """Local development: a throwaway secret, plain-HTTP cookies, links to the local port."""

    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-not-secret")
    PORT = _int("PORT", 5000)  # `make run` serves here: email links follow it
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL") or f"http://127.0.0.1:{PORT}"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)


class TestConfig(Config):
    """The test suite: an explicit database, CSRF on (tests send the token)."""

    TESTING = True
    SECRET_KEY = "test-secret"  # noqa: S105 - test only
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    DATABASE_URL = os.environ.get("COPROD_TEST_DATABASE_URL", "sqlite://")
    CACHE_TYPE = "NullCache"  # tests that need the visitor cache switch it on
    MAIL_SERVER = ""  # tests start their own SMTP server and pass its settings explicitly
    PUBLIC_BASE_URL = "http://127.0.0.1:5000"


CONFIGS: dict[str, type[Config]] = {
    "production": Config,
    "development": DevConfig,
    "testing": TestConfig,
}


def config_for(name: str | None = None) -> type[Config]:
    """The config class named by COPROD_ENV (production unless told otherwise)."""
    name = name or os.environ.get("COPROD_ENV") or "production"
    if name not in CONFIGS:
        refuse(f"COPROD_ENV must be one of {', '.join(CONFIGS)}, not {name!r}.")
    return CONFIGS[name]


def settings(name: str | None = None) -> dict[str, Any]:
    """This process's settings as a mapping, for code that runs outside an app context (the
    services' email links, a job called from a script)."""
    cls = config_for(name)
    return {key: getattr(cls, key) for key in dir(cls) if key.isupper()}


# The exit status of a process refusing to start: gunicorn reads 4 from a worker as "App failed
# to load" and stops, instead of starting new workers for ever; `flask` passes it on.
EXIT_UNSAFE = 4


class UnsafeConfig(SystemExit):
    """The settings are not fit to start with: the process exits with EXIT_UNSAFE after one
    line on stderr (no traceback), whether started by `flask` or by gunicorn."""

    def __init__(self, message: str) -> None:
        super().__init__(EXIT_UNSAFE)
        self.message = f"coprod: {message}"


def refuse(message: str) -> NoReturn:
    err = UnsafeConfig(message)
    print(err.message, file=sys.stderr, flush=True)
    raise err


def refuse_unsafe(config: Mapping[str, Any]) -> None:
    """Stop before serving anything when a production secret is missing, or when a setting
    could not be stored (the privacy notice version goes into user.privacy_notice_version)."""
    if not config.get("SECRET_KEY"):
        refuse(
            "SECRET_KEY is not set. Set it in the environment (the same long random value in "
            "every process), or set COPROD_ENV=development on your own machine."
        )
    version = str(config.get("PRIVACY_NOTICE_VERSION", ""))
    if not 0 < len(version) <= 20:
        refuse("PRIVACY_NOTICE_VERSION must be 1 to 20 characters, such as 2026-12-02.")
