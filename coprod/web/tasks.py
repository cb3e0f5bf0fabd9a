"""Tasks and shifts: the public list and task page, and the agency's management pages.

Times in the shift forms are the programme's local time (coprod/services/localtime.py).
"""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.orm import Session
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields import DateField, TimeField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from coprod import policy
from coprod.cache import shared_for_visitors
from coprod.db import db, utcnow
from coprod.i18n import _, _l, ngettext
from coprod.models import Organisation, Programme, Shift, Task, TaskStatus, User
from coprod.services import localtime, programmes, shift_changes, shifts, signups, tasks
from coprod.services.bounds import as_id
from coprod.services.capacity import qualifications as quals
from coprod.services.engagement.proposals import task_proposal
from coprod.services.pagination import clamp
from coprod.web.forms import ButtonForm, DayInRange
from coprod.web.helpers import commit, form_status, page_args, public, run_service, window_args

bp = Blueprint("tasks", __name__)

TIME_FORMATS = ["%H:%M", "%H:%M:%S"]
STATUS_BUTTONS = {
    TaskStatus.OPEN: _l("Publish"),
    TaskStatus.CLOSED: _l("Close sign-ups"),
    TaskStatus.COMPLETED: _l("Mark completed"),
    TaskStatus.CANCELLED: _l("Cancel task"),
}
# A task's status as people read it (the tag on its page, the lists of tasks).
STATUS_LABELS = {
    TaskStatus.DRAFT: _l("Draft"),
    TaskStatus.OPEN: _l("Open"),
    TaskStatus.CLOSED: _l("Closed"),
    TaskStatus.COMPLETED: _l("Completed"),
    TaskStatus.CANCELLED: _l("Cancelled"),
}
# What the task page says once a task has moved to a status.
STATUS_DONE = {
    TaskStatus.OPEN: _l("The task is now open."),
    TaskStatus.CLOSED: _l("The task is now closed."),
    TaskStatus.COMPLETED: _l("The task is now completed."),
    TaskStatus.CANCELLED: _l("The task is now cancelled."),
}


def task_status_label(status: TaskStatus) -> str:
    """The status in the reader's language ("Open", "Abierta")."""
    label = STATUS_LABELS.get(status)
    return str(label) if label is not None else str(status)


def _actor() -> User | None:
    return current_user._get_current_object() if current_user.is_authenticated else None


def _opt_int(value: str | int | None) -> int | None:
    if value in (None, "", "None"):
        return None
    return int(value)


# --- forms --------------------------------------------------------------------------------


class FilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("Search"))
    programme_id = SelectField(_l("Programme"), choices=[], validate_choice=False)
    date_from = StringField(_l("From"))
    date_to = StringField(_l("To"))


class DescriptionForm(FlaskForm):
    description = TextAreaField(_l("Description"))
    location = StringField(_l("Location"))


class TaskForm(DescriptionForm):
    title = StringField(_l("Title"))
    metric_ids = SelectMultipleField(
        _l("Outcome metrics it contributes to"), coerce=int, validate_choice=False
    )
    coordinating_organisation_id = SelectField(
        _l("Coordinating partner"), coerce=_opt_int, validate_choice=False
    )
    ongoing = BooleanField(
        _l(
            "Ongoing: no shifts; people log their hours whenever they do the work "
            "(like adopting a storm drain)"
        )
    )
    required_qualification_ids = SelectMultipleField(
        _l("Qualifications everyone on its shifts needs"), coerce=int, validate_choice=False
    )
    trains_qualification_id = SelectField(
        _l("This task is a training for"), coerce=_opt_int, validate_choice=False
    )
    skills = StringField(_l("Skills it uses"))


class TransitionForm(FlaskForm):
    to = HiddenField()
    confirm = HiddenField()


def _places() -> IntegerField:
    return IntegerField(
        _l("Places"), validators=[InputRequired(_l("Enter how many people the shift needs."))]
    )


class ShiftForm(FlaskForm):
    date = DateField(
        _l("Date"), validators=[InputRequired(_l("Enter the date of the shift.")), DayInRange()]
    )
    starts_at = TimeField(
        _l("Start time"),
        format=TIME_FORMATS,
        validators=[InputRequired(_l("Enter the start time."))],
    )
    ends_at = TimeField(
        _l("End time"), format=TIME_FORMATS, validators=[InputRequired(_l("Enter the end time."))]
    )
    capacity = _places()


class WeeklyShiftsForm(FlaskForm):
    first_date = DateField(
        _l("First date"), validators=[InputRequired(_l("Enter the first date.")), DayInRange()]
    )
    starts_at = TimeField(
        _l("Start time"),
        format=TIME_FORMATS,
        validators=[InputRequired(_l("Enter the start time."))],
    )
    ends_at = TimeField(
        _l("End time"), format=TIME_FORMATS, validators=[InputRequired(_l("Enter the end time."))]
    )
    until = DateField(
        _l("Repeat every week until"),
        validators=[InputRequired(_l("Enter the last date.")), DayInRange()],
    )
    capacity = _places()
    skip_dates = TextAreaField(_l("Dates to skip (optional)"))


class CancelShiftForm(FlaskForm):
    reason = StringField(_l("Reason (optional)"))


class CopyShiftsForm(FlaskForm):
    target_task_id = SelectField(_l("Copy to the task"), coerce=_opt_int, validate_choice=False)
    scope = SelectField(
        _l("Which shifts"),
        choices=[
            SelectChoice("future", _l("All future shifts")),
            SelectChoice("chosen", _l("The shifts I tick below")),
        ],
        validate_choice=False,
    )
    weeks = IntegerField(_l("Shift them by this many weeks"), default=0)
    # The ticked shifts are read from the request; the field carries their error to the list.
    shift_ids = SelectMultipleField(_l("Shifts to copy"), choices=[], validate_choice=False)


class MoveShiftsForm(FlaskForm):
    weeks = IntegerField(_l("Move by this many weeks"))


def _at(task: Task, day: date | None, at: time | None, field: str = "starts_at") -> datetime:
    """The UTC instant of a date and time typed in the programme's local time."""
    assert day is not None and at is not None  # the forms require both
    return localtime.from_local(day, at, localtime.task_zone(task), field)


def _zone_hint(task: Task) -> dict[str, str]:
    name = localtime.programme_zone_name(task.programme)
    return {
        "zone": name,
        "hint": _(
            "Dates and times are local time in %(zone)s, the programme's time zone, "
            "and change with its summer time.",
            zone=name,
        ),
    }


def _task_choices(form: TaskForm, programme: Programme, task: Task | None = None) -> None:
    form.metric_ids.choices = [(m.id, f"{m.name} ({m.unit})") for m in programme.metrics]
    form.coordinating_organisation_id.choices = [("", _("None: the lead agency coordinates"))] + [
        (p.organisation_id, p.organisation.name) for p in programme.partners
    ]
    # The coordinating organisation is always a partner: the lead's and partners' cover it.
    offered = quals.offered_for_task(db.session(), programme, None)
    kept = [q for q in task.required_qualifications if q not in offered] if task else []
    label = [(q.id, f"{q.name} ({q.organisation.name})") for q in [*offered, *kept]]
    form.required_qualification_ids.choices = label
    form.trains_qualification_id.choices = [("", _("None: it is not a training")), *label]


# --- public pages -------------------------------------------------------------------------


@bp.route("/tasks")
@public
@shared_for_visitors
def index() -> ResponseReturnValue:
    session = db.session()
    if request.args.get("fit") == "me" and current_user.is_authenticated:
        from coprod.web.matching import render_fit_list

        return render_fit_list()
    form = FilterForm(request.args)
    form.programme_id.choices = [("", _("All programmes"))] + [
        (str(p.id), p.name) for p in tasks.list_programmes_with_open_tasks(session, _actor())
    ]
    # By window (?after= / ?before=); an old ?page= link shows the first window.
    default = int(current_app.config.get("PER_PAGE", 20))
    _page, per_page = clamp(None, request.args.get("per_page"), default)
    result = run_service(
        form,
        lambda: tasks.list_tasks(
            session,
            _actor(),
            q=form.q.data or "",
            programme_id=form.programme_id.data,
            date_from=form.date_from.data,
            date_to=form.date_to.data,
            after=request.args.get("after"),
            before=request.args.get("before"),
            per_page=per_page,
            now=utcnow(),
        ),
    )
    filtered = any(request.args.get(k) for k in ("q", "programme_id", "date_from", "date_to"))
    return render_template(
        "tasks/index.html", form=form, tasks=result, filtered=filtered
    ), 200 if result is not None else 422


@bp.route("/tasks/<int:task_id>")
@public
@shared_for_visitors
def show(task_id: int) -> ResponseReturnValue:
    session = db.session()
    actor = _actor()
    task = tasks.get_task(session, actor, task_id)
    past = request.args.get("when") == "past"
    shift_page = shifts.list_task_shifts(
        session, actor, task, past=past, now=utcnow(), **window_args()
    )
    shift_ids = [s.id for s in shift_page.items]
    return render_template(
        "tasks/show.html",
        task=task,
        shifts=shift_page,
        past=past,
        waitlists=shifts.waitlist_counts(session, shift_ids),
        my_signups=signups.get_my_signups(session, actor, shift_ids),
        moves=[(to, t) for to, t in STATUS_BUTTONS.items() if to in tasks.TRANSITIONS[task.status]],
        interest=tasks.get_interest(session, actor, task),
        proposal=task_proposal(session, task),  # the proposal it came from, credited
    )


@bp.route("/tasks/<int:task_id>/interest", methods=["POST"])
def interest(task_id: int) -> ResponseReturnValue:
    """The "I'm interested" toggle of an ongoing task: interested=yes joins its contact list,
    anything else leaves it."""
    session, actor = db.session(), _actor()
    task = tasks.get_task(session, actor, task_id)
    if request.form.get("interested") == "yes":
        tasks.express_interest(session, actor, task, now=utcnow())
        commit()
        flash(
            _("You are on this task's contact list: its coordinators can get in touch with you."),
            "success",
        )
    else:
        tasks.withdraw_interest(session, actor, task)
        commit()
        flash(_("You are no longer on this task's contact list."), "success")
    return redirect(url_for("tasks.show", task_id=task.id), code=303)


@bp.route("/tasks/<int:task_id>/interested")
def interested(task_id: int) -> ResponseReturnValue:
    """The task's contact list, for its coordinators and the lead agency's staff."""
    session, actor = db.session(), _actor()
    task = tasks.get_task(session, actor, task_id)
    page_no, per_page = page_args()
    people = tasks.list_interested(session, actor, task, page=page_no, per_page=per_page)
    return render_template("tasks/interested.html", task=task, people=people)


# --- managing tasks -----------------------------------------------------------------------


@bp.route("/programmes/<int:programme_id>/tasks/new", methods=["GET", "POST"])
def new(programme_id: int) -> ResponseReturnValue:
    session = db.session()
    actor = _actor()
    programme = programmes.get_programme_to_manage(session, actor, programme_id)
    form = TaskForm()
    _task_choices(form, programme)
    if form.validate_on_submit():
        task = run_service(
            form,
            lambda: tasks.create_task(
                session,
                actor,
                programme,
                title=form.title.data or "",
                description=form.description.data or "",
                location=form.location.data or "",
                metric_ids=form.metric_ids.data or [],
                coordinating_organisation_id=form.coordinating_organisation_id.data,
                ongoing=form.ongoing.data,
                required_qualification_ids=form.required_qualification_ids.data or [],
                trains_qualification_id=form.trains_qualification_id.data,
                skills=form.skills.data or "",
            ),
        )
        if task is not None:
            if task.ongoing:
                flash(_("The task is saved as a draft. Publish it when it is ready."), "success")
            else:
                flash(_("The task is saved as a draft. Add shifts, then publish it."), "success")
            return redirect(url_for("tasks.show", task_id=task.id), code=303)
    return render_template(
        "tasks/form.html", form=form, programme=programme, task=None, full=True
    ), form_status(form)


@bp.route("/tasks/<int:task_id>/edit", methods=["GET", "POST"])
def edit(task_id: int) -> ResponseReturnValue:
    session = db.session()
    actor = _actor()
    task = tasks.get_task_to_manage(session, actor, task_id, "task.edit_description")
    full = policy.can(actor, "task.manage", task)
    form: DescriptionForm = TaskForm(obj=task) if full else DescriptionForm(obj=task)
    if isinstance(form, TaskForm):
        _task_choices(form, task.programme, task)
        if request.method == "GET":
            form.metric_ids.data = [m.id for m in task.metrics]
            form.required_qualification_ids.data = [q.id for q in task.required_qualifications]
            form.skills.data = ", ".join(s.tag for s in task.skills)
    if form.validate_on_submit():
        done = run_service(form, lambda: _update(session, actor, task, form))
        if done is not None:
            flash(_("The task is saved."), "success")
            return redirect(url_for("tasks.show", task_id=task.id), code=303)
    return render_template(
        "tasks/form.html", form=form, programme=task.programme, task=task, full=full
    ), form_status(form)


def _update(session: Session, actor: User | None, task: Task, form: DescriptionForm) -> Task:
    description, location = form.description.data or "", form.location.data or ""
    if not isinstance(form, TaskForm):
        return tasks.update_task(session, actor, task, description=description, location=location)
    return tasks.update_task(
        session,
        actor,
        task,
        title=form.title.data or "",
        description=description,
        location=location,
        metric_ids=form.metric_ids.data or [],
        coordinating_organisation_id=form.coordinating_organisation_id.data,
        ongoing=bool(form.ongoing.data),
        required_qualification_ids=form.required_qualification_ids.data or [],
        trains_qualification_id=form.trains_qualification_id.data,
        skills=form.skills.data or "",
    )


@bp.route("/tasks/<int:task_id>/status", methods=["POST"])
def transition(task_id: int) -> ResponseReturnValue:
    session = db.session()
    actor = _actor()
    task = tasks.get_task_to_manage(session, actor, task_id)
    form = TransitionForm()
    if form.to.data == TaskStatus.CANCELLED and form.confirm.data != "yes":
        return redirect(url_for("tasks.cancel", task_id=task.id), code=303)
    tasks.transition_task(session, actor, task, form.to.data or "", now=utcnow())
    commit()
    done = STATUS_DONE.get(task.status)
    flash(str(done) if done is not None else _("The task is saved."), "success")
    return redirect(url_for("tasks.show", task_id=task.id), code=303)


@bp.route("/tasks/<int:task_id>/cancel")
def cancel(task_id: int) -> ResponseReturnValue:
    session = db.session()
    task = tasks.get_task_to_manage(session, _actor(), task_id)
    return render_template(
        "tasks/cancel.html", task=task, live=tasks.live_signup_count(session, task)
    )


# --- managing shifts ----------------------------------------------------------------------


@bp.route("/tasks/<int:task_id>/shifts/new", methods=["GET", "POST"])
def add_shift(task_id: int) -> ResponseReturnValue:
    session = db.session()
    actor = _actor()
    task = tasks.get_task_to_manage(session, actor, task_id)
    form = ShiftForm()
    if form.validate_on_submit():
        shift = run_service(
            form,
            lambda: shifts.add_shift(
                session,
                actor,
                task,
                starts_at=_at(task, form.date.data, form.starts_at.data),
                ends_at=_at(task, form.date.data, form.ends_at.data, "ends_at"),
                capacity=form.capacity.data or 0,
                now=utcnow(),
            ),
        )
        if shift is not None:
            flash(_("The shift is added."), "success")
            return redirect(url_for("tasks.show", task_id=task.id), code=303)
    return render_template(
        "tasks/shift_form.html", form=form, task=task, shift=None, **_zone_hint(task)
    ), form_status(form)


@bp.route("/tasks/<int:task_id>/shifts/weekly", methods=["GET", "POST"])
def add_weekly_shifts(task_id: int) -> ResponseReturnValue:
    session = db.session()
    actor = _actor()
    task = tasks.get_task_to_manage(session, actor, task_id)
    form = WeeklyShiftsForm()
    if form.validate_on_submit():
        made = run_service(form, lambda: _weekly(session, actor, task, form))
        if made is not None:
            flash(
                ngettext(
                    "%(num)d weekly shift is added.", "%(num)d weekly shifts are added.", len(made)
                ),
                "success",
            )
            return redirect(url_for("tasks.show", task_id=task.id), code=303)
    return render_template(
        "tasks/weekly_form.html", form=form, task=task, **_zone_hint(task)
    ), form_status(form)


def _weekly(
    session: Session, actor: User | None, task: Task, form: WeeklyShiftsForm
) -> list[Shift]:
    first = _at(task, form.first_date.data, form.starts_at.data)
    return shifts.add_weekly_shifts(
        session,
        actor,
        task,
        first_starts_at=first,
        duration=_at(task, form.first_date.data, form.ends_at.data, "ends_at") - first,
        until=form.until.data or form.first_date.data or first.date(),
        capacity=form.capacity.data or 0,
        now=utcnow(),
        skip=shift_changes.parse_day_list(form.skip_dates.data),
    )


@bp.route("/tasks/<int:task_id>/shifts/<int:shift_id>/edit", methods=["GET", "POST"])
def edit_shift(task_id: int, shift_id: int) -> ResponseReturnValue:
    session = db.session()
    actor = _actor()
    shift = shifts.get_shift_to_manage(session, actor, task_id, shift_id)
    form = ShiftForm()
    if request.method == "GET":
        tz = localtime.shift_zone(shift)
        starts, ends = shift.starts_at.astimezone(tz), shift.ends_at.astimezone(tz)
        form.date.data = starts.date()
        form.starts_at.data = starts.time().replace(tzinfo=None)
        form.ends_at.data = ends.time().replace(tzinfo=None)
        form.capacity.data = shift.capacity
    if form.validate_on_submit():
        done = run_service(
            form,
            lambda: shifts.update_shift(
                session,
                actor,
                shift,
                starts_at=_at(shift.task, form.date.data, form.starts_at.data),
                ends_at=_at(shift.task, form.date.data, form.ends_at.data, "ends_at"),
                capacity=form.capacity.data or 0,
                now=utcnow(),
            ),
        )
        if done is not None:
            flash(_("The shift is saved."), "success")
            return redirect(url_for("tasks.show", task_id=task_id), code=303)
    return render_template(
        "tasks/shift_form.html", form=form, task=shift.task, shift=shift, **_zone_hint(shift.task)
    ), form_status(form)


@bp.route("/tasks/<int:task_id>/shifts/<int:shift_id>/delete", methods=["GET", "POST"])
def delete_shift(task_id: int, shift_id: int) -> ResponseReturnValue:
    session = db.session()
    actor = _actor()
    shift = shifts.get_shift_to_manage(session, actor, task_id, shift_id)
    form = ButtonForm()
    if form.validate_on_submit():
        shifts.delete_shift(
            session, actor, shift, now=utcnow()
        )  # a Conflict is the 409 page, saying why
        commit()
        flash(_("The shift is deleted."), "success")
        return redirect(url_for("tasks.show", task_id=task_id), code=303)
    return render_template(
        "tasks/delete_shift.html",
        shift=shift,
        task=shift.task,
        form=form,
        blocker=shifts.deletion_blocker(session, shift),
        started=utcnow() >= shift.starts_at,
    )


@bp.route("/tasks/<int:task_id>/shifts/<int:shift_id>/cancel", methods=["GET", "POST"])
def cancel_shift(task_id: int, shift_id: int) -> ResponseReturnValue:
    session = db.session()
    actor = _actor()
    shift = shifts.get_shift_to_manage(session, actor, task_id, shift_id)
    form = CancelShiftForm()
    if form.validate_on_submit():
        ended = run_service(
            form,
            lambda: shift_changes.cancel_shift(
                session, actor, shift, reason=form.reason.data or "", now=utcnow()
            ),
        )
        if ended is not None:
            if ended:
                told = ngettext(
                    "The shift is cancelled. %(num)d person was told.",
                    "The shift is cancelled. %(num)d people were told.",
                    len(ended),
                )
            else:
                told = _("The shift is cancelled.")
            flash(told, "success")
            return redirect(url_for("tasks.show", task_id=task_id) + "#shifts", code=303)
    return render_template(
        "tasks/cancel_shift.html",
        shift=shift,
        task=shift.task,
        form=form,
        waiting=signups.count_waitlisted(session, shift),
        started=utcnow() >= shift.starts_at,
    ), form_status(form)


@bp.route("/tasks/<int:task_id>/shifts/<int:shift_id>/remove", methods=["GET", "POST"])
def remove_from_series(task_id: int, shift_id: int) -> ResponseReturnValue:
    session = db.session()
    actor = _actor()
    shift = shifts.get_shift_to_manage(session, actor, task_id, shift_id)
    form = CancelShiftForm()
    blocker = shifts.deletion_blocker(session, shift)
    when = localtime.describe_shift(shift)
    if form.validate_on_submit():
        outcome = run_service(
            form,
            lambda: shift_changes.remove_from_series(
                session, actor, shift, reason=form.reason.data or "", now=utcnow()
            ),
        )
        if outcome is not None:
            if outcome == "deleted":
                done = _("The shift of %(when)s is removed from the series: deleted.", when=when)
            else:
                done = _(
                    "The shift of %(when)s is removed from the series: cancelled, and its "
                    "volunteers were told.",
                    when=when,
                )
            flash(done, "success")
            return redirect(url_for("tasks.show", task_id=task_id) + "#shifts", code=303)
    return render_template(
        "tasks/remove_from_series.html",
        shift=shift,
        task=shift.task,
        form=form,
        blocker=blocker,
        series=shift_changes.series_shifts(session, shift),
        started=utcnow() >= shift.starts_at,
    ), form_status(form)


@bp.route("/tasks/<int:task_id>/shifts/copy", methods=["GET", "POST"])
def copy_shifts(task_id: int) -> ResponseReturnValue:
    session = db.session()
    actor = _actor()
    task = tasks.get_task_to_manage(session, actor, task_id)
    form = CopyShiftsForm()
    targets = shift_changes.copy_targets(session, actor, task)
    form.target_task_id.choices = [SelectChoice("", _("Choose a task"))] + [
        SelectChoice(
            str(t.id),
            _("%(title)s (%(status)s)", title=t.title, status=task_status_label(t.status).lower()),
        )
        for t in targets
    ]
    listed = shift_changes.copyable_shifts(session, task)
    ticked = {i for i in (as_id(v) for v in request.form.getlist("shift_ids")) if i}
    if form.validate_on_submit():
        chosen = None if form.scope.data != "chosen" else sorted(ticked)
        made = run_service(
            form,
            lambda: shift_changes.copy_shifts(
                session,
                actor,
                task,
                target_task_id=form.target_task_id.data,
                shift_ids=chosen,
                weeks=form.weeks.data,
                now=utcnow(),
            ),
        )
        if made is not None:
            target_id = made[0].task_id
            flash(
                ngettext("%(num)d shift is copied.", "%(num)d shifts are copied.", len(made)),
                "success",
            )
            return redirect(url_for("tasks.show", task_id=target_id) + "#shifts", code=303)
    return render_template(
        "tasks/copy_shifts.html",
        task=task,
        form=form,
        listed=listed,
        ticked=ticked,
        targets=targets,
        max_weeks=shift_changes.MAX_WEEKS,
        **_zone_hint(task),
    ), form_status(form)


@bp.route("/tasks/<int:task_id>/shifts/move", methods=["GET", "POST"])
def move_shifts(task_id: int) -> ResponseReturnValue:
    session = db.session()
    actor = _actor()
    task = tasks.get_task_to_manage(session, actor, task_id)
    form = MoveShiftsForm()
    if form.validate_on_submit():
        moved = run_service(
            form,
            lambda: shift_changes.move_shifts(
                session, actor, task, weeks=form.weeks.data, now=utcnow()
            ),
        )
        if moved is not None:
            flash(
                ngettext(
                    "%(num)d shift is moved; its volunteers were told.",
                    "%(num)d shifts are moved; their volunteers were told.",
                    len(moved),
                ),
                "success",
            )
            return redirect(url_for("tasks.show", task_id=task.id) + "#shifts", code=303)
    return render_template(
        "tasks/move_shifts.html",
        task=task,
        form=form,
        upcoming=shift_changes.future_shifts(session, task, utcnow()),
        max_weeks=shift_changes.MAX_WEEKS,
        **_zone_hint(task),
    ), form_status(form)


# --- for other pages ----------------------------------------------------------------------

# What has a time zone of its own, for the template filters.
ZoneOwner = Organisation | Programme | Task | Shift


def _zone_of(owner: ZoneOwner) -> ZoneInfo:
    """The zone of a shift, task, programme or organisation (for the template filters)."""
    if isinstance(owner, Organisation):
        return localtime.zone(localtime.organisation_zone_name(owner))
    if isinstance(owner, Programme):
        return localtime.programme_zone(owner)
    if isinstance(owner, Task):
        return localtime.task_zone(owner)
    return localtime.shift_zone(owner)


@bp.app_template_filter("local_time")
def _local_time(instant: datetime | None, owner: ZoneOwner) -> str:
    """{{ signup.queued_at|local_time(shift) }}: "Sat 28 Mar 2026, 09:00 GMT" in the zone of
    the shift, task, programme or organisation given."""
    return localtime.format_instant(instant, _zone_of(owner)) if instant else ""


@bp.app_template_filter("local")
def _local(instant: datetime, owner: ZoneOwner) -> datetime:
    """{{ shift.starts_at|local(shift) }}: the instant as an aware local datetime (its
    .tzname() is the abbreviation)."""
    return localtime.to_local(instant, _zone_of(owner))


@bp.app_template_filter("shift_time")
def _shift_time(shift: Shift, year: bool = True) -> str:
    """{{ shift|shift_time }}: "Sat 28 Mar 2026, 09:00-12:00 GMT" in its programme zone."""
    return localtime.describe_shift(shift, year=year)


@bp.app_template_filter("time_zone")
def _time_zone(owner: ZoneOwner) -> str:
    """{{ programme|time_zone }}: the IANA name of its zone, like Europe/London."""
    return str(_zone_of(owner).key)


@bp.app_context_processor
def _template_helpers() -> dict[str, object]:
    def programme_tasks(programme: Programme) -> list[Task]:
        """The programme's tasks the current person may see (for the programme page)."""
        return tasks.list_programme_tasks(db.session(), _actor(), programme)

    return {
        "programme_tasks": programme_tasks,
        "task_status_label": task_status_label,
    }
