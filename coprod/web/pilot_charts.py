"""The evaluation's chart: per measured metric, the pilot's and the comparison's outcome per
volunteer hour as bars, and the difference with its 95 % interval against zero. Drawn by
templates/reports/_charts.html like the report charts; the table beside it has the figures."""

from __future__ import annotations

from coprod.i18n import _
from coprod.services import money
from coprod.services.governance.pilots import EvaluationFigures, MeasureFigures
from coprod.web.reports import Chart, Label, Line, Rect

PILOT, COMPARISON = "#1a4480", "#c05600"  # each at least 3:1 against white
WIDTH, LEFT, ROW, BAR = 640, 190, 30, 18


def _num(value: float | None) -> str:
    return "—" if value is None else money.format_number(value)


def rate_chart(figures: EvaluationFigures) -> Chart:
    """Three rows per measure: pilot bar, comparison bar, difference with its interval."""
    plot_w = WIDTH - LEFT - 90
    rects: list[Rect] = []
    texts: list[Label] = []
    lines: list[Line] = []
    y = 4.0
    for m in figures["measures"]:
        texts.append(
            (
                8,
                y + 10,
                _("%(name)s (%(unit)s per hour)", name=m["name"][:40], unit=m["unit"][:20]),
                "start",
            )
        )
        y += 24
        pilot, comp = m["pilot"]["per_hour"], m["comparison"]["per_hour"]
        peak = max(pilot or 0, comp or 0) or 1.0
        lines.append((LEFT, y - 2, LEFT, y + 2 * ROW - 10))  # the bars' axis
        for label, value, colour in (
            (_("Pilot"), pilot, PILOT),
            (_("Comparison"), comp, COMPARISON),
        ):
            w = max(value or 0, 0) / peak * plot_w
            rects.append(Rect(LEFT, y, w, BAR, colour, f"{label}: {_num(value)}"))
            texts.append((LEFT - 8, y + BAR / 2, label, "end"))
            texts.append((LEFT + w + 6, y + BAR / 2, _num(value), "start"))
            y += ROW
        y = _difference_row(m, y, plot_w, rects, texts, lines)
        y += 10
    return Chart(WIDTH, int(y), rects, texts, lines)


def _difference_row(
    m: MeasureFigures,
    y: float,
    plot_w: float,
    rects: list[Rect],
    texts: list[Label],
    lines: list[Line],
) -> float:
    """The difference as a tick on a scale centred on zero, its interval as a line."""
    texts.append((LEFT - 8, y + BAR / 2, _("Difference"), "end"))
    texts.append((LEFT - 8, y + BAR / 2 + 15, _("(%(level)d%% interval)", level=95), "end"))
    diff, interval = m["difference"], m["interval"]
    if diff is None:
        texts.append((LEFT + 6, y + BAR / 2, _("no comparison"), "start"))
        return y + ROW
    ends = [abs(diff)] + ([abs(interval["low"]), abs(interval["high"])] if interval else [])
    extent = max(ends) or 1.0
    mid, half = LEFT + plot_w / 2, plot_w / 2

    def at(v: float) -> float:
        return mid + v / extent * half * 0.95

    lines.append((mid, y - 2, mid, y + BAR + 2))  # zero
    texts.append((mid, y + BAR + 8, "0", "middle"))
    if interval:
        lines.append((at(interval["low"]), y + BAR / 2, at(interval["high"]), y + BAR / 2))
        lines.append((at(interval["low"]), y + 3, at(interval["low"]), y + BAR - 3))
        lines.append((at(interval["high"]), y + 3, at(interval["high"]), y + BAR - 3))
    rects.append(
        Rect(
            at(diff) - 4,
            y + BAR / 2 - 4,
            8,
            8,
            "#1b1b1b",
            _("Difference: %(value)s", value=_num(diff)),
        )
    )
    words = _num(diff)
    if interval:
        words = _(
            "%(value)s (%(low)s to %(high)s)",
            value=words,
            low=_num(interval["low"]),
            high=_num(interval["high"]),
        )
    texts.append((LEFT + 6, y + ROW + 14, words, "start"))
    return y + ROW + 26
