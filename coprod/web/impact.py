""" "You said, we did": a programme's public page of answered proposals and what became of
them (coprod.services.engagement.impact)."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice

from coprod.cache import shared_for_visitors
from coprod.db import db
from coprod.i18n import _l
from coprod.models import ProposalStatus
from coprod.services.engagement import STATUS_LABELS, impact, status_label
from coprod.services.pagination import clamp
from coprod.web.forms import SelectField
from coprod.web.helpers import public, run_service, viewer

bp = Blueprint("impact", __name__)

PER_PAGE = 10
FILTERS = [ProposalStatus.ACCEPTED, ProposalStatus.DECLINED, ProposalStatus.ALREADY_PLANNED]


class StatusForm(FlaskForm):
    class Meta:
        csrf = False

    status = SelectField(
        _l("Show"),
        choices=[SelectChoice("", _l("Every answer"))]
        + [SelectChoice(s.value, STATUS_LABELS[s]) for s in FILTERS],
        validate_choice=False,
    )


@bp.route("/programmes/<int:programme_id>/you-said-we-did")
@public
@shared_for_visitors
def you_said(programme_id: int) -> ResponseReturnValue:
    """The answered proposals, newest answer first, filtered by status; never a name."""
    form = StatusForm(formdata=request.args)
    page_no, per_page = clamp(request.args.get("page"), request.args.get("per_page"), PER_PAGE)
    result = run_service(
        form,
        lambda: impact.list_answered(
            db.session(),
            viewer(),
            programme_id,
            status=request.args.get("status"),
            page=page_no,
            per_page=per_page,
        ),
    )
    if result is None:  # a status that is not one of the filters: shown beside the field
        programme = impact.get_programme(db.session(), viewer(), programme_id)
        return render_template(
            "programmes/you_said.html",
            form=form,
            answered=None,
            programme=programme,
            status_label=status_label,
        ), 422
    return render_template(
        "programmes/you_said.html",
        form=form,
        answered=result,
        programme=result.programme,
        status_label=status_label,
    )
