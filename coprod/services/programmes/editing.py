"""Creating and changing programmes, and adding their shared objectives (metrics)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from coprod import policy
from coprod.errors import FieldErrors, NotAllowed
from coprod.i18n import _
from coprod.models import Metric, Organisation, OrgKind, Programme, Role, User
from coprod.services import audit
from coprod.services.programmes.fields import (
    FIELDS,
    MAX_NAME,
    MAX_QUANTITY,
    MAX_UNIT,
    _clean_programme,
    parse_date,
    parse_decimal,
)
from coprod.services.text import clean_text


def _refuse_unable_lead(actor: User, lead_org: Organisation) -> None:
    """Say why a lead organisation cannot create programmes, when the reason is useful."""
    if policy.can(actor, "programme.create", lead_org):
        return
    if policy.has_role(actor, lead_org.id, Role.STAFF):
        if lead_org.kind != OrgKind.AGENCY:
            raise NotAllowed(_("Only a government agency can lead a programme."))
        raise NotAllowed(
            _(
                "%(name)s must be verified by a site admin before it can create programmes.",
                name=lead_org.name,
            )
        )
    policy.require(actor, "programme.create", lead_org)


def create_programme(
    session: Session,
    actor: User,
    lead_org: Organisation,
    name: str,
    description: str = "",
    starts_on: date | str | None = None,
    ends_on: date | str | None = None,
    is_pilot: bool = False,
    hypothesis: str | None = None,
    hourly_rate: Decimal | str | None = None,
    **extra: Any,
) -> Programme:
    """Staff of a verified agency create a programme it leads; it ends on or after it starts,
    and a pilot states its hypothesis."""
    _refuse_unable_lead(actor, lead_org)
    errs = FieldErrors()
    values = _clean_programme(
        errs,
        {
            "name": name,
            "description": description,
            "starts_on": starts_on,
            "ends_on": ends_on,
            "is_pilot": is_pilot,
            "hypothesis": hypothesis,
            "hourly_rate": hourly_rate,
            **extra,
        },
    )
    errs.raise_if_any()
    programme = Programme(lead_organisation=lead_org, **values)
    session.add(programme)
    session.flush()
    audit.record(
        session, actor, "programme.created", programme, after=audit.snapshot(programme, FIELDS)
    )
    return programme


def update_programme(
    session: Session, actor: User, programme: Programme, **values: Any
) -> Programme:
    """The lead agency's staff change a programme's details under the same rules as creating it."""
    policy.require(actor, "programme.manage", programme)
    before = audit.snapshot(programme, FIELDS)
    merged = {key: getattr(programme, key) for key in FIELDS}
    merged.update({k: v for k, v in values.items() if k in FIELDS})
    errs = FieldErrors()
    cleaned = _clean_programme(errs, merged)
    errs.raise_if_any()
    for key, value in cleaned.items():
        setattr(programme, key, value)
    session.flush()
    after = audit.snapshot(programme, FIELDS)
    changed = [k for k in FIELDS if before[k] != after[k]]
    audit.record(
        session,
        actor,
        "programme.updated",
        programme,
        before={k: before[k] for k in changed},
        after={k: after[k] for k in changed},
    )
    return programme


# --- shared objectives (metrics) ---------------------------------------------------------


def add_metric(
    session: Session,
    actor: User,
    programme: Programme,
    name: str,
    unit: str,
    target: Decimal | str | int | None,
    target_date: date | str | None,
) -> Metric:
    """The lead agency's staff add a shared objective: a named outcome in a unit, with a
    target above zero by a date."""
    policy.require(actor, "programme.manage", programme)
    errs = FieldErrors()
    name = errs.check(
        lambda: clean_text(name, "name", _("The name"), max_len=MAX_NAME, required=True)
    )
    unit = errs.check(
        lambda: clean_text(unit, "unit", _("The unit"), max_len=MAX_UNIT, required=True)
    )
    amount = errs.check(
        lambda: parse_decimal(target, "target", _("The target"), maximum=MAX_QUANTITY)
    )
    by = errs.check(
        lambda: parse_date(target_date, "target_date", _("The target date"), required=True)
    )
    if "target" not in errs.errors and amount is None:
        errs.add("target", _("Enter the target, a number above zero."))
    elif amount is not None and amount <= 0:
        errs.add("target", _("The target must be more than zero."))
    if name and any(m.name.lower() == name.lower() for m in programme.metrics):
        errs.add("name", _("This programme already has an objective with this name."))
    errs.raise_if_any()
    metric = Metric(programme=programme, name=name, unit=unit, target=amount, target_date=by)
    session.add(metric)
    session.flush()
    audit.record(
        session,
        actor,
        "metric.added",
        metric,
        after=audit.snapshot(metric, ["programme_id", "name", "unit", "target", "target_date"]),
    )
    return metric
