"""Pilots (issue #18): a pilot's set-up (lead staff), its evaluation page with chart, table,
downloads and the decision, and "What we learned from pilots"
(coprod.services.governance.pilots)."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from jinja2.utils import htmlsafe_json_dumps
from wtforms import RadioField, SelectMultipleField, TextAreaField
from wtforms.fields.choices import SelectChoice

from coprod.db import db, utcnow
from coprod.i18n import _, _l
from coprod.models import ComparisonKind, PilotDecision, Programme, User
from coprod.services import bounds
from coprod.services.governance import pilots
from coprod.web.forms import ButtonForm
from coprod.web.helpers import commit, form_status, page_args, public, run_service, viewer
from coprod.web.pilot_charts import rate_chart

bp = Blueprint("pilots", __name__)

COMPARISON_LABELS = {
    ComparisonKind.BASELINE: _l("Baseline: this programme in the period just before the window"),
    ComparisonKind.CONTROL: _l("Control: named established tasks or programmes, same window"),
}
DECISION_LABELS = {
    PilotDecision.SCALE_UP: _l("Scale up"),
    PilotDecision.ADAPT: _l("Adapt"),
    PilotDecision.STOP: _l("Stop"),
}


class SetUpForm(FlaskForm):
    comparison = RadioField(
        _l("Compare the pilot with"),
        choices=[SelectChoice(k.value, v) for k, v in COMPARISON_LABELS.items()],
        validate_choice=False,
    )
    metric_ids = SelectMultipleField(_l("Metrics the pilot should move"), validate_choice=False)


class DecisionForm(FlaskForm):
    decision = RadioField(
        _l("Decision"),
        choices=[SelectChoice(k.value, v) for k, v in DECISION_LABELS.items()],
        validate_choice=False,
    )
    lessons = TextAreaField(_l("Lessons learned"))


@bp.app_template_global()
def pilot_published(programme: Programme) -> bool:
    """The pilot's evaluation is public: its window has ended and it is built (the programme
    page's link)."""
    return pilots.published(db.session(), programme, utcnow())


def _actor() -> User:
    user = viewer()
    assert user is not None  # the login gate lets only signed-in people here
    return user


def _setup_page(programme: Programme, form: SetUpForm) -> ResponseReturnValue:
    session = db.session()
    words = (request.args.get("q") or "").strip()[:100]
    found = pilots.search_controls(session, _actor(), programme, words) if words else ([], [])
    return render_template(
        "pilots/setup.html",
        programme=programme,
        form=form,
        controls=pilots.list_controls(session, programme),
        words=words,
        found_tasks=found[0],
        found_programmes=found[1],
        button=ButtonForm(),
    ), form_status(form)


@bp.route("/programmes/<int:programme_id>/pilot", methods=["GET", "POST"])
def setup(programme_id: int) -> ResponseReturnValue:
    session, actor = db.session(), _actor()
    programme = pilots.get_managed_pilot(session, actor, programme_id)
    form = SetUpForm()
    form.metric_ids.choices = [(str(m.id), f"{m.name} ({m.unit})") for m in programme.metrics]
    if request.method == "GET":
        form.comparison.data = (programme.comparison or ComparisonKind.BASELINE).value
        form.metric_ids.data = [str(m.id) for m in programme.metrics if m.pilot_measure]
    elif form.validate_on_submit():
        ids = [i for i in map(bounds.as_id, form.metric_ids.data or []) if i is not None]
        done = run_service(
            form,
            lambda: pilots.set_up(
                session,
                actor,
                programme,
                comparison=form.comparison.data,
                metric_ids=ids,
                now=utcnow(),
            ),
        )
        if done is not None:
            flash(_("The pilot's set-up is saved."), "success")
            return redirect(url_for("pilots.setup", programme_id=programme.id), code=303)
    return _setup_page(programme, form)


@bp.route("/programmes/<int:programme_id>/pilot/controls", methods=["POST"])
def add_control(programme_id: int) -> ResponseReturnValue:
    session, actor = db.session(), _actor()
    programme = pilots.get_managed_pilot(session, actor, programme_id)
    pilots.add_control(
        session,
        actor,
        programme,
        task_id=bounds.as_id(request.form.get("task_id")),
        control_programme_id=bounds.as_id(request.form.get("control_programme_id")),
        now=utcnow(),
    )
    commit()
    flash(_("The control is added."), "success")
    return redirect(url_for("pilots.setup", programme_id=programme.id) + "#controls", code=303)


@bp.route("/programmes/<int:programme_id>/pilot/controls/<int:control_id>/remove", methods=["POST"])
def remove_control(programme_id: int, control_id: int) -> ResponseReturnValue:
    session, actor = db.session(), _actor()
    programme = pilots.get_managed_pilot(session, actor, programme_id)
    pilots.remove_control(session, actor, programme, control_id, now=utcnow())
    commit()
    flash(_("The control is removed."), "success")
    return redirect(url_for("pilots.setup", programme_id=programme.id) + "#controls", code=303)


def _view(programme_id: int) -> pilots.EvaluationView:
    # The lead agency's staff always get the preview before the evaluation is public.
    return pilots.get_evaluation(db.session(), viewer(), programme_id, now=utcnow(), preview=True)


def _evaluation_page(
    view: pilots.EvaluationView, form: DecisionForm, status: int = 200
) -> ResponseReturnValue:
    return render_template(
        "pilots/evaluation.html",
        view=view,
        programme=view.programme,
        figures=view.figures,
        chart=rate_chart(view.figures),
        form=form,
        button=ButtonForm(),
        decision_labels=DECISION_LABELS,
        window_ended=pilots.window_ended(view.programme, utcnow()),
        days=_days(view.figures),
    ), status


def _days(figures: pilots.EvaluationFigures) -> dict[str, date]:
    """The periods' bounds as dates, for the date filters."""
    return {
        f"{group}_{end}": date.fromisoformat(figures[group][end])
        for group in ("pilot", "comparison")
        for end in ("start", "end")
    }


@bp.route("/programmes/<int:programme_id>/evaluation")
@public
def evaluation(programme_id: int) -> ResponseReturnValue:
    view = _view(programme_id)
    form = DecisionForm()
    if view.evaluation is not None and view.evaluation.decision is not None:
        form.decision.data = view.evaluation.decision.value
        form.lessons.data = view.evaluation.lessons
    return _evaluation_page(view, form)


@bp.route("/programmes/<int:programme_id>/evaluation/decision", methods=["POST"])
def decide(programme_id: int) -> ResponseReturnValue:
    session, actor = db.session(), _actor()
    programme = pilots.get_pilot(session, programme_id)
    form = DecisionForm()
    if form.validate_on_submit():
        done = run_service(
            form,
            lambda: pilots.record_decision(
                session,
                actor,
                programme,
                decision=form.decision.data,
                lessons=form.lessons.data,
                now=utcnow(),
            ),
        )
        if done is not None:
            flash(_("The decision and lessons are recorded."), "success")
            return redirect(url_for("pilots.evaluation", programme_id=programme_id), code=303)
    return _evaluation_page(_view(programme_id), form, 422)


@bp.route("/programmes/<int:programme_id>/evaluation/rebuild", methods=["POST"])
def rebuild(programme_id: int) -> ResponseReturnValue:
    session, actor = db.session(), _actor()
    programme = pilots.get_pilot(session, programme_id)
    pilots.rebuild_now(session, actor, programme, now=utcnow())
    commit()
    flash(_("The evaluation is rebuilt from the approved logs."), "success")
    return redirect(url_for("pilots.evaluation", programme_id=programme_id), code=303)


@bp.route("/programmes/<int:programme_id>/evaluation.<any(csv, json):fmt>")
@public
def download(programme_id: int, fmt: str) -> ResponseReturnValue:
    view = _view(programme_id)
    name = f"coprod-pilot-{programme_id}-evaluation{'-preview' if view.preview else ''}.{fmt}"
    if fmt == "csv":
        body, mimetype = pilots.figures_csv(view.figures), "text/csv; charset=utf-8"
    else:
        document = {**view.figures, "preview": view.preview}
        if view.evaluation is not None:
            document["decision"] = pilots.decision_json(view.evaluation)
        # <, >, & and ' as \u escapes: the same JSON, and nothing a browser could run.
        text = htmlsafe_json_dumps(document, indent=2, sort_keys=True)
        body, mimetype = str(text), "application/json"
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.route("/pilots")
@public
def index() -> ResponseReturnValue:
    page_no, per_page = page_args()
    page = pilots.list_pilots(db.session(), now=utcnow(), page=page_no, per_page=per_page)
    return render_template(
        "pilots/index.html",
        page=page,
        decision_labels=DECISION_LABELS,
    )
