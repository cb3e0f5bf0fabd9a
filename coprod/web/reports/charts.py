"""The report charts: their geometry computed here, drawn as SVG by reports/_charts.html.

Hours over time, shares by sector, training, outcomes against targets, and partners' figures
against what they committed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TypedDict

from coprod.i18n import _
from coprod.models import PeriodKind
from coprod.services import localtime, money, reports
from coprod.services.reports import CommitmentFigure, Outcome

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


def _short(start: date, kind: str) -> str:
    if kind == PeriodKind.WEEK:
        return localtime.format_day_month(start)
    if kind == PeriodKind.MONTH:
        return localtime.format_short_month(start)
    return _("Q%(quarter)d %(year)s", quarter=(start.month - 1) // 3 + 1, year=start.strftime("%y"))


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


class CommitmentRow(TypedDict):
    """A partner's figure on the report: the partner, the figure in words, its document."""

    partner: str
    words: str
    doc: CommitmentFigure


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


def progress_chart(outcomes: list[Outcome]) -> Chart:
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


def _figure_amount(doc: CommitmentFigure, value: float | None, currency: str) -> str:
    if value is None:
        return "—"
    if doc["kind"] == "in_kind":
        return money.format_money(value, currency)
    if doc["kind"] == "hours":
        return _("%(hours)s h", hours=money.format_number(value))
    return f"{money.format_number(value)} {doc['unit']}"


def commitment_chart(rows: list[CommitmentRow], currency: str) -> Chart:
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
        # Only an outcome's `committed` and `expected` are None (it has them to date only).
        assert committed is not None and expected is not None
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
