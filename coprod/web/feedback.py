"""Volunteers' feedback on a task: the "How was it?" form and "What volunteers said" on the task
page (templates/feedback/_panel.html), the list of every item for the task's organisers, and the
"Rate this task" links on My schedule (coprod/services/engagement/feedback/ has the rules)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice

from coprod import policy
from coprod.db import db, utcnow
from coprod.errors import Invalid, TooMany
from coprod.i18n import _, _l
from coprod.models import ContributionLog, Feedback, Signup, SignupStatus, Task
from coprod.services import tasks
from coprod.services.engagement import feedback
from coprod.services.keyset import Window
from coprod.web.helpers import commit, public, viewer, window_args

bp = Blueprint("feedback", __name__)

# How many public comments the task page shows before "Read all … comments".
SHOWN_ON_TASK_PAGE = 3
# The words beside each rating in the form.
RATING_WORDS = {
    1: _l("Poor"),
    2: _l("Fair"),
    3: _l("Good"),
    4: _l("Very good"),
    5: _l("Excellent"),
}


class FeedbackForm(FlaskForm):
    rating = RadioField(
        _l("How would you rate it?"),
        choices=[SelectChoice(str(n), str(n)) for n in RATING_WORDS],
        validate_choice=False,
    )
    comment = TextAreaField(_l("Comment (optional)"))
    public = BooleanField(_l("Show my comment publicly, without my name"))


@dataclass(frozen=True)
class Panel:
    """What the task page shows of the task's feedback to this reader."""

    summary: feedback.Summary
    comments: list[feedback.PublicComment]
    mine: Feedback | None
    can_give: bool
    organiser: bool
    form: FeedbackForm | None


@bp.app_template_global("feedback_panel")
def feedback_panel(task: Task) -> Panel:
    """The feedback part of a task page: one statement for a visitor (two with comments), one
    or two more for someone signed in."""
    session, actor = db.session(), viewer()
    summary = feedback.feedback_summary(session, task)
    comments: list[feedback.PublicComment] = []
    if summary.comments:
        found = feedback.public_feedback(session, actor, task, per_page=SHOWN_ON_TASK_PAGE)
        comments = found.items
    mine = feedback.my_feedback(session, actor, task)
    can_give = (
        mine is None
        and policy.can(actor, "feedback.give", task)
        and feedback.eligibility(session, actor, task).eligible
    )
    return Panel(
        summary=summary,
        comments=comments,
        mine=mine,
        can_give=can_give,
        organiser=policy.can(actor, "task.view_feedback", task),
        form=FeedbackForm(formdata=None) if can_give else None,
    )


@bp.app_template_global("tasks_to_rate")
def tasks_to_rate(rows: Iterable[Signup | ContributionLog]) -> set[int]:
    """Of the tasks on a list of the person's sign-ups (attended) or logs (not withdrawn or
    rejected), those they have not rated yet: one statement, only when there is one."""
    worked = [
        row.shift.task_id if isinstance(row, Signup) else row.task_id
        for row in rows
        if (isinstance(row, Signup) and row.status == SignupStatus.ATTENDED)
        or (isinstance(row, ContributionLog) and row.status not in feedback.NOT_WORKED)
    ]
    if not worked:
        return set()
    rated = feedback.rated_tasks(db.session(), viewer(), worked)
    return set(worked) - rated


@bp.app_template_global("rating_word")
def rating_word(rating: int) -> str:
    word = RATING_WORDS.get(rating)
    return str(word) if word is not None else str(rating)


@bp.route("/tasks/<int:task_id>/feedback", methods=["POST"])
def give(task_id: int) -> ResponseReturnValue:
    """Rate a task (and comment on it) after attending one of its shifts or logging hours."""
    session, actor = db.session(), viewer()
    task = tasks.get_task(session, actor, task_id)
    form = FeedbackForm()
    status = 200
    if form.validate_on_submit():
        try:
            item = feedback.give_feedback(
                session,
                actor,
                task,
                rating=form.rating.data,
                comment=form.comment.data,
                public=bool(form.public.data),
                now=utcnow(),
            )
        except Invalid as err:
            db.session.rollback()
            for field, messages in err.errors.items():
                target = getattr(form, field, None)
                if target is not None and hasattr(target, "errors"):
                    target.errors = [*list(target.errors or []), *messages]
                else:
                    form.form_errors.extend(messages)
            status = 422
        except TooMany as err:  # keep what they typed: they may remove the comment and send
            db.session.rollback()
            form.form_errors.append(err.message)
            status = 429
        else:
            commit()
            if item.public:
                flash(
                    _("Thank you for your feedback. Your comment is shown without your name."),
                    "success",
                )
            else:
                flash(
                    _("Thank you for your feedback: the task's organisers will read it."), "success"
                )
            return redirect(url_for("tasks.show", task_id=task.id) + "#feedback", code=303)
    else:
        status = 422
    return render_template("feedback/form.html", task=task, form=form), status


@bp.route("/tasks/<int:task_id>/feedback")
@public
def index(task_id: int) -> ResponseReturnValue:
    """A task's feedback: every item with its author for the task's organisers; the public
    comments, without names, for everyone else."""
    session, actor = db.session(), viewer()
    task = tasks.get_task(session, actor, task_id)
    summary = feedback.feedback_summary(session, task)
    organiser = policy.can(actor, "task.view_feedback", task)
    items: Window[Feedback] | Window[feedback.PublicComment]
    if organiser:
        items = feedback.task_feedback(session, actor, task, **window_args())
    else:
        items = feedback.public_feedback(session, actor, task, **window_args())
    return render_template(
        "feedback/index.html",
        task=task,
        summary=summary,
        items=items,
        organiser=organiser,
        author_name=feedback.author_name,
    )
