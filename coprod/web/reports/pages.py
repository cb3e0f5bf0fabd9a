"""The report pages: a programme's report for a period, its CSV and JSON export, the impact page."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import TypedDict, TypeVar, cast

from flask import Response, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import StringField
from wtforms.fields.choices import SelectChoice

from coprod.cache import cache, shared_for_visitors
from coprod.db import db, utcnow
from coprod.i18n import _l, current_language
from coprod.models import PeriodKind
from coprod.services import localtime, reports
from coprod.services.governance.commitments import describe
from coprod.services.pagination import Page, clamp
from coprod.services.reports import Capacity, CommitmentFigure, Counted, Ranked, ReportDocument
from coprod.web.forms import SelectField
from coprod.web.helpers import public, run_service, viewer
from coprod.web.reports import bp
from coprod.web.reports.charts import (
    SECTORS,
    Chart,
    CommitmentRow,
    commitment_chart,
    delivered_chart,
    over_time_chart,
    progress_chart,
    share_chart,
    training_chart,
)

T = TypeVar("T")

PER_PAGE = 10
FIGURES_SECONDS = 3600  # keyed by the snapshot's version: a rebuild makes a new key at once
PERIOD_CHOICES = {
    PeriodKind.WEEK: _l("Week"),
    PeriodKind.MONTH: _l("Month"),
    PeriodKind.QUARTER: _l("Quarter"),
}


class PeriodForm(FlaskForm):
    class Meta:
        csrf = False

    period = SelectField(
        _l("Period"),
        choices=[SelectChoice(k.value, PERIOD_CHOICES[k]) for k in PeriodKind],
        validate_choice=False,
    )
    start = StringField(_l("Show the period containing"))


def _page(items: list[T], raw: str | None) -> Page[T]:
    number, per_page = clamp(raw, PER_PAGE, PER_PAGE)
    chunk = items[(number - 1) * per_page : number * per_page]
    return Page(items=chunk, page=number, per_page=per_page, total=len(items))


@bp.route("/programmes/<int:programme_id>/reports")
def show(programme_id: int) -> ResponseReturnValue:
    form = PeriodForm(formdata=request.args)
    page = run_service(
        form,
        lambda: reports.get_report(
            db.session(),
            current_user._get_current_object(),
            programme_id,
            period=request.args.get("period"),
            start=request.args.get("start"),
            now=utcnow(),
        ),
    )
    if page is None:
        return render_template(
            "reports/show.html", form=form, page=None, programme_id=programme_id
        ), 422
    form.period.data = PeriodKind(page.kind).value  # the picker shows the period on screen
    today = localtime.local_today(page.programme, utcnow())
    figures = _figures(page, today) if page.snapshot is not None else None
    # Without a snapshot yet (the scheduler builds them), partners' figures are computed here.
    live = None if page.snapshot is not None else _commitments(page, None, today)
    return render_template(
        "reports/show.html", form=form, page=page, figures=figures, commitments=live
    )


class Commitments(TypedDict):
    """The report's partners' figures: one row each, and their chart."""

    rows: list[CommitmentRow]
    chart: Chart


def _commitments(page: reports.ReportPage, data: ReportDocument | None, today: date) -> Commitments:
    """The report's partners' figures: from the snapshot, else (none built yet, or built
    before commitments were reported) computed now; each judged as of today, in words, with
    the chart of committed against delivered."""
    block = reports.commitments_of(data, page.kind, page.start, today) if data else None
    if block is None:
        block = reports.commitments_now(db.session(), page.programme, page.kind, page.start, today)
    currency = page.programme.currency
    rows: list[CommitmentRow] = [
        # describe() reads a figure as a plain dict (coprod.services.governance).
        {"partner": entry["organisation_name"], "words": describe(_plain(f), currency), "doc": f}
        for entry in block
        for f in entry["figures"]
    ]
    return {"rows": rows, "chart": commitment_chart(rows, currency)}


def _plain(figure: CommitmentFigure) -> dict[str, object]:
    return cast("dict[str, object]", figure)


def _figures(page: reports.ReportPage, today: date) -> Markup:
    """The report's figures, charts and tables, rendered once per version of what they show:
    the snapshot (its `built_at` moves whenever a rebuild changes it), the history's totals,
    the programme's hourly rate and currency, whether the period is still in progress and this
    URL's query (period, start, list pages) and the reader's language. The person reading is
    not part of it: who may read was checked before, and nothing in it is theirs."""
    snap = page.snapshot
    assert snap is not None
    history = [(h.start, h.hours_total, sorted(h.hours_by_sector.items())) for h in page.history]
    programme = page.programme
    version = repr(
        (
            snap.id,
            snap.built_at,
            programme.hourly_rate,
            programme.currency,
            page.current,
            today,  # a period in progress judges partners' figures pro rata to today
            history,
            request.full_path,
            current_language(),
        )
    )
    key = "report-figures:" + hashlib.sha256(version.encode()).hexdigest()
    kept = cache.get(key)
    if kept is None:
        data = reports.document_of(snap)
        feedback = data.get("feedback")  # None in a snapshot built before ratings were reported
        kept = render_template(
            "reports/_figures.html",
            page=page,
            data=data,
            sectors=SECTORS,
            orgs=_page(data["hours_by_organisation"], request.args.get("org_page")),
            tasks=_page(data["hours_by_task"], request.args.get("task_page")),
            feedback=feedback,
            rated=_page(
                feedback.get("by_task", []) if feedback else [], request.args.get("feedback_page")
            ),
            capacity=_capacity(data),
            over_time=over_time_chart(page.history, page.kind, page.current),
            shares=share_chart(data["share_by_sector"]),
            progress=progress_chart(data["outcomes"]),
            commitments=_commitments(page, data, today),
        )
        cache.set(key, kept, timeout=FIGURES_SECONDS)
    return Markup(kept)  # noqa: S704 - rendered by our own autoescaping template


class QualificationRow(TypedDict):
    """A qualification in the capacity section: its awards and expiries in the period."""

    name: str
    awarded: int
    expiring: int


class CapacitySection(Capacity):
    """The report's capacity building section, as its template reads it."""

    awarded_total: int
    expiring_total: int
    chart: Chart
    received: Page[Ranked]
    delivered: Page[Ranked]
    qualifications: Page[QualificationRow]


def _capacity(data: ReportDocument) -> CapacitySection:
    """The report's capacity building section: its figures (empty in a snapshot built before
    capacity was reported), a chart of training hours received and delivered by sector, the
    organisations' lists and one row per qualification with its awards and expiries."""
    cap = reports.capacity_of(data)
    per: dict[int, QualificationRow] = {}
    for row in cap["qualifications_awarded"]:
        _qualification_row(per, row)["awarded"] = row["count"]
    for row in cap["qualifications_expiring"]:
        _qualification_row(per, row)["expiring"] = row["count"]
    qualifications = sorted(per.values(), key=lambda r: (r["name"].casefold(), r["name"]))
    args = request.args
    return {
        **cap,
        "awarded_total": sum(r["count"] for r in cap["qualifications_awarded"]),
        "expiring_total": sum(r["count"] for r in cap["qualifications_expiring"]),
        "chart": training_chart(
            cap["training_received_by_sector"], cap["training_delivered_by_sector"]
        ),
        "received": _page(cap["training_received_by_organisation"], args.get("received_page")),
        "delivered": _page(cap["training_delivered_by_organisation"], args.get("delivered_page")),
        "qualifications": _page(qualifications, args.get("qualification_page")),
    }


def _qualification_row(per: dict[int, QualificationRow], row: Counted) -> QualificationRow:
    return per.setdefault(row["id"], {"name": row["name"], "awarded": 0, "expiring": 0})


@bp.route("/programmes/<int:programme_id>/reports/<period>/<start>.<any(csv, json):fmt>")
def export(programme_id: int, period: str, start: str, fmt: str) -> Response:
    snap = reports.get_snapshot(
        db.session(), current_user._get_current_object(), programme_id, period, start
    )
    name = f"coprod-programme-{programme_id}-{snap.period.value}-{snap.start.isoformat()}.{fmt}"
    if fmt == "csv":
        body, mimetype = reports.snapshot_csv(snap, now=utcnow()), "text/csv; charset=utf-8"
    else:
        body, mimetype = (
            json.dumps(reports.snapshot_json(snap, now=utcnow()), indent=2),
            "application/json",
        )
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.route("/programmes/<int:programme_id>/impact")
@public
@shared_for_visitors
def impact(programme_id: int) -> ResponseReturnValue:
    result = reports.get_impact(db.session(), viewer(), programme_id, now=utcnow())
    return render_template(
        "reports/impact.html",
        impact=result,
        sectors=SECTORS,
        shares=share_chart(result.totals["share_by_sector"]),
        progress=progress_chart(result.outcomes),
        delivered=delivered_chart(result.capacity["training_delivered_by_sector"]),
    )
