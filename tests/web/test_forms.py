from __future__ import annotations

import re
from pathlib import Path

import pytest
import wtforms
from flask import request
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField
from wtforms.fields.choices import SelectChoice

import coprod
from coprod.web.forms import SelectField, field_of


class _NameForm(FlaskForm):
    name = StringField("Name")


def test_a_field_added_at_run_time_is_read_as_the_kind_it_is(app) -> None:
    with app.test_request_context(method="POST", data={"name": "Ada"}):
        form = _NameForm(meta={"csrf": False})
        assert field_of(form, "name", StringField).data == "Ada"


def test_a_field_read_as_another_kind_is_refused(app) -> None:
    with app.test_request_context(method="POST", data={"name": "Ada"}):
        form = _NameForm(meta={"csrf": False})
        with pytest.raises(TypeError, match="not a BooleanField"):
            field_of(form, "name", BooleanField)


CHOICES = [
    SelectChoice("", "All programmes"),
    SelectChoice("1", 'Riverside <clean-up> & "friends"'),
    SelectChoice(2, "Parks"),  # type: ignore[arg-type]
    SelectChoice("3", ""),  # an empty label shows the value, as WTForms does
    SelectChoice("4", "Tagged", render_kw={"data-kind": "x"}),  # attributes of its own
    SelectChoice(True, "A boolean value"),  # type: ignore[arg-type]
]


def _both_ways(app, chosen: str) -> tuple[str, str]:
    class Quick(FlaskForm):
        pick = SelectField("Pick", choices=CHOICES, validate_choice=False)

    class Plain(FlaskForm):
        pick = wtforms.SelectField("Pick", choices=CHOICES, validate_choice=False)

    with app.test_request_context(query_string={"pick": chosen}):
        quick = Quick(request.args, meta={"csrf": False}).pick(
            class_="usa-select", **{"aria-x": "1"}
        )
        plain = Plain(request.args, meta={"csrf": False}).pick(
            class_="usa-select", **{"aria-x": "1"}
        )
    return str(quick), str(plain)


@pytest.mark.parametrize("chosen", ["", "1", "2", "4", "True", "nothing of these"])
def test_a_select_renders_what_wtforms_renders_escaped_and_with_the_choice_selected(
    app, chosen: str
) -> None:
    quick, plain = _both_ways(app, chosen)
    assert quick == plain
    assert "&lt;clean-up&gt; &amp; &#34;friends&#34;" in quick
    if chosen in ("1", "2"):
        assert f'<option selected value="{chosen}">' in quick


def test_every_form_of_the_app_takes_its_selects_from_coprod_web_forms() -> None:
    """The quick widget only helps where it is used: no web module builds WTForms' own select."""
    root = Path(coprod.__file__).parent / "web"
    direct = [
        str(p.relative_to(root))
        for p in root.rglob("*.py")
        if re.search(r"from wtforms import (\([^)]*|[^(\n]*)\bSelectField\b", p.read_text())
    ]
    assert direct == []
