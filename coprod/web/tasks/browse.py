"""The task list, a task's page, and an ongoing task's contact list ("I'm interested")."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from coprod.cache import shared_for_visitors
from coprod.db import db, utcnow
from coprod.i18n import _
from coprod.services import shifts, signups, tasks
from coprod.services.engagement.proposals import task_proposal
from coprod.services.pagination import clamp
from coprod.web.helpers import commit, page_args, public, run_service, window_args
from coprod.web.tasks import bp
from coprod.web.tasks._common import STATUS_BUTTONS, _actor
from coprod.web.tasks.forms import FilterForm


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
