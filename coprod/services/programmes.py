"""Programmes: partnerships led by a verified agency, with shared objectives (metrics); their
partners: coprod/services/partners.py."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from coprod import policy
from coprod.errors import FieldErrors, Invalid, NotAllowed, NotFound
from coprod.i18n import _
from coprod.models import Metric, Organisation, OrgKind, Partner, Programme, Role, User
from coprod.services import audit, localtime, money
from coprod.services.bounds import parse_day, parse_number, two_places
from coprod.services.pagination import Page, paginate
from coprod.services.text import clean_text, contains

FIELDS = [
    "name",
    "description",
    "starts_on",
    "ends_on",
    "is_pilot",
    "hypothesis",
    "evaluation_starts_on",
    "evaluation_ends_on",
    "hourly_rate",
    "currency",
    "timezone",
    "letter_signatory",
    "accepts_proposals",
]
# The longest texts a programme (and its metrics) take; the API's schemas read them here.
MAX_NAME = 200
MAX_DESCRIPTION = 10_000
MAX_HYPOTHESIS = 5000
MAX_SIGNATORY = 200
MAX_UNIT = 50
MAX_MONEY = Decimal("9999999999.99")
MAX_QUANTITY = Decimal("999999999999.99")


# --- parsing values from forms and JSON ---------------------------------------------------


def parse_date(raw: date | str | None, field: str, label: str, *, required: bool) -> date | None:
    """A date from an ISO string (YYYY-MM-DD) or a date; None when empty and optional."""
    return parse_day(raw, field, label=label, required=required, example="2026-09-30")


def parse_decimal(
    raw: Decimal | str | int | None, field: str, label: str, *, maximum: Decimal
) -> Decimal | None:
    """A number with at most two decimal places, or None when empty."""
    value = parse_number(raw, field, _("%(label)s must be a number, like 12.50.", label=label))
    if value is None:
        return None
    if abs(value) > maximum:
        raise Invalid(field, _("%(label)s is too large.", label=label))
    if not two_places(value):
        raise Invalid(field, _("%(label)s can have at most two decimal places.", label=label))
    return value


def _clean_programme(errs: FieldErrors, values: dict[str, Any]) -> dict[str, Any]:
    """Check every programme field at once; the rules between fields come after."""
    out: dict[str, Any] = {
        "name": errs.check(
            lambda: clean_text(
                values.get("name"), "name", _("The name"), max_len=MAX_NAME, required=True
            )
        ),
        "description": errs.check(
            lambda: clean_text(
                values.get("description"),
                "description",
                _("The description"),
                max_len=MAX_DESCRIPTION,
                required=False,
                multiline=True,
            )
        ),
        "starts_on": errs.check(
            lambda: parse_date(
                values.get("starts_on"), "starts_on", _("The start date"), required=True
            )
        ),
        "ends_on": errs.check(
            lambda: parse_date(values.get("ends_on"), "ends_on", _("The end date"), required=False)
        ),
        "is_pilot": bool(values.get("is_pilot")),
        "accepts_proposals": bool(values.get("accepts_proposals")),
        "hypothesis": errs.check(
            lambda: clean_text(
                values.get("hypothesis"),
                "hypothesis",
                _("The hypothesis"),
                max_len=MAX_HYPOTHESIS,
                required=False,
                multiline=True,
            )
        ),
        "evaluation_starts_on": errs.check(
            lambda: parse_date(
                values.get("evaluation_starts_on"),
                "evaluation_starts_on",
                _("The evaluation start date"),
                required=False,
            )
        ),
        "evaluation_ends_on": errs.check(
            lambda: parse_date(
                values.get("evaluation_ends_on"),
                "evaluation_ends_on",
                _("The evaluation end date"),
                required=False,
            )
        ),
        "hourly_rate": errs.check(
            lambda: parse_decimal(
                values.get("hourly_rate"), "hourly_rate", _("The hourly rate"), maximum=MAX_MONEY
            )
        ),
        "currency": errs.check(
            lambda: money.check_currency(values.get("currency"), required=False)
        ),
        "timezone": errs.check(
            lambda: localtime.check_zone(values.get("timezone"), required=False)
        ),
        "letter_signatory": errs.check(
            lambda: (
                clean_text(
                    values.get("letter_signatory"),
                    "letter_signatory",
                    _("The signature line"),
                    max_len=MAX_SIGNATORY,
                    required=False,
                )
                or None
            )
        ),
    }
    _cross_checks(errs, out)
    return out


def _cross_checks(errs: FieldErrors, out: dict[str, Any]) -> None:
    starts, ends = out["starts_on"], out["ends_on"]
    if starts and ends and ends < starts:
        errs.add("ends_on", _("The end date must be on or after the start date."))
    ev_starts, ev_ends = out["evaluation_starts_on"], out["evaluation_ends_on"]
    if ev_starts and ev_ends and ev_ends < ev_starts:
        errs.add("evaluation_ends_on", _("The evaluation must end on or after the day it starts."))
    if out["is_pilot"] and not out["hypothesis"] and "hypothesis" not in errs.errors:
        errs.add("hypothesis", _("A pilot needs a hypothesis: what do you expect to learn?"))
    rate = out["hourly_rate"]
    if rate is not None and rate < 0:
        errs.add("hourly_rate", _("The hourly rate cannot be negative."))
    if out["hourly_rate"] is None:
        out["hourly_rate"] = Decimal("0")
    if not out["is_pilot"]:
        out["hypothesis"] = out["hypothesis"] or None


# --- programmes ---------------------------------------------------------------------------


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


# --- reading ------------------------------------------------------------------------------


def list_programmes(
    session: Session, actor: User | None, q: str | None, page: int, per_page: int
) -> Page[Programme]:
    """Programmes whose name or description contains the search words, newest first."""
    stmt = (
        select(Programme)
        .where(policy.visible_programmes(actor))
        .options(joinedload(Programme.lead_organisation))
    )
    for word in (q or "").split()[:10]:
        stmt = stmt.where(contains(word, Programme.name, Programme.description))
    stmt = stmt.order_by(Programme.starts_on.desc(), Programme.id.desc())
    return paginate(session, stmt, page, per_page)


def get_programme(session: Session, actor: User | None, programme_id: int) -> Programme:
    """The programme with its lead, partners (and their organisations) and metrics loaded."""
    programme = session.scalar(
        select(Programme)
        .where(Programme.id == programme_id)
        .options(
            joinedload(Programme.lead_organisation),
            selectinload(Programme.partners).joinedload(Partner.organisation),
            selectinload(Programme.metrics),
        )
    )
    if programme is None or not policy.can(actor, "programme.view", programme):
        raise NotFound(_("No such programme."))
    return programme


def get_programme_to_manage(session: Session, actor: User | None, programme_id: int) -> Programme:
    """The programme, loaded as get_programme does, if this person may manage it."""
    programme = get_programme(session, actor, programme_id)
    policy.require(actor, "programme.manage", programme)
    return programme
