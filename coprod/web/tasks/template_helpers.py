"""For other pages: the local-time template filters and the programme page's list of tasks."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from coprod.db import db
from coprod.models import Organisation, Programme, Shift, Task
from coprod.services import localtime, tasks
from coprod.web.tasks import bp
from coprod.web.tasks._common import _actor, task_status_label

# What has a time zone of its own, for the template filters.
ZoneOwner = Organisation | Programme | Task | Shift


def _zone_of(owner: ZoneOwner) -> ZoneInfo:
    """The zone of a shift, task, programme or organisation (for the template filters)."""
    if isinstance(owner, Organisation):
        return localtime.zone(localtime.organisation_zone_name(owner))
    if isinstance(owner, Programme):
        return localtime.programme_zone(owner)
    if isinstance(owner, Task):
        return localtime.task_zone(owner)
    return localtime.shift_zone(owner)


@bp.app_template_filter("local_time")
def _local_time(instant: datetime | None, owner: ZoneOwner) -> str:
    """{{ signup.queued_at|local_time(shift) }}: "Sat 28 Mar 2026, 09:00 GMT" in the zone of
    the shift, task, programme or organisation given."""
    return localtime.format_instant(instant, _zone_of(owner)) if instant else ""


@bp.app_template_filter("local")
def _local(instant: datetime, owner: ZoneOwner) -> datetime:
    """{{ shift.starts_at|local(shift) }}: the instant as an aware local datetime (its
    .tzname() is the abbreviation)."""
    return localtime.to_local(instant, _zone_of(owner))


@bp.app_template_filter("shift_time")
def _shift_time(shift: Shift, year: bool = True) -> str:
    """{{ shift|shift_time }}: "Sat 28 Mar 2026, 09:00-12:00 GMT" in its programme zone."""
    return localtime.describe_shift(shift, year=year)


@bp.app_template_filter("time_zone")
def _time_zone(owner: ZoneOwner) -> str:
    """{{ programme|time_zone }}: the IANA name of its zone, like Europe/London."""
    return str(_zone_of(owner).key)


@bp.app_context_processor
def _template_helpers() -> dict[str, object]:
    def programme_tasks(programme: Programme) -> list[Task]:
        """The programme's tasks the current person may see (for the programme page)."""
        return tasks.list_programme_tasks(db.session(), _actor(), programme)

    return {
        "programme_tasks": programme_tasks,
        "task_status_label": task_status_label,
    }
