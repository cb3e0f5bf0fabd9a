"""The retention purge: apply the RETENTION_* settings once a day (coprod.services.retention)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from config import settings
from coprod.services import retention


def retention_settings() -> retention.Settings:
    """The RETENTION_* settings of the running app, else of this process's config."""
    from flask import current_app, has_app_context

    config: Any = current_app.config if has_app_context() else settings()
    return retention.Settings.from_config(config)


def purge_personal_data(session: Session, *, now: datetime) -> dict[str, int]:
    """Clear old email bodies and audit personal detail, anonymise long-inactive accounts;
    how many of each were done, and how many failed (the rest still done)."""
    result = retention.purge(session, retention_settings(), now=now)
    counts = dict(result.done)
    counts["failed"] = sum(len(ids) for ids in result.failed.values())
    return counts
