"""What the qualification views share: validity in words, the person, a qualification by id."""

from __future__ import annotations

from flask import redirect, url_for
from flask.typing import ResponseReturnValue

from coprod.db import db
from coprod.i18n import _, ngettext
from coprod.models import Qualification, User
from coprod.services.capacity import how_to_get
from coprod.services.capacity import qualifications as quals
from coprod.web.helpers import viewer
from coprod.web.qualifications import bp


@bp.app_context_processor
def _helpers() -> dict[str, object]:
    """An award's state and a qualification's validity in words, for every template."""
    return {
        "award_state_label": quals.state_label,
        "validity_text": validity_text,
        "qualification_how_to_get": how_to_get,
    }


def validity_text(qualification: Qualification) -> str:
    months = qualification.validity_months
    if months is None:
        return _("Does not expire")
    if months % 12 == 0:
        return ngettext("%(num)d year", "%(num)d years", months // 12)
    return ngettext("%(num)d month", "%(num)d months", months)


def _me() -> User:
    actor = viewer()
    assert actor is not None  # the login gate
    return actor


def _qualification(qualification_id: int) -> Qualification:
    return quals.get_qualification(db.session(), viewer(), qualification_id)


def _to_show(qualification: Qualification) -> ResponseReturnValue:
    return redirect(url_for("qualifications.show", qualification_id=qualification.id), code=303)
