"""Shared decisions: a programme's decisions (open first), the form lead staff open one with, a
decision's page (options with counts, every organisation's vote and comment, who has not voted,
the rule, the closing time in the programme's zone, the result, and the vote form for the
admins of the voting organisations) and the page confirming an early close."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.fields import DateField, TimeField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from coprod import policy
from coprod.db import db, utcnow
from coprod.i18n import _, _l
from coprod.models import Decision, DecisionVote, Programme, User
from coprod.services import localtime, programmes
from coprod.services.bounds import as_id
from coprod.services.governance import decision_rule, decisions
from coprod.web.forms import ButtonForm, DayInRange, SelectField
from coprod.web.helpers import form_status, page_args, run_service, viewer

bp = Blueprint("decisions", __name__)

TIME_FORMATS = ["%H:%M", "%H:%M:%S"]


@bp.app_context_processor
def _helpers() -> dict[str, object]:
    """For every template: a rule and an outcome in words, and the open decisions count of a
    programme (the programme page's link)."""

    def open_decisions(programme: Programme) -> int:
        return decisions.count_open(db.session(), viewer(), programme)

    return {
        "decision_rule_label": decisions.rule_label,
        "decision_outcome_label": decisions.outcome_label,
        "open_decisions": open_decisions,
    }


class DecisionForm(FlaskForm):
    question = StringField(_l("Question"))
    details = TextAreaField(_l("Details"))
    options = TextAreaField(_l("Options, one a line"))
    closes_on = DateField(
        _l("Closing date"),
        validators=[InputRequired(_l("Enter the closing date.")), DayInRange()],
    )
    closes_at = TimeField(
        _l("Closing time"),
        format=TIME_FORMATS,
        validators=[InputRequired(_l("Enter the closing time."))],
    )


class VoteForm(FlaskForm):
    organisation_id = SelectField(_l("Vote for"), validate_choice=False)
    option_id = StringField(_l("Your organisation's vote"))
    comment = TextAreaField(_l("Comment"))


def _me() -> User:
    actor = viewer()
    assert actor is not None  # the login gate
    return actor


def _decision(decision_id: int) -> Decision:
    return decisions.get_decision(db.session(), viewer(), decision_id)


def _to_show(decision: Decision) -> ResponseReturnValue:
    return redirect(url_for("decisions.show", decision_id=decision.id), code=303)


@bp.route("/programmes/<int:programme_id>/decisions")
def index(programme_id: int) -> ResponseReturnValue:
    session, actor = db.session(), viewer()
    programme = programmes.get_programme(session, actor, programme_id)
    page_no, per_page = page_args()
    page = decisions.list_decisions(session, actor, programme, page=page_no, per_page=per_page)
    return render_template(
        "decisions/index.html",
        programme=programme,
        page=page,
        voted=decisions.vote_counts(session, [d.id for d in page.items]),
        entitled=len(decisions.voting_organisation_ids(session, programme)),
        now=utcnow(),
    )


@bp.route("/programmes/<int:programme_id>/decisions/new", methods=["GET", "POST"])
def new(programme_id: int) -> ResponseReturnValue:
    session, actor = db.session(), _me()
    programme = programmes.get_programme(session, actor, programme_id)
    decisions.require_partnership(actor, programme)
    policy.require(actor, "programme.manage", programme)
    form = DecisionForm()
    if form.validate_on_submit():
        assert form.closes_on.data is not None and form.closes_at.data is not None
        wall = datetime.combine(form.closes_on.data, form.closes_at.data)
        created = run_service(
            form,
            lambda: decisions.open_decision(
                session,
                actor,
                programme,
                question=form.question.data or "",
                details=form.details.data or "",
                options=(form.options.data or "").splitlines(),
                closes_at=wall,
                now=utcnow(),
            ),
        )
        if created is not None:
            flash(_("The decision is open. The partners' admins are emailed to vote."), "success")
            return _to_show(created)
    return render_template(
        "decisions/new.html",
        form=form,
        programme=programme,
        zone=localtime.programme_zone_name(programme),
        rule=decisions.rule_label(decision_rule(session, programme)),
    ), form_status(form)


def _show(decision: Decision, form: VoteForm | None = None) -> str:
    session, actor = db.session(), viewer()
    view = decisions.view_decision(session, actor, decision, now=utcnow())
    form = form or VoteForm()
    form.organisation_id.choices = [SelectChoice(str(o.id), o.name) for o in view.mine]
    if not form.is_submitted() and view.mine:
        mine = {b.organisation.id: b.vote for b in view.ballots}.get(view.mine[0].id)
        if mine is not None:
            form.option_id.data = str(mine.option_id)
            form.comment.data = mine.comment
    return render_template(
        "decisions/show.html",
        decision=decision,
        programme=decision.programme,
        view=view,
        form=form,
        summary=decisions.voted_summary(sum(1 for b in view.ballots if b.vote), len(view.ballots)),
    )


@bp.route("/decisions/<int:decision_id>")
def show(decision_id: int) -> ResponseReturnValue:
    return _show(_decision(decision_id))


@bp.route("/decisions/<int:decision_id>/vote", methods=["POST"])
def cast(decision_id: int) -> ResponseReturnValue:
    actor = _me()
    decision = _decision(decision_id)
    form = VoteForm()
    if form.validate_on_submit():
        option_id = as_id(form.option_id.data)
        org_id = as_id(form.organisation_id.data) if form.organisation_id.data else None
        done = run_service(
            form,
            lambda: _vote(decision, actor, org_id, option_id, form.comment.data or ""),
        )
        if done is not None:
            flash(_("The vote of %(org)s is recorded.", org=done.organisation.name), "success")
            return _to_show(decision)
        decision = _decision(decision_id)
    return _show(decision, form), 422


def _vote(
    decision: Decision, actor: User, org_id: int | None, option_id: int | None, comment: str
) -> DecisionVote:
    session = db.session()
    org = decisions.organisation_to_vote_for(session, actor, decision, org_id)
    return decisions.vote(
        session,
        actor,
        decision,
        org,
        option_id=option_id or 0,
        comment=comment,
        now=utcnow(),
    )


@bp.route("/decisions/<int:decision_id>/close", methods=["GET", "POST"])
def close(decision_id: int) -> ResponseReturnValue:
    session, actor = db.session(), _me()
    decision = _decision(decision_id)
    policy.require(actor, "programme.manage", decision.programme)
    form = ButtonForm()
    if form.validate_on_submit():
        closed = decisions.close_decision(session, decision, utcnow(), actor)
        session.commit()
        if closed:
            flash(
                _(
                    "The decision is closed: %(outcome)s.",
                    outcome=decisions.outcome_label(decision.outcome),
                ),
                "success",
            )
        else:
            flash(_("This decision was already closed."), "info")
        return _to_show(decision)
    return render_template(
        "decisions/close.html",
        decision=decision,
        programme=decision.programme,
        form=form,
        summary=decisions.voted_summary(
            len(decision.votes), len(decisions.voting_organisation_ids(session, decision.programme))
        ),
    )


__all__ = ["bp"]
