"""Download my data: a ZIP of everything coprod holds about the person asking (GDPR articles
15 and 20), as one JSON file, a CSV file per table, and a README in plain words in their
language. The tables are listed in `coprod.services.exports.tables.TABLES`."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from coprod import policy
from coprod.i18n import _, in_language, known_language, ngettext
from coprod.models import DataExport, User
from coprod.services.exports import deferred
from coprod.services.exports.rows import Row
from coprod.services.exports.tables import TABLES, ExportTable
from coprod.services.signups.roster import spreadsheet_cell

ZIP_TYPE = "application/zip"


@dataclass(frozen=True)
class Export:
    filename: str
    data: bytes
    rows: int  # how many rows the archive holds, over all tables


def collect(session: Session, actor: User | None, person: User) -> dict[str, list[Row]]:
    """Every table of the export, read for the person (only they may ask for it)."""
    policy.require(actor, "account.export", person)
    return {table.name: table.rows(session, person) for table in TABLES}


def build_export(session: Session, actor: User | None, person: User, *, now: datetime) -> Export:
    """The person's data as a ZIP: README.txt, data.json and one CSV per table, in a folder
    named for the day it was made. Its words are in the person's language (else the
    request's)."""
    with their_language(person):
        data = collect(session, actor, person)
        text = readme(person, data, now=now)
    folder = f"coprod-data-{now:%Y-%m-%d}"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{folder}/README.txt", text)
        archive.writestr(f"{folder}/data.json", _json(person, data, now))
        for table in TABLES:
            archive.writestr(f"{folder}/{table.name}.csv", _csv(table, data[table.name]))
    total = sum(len(rows) for rows in data.values())
    return Export(f"{folder}.zip", buffer.getvalue(), total)


def export_or_queue(
    session: Session, actor: User | None, person: User, *, now: datetime, inline_max: int
) -> Export | DataExport:
    """The person's ZIP at once when it is small (up to `inline_max` rows in the tables that
    grow), else a request the scheduler builds and mails a link for."""
    policy.require(actor, "account.export", person)
    if deferred.estimate_rows(session, person) <= inline_max:
        return build_export(session, actor, person, now=now)
    return deferred.queue_export(session, actor, person, now=now)


def queued_message() -> str:
    """What a person is told when their export will come by email."""
    return _(
        "You have a lot of data, so we are preparing it: we will email you a link to download "
        "it, usually within a few minutes."
    )


def _json(person: User, data: dict[str, list[Row]], now: datetime) -> str:
    document = {"person_id": person.id, "exported_at": now.isoformat(), "tables": data}
    return json.dumps(document, ensure_ascii=False, indent=2)


def _csv(table: ExportTable, rows: list[Row]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(table.columns)
    for row in rows:
        writer.writerow([_cell(row.get(column)) for column in table.columns])
    return out.getvalue()


def _cell(value: Any) -> str:
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False, sort_keys=True)
    elif isinstance(value, bool):
        value = "true" if value else "false"
    return spreadsheet_cell(value)


def their_language(person: User) -> AbstractContextManager[None]:
    """The language the person chose, or the request's when they chose none."""
    chosen = known_language(person.language)
    return in_language(chosen) if chosen else nullcontext()


def readme(person: User, data: dict[str, list[Row]], *, now: datetime) -> str:
    """What the archive is and what each file holds, in plain words."""
    return "\n".join(_readme_lines(person, data, now)) + "\n"


def _readme_lines(person: User, data: dict[str, list[Row]], now: datetime) -> list[str]:
    made = f"{now:%Y-%m-%d %H:%M}"
    lines = [
        _("Your data from coprod"),
        "",
        _("Made on %(date)s (UTC) for %(name)s.", date=made, name=person.display_name),
        _("This archive holds everything coprod keeps about you. Each kind of record is a CSV "
          "file, which opens in a spreadsheet; data.json holds all of them together, for "
          "programs."),
        _("Dates and times are in UTC, written as year-month-day."),
        "",
        _("The files:"),
    ]  # fmt: skip
    for table in TABLES:
        count = len(data[table.name])
        rows = ngettext("%(num)d row", "%(num)d rows", count)
        lines.append(f"- {table.name}.csv ({rows}): {table.about}")
    lines += [
        "",
        _("What is not here, and why:"),
        "- " + _("Your password, the secret part of your API tokens and your private calendar "
                 "link: they are keys to your account, not information about you. coprod keeps "
                 "only a scrambled form of your password and tokens, which cannot be turned "
                 "back."),
        "- " + _("Other people's data: where a record of yours involves someone else, only what "
                 "coprod already shows you is kept (the name of the person who reviewed your "
                 "log)."),
        "",
        _("Questions about your data: ask the organisation you volunteer with, or the site "
          "administrators."),
    ]  # fmt: skip
    return lines
