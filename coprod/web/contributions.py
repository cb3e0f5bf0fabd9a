"""Contribution logs: log hours, my logs, a log's page, resubmit, correct, and the review queue."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TypedDict

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from wtforms import Field, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import DateInput, TextInput

from coprod import policy
from coprod.db import db, utcnow
from coprod.i18n import _, _l, ngettext
from coprod.models import ContributionLog, LogStatus, Organisation, Shift, Task, User
from coprod.services import contributions, record, review
from coprod.services.bounds import as_id, read_decimal
from coprod.services.money import format_number
from coprod.services.shift_state import has_started
from coprod.services.signups import describe_time
from coprod.web.forms import ButtonForm, field_of
from coprod.web.helpers import commit, form_status, run_service, safe_next, signed_in

bp = Blueprint("contributions", __name__)

IN_KIND_ROWS = 3
STATUS_LABELS = {
    LogStatus.SUBMITTED: _l("Waiting for review"),
    LogStatus.APPROVED: _l("Approved"),
    LogStatus.REJECTED: _l("Rejected"),
    LogStatus.CHANGES_REQUESTED: _l("Changes requested"),
    LogStatus.SUPERSEDED: _l("Replaced by a correction"),
    LogStatus.WITHDRAWN: _l("Withdrawn"),
}


@bp.app_template_filter("hours_text")
def hours_text(value: Decimal | None) -> str:
    """2.50 -> "2.5" ("2,5" in Spanish), 20 -> "20": numbers without trailing zeros."""
    return format_number(value)  # in the reader's language


def _actor() -> User:
    return signed_in()


# --- fields that keep what was typed and say clearly what is wrong ----------------------------


class DecimalText(Field):
    """A number typed as text: shown again as typed, parsed to a Decimal (None when blank)."""

    widget = TextInput()
    raw: str | None = None
    data: Decimal | None

    def process_formdata(self, valuelist: list[str]) -> None:
        self.raw = str(valuelist[0]) if valuelist else ""
        text = self.raw.strip()
        self.data = None
        if not text:
            return
        try:
            self.data = read_decimal(text)  # the reader's decimal sign, or a dot
        except InvalidOperation:
            raise ValueError(_("Enter a number, like 2.5.")) from None

    def _value(self) -> str:
        if self.raw is not None:
            return self.raw
        return format_number(self.data)  # "2.5", "2,5" in Spanish: read back by read_decimal


class DateText(Field):
    """A date from a native date input (YYYY-MM-DD), shown again as typed."""

    widget = DateInput()
    raw: str | None = None
    data: date | None

    def process_formdata(self, valuelist: list[str]) -> None:
        self.raw = str(valuelist[0]) if valuelist else ""
        self.data = None
        if not self.raw.strip():
            return
        try:
            self.data = date.fromisoformat(self.raw.strip())
        except ValueError:
            raise ValueError(_("Enter the date like 2026-06-13 (year-month-day).")) from None
        # Its range is the log-date rule's (contributions.check_log_date), the same at every door.

    def _value(self) -> str:
        if self.raw is not None:
            return self.raw
        return self.data.isoformat() if self.data else ""


# --- forms --------------------------------------------------------------------------------


class LogForm(FlaskForm):
    date = DateText(_l("Date"))
    hours = DecimalText(_l("Hours"))
    notes = TextAreaField(_l("Notes"))
    shift = SelectField(
        _l("Shift"), choices=[SelectChoice("", _l("No particular shift"))], default=""
    )


def log_form_class(task: Task, organisations: list[Organisation] | None = None) -> type[LogForm]:
    """The log form for a task: an outcome field per metric, in-kind rows, 'on behalf of'."""

    class TaskLogForm(LogForm):
        organisation: SelectField  # set below, when the person may log for an organisation

    if organisations:
        TaskLogForm.organisation = SelectField(
            _("On behalf of"),
            default="",
            choices=[SelectChoice("", _("Myself"))]
            + [SelectChoice(str(o.id), o.name) for o in organisations],
        )
    for metric in task.metrics:
        setattr(TaskLogForm, f"outcome_{metric.id}", DecimalText(f"{metric.name} ({metric.unit})"))
    for i in range(IN_KIND_ROWS):
        setattr(
            TaskLogForm,
            f"in_kind_{i}_description",
            StringField(_("Item %(n)s: description", n=i + 1)),
        )
        setattr(TaskLogForm, f"in_kind_{i}_value", DecimalText(_("Item %(n)s: value", n=i + 1)))
    return TaskLogForm


def _make_form(
    task: Task, organisations: list[Organisation] | None = None, keep: int | None = None
) -> LogForm:
    """The log form, offering the task's shifts that have started (a shift not yet started
    cannot be logged) and the shift `keep` (the one the log being changed already names)."""
    form = log_form_class(task, organisations)()
    now = utcnow()
    form.shift.choices = [SelectChoice("", _("No particular shift"))] + [
        SelectChoice(str(s.id), describe_time(s))
        for s in task.shifts
        if has_started(s, now) or s.id == keep
    ]
    return form


def _fill_from(form: LogForm, log: ContributionLog) -> None:
    form.date.data = log.date
    form.hours.data = log.hours
    form.notes.data = log.notes
    form.shift.data = str(log.shift_id or "")
    for o in log.outcomes:
        if hasattr(form, f"outcome_{o.metric_id}"):
            field_of(form, f"outcome_{o.metric_id}", DecimalText).data = o.quantity
    for i, item in enumerate(log.in_kind[:IN_KIND_ROWS]):
        field_of(form, f"in_kind_{i}_description", StringField).data = item.description
        field_of(form, f"in_kind_{i}_value", DecimalText).data = item.value


class LogValues(TypedDict):
    """What a log form holds, as the contributions services take it (keyword arguments)."""

    on: date | None
    hours: Decimal | None
    notes: str
    outcomes: list[tuple[int, Decimal]]
    in_kind: list[tuple[str, Decimal | None]]
    shift: Shift | None


def _values(form: LogForm, task: Task) -> LogValues:
    """What the form holds, as the contributions services take it."""
    shifts = {str(s.id): s for s in task.shifts}
    outcomes = []
    for metric in task.metrics:
        quantity = field_of(form, f"outcome_{metric.id}", DecimalText).data
        if quantity is not None:
            outcomes.append((metric.id, quantity))
    in_kind = [
        (
            field_of(form, f"in_kind_{i}_description", StringField).data or "",
            field_of(form, f"in_kind_{i}_value", DecimalText).data,
        )
        for i in range(IN_KIND_ROWS)
    ]
    return {
        "on": form.date.data,
        "hours": form.hours.data,
        "notes": form.notes.data or "",
        "outcomes": outcomes,
        "in_kind": in_kind,
        "shift": shifts.get(form.shift.data or ""),
    }


class ReviewForm(FlaskForm):
    decision = RadioField(
        _l("Decision"),
        choices=[
            SelectChoice("approve", _l("Approve")),
            SelectChoice("request_changes", _l("Ask for changes")),
            SelectChoice("reject", _l("Reject")),
        ],
    )
    comment = TextAreaField(_l("Comment to the contributor"))


class StatusFilter(FlaskForm):
    class Meta:
        csrf = False

    status = SelectField(
        _l("Status"),
        choices=[SelectChoice("", _l("All"))]
        + [SelectChoice(s.value, STATUS_LABELS[s]) for s in LogStatus],
        default="",
    )


class QueueFilter(FlaskForm):
    class Meta:
        csrf = False

    programme = SelectField(
        _l("Programme"), choices=[SelectChoice("", _l("All programmes"))], default=""
    )
    task = SelectField(_l("Task"), choices=[SelectChoice("", _l("All tasks"))], default="")
    contributor = StringField(_l("Contributor (name or email)"))
    status = SelectField(
        _l("Status"),
        choices=[SelectChoice(s.value, STATUS_LABELS[s]) for s in LogStatus]
        + [SelectChoice("all", _l("All"))],
        default=LogStatus.SUBMITTED.value,
    )


def _int_or_none(value: str | None) -> int | None:
    return as_id(value)


# --- my logs and logging hours ------------------------------------------------------------


@bp.route("/my/logs")
def mine() -> ResponseReturnValue:
    form = StatusFilter(formdata=request.args)
    valid = form.validate()
    status = LogStatus(form.status.data) if valid and form.status.data else None
    # A window after (or before) a cursor; an old ?page= link shows the first one.
    mine = contributions.list_my_logs(
        db.session(),
        _actor(),
        status,
        after=request.args.get("after"),
        before=request.args.get("before"),
        per_page=request.args.get("per_page"),
    )
    return render_template("contributions/mine.html", form=form, mine=mine, labels=STATUS_LABELS), (
        200 if valid else 422
    )


@bp.route("/my/hours")
def my_hours() -> ResponseReturnValue:
    mine = record.get_my_hours(db.session(), _actor())
    return render_template("contributions/hours.html", mine=mine)


@bp.route("/my/hours.csv")
def my_hours_csv() -> Response:
    body = record.my_logs_csv(db.session(), _actor())
    response = Response(body, mimetype="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = 'attachment; filename="coprod-my-logs.csv"'
    return response


@bp.route("/tasks/<int:task_id>/log", methods=["GET", "POST"])
def new(task_id: int) -> ResponseReturnValue:
    session, actor = db.session(), _actor()
    task = contributions.get_task_for_logging(session, actor, task_id)
    orgs = contributions.organisations_to_log_for(session, actor)
    form = _make_form(task, orgs)
    if request.method == "GET":
        form.date.data = contributions.today_for(task, utcnow())
        shift = {s.id: s for s in task.shifts}.get(_int_or_none(request.args.get("shift")) or 0)
        if shift is not None:  # from My schedule: the shift's day and length, filled in
            form.shift.data = str(shift.id)
            form.date.data = contributions.shift_day(shift)
            form.hours.data = contributions.shift_hours(shift)
    if form.validate_on_submit():
        org_field = getattr(form, "organisation", None)
        org = {o.id: o for o in orgs}.get(_int_or_none(org_field.data) or 0) if org_field else None
        log = run_service(
            form,
            lambda: contributions.submit_log(
                session, actor, task, **_values(form, task), organisation=org, now=utcnow()
            ),
        )
        if log is not None:
            flash(_("Your hours are logged. A reviewer will check them."), "success")
            return redirect(url_for("contributions.show", log_id=log.id), code=303)
    return render_template("contributions/new.html", form=form, task=task, mode="new"), form_status(
        form
    )


@bp.route("/logs/<int:log_id>/resubmit", methods=["GET", "POST"])
def resubmit(log_id: int) -> ResponseReturnValue:
    """A log sent back for changes: changed and submitted again."""
    return _change(
        log_id,
        "log.resubmit",
        contributions.resubmit_log,
        "resubmit",
        _("Your log is resubmitted for review."),
    )


@bp.route("/logs/<int:log_id>/edit", methods=["GET", "POST"])
def edit(log_id: int) -> ResponseReturnValue:
    """A log still waiting for review, changed by its contributor."""
    return _change(
        log_id,
        "log.edit",
        contributions.edit_log,
        "edit",
        _("Your log is changed. It is still waiting for review."),
    )


def _change(
    log_id: int, action: str, change: Callable[..., ContributionLog], mode: str, done: str
) -> ResponseReturnValue:
    """The log form filled with the log, and the service that changes it."""
    session, actor = db.session(), _actor()
    log = contributions.get_log_to_change(session, actor, log_id, action)
    form = _make_form(log.task, keep=log.shift_id)
    if request.method == "GET":
        _fill_from(form, log)
    if form.validate_on_submit():
        changed = run_service(
            form,
            lambda: change(session, actor, log, **_values(form, log.task), now=utcnow()),
        )
        if changed is not None:
            flash(done, "success")
            return redirect(url_for("contributions.show", log_id=log.id), code=303)
    return render_template(
        "contributions/new.html", form=form, task=log.task, log=log, mode=mode
    ), form_status(form)


@bp.route("/logs/<int:log_id>/withdraw", methods=["GET", "POST"])
def withdraw(log_id: int) -> ResponseReturnValue:
    session, actor = db.session(), _actor()
    log = contributions.get_log_to_change(session, actor, log_id, "log.withdraw")
    form = ButtonForm()
    if form.validate_on_submit():
        contributions.withdraw_log(session, actor, log, now=utcnow())
        commit()
        flash(_("Log #%(id)s is withdrawn: it is counted nowhere.", id=log.id), "success")
        return redirect(url_for("contributions.show", log_id=log.id), code=303)
    return render_template("contributions/withdraw.html", log=log, form=form), form_status(form)


@bp.route("/logs/<int:log_id>/correct", methods=["GET", "POST"])
def correct(log_id: int) -> ResponseReturnValue:
    session, actor = db.session(), _actor()
    original = contributions.get_log_to_change(session, actor, log_id, "log.correct")
    form = _make_form(original.task, keep=original.shift_id)
    if request.method == "GET":
        _fill_from(form, original)
    if form.validate_on_submit():
        fix = run_service(
            form,
            lambda: contributions.correct_log(
                session, actor, original, **_values(form, original.task), now=utcnow()
            ),
        )
        if fix is not None:
            flash(_("Your correction is submitted. The approved log stays until it is approved."))
            return redirect(url_for("contributions.show", log_id=fix.id), code=303)
    return render_template(
        "contributions/new.html", form=form, task=original.task, log=original, mode="correct"
    ), form_status(form)


# --- one log and its review ---------------------------------------------------------------


def _render_show(log: ContributionLog, form: ReviewForm, status: int = 200) -> ResponseReturnValue:
    session, actor = db.session(), _actor()
    return render_template(
        "contributions/show.html",
        log=log,
        history=contributions.get_log_history(session, actor, log),
        corrections=contributions.get_corrections(session, actor, log),
        form=form,
        labels=STATUS_LABELS,
    ), status


@bp.route("/logs/<int:log_id>")
def show(log_id: int) -> ResponseReturnValue:
    log = contributions.get_log(db.session(), _actor(), log_id)
    return _render_show(log, ReviewForm())


@bp.route("/logs/<int:log_id>/review", methods=["POST"], endpoint="review")
def review_log(log_id: int) -> ResponseReturnValue:
    session, actor = db.session(), _actor()
    log = contributions.get_log_to_change(session, actor, log_id, "log.review")
    form = ReviewForm()
    if form.validate_on_submit():
        decision = form.decision.data or ""
        done = run_service(
            form,
            lambda: review.review(
                session, actor, log, decision, form.comment.data or "", now=utcnow()
            ),
        )
        if done is not None:
            status = str(STATUS_LABELS[done.status]).lower()
            flash(_("Log #%(id)s: %(status)s.", id=log.id, status=status), "success")
            return redirect(url_for("contributions.queue"), code=303)
    log = contributions.get_log(session, actor, log_id)
    return _render_show(log, form, form_status(form))


# --- the review queue ---------------------------------------------------------------------


@bp.route("/review")
def queue() -> ResponseReturnValue:
    session, actor = db.session(), _actor()
    reviewed = review.reviewed_programmes(session, actor)  # NotAllowed for a non-reviewer
    form = QueueFilter(formdata=request.args)
    programme_id = _int_or_none(request.args.get("programme"))
    form.programme.choices = [SelectChoice("", _("All programmes"))] + [
        SelectChoice(str(p.id), p.name) for p in reviewed
    ]
    # Tasks are offered once a programme is chosen: every task of every programme (up to 500
    # options) made building this page four times slower than the queue itself.
    form.task.choices = [SelectChoice("", _("All tasks"))]
    if programme_id is not None:
        form.task.choices += [
            SelectChoice(str(t.id), t.title)
            for t in review.reviewed_tasks(session, actor, programme_id)
        ]
    else:
        form.task.data = ""
        form.task.label.text = _("Task (filter by a programme first)")
    valid = form.validate()
    status_raw = form.status.data if valid else LogStatus.SUBMITTED.value
    # A window of the queue after (or before) a cursor; an old ?page= link shows the first.
    page = review.review_queue(
        session,
        actor,
        programme_id=programme_id if valid else None,
        task_id=_int_or_none(form.task.data) if valid else None,
        contributor=(form.contributor.data or "") if valid else "",
        status=None if status_raw == "all" else LogStatus(status_raw),
        after=request.args.get("after"),
        before=request.args.get("before"),
        per_page=request.args.get("per_page"),
    )
    flags = contributions.log_flags(
        session,
        page.items,
        late_days=current_app.config["LOG_FLAG_LATE_DAYS"],
        day_hours=current_app.config["LOG_FLAG_DAY_HOURS"],
    )
    return render_template(
        "contributions/queue.html",
        form=form,
        page=page,
        flags=flags,
        selectable=[
            log
            for log in page.items
            if log.status == LogStatus.SUBMITTED and policy.can(actor, "log.review", log)
        ],
        labels=STATUS_LABELS,
        bulk=ButtonForm(),
        back=request.full_path,
    ), (200 if valid else 422)


def _ids(name: str) -> list[int]:
    ids = (as_id(x) for x in request.form.getlist(name)[: review.MAX_BULK + 1])
    return list(dict.fromkeys(i for i in ids if i))  # each log once, in the page's order


@bp.route("/review/approve", methods=["POST"])
def bulk_approve() -> ResponseReturnValue:
    # The CSRF token is checked by CSRFProtect for every POST before the view runs.
    if request.form.get("scope") == "page" and request.form.get("confirmed") != "1":
        # "Approve all on this page" without JavaScript: say which logs, then confirm.
        ids = _ids("page_ids")
        return render_template(
            "contributions/approve_page.html",
            ids=ids,
            next=safe_next(request.form.get("next"), url_for("contributions.queue")),
        )
    ids = _ids("page_ids" if request.form.get("scope") == "page" else "log_ids")
    result = review.bulk_approve(db.session(), _actor(), ids, utcnow())
    commit()
    if result.approved:
        n = len(result.approved)
        flash(ngettext("Approved %(num)d log.", "Approved %(num)d logs.", n), "success")
    if result.refused:
        reasons = "; ".join(_("log #%(id)s: %(why)s", id=i, why=why) for i, why in result.refused)
        flash(_("Not approved: %(reasons)s.", reasons=reasons), "warning")
    return redirect(safe_next(request.form.get("next"), url_for("contributions.queue")), code=303)
