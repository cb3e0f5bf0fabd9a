"""One-line fields (names, titles, places, units) refuse line breaks and control characters,
in the services, so the web forms, the API and the CLI refuse them alike."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from coprod.errors import Invalid
from coprod.models import Organisation
from coprod.services import accounts, organisations, partners, programmes, tasks, tokens
from coprod.services.text import clean_text, contains, one_line
from tests.factories import ShiftWorld, make_org

BAD = ["two\nlines", "carriage\rreturn", "a\ttab", "escape\x1b[31m", "del\x7f", "n\x85el",
       "line\u2028separator", "para\u2029graph"]  # fmt: skip


def _create(world: ShiftWorld, session: Any, field: str, value: str) -> Callable[[], Any]:
    staff, programme = world.lead_staff, world.programme
    calls: dict[str, Callable[[], Any]] = {
        "organisation name": lambda: organisations.create_organisation(
            session, staff, value, "nonprofit"
        ),
        "programme name": lambda: programmes.create_programme(
            session, staff, world.agency, value, starts_on=date(2026, 1, 1)
        ),
        "task title": lambda: tasks.create_task(session, staff, programme, title=value),
        "task location": lambda: tasks.create_task(
            session, staff, programme, title="Litter pick", location=value
        ),
        "metric name": lambda: programmes.add_metric(
            session, staff, programme, value, "bags", "10", date(2026, 12, 31)
        ),
        "metric unit": lambda: programmes.add_metric(
            session, staff, programme, "Bags", value, "10", date(2026, 12, 31)
        ),
        "partner role": lambda: partners.add_partner(
            session, staff, programme, make_org(session), value
        ),
        "display name": lambda: accounts.register(
            session, email="new@example.org", password="a long pass phrase", display_name=value
        ),
        "token name": lambda: tokens.create_token(session, staff, value),
    }
    return calls[field]


FIELDS = [
    ("organisation name", "name"),
    ("programme name", "name"),
    ("task title", "title"),
    ("task location", "location"),
    ("metric name", "name"),
    ("metric unit", "unit"),
    ("partner role", "role"),
    ("display name", "display_name"),
    ("token name", "name"),
]


@pytest.mark.parametrize("bad", BAD)
@pytest.mark.parametrize(("what", "field"), FIELDS)
def test_a_one_line_field_refuses_control_characters_with_a_field_message(
    session, what, field, bad
):
    world = ShiftWorld(session)
    with pytest.raises(Invalid) as err:
        _create(world, session, what, bad)()
    assert "one line" in err.value.errors[field][0]


@pytest.mark.parametrize(("what", "field"), FIELDS)
def test_a_one_line_field_takes_plain_unicode(session, what, field):
    world = ShiftWorld(session)
    _create(world, session, what, "Café Zoë \u202e évènement \U0001f331")()


def test_descriptions_keep_their_line_breaks(session):
    world = ShiftWorld(session)
    task = tasks.create_task(
        session, world.lead_staff, world.programme, title="Pick", description="One\r\n\tTwo"
    )
    assert task.description == "One\r\n\tTwo"


def test_blank_and_unstorable_text_is_refused():
    with pytest.raises(Invalid, match="Enter the name"):
        clean_text(" \u3000\xa0", "name", "The name", max_len=10, required=True)
    with pytest.raises(Invalid, match="not allowed"):
        clean_text("a\ud800", "name", "The name", max_len=10, required=True, multiline=True)


def test_one_line_turns_every_run_of_breaks_and_spaces_into_one_space():
    assert one_line(" Beach\r\n\t clean\u2028up \x00") == "Beach clean up"


def test_the_cli_refuses_a_display_name_with_a_line_break_as_the_web_does(app):
    args = ["create-admin", "cli-admin@example.org", "--password", "a long pass phrase"]
    result = app.test_cli_runner().invoke(args=[*args, "--name", "Ada\nBcc: x@example.org"])
    assert result.exit_code != 0
    assert "must be one line" in result.output


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("100%", ["100% recycled"]),
        ("_", ["snake_case day"]),
        ("e_c", ["snake_case day"]),
        ("%_", []),
        ("\\", ["back\\slash"]),
        ("a/b", ["a/b test"]),
        ("RECYCLED", ["100% recycled"]),
        ("", ["100% recycled", "a/b test", "back\\slash", "snake_case day", "snakeXcase day"]),
    ],
)
def test_contains_matches_what_was_typed_literally_whatever_the_case(session, typed, found):
    """% and _ are letters to a searcher, not wildcards; so are SQLAlchemy's escape (/) and \\."""
    names = ["100% recycled", "snake_case day", "snakeXcase day", "back\\slash", "a/b test"]
    for name in names:
        make_org(session, name=name)
    session.flush()
    hits = session.scalars(
        select(Organisation.name)
        .where(Organisation.name.in_(names), contains(typed, Organisation.name))
        .order_by(Organisation.name)
    ).all()
    assert sorted(hits) == sorted(found)
