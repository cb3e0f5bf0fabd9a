"""Matching people and work (issue #17): the tasks that fit me, the candidates a coordinator
may invite to an understaffed shift, and the invited person's one-click "Take this place"."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from coprod.db import db, utcnow
from coprod.errors import Conflict
from coprod.i18n import _
from coprod.models import Shift, SignupStatus, User
from coprod.services import bounds, signups
from coprod.services.capacity import candidates, matching
from coprod.web.forms import ButtonForm
from coprod.web.helpers import commit, page_args, window_args

bp = Blueprint("matching", __name__)


def _actor() -> User:
    user: User = current_user._get_current_object()
    return user


def _shift(shift_id: int) -> Shift:
    return signups.get_shift(db.session(), _actor(), shift_id)


def render_fit_list() -> ResponseReturnValue:
    """The task list's "Tasks that fit me" filter (tasks.index with fit=me, signed in)."""
    window = matching.list_suggestions(db.session(), _actor(), now=utcnow(), **window_args())
    return render_template("matching/fit.html", window=window)


@bp.route("/shifts/<int:shift_id>/candidates")
def candidates_page(shift_id: int) -> ResponseReturnValue:
    session, actor, now = db.session(), _actor(), utcnow()
    shift = _shift(shift_id)
    page_no, per_page = page_args()
    page = candidates.list_candidates(session, actor, shift, page=page_no, per_page=per_page)
    closed = None
    try:
        candidates.refuse_closed(shift, now)
    except Conflict as err:  # why nobody can be invited now
        closed = err.message
    return render_template(
        "matching/candidates.html", shift=shift, page=page, closed=closed, button=ButtonForm()
    )


@bp.route("/shifts/<int:shift_id>/invitations", methods=["POST"])
def invite(shift_id: int) -> ResponseReturnValue:
    session, actor = db.session(), _actor()
    shift = _shift(shift_id)
    person_id = bounds.as_id(request.form.get("user_id", ""))
    if person_id is None:
        flash(_("Choose a person to invite from the list."), "error")
        return redirect(url_for("matching.candidates_page", shift_id=shift.id), code=303)
    invitation = candidates.invite(session, actor, shift, person_id, now=utcnow())
    name = invitation.person.display_name
    commit()
    flash(_("%(name)s is invited: we emailed them a link to take the place.", name=name), "success")
    page_no = bounds.as_id(request.form.get("page"))
    back = url_for("matching.candidates_page", shift_id=shift.id, page=page_no)
    return redirect(back, code=303)


@bp.route("/shifts/<int:shift_id>/invitation")
def invitation(shift_id: int) -> ResponseReturnValue:
    session, actor = db.session(), _actor()
    shift = _shift(shift_id)
    found = candidates.get_invitation(session, actor, shift)
    mine = signups.get_my_signups(session, actor, [shift.id]).get(shift.id)
    return render_template(
        "matching/invitation.html",
        shift=shift,
        invitation=found,
        mine=mine,
        started=utcnow() >= shift.starts_at,
        button=ButtonForm(),
    )


@bp.route("/shifts/<int:shift_id>/invitation", methods=["POST"])
def accept(shift_id: int) -> ResponseReturnValue:
    session, actor = db.session(), _actor()
    shift = _shift(shift_id)
    signup = candidates.accept(session, actor, shift, now=utcnow())
    commit()
    when = signups.describe_time(shift)
    if signup.status == SignupStatus.CONFIRMED:
        flash(
            _("You are signed up for “%(task)s” on %(when)s.", task=shift.task.title, when=when),
            "success",
        )
    else:
        flash(
            _(
                "The last place was taken just before you, so you are on the waiting list for "
                "“%(task)s” on %(when)s. If a place frees up, it is yours.",
                task=shift.task.title,
                when=when,
            ),
            "info",
        )
    return redirect(url_for("tasks.show", task_id=shift.task_id) + "#shifts", code=303)
