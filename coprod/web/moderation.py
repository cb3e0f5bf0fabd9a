"""Moderation pages: "Report this" on proposals and public comments, the lead staff's hide
step (with the reason its author reads), restore and dismiss, and the programme's queue."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from wtforms import HiddenField, TextAreaField

from coprod.db import db, utcnow
from coprod.i18n import _, _l, ngettext
from coprod.models import Feedback, Proposal, User
from coprod.services import programmes
from coprod.services.engagement import moderation
from coprod.web.forms import ButtonForm
from coprod.web.helpers import commit, form_status, run_service, safe_next, viewer, window_args

bp = Blueprint("moderation", __name__)

Item = Proposal | Feedback


class FlagForm(FlaskForm):
    reason = TextAreaField(_l("What is wrong with it?"))


class HideForm(FlaskForm):
    reason = TextAreaField(_l("Reason for hiding it"))
    next = HiddenField()


class BackForm(FlaskForm):
    next = HiddenField()


def _me() -> User:
    actor = viewer()
    assert actor is not None  # the login gate lets only signed-in people here
    return actor


def item_url(item: Item) -> str:
    """The public page the item is shown on: the proposal's, or the comment's task page."""
    if isinstance(item, Proposal):
        return f"/proposals/{item.id}"
    return url_for("tasks.show", task_id=item.task_id)


def queue_url(item: Item, show: str = "open") -> str:
    return url_for("moderation.queue", programme_id=item.programme_id, show=show)


def _load(kind: str, item_id: int) -> Item:
    session = db.session()
    if kind == "proposal":
        return moderation.get_proposal(session, viewer(), item_id)
    return moderation.get_feedback(session, viewer(), item_id)


@bp.app_context_processor
def _helpers() -> dict[str, object]:
    return {"moderation_item_url": item_url}


# --- "Report this" ------------------------------------------------------------------------


def _flag(kind: str, item_id: int) -> ResponseReturnValue:
    item = _load(kind, item_id)
    form = FlagForm()
    session, now = db.session(), utcnow()
    if isinstance(item, Proposal):
        result = moderation.flag_proposal(session, _me(), item, reason=form.reason.data, now=now)
    else:
        result = moderation.flag_feedback(session, _me(), item, reason=form.reason.data, now=now)
    commit()
    if result.created:
        flash(_("Thank you: the organisers will look at it."), "success")
    else:
        flash(_("You have already reported this: the organisers will look at it."), "info")
    return redirect(item_url(item), code=303)


@bp.route("/proposals/<int:proposal_id>/flag", methods=["POST"])
def flag_proposal(proposal_id: int) -> ResponseReturnValue:
    return _flag("proposal", proposal_id)


@bp.route("/feedback/<int:feedback_id>/flag", methods=["POST"])
def flag_feedback(feedback_id: int) -> ResponseReturnValue:
    return _flag("feedback", feedback_id)


# --- hide, restore, dismiss ---------------------------------------------------------------


def _hide(kind: str, item_id: int) -> ResponseReturnValue:
    item = _load(kind, item_id)
    session, actor = db.session(), _me()
    # Asked first, so someone who may not hide it gets a 403 page, not a form.
    flags = moderation.open_flags_of(session, actor, item)
    form = HideForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        done = run_service(form, lambda: _hide_item(item, form.reason.data))
        if done is not None:
            flash(_("It is hidden. Its author sees your reason."), "success")
            return redirect(safe_next(form.next.data, queue_url(item, "hidden")), code=303)
    return render_template(
        "moderation/hide.html",
        item=item,
        kind=kind,
        form=form,
        back=safe_next(form.next.data, queue_url(item)),
        flags=flags,
        restore=BackForm(next=form.next.data),
    ), form_status(form)


def _hide_item(item: Item, reason: str | None) -> Item:
    session, actor, now = db.session(), _me(), utcnow()
    if isinstance(item, Proposal):
        return moderation.hide_proposal(session, actor, item, reason=reason, now=now)
    return moderation.hide_feedback(session, actor, item, reason=reason, now=now)


@bp.route("/proposals/<int:proposal_id>/hide", methods=["GET", "POST"])
def hide_proposal(proposal_id: int) -> ResponseReturnValue:
    return _hide("proposal", proposal_id)


@bp.route("/feedback/<int:feedback_id>/hide", methods=["GET", "POST"])
def hide_feedback(feedback_id: int) -> ResponseReturnValue:
    return _hide("feedback", feedback_id)


def _restore(kind: str, item_id: int) -> ResponseReturnValue:
    item = _load(kind, item_id)
    form = BackForm()
    if form.validate_on_submit():
        session, actor, now = db.session(), _me(), utcnow()
        if isinstance(item, Proposal):
            moderation.restore_proposal(session, actor, item, now=now)
        else:
            moderation.restore_feedback(session, actor, item, now=now)
        commit()
        flash(_("It is shown again."), "success")
    return redirect(safe_next(form.next.data, queue_url(item, "hidden")), code=303)


@bp.route("/proposals/<int:proposal_id>/restore", methods=["POST"])
def restore_proposal(proposal_id: int) -> ResponseReturnValue:
    return _restore("proposal", proposal_id)


@bp.route("/feedback/<int:feedback_id>/restore", methods=["POST"])
def restore_feedback(feedback_id: int) -> ResponseReturnValue:
    return _restore("feedback", feedback_id)


def _dismiss(kind: str, item_id: int) -> ResponseReturnValue:
    item = _load(kind, item_id)
    form = BackForm()
    if form.validate_on_submit():
        dismissed = moderation.dismiss_flags(db.session(), _me(), item, utcnow())
        commit()
        if dismissed:
            flash(
                ngettext(
                    "%(num)d report dismissed: it stays shown.",
                    "%(num)d reports dismissed: it stays shown.",
                    dismissed,
                ),
                "success",
            )
        else:
            flash(_("There were no open reports left on it."), "info")
    return redirect(safe_next(form.next.data, queue_url(item)), code=303)


@bp.route("/proposals/<int:proposal_id>/dismiss-flags", methods=["POST"])
def dismiss_proposal_flags(proposal_id: int) -> ResponseReturnValue:
    return _dismiss("proposal", proposal_id)


@bp.route("/feedback/<int:feedback_id>/dismiss-flags", methods=["POST"])
def dismiss_feedback_flags(feedback_id: int) -> ResponseReturnValue:
    return _dismiss("feedback", feedback_id)


# --- the queue ----------------------------------------------------------------------------


@bp.route("/programmes/<int:programme_id>/moderation")
def queue(programme_id: int) -> ResponseReturnValue:
    """The lead staff's moderation queue: reported items, or hidden ones."""
    session, actor = db.session(), _me()
    programme = programmes.get_programme(session, actor, programme_id)
    show = request.args.get("show") or "open"
    page = moderation.moderation_queue(session, actor, programme, show=show, **window_args())
    return render_template(
        "moderation/queue.html",
        programme=programme,
        page=page,
        show=show,
        buttons=ButtonForm(),
        here=request.full_path.rstrip("?"),
    )
