"""The daily expiry sweep: one email per award about to expire (coprod.services.capacity.expiry)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from coprod.services.capacity import expiry

JOB_ID = "capacity.expiry"
HOUR = 6  # UTC: before most people read their email in Europe and the Americas


def send_expiry_notices(session: Session, *, now: datetime) -> int:
    """Email each holder of an award expiring within EXPIRY_NOTICE_DAYS days, once."""
    return expiry.send_expiry_notices(session, now=now)
