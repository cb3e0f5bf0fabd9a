"""A task's fields: their limits, and the checks that creating and editing a task share."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from coprod.errors import FieldErrors, Invalid
from coprod.i18n import _, _l
from coprod.models import Metric, Partner, Programme, Qualification, Task, TaskSkill
from coprod.services.bounds import MAX_ID
from coprod.services.capacity.qualifications import offered_for_task
from coprod.services.text import clean_text

# The longest title, description and location a task takes (the API's schema says the same).
MAX_TITLE = 200
MAX_DESCRIPTION = 10_000
MAX_LOCATION = 300
TASK_FIELDS = [
    "title",
    "description",
    "location",
    "status",
    "coordinating_organisation_id",
    "ongoing",
]


def _check_metrics(
    session: Session, programme: Programme, metric_ids: Iterable[int]
) -> list[Metric]:
    ids = sorted(set(metric_ids))
    if not ids:
        return []
    in_range = [i for i in ids if 1 <= i <= MAX_ID]  # a typed number: no overflow in a query
    metrics = list(session.scalars(select(Metric).where(Metric.id.in_(in_range))))
    if len(metrics) != len(ids) or any(m.programme_id != programme.id for m in metrics):
        raise Invalid("metric_ids", _("Choose only outcome metrics of this programme."))
    return sorted(metrics, key=lambda m: m.id)


def _check_coordinator(session: Session, programme: Programme, org_id: int | None) -> int | None:
    if org_id is None:
        return None
    is_partner = 1 <= org_id <= MAX_ID and session.scalar(
        select(Partner.id).where(
            Partner.programme_id == programme.id, Partner.organisation_id == org_id
        )
    )
    if not is_partner:
        raise Invalid(
            "coordinating_organisation_id",
            _("The coordinating organisation must be a partner of this programme."),
        )
    return org_id


NOT_OFFERED = _l(
    "Choose only qualifications offered here: those of the lead agency, its partners and the "
    "coordinating organisation that are not archived."
)


def _offered_ids(
    session: Session, programme: Programme, org_id: int | None
) -> dict[int, Qualification]:
    return {q.id: q for q in offered_for_task(session, programme, org_id)}


def _check_required(
    offered: dict[int, Qualification], ids: Iterable[int], kept: Iterable[int] = ()
) -> list[int]:
    """The required qualifications, each offered (one the task already requires may stay
    even when archived since)."""
    chosen = sorted(set(ids))
    if any(not isinstance(i, int) or isinstance(i, bool) for i in chosen):
        raise Invalid("required_qualification_ids", str(NOT_OFFERED))
    if any(i not in offered and i not in set(kept) for i in chosen):
        raise Invalid("required_qualification_ids", str(NOT_OFFERED))
    return chosen


def _check_trains(
    offered: dict[int, Qualification], raw: int | None, kept: int | None
) -> int | None:
    if raw is None or raw == kept:
        return raw
    if not isinstance(raw, int) or isinstance(raw, bool) or raw not in offered:
        raise Invalid("trains_qualification_id", str(NOT_OFFERED))
    return raw


def _set_capacity(
    session: Session, task: Task, required_ids: list[int] | None, skills: list[str] | None
) -> None:
    if required_ids is not None:
        task.required_qualifications = list(
            session.scalars(select(Qualification).where(Qualification.id.in_(required_ids)))
        ) if required_ids else []  # fmt: skip
    if skills is not None:
        current = {s.tag: s for s in task.skills}
        task.skills = [current.get(tag) or TaskSkill(tag=tag) for tag in skills]


def _capacity_snapshot(task: Task) -> dict[str, Any]:
    return {
        "required_qualification_ids": sorted(q.id for q in task.required_qualifications),
        "trains_qualification_id": task.trains_qualification_id,
        "skills": sorted(s.tag for s in task.skills),
    }


def _text_fields(errs: FieldErrors, title: str, description: str, location: str) -> tuple[str, ...]:
    return (
        errs.check(
            lambda: clean_text(title, "title", _("A title"), max_len=MAX_TITLE, required=True)
        ),
        errs.check(
            lambda: clean_text(
                description,
                "description",
                _("Description"),
                max_len=MAX_DESCRIPTION,
                required=False,
                multiline=True,
            )
        ),
        errs.check(
            lambda: clean_text(
                location, "location", _("Location"), max_len=MAX_LOCATION, required=False
            )
        ),
    )
