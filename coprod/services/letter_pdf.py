"""A service letter as a PDF (fpdf2, pure Python) with its verification code and a QR code
(segno) that opens /verify/<code>. Call it inside in_language(letter.language)."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import segno
from fpdf import FPDF

from coprod.i18n import _, ngettext
from coprod.models import ServiceLetter
from coprod.services import letters
from coprod.services.localtime import format_day
from coprod.services.money import format_number

# A Unicode font when the machine has one (Debian and Ubuntu ship DejaVu with most desktops
# and many servers); otherwise the PDF core font, with the few characters it lacks replaced.
FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/local/share/fonts/dejavu"),
)
_LATIN1_STANDINS = {
    "\u2014": "-",  # em dash
    "\u2013": "-",  # en dash
    "\u20ac": "EUR",
    "\u201c": '"',
    "\u201d": '"',
    "\u2018": "'",
    "\u2019": "'",
    "\u2026": "...",
    "\u00a0": " ",
    "\u202f": " ",
}


def _unicode_font() -> tuple[Path, Path] | None:
    for folder in FONT_DIRS:
        regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
        if regular.is_file() and bold.is_file():
            return regular, bold
    return None


class _Letter(FPDF):
    unicode = False
    face = "helvetica"

    def setup(self) -> None:
        found = _unicode_font()
        if found is not None:
            self.add_font("letter", "", str(found[0]))
            self.add_font("letter", "B", str(found[1]))
            self.unicode = True
        self.face = "letter" if self.unicode else "helvetica"
        self.set_margins(20, 20, 20)
        self.set_auto_page_break(True, margin=20)

    def text_of(self, value: str) -> str:
        """What the font can draw: everything with a Unicode font, Latin-1 with the core font."""
        if self.unicode:
            return value
        for char, standin in _LATIN1_STANDINS.items():
            value = value.replace(char, standin)
        return value.encode("latin-1", "replace").decode("latin-1")

    def para(self, value: str, *, size: float = 11, bold: bool = False, gap: float = 2) -> None:
        self.set_font(self.face, "B" if bold else "", size)
        self.multi_cell(
            0, size * 0.5, self.text_of(value), align="L", new_x="LMARGIN", new_y="NEXT"
        )
        self.ln(gap)


def render_pdf(letter: ServiceLetter, verify_url: str) -> bytes:
    """The letter, one or more A4 pages: the holder, the period, the hours per programme and
    task (dates, outcomes), the lead agency and signatory, the issue date, code and QR code."""
    figures = letters.letter_figures(letter)
    pdf = _Letter(format="A4")
    pdf.setup()
    pdf.set_title(pdf.text_of(_("Service letter")))
    pdf.set_subject(letter.code)  # the code in the document's properties, for search
    pdf.add_page()
    pdf.para(_("Service letter"), size=18, bold=True, gap=4)
    pdf.para(_("Issued on %(day)s", day=format_day(letter.issued_at)), size=10)
    pdf.para(_("Lead agency: %(names)s", names=letter.lead_agencies), size=10, gap=6)
    pdf.para(intro(letter, figures["hours_total"]), gap=6)
    for programme in figures["programmes"]:
        _programme(pdf, programme)
    _verification(pdf, letter, verify_url)
    return bytes(pdf.output())


def hours_form(hours: Any) -> int:
    """The number that picks a plural form for an amount of hours: 1 for exactly one hour
    ("1 hour"), 2 otherwise ("1.5 hours", "0.5 hours")."""
    return 1 if Decimal(str(hours)) == 1 else 2


def programme_heading(name: str, hours: Any) -> str:
    """ "Community Meals — 1.5 hours", shared by the page and the PDF."""
    return ngettext(
        "%(programme)s — %(hours)s hour",
        "%(programme)s — %(hours)s hours",
        hours_form(hours),
        programme=name,
        hours=format_number(hours),
    )


def intro(letter: ServiceLetter, total: str) -> str:
    """The opening sentence, shared by the page and the PDF."""
    return ngettext(
        "This letter confirms that %(name)s gave %(hours)s hour of volunteer service, "
        "approved by the reviewing agency, between %(first)s and %(last)s.",
        "This letter confirms that %(name)s gave %(hours)s hours of volunteer service, "
        "approved by the reviewing agency, between %(first)s and %(last)s.",
        hours_form(total),
        name=letter.holder_name,
        hours=format_number(total),
        first=format_day(letter.from_date),
        last=format_day(letter.to_date),
    )


def task_dates(task: dict[str, Any]) -> str:
    """ "12 January 2026 to 3 March 2026 (9 days)" with a dash, in the reader's language."""
    days = ngettext("%(num)d day", "%(num)d days", task["days"])
    first, last = (format_day(_day(task[k])) for k in ("first_date", "last_date"))
    span = first if first == last else f"{first} \u2013 {last}"
    return f"{span} ({days})"


def _day(text: str) -> date:
    return date.fromisoformat(text)


def _programme(pdf: _Letter, programme: dict[str, Any]) -> None:
    pdf.para(
        programme_heading(programme["name"], programme["hours"]),
        size=13,
        bold=True,
        gap=1,
    )
    pdf.para(_("Led by %(agency)s", agency=programme["lead_agency"]), size=10)
    for task in programme["tasks"]:
        hours = format_number(task["hours"])
        pdf.para(f"{task['title']}: {hours} h", bold=True, gap=0)
        pdf.para(task_dates(task), size=10, gap=0)
        for outcome in task["outcomes"]:
            quantity = format_number(outcome["quantity"])
            pdf.para(f"{outcome['metric']}: {quantity} {outcome['unit']}", size=10, gap=0)
        pdf.ln(2)
    if programme["signatory"]:
        pdf.ln(4)
        pdf.para("______________________________", gap=0)
        pdf.para(programme["signatory"], size=10)
        pdf.para(programme["lead_agency"], size=10)
    pdf.ln(4)


def _verification(pdf: _Letter, letter: ServiceLetter, url: str) -> None:
    if pdf.get_y() > pdf.h - 75:
        pdf.add_page()
    pdf.ln(4)
    top = pdf.get_y()
    qr = io.BytesIO()
    segno.make(url, error="m").save(qr, kind="png", scale=6, border=2)
    qr.seek(0)
    pdf.image(qr, x=pdf.l_margin, y=top, w=40, h=40, link=url)
    pdf.set_xy(pdf.l_margin + 46, top)
    pdf.set_font(pdf.face, "B", 11)
    width = pdf.w - pdf.r_margin - pdf.l_margin - 46
    pdf.multi_cell(width, 5.5, pdf.text_of(_("Check that this letter is genuine")), align="L")
    pdf.set_x(pdf.l_margin + 46)
    pdf.set_font(pdf.face, "", 10)
    pdf.multi_cell(
        width,
        5,
        pdf.text_of(
            _(
                "Scan the code or open %(url)s. Verification code: %(code)s",
                url=url,
                code=letter.code,
            )
        ),
        align="L",
    )
