"""The export sweep: build the data exports people asked for that were too big to send at
once, mail their links, and drop the ZIPs whose links have expired."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from config import settings
from coprod.services.exports import deferred


def _config() -> Any:
    from flask import current_app, has_app_context

    return current_app.config if has_app_context() else settings()


def build_exports(session: Session, *, now: datetime) -> dict[str, int]:
    """Build what waits (oldest first) and expire old links; idempotent, so a second sweep
    finds nothing to do."""
    config = _config()
    lifetime = timedelta(days=int(config["EXPORT_LINK_DAYS"]))
    built = deferred.build_waiting(session, now=now, secret=config["SECRET_KEY"], lifetime=lifetime)
    return {"built": built, "expired": deferred.expire_old(session, now=now)}
