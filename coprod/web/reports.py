"""Report pages: a programme's shared-ownership report with server-drawn SVG charts, its CSV and
JSON export, and the public impact page."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from flask import Blueprint, Response, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice

from coprod.cache import cache, shared_for_visitors
from coprod.db import db, utcnow
from coprod.i18n import SOURCE, _, _l, current_language
from coprod.models import PeriodKind
from coprod.services import localtime, money, reports
from coprod.services.governance import figures as commitment_figures
from coprod.services.governance.commitments import describe
from coprod.services.pagination import Page, clamp
from coprod.web.helpers import public, run_service, viewer

bp = Blueprint("reports", __name__)
T = TypeVar("T")

PER_PAGE = 10
FIGURES_SECONDS = 3600  # keyed by the snapshot's version: a rebuild makes a new key at once
COLOURS = {  # each at least 3:1 against white
    "agency": "#1a4480",
    "nonprofit": "#008817",
    "community": "#c05600",
    "business": "#8168b3",
    "citizen": "#d83933",
}
SECTORS = [(key, label, COLOURS[key]) for key, label in reports.SECTOR_LABELS.items()]
# Room left of the capacity charts' bars for a sector's name in any language
# ("Organizaciones sin ánimo de lucro" at 13 px).
LABELS_WIDTH = 220
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


@bp.app_template_filter("money")
def money_filter(amount: Decimal | float | int | str | None, currency: str) -> str:
    """{{ amount|money(programme.currency) }}: "£1,234.50" (coprod.services.money)."""
    return money.format_money(amount, currency)


@bp.app_template_filter("currency_name")
def currency_name_filter(currency: str) -> str:
    """{{ programme.currency|currency_name }}: "GBP — British Pound (£)"."""
    return money.currency_label(currency)


@bp.app_template_filter("report_period")
def period_label(start: date | str, kind: str) -> str:
    """ "Week of 8 June 2026", "June 2026", "Q2 2026" (in the reader's language)."""
    day = date.fromisoformat(start) if isinstance(start, str) else start
    if kind == PeriodKind.WEEK:
        first = (
            f"{day.day} {day:%B %Y}" if current_language() == SOURCE else localtime.format_day(day)
        )
        return _("Week of %(day)s", day=first)
    if kind == PeriodKind.MONTH:
        return localtime.format_month(day)
    return _("Q%(quarter)d %(year)s", quarter=(day.month - 1) // 3 + 1, year=str(day.year))


def _short(start: date, kind: str) -> str:
    if kind == PeriodKind.WEEK:
        return localtime.format_day_month(start)
    if kind == PeriodKind.MONTH:
        return localtime.format_short_month(start)
    return _("Q%(quarter)d %(year)s", quarter=(start.month - 1) // 3 + 1, year=start.strftime("%y"))


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


def _commitments(
    page: reports.ReportPage, data: dict[str, Any] | None, today: date
) -> dict[str, Any]:
    """The report's partners' figures: from the snapshot, else (none built yet, or built
    before commitments were reported) computed now; each judged as of today, in words, with
    the chart of committed against delivered."""
    block = reports.commitments_of(data, page.kind, page.start, today) if data else None
    if block is None:
        start, end = page.start, page.end
        built = commitment_figures.programme_blocks(
            db.session(), page.programme, page.kind, [start]
        )
        block = commitment_figures.judged_block(built[start], start, end, today)
    currency = page.programme.currency
    rows = [
        {"partner": entry["organisation_name"], "words": describe(f, currency), "doc": f}
        for entry in block
        for f in entry["figures"]
    ]
    return {"rows": rows, "chart": commitment_chart(rows, currency)}


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
        data = snap.data
        kept = render_template(
            "reports/_figures.html",
            page=page,
            data=data,
            sectors=SECTORS,
            orgs=_page(data["hours_by_organisation"], request.args.get("org_page")),
            tasks=_page(data["hours_by_task"], request.args.get("task_page")),
            # None in a snapshot built before ratings were reported.
            feedback=data.get("feedback"),
            rated=_page(
                (data.get("feedback") or {}).get("by_task", []), request.args.get("feedback_page")
            ),
            capacity=_capacity(data),
            over_time=over_time_chart(page.history, page.kind, page.current),
            shares=share_chart(data["share_by_sector"]),
            progress=progress_chart(data["outcomes"]),
            commitments=_commitments(page, data, today),
        )
        cache.set(key, kept, timeout=FIGURES_SECONDS)
    return Markup(kept)  # noqa: S704 - rendered by our own autoescaping template


def _capacity(data: dict[str, Any]) -> dict[str, Any]:
    """The report's capacity building section: its figures (empty in a snapshot built before
    capacity was reported), a chart of training hours received and delivered by sector, the
    organisations' lists and one row per qualification with its awards and expiries."""
    cap = reports.capacity_of(data)
    per: dict[int, dict[str, Any]] = {}
    for what in ("awarded", "expiring"):
        for row in cap[f"qualifications_{what}"]:
            entry = per.setdefault(row["id"], {"name": row["name"], "awarded": 0, "expiring": 0})
            entry[what] = row["count"]
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


# --- charts: geometry computed here, drawn as SVG by templates/reports/_charts.html ---------


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float
    fill: str
    label: str = ""


Label = tuple[float, float, str, str]  # x, y, text, anchor
Line = tuple[float, float, float, float]


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    rects: list[Rect]
    texts: list[Label]
    lines: list[Line]


def over_time_chart(
    history: list[reports.PeriodTotals], kind: str, current: date | None = None
) -> Chart:
    """Stacked columns of hours by sector for up to the last 12 periods; the period still in
    progress (starting on or after `current`) is labelled so under its column."""
    width, height, left, bottom, top = 640, 260, 48, 36, 12
    plot_w, plot_h = width - left - 8, height - bottom - top
    peak = max([s.hours_total for s in history] + [1.0])
    slot = plot_w / max(len(history), 1)
    rects: list[Rect] = []
    texts: list[Label] = [
        (left - 6, top + 4, f"{peak:g} h", "end"),
        (left - 6, top + plot_h, "0", "end"),
    ]
    for i, snap in enumerate(history):
        x, y = left + i * slot + slot * 0.15, float(top + plot_h)
        for key, label, colour in SECTORS:
            h = snap.hours_by_sector[key] / peak * plot_h
            if h > 0:
                y -= h
                rects.append(
                    Rect(
                        x,
                        y,
                        slot * 0.7,
                        h,
                        colour,
                        f"{label}: {snap.hours_by_sector[key]:g} h",
                    )
                )
        texts.append((x + slot * 0.35, height - bottom + 16, _short(snap.start, kind), "middle"))
        if current is not None and snap.start >= current:
            texts.append((x + slot * 0.35, height - bottom + 30, _("in progress"), "middle"))
    lines: list[Line] = [
        (left, top + plot_h, width - 8, top + plot_h),
        (left, top, left, top + plot_h),
    ]
    return Chart(width, height, rects, texts, lines)


def share_chart(shares: dict[str, float]) -> Chart:
    """One horizontal bar per sector, its length the sector's share of the hours."""
    width, row, left = 640, 34, 170
    plot_w = width - left - 70
    rects: list[Rect] = []
    texts: list[Label] = []
    axis: Line = (left, 4, left, row * len(SECTORS) + 4)
    for i, (key, lazy_label, colour) in enumerate(SECTORS):
        y, label = 8 + i * row, str(lazy_label)
        rects.append(Rect(left, y, max(shares[key], 0) / 100 * plot_w, row - 12, colour, label))
        texts.append((left - 8, y + row / 2, label, "end"))
        texts.append(
            (left + shares[key] / 100 * plot_w + 6, y + row / 2, f"{shares[key]:.1f}%", "start")
        )
    return Chart(width, 8 + row * len(SECTORS), rects, texts, [axis])


def delivered_chart(delivered: dict[str, float]) -> Chart:
    """One bar per sector: the training hours its organisations delivered."""
    width, row, left = 640, 34, LABELS_WIDTH
    plot_w = width - left - 90
    peak = max([*delivered.values(), 1.0])
    rects: list[Rect] = []
    texts: list[Label] = []
    for i, (key, lazy_label, colour) in enumerate(SECTORS):
        y, label, w = 8 + i * row, str(lazy_label), max(delivered[key], 0) / peak * plot_w
        hours = _("%(hours)s h", hours=money.format_number(delivered[key]))
        rects.append(Rect(left, y, w, row - 12, colour, f"{label}: {hours}"))
        texts.append((left - 8, y + row / 2, label, "end"))
        texts.append((left + w + 6, y + row / 2, hours, "start"))
    axis: Line = (left, 4, left, row * len(SECTORS) + 4)
    return Chart(width, 8 + row * len(SECTORS), rects, texts, [axis])


def training_chart(received: dict[str, float], delivered: dict[str, float]) -> Chart:
    """Per sector, two bars: the training hours its people received (upper) and the hours its
    organisations delivered (lower), each labelled with its figure and which it is."""
    width, row, bar, left = 640, 44, 14, LABELS_WIDTH
    plot_w = width - left - 140
    peak = max([*received.values(), *delivered.values(), 1.0])
    rects: list[Rect] = []
    texts: list[Label] = []
    for i, (key, lazy_label, colour) in enumerate(SECTORS):
        y, label = 8 + i * row, str(lazy_label)
        texts.append((left - 8, y + bar, label, "end"))
        got, gave = (money.format_number(v[key]) for v in (received, delivered))
        for j, (hours, words) in enumerate(
            (
                (received[key], _("%(hours)s h received", hours=got)),
                (delivered[key], _("%(hours)s h delivered", hours=gave)),
            )
        ):
            w, top = max(hours, 0) / peak * plot_w, y + j * (bar + 2)
            rects.append(Rect(left, top, w, bar, colour, f"{label}: {words}"))
            texts.append((left + w + 6, top + bar / 2, words, "start"))
    axis: Line = (left, 4, left, row * len(SECTORS) + 4)
    return Chart(width, 8 + row * len(SECTORS), rects, texts, [axis])


def progress_chart(outcomes: list[dict[str, Any]]) -> Chart:
    """Per target: a grey track (the target), the amount so far, and a tick where the
    programme should be by now."""
    width, row, left = 640, 46, 170
    plot_w = width - left - 70
    rects: list[Rect] = []
    texts: list[Label] = []
    lines: list[Line] = []
    for i, o in enumerate(outcomes):
        y = 8 + i * row
        done = min(o["percent_of_target"], 100) / 100 * plot_w
        expected = min(o["expected"] / o["target"], 1) * plot_w if o["target"] else plot_w
        rects.append(Rect(left, y, plot_w, row - 20, "#dfe1e2", _("target")))
        rects.append(
            Rect(left, y, done, row - 20, "#1a4480" if o["on_track"] else "#c05600", o["name"])
        )
        lines.append((left + expected, y - 3, left + expected, y + row - 17))
        texts.append((left - 8, y + (row - 20) / 2, o["name"][:22], "end"))
        texts.append(
            (left + plot_w + 6, y + (row - 20) / 2, f"{o['percent_of_target']:.1f}%", "start")
        )
    return Chart(width, max(8 + row * len(outcomes), 40), rects, texts, lines)


def _figure_amount(doc: dict[str, Any], value: float | None, currency: str) -> str:
    if value is None:
        return "—"
    if doc["kind"] == "in_kind":
        return money.format_money(value, currency)
    if doc["kind"] == "hours":
        return _("%(hours)s h", hours=money.format_number(value))
    return f"{money.format_number(value)} {doc['unit']}"


def commitment_chart(rows: list[dict[str, Any]], currency: str) -> Chart:
    """Per partner's figure: its partner and kind above; a grey track (what was committed: in
    the period for hours and in-kind value, the whole amount for an outcome), a bar of what was
    delivered (to date for an outcome), a tick where it should be by now; the figures and the
    flag in words below."""
    width, row, left = 640, 64, 8
    plot_w = width - 2 * left
    rects: list[Rect] = []
    texts: list[Label] = []
    lines: list[Line] = []
    for i, r in enumerate(rows):
        d, y = r["doc"], 8 + i * row
        outcome = d["kind"] == "outcome"
        committed = d["committed_to_date"] if outcome else d["committed"]
        got = d["delivered_to_date"] if outcome else d["delivered"]
        expected = d["expected_to_date"] if outcome else d["expected"]
        scale = max(committed, got, 0.01)
        on_track = d["status"] in ("on_track", "met")
        word = str(reports.STATUS_WORDS[d["status"]])
        said = _(
            "%(delivered)s delivered of %(committed)s: %(flag)s",
            delivered=_figure_amount(d, got, currency),
            committed=_figure_amount(d, committed, currency),
            flag=word.lower(),
        )
        kind = str(reports.COMMITMENT_KINDS[d["kind"]])
        texts.append((left, y + 6, f"{r['partner']} · {kind}", "start"))
        bar_y = y + 14
        track = Rect(left, bar_y, committed / scale * plot_w, 16, "#dfe1e2", _("committed"))
        colour = "#1a4480" if on_track else "#c05600"
        done = Rect(left, bar_y, got / scale * plot_w, 16, colour, f"{r['partner']}: {said}")
        rects += [track, done]
        tick = left + min(expected / scale, 1) * plot_w
        lines.append((tick, bar_y - 3, tick, bar_y + 19))
        texts.append((left, bar_y + 30, said, "start"))
    return Chart(width, max(8 + row * len(rows), 40), rects, texts, lines)
