from __future__ import annotations

import pytest
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField

from coprod.web.forms import field_of


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
