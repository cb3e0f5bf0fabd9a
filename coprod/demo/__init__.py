"""A small, believable demo world: one agency, its partners, volunteers, tasks, shifts and logs.

Dates are laid out around the moment the data is loaded, so there are always past shifts to log
and future shifts to sign up for. Loading is idempotent: a second run finds the world and stops.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from coprod.db import utcnow
from coprod.demo.capacity import load_capacity
from coprod.demo.engagement import make_feedback, make_moderation
from coprod.demo.governance.agreements import load as load_agreements
from coprod.demo.governance.commitments import load as load_commitments
from coprod.demo.governance.decisions import load as load_decisions
from coprod.demo.governance.pilots import load as load_pilots
from coprod.demo.history import make_earlier_logs, make_ongoing_task
from coprod.demo.logs import make_logs
from coprod.demo.people import (
    AGENCY,
    DEMO_LOGINS,
    DEMO_PASSWORD,
    DEMO_ZONE,
    DOMAIN,
    make_organisations,
    make_people,
)
from coprod.demo.programmes import make_programmes, make_tasks
from coprod.demo.proposals import load_proposals
from coprod.demo.signups import make_cancelled_shift, make_signups
from coprod.models import Organisation
from coprod.services import task_figures
from coprod.services.passwords import hash_password

__all__ = ["DEMO_LOGINS", "DEMO_PASSWORD", "DEMO_ZONE", "DOMAIN", "load_demo_data"]


def load_demo_data(
    session: Session,
    *,
    now: datetime | None = None,
    progress: Callable[[str], None] = lambda _msg: None,
) -> bool:
    """Create the demo world unless it exists; True when something was created."""
    if session.scalar(select(Organisation.id).where(Organisation.name == AGENCY)) is not None:
        return False
    now = now or utcnow()
    pw = hash_password(DEMO_PASSWORD)
    progress("Creating people and organisations …")
    people = make_people(session, pw)
    orgs = make_organisations(session, people, now)
    progress("Creating programmes, tasks and shifts …")
    programmes = make_programmes(session, orgs, now)
    tasks = make_tasks(session, programmes, orgs, now)
    progress("Creating sign-ups and contribution logs …")
    make_signups(session, tasks, people, now)
    make_cancelled_shift(session, tasks, people, now)
    make_logs(session, tasks, people, orgs, now)
    make_ongoing_task(session, programmes["green"], people, orgs, now)
    make_earlier_logs(session, tasks, people, orgs, now)
    load_proposals(session, programmes["green"], people, orgs, now)
    make_feedback(session, tasks, people, now)
    make_moderation(session, programmes["green"], people, now)
    progress("Creating qualifications, awards and skills …")
    load_capacity(session, programmes, tasks, people, orgs, now)
    progress("Creating partners' commitment figures …")
    load_commitments(session, programmes, tasks, people, orgs, now)
    progress("Creating partnership agreements …")
    load_agreements(session, programmes, tasks, people, orgs, now)
    progress("Creating the partnership's decisions …")
    load_decisions(session, programmes, tasks, people, orgs, now)
    progress("Creating a finished pilot with its evaluation …")
    load_pilots(session, programmes, tasks, people, orgs, now)
    session.flush()
    # The world above writes shifts and seats directly: keep the task list's figures once.
    task_figures.refresh_all(session, now)
    return True
