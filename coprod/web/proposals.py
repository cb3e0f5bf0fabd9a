"""Proposals: a programme's list of residents' ideas, the form to propose one, a proposal's page
with its supports and the agency's answer, and the author's own list (/my/proposals)."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from werkzeug.exceptions import HTTPException
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from coprod.db import db, utcnow
from coprod.errors import Invalid
from coprod.i18n import _, _l
from coprod.models import Proposal, User
from coprod.services import programmes
from coprod.services.engagement import STATUS_LABELS, proposals, status_label
from coprod.web.forms import ButtonForm, SelectField
from coprod.web.helpers import commit, form_status, public, run_service, viewer, window_args

bp = Blueprint("proposals", __name__)

SORT_LABELS = {"supported": _l("Most supported"), "newest": _l("Newest")}


@bp.app_context_processor
def _helpers() -> dict[str, object]:
    """A proposal's status and author in words, for every template."""
    return {"proposal_status": status_label, "proposal_author": proposals.author_label}


class ProposalSearch(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("Search proposals"))
    sort = SelectField(_l("Sort by"), validate_choice=False)
    status = SelectField(_l("Status"), validate_choice=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.sort.choices = [SelectChoice(k, str(v)) for k, v in SORT_LABELS.items()]
        self.status.choices = [SelectChoice("", _("Any status"))] + [
            SelectChoice(s.value, str(label)) for s, label in STATUS_LABELS.items()
        ]


class ProposalForm(FlaskForm):
    title = StringField(_l("Title"))
    what = TextAreaField(_l("What should be done, and where"))
    location = StringField(_l("Place"))
    why = TextAreaField(_l("Why it matters"))
    contribution = TextAreaField(_l("What you could do yourself"))
    anonymous = BooleanField(_l("Show me as “a resident” instead of my name"))


class AnswerForm(FlaskForm):
    status = SelectField(_l("Answer"), validate_choice=False)
    answer = TextAreaField(_l("Public answer"))
    add_coordinator = BooleanField(_l("Add the proposer as a co-coordinator of the task"))

    def __init__(self, proposal: Proposal, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        allowed = proposals.ANSWERS.get(proposal.status, ())
        self.status.choices = [SelectChoice(s.value, status_label(s)) for s in allowed]


def _me() -> User:
    actor = viewer()
    assert actor is not None  # the login gate
    return actor


def _proposal(proposal_id: int) -> Proposal:
    return proposals.get_proposal(db.session(), viewer(), proposal_id)


def _to_show(proposal: Proposal) -> ResponseReturnValue:
    return redirect(url_for("proposals.show", proposal_id=proposal.id), code=303)


@bp.route("/programmes/<int:programme_id>/proposals")
@public
def index(programme_id: int) -> ResponseReturnValue:
    session, actor = db.session(), viewer()
    programme = programmes.get_programme(session, actor, programme_id)
    form = ProposalSearch(request.args)
    result = None
    try:
        result = proposals.list_proposals(
            session,
            actor,
            programme,
            q=form.q.data,
            sort=form.sort.data or "supported",
            status=form.status.data or None,
            **window_args(),
        )
    except Invalid as err:
        for field, messages in err.errors.items():
            target = getattr(form, field, None)
            if target is not None:
                target.errors = list(messages)
            else:
                form.form_errors.extend(messages)
    filtered = any(request.args.get(k) for k in ("q", "status"))
    supported = proposals.supported_ids(
        session, actor, [p.id for p in result.items] if result else []
    )
    return render_template(
        "proposals/index.html",
        programme=programme,
        form=form,
        page=result,
        filtered=filtered,
        supported=supported,
    ), 200 if result is not None else 422


@bp.route("/programmes/<int:programme_id>/proposals/new", methods=["GET", "POST"])
def new(programme_id: int) -> ResponseReturnValue:
    session, actor = db.session(), _me()
    programme = programmes.get_programme(session, actor, programme_id)
    form = ProposalForm()
    if form.validate_on_submit():
        created = run_service(
            form,
            lambda: proposals.create_proposal(
                session,
                actor,
                programme,
                title=form.title.data or "",
                what=form.what.data or "",
                location=form.location.data or "",
                why=form.why.data or "",
                contribution=form.contribution.data or "",
                anonymous=bool(form.anonymous.data),
                now=utcnow(),
                per_day=current_app.config["PROPOSALS_PER_DAY"],
            ),
        )
        if created is not None:
            flash(_("Thank you: your proposal is published. Others can now support it."), "success")
            return _to_show(created)
    elif not form.is_submitted() and not programme.accepts_proposals:
        flash(str(proposals.NOT_ACCEPTING), "error")
        return redirect(url_for("proposals.index", programme_id=programme.id), code=303)
    return render_template("proposals/new.html", form=form, programme=programme), form_status(form)


def _routed(path: str, method: str) -> str | None:
    """The path when a route answers it (flagging and hiding belong to the moderation views,
    which may not be installed)."""
    try:
        current_app.url_map.bind("").match(path, method=method)
    except HTTPException:
        return None
    return path


def _show(proposal: Proposal, answer_form: AnswerForm | None = None) -> str:
    session, actor = db.session(), viewer()
    return render_template(
        "proposals/show.html",
        proposal=proposal,
        supporting=proposals.is_supporting(session, actor, proposal),
        answer_form=answer_form or AnswerForm(proposal),
        button=ButtonForm(),
        flag_url=_routed(f"/proposals/{proposal.id}/flag", "POST"),
        hide_url=_routed(f"/proposals/{proposal.id}/hide", "GET"),
    )


@bp.route("/proposals/<int:proposal_id>")
@public
def show(proposal_id: int) -> ResponseReturnValue:
    return _show(_proposal(proposal_id))


@bp.route("/proposals/<int:proposal_id>/support", methods=["POST"])
def support(proposal_id: int) -> ResponseReturnValue:
    proposal = _proposal(proposal_id)
    if ButtonForm().validate_on_submit():
        proposals.support(db.session(), _me(), proposal, now=utcnow())
        commit()
        flash(_("You support this proposal."), "success")
    return _to_show(proposal)


@bp.route("/proposals/<int:proposal_id>/support/withdraw", methods=["POST"])
def withdraw(proposal_id: int) -> ResponseReturnValue:
    proposal = _proposal(proposal_id)
    if ButtonForm().validate_on_submit():
        proposals.withdraw_support(db.session(), _me(), proposal, now=utcnow())
        commit()
        flash(_("You no longer support this proposal."), "success")
    return _to_show(proposal)


@bp.route("/proposals/<int:proposal_id>/answer", methods=["POST"])
def answer(proposal_id: int) -> ResponseReturnValue:
    session, actor = db.session(), _me()
    proposal = _proposal(proposal_id)
    form = AnswerForm(proposal)
    if form.validate_on_submit():
        done = run_service(
            form,
            lambda: proposals.answer(
                session,
                actor,
                proposal,
                status=form.status.data,
                answer=form.answer.data,
                add_coordinator=bool(form.add_coordinator.data),
                now=utcnow(),
            ),
        )
        if done is not None:
            flash(
                _("Your answer is published: %(status)s.", status=status_label(done.status)),
                "success",
            )
            return _to_show(done)
        proposal = _proposal(proposal_id)
    return _show(proposal, form), 422


@bp.route("/my/proposals")
def mine() -> ResponseReturnValue:
    page = proposals.list_my_proposals(db.session(), _me(), **window_args())
    return render_template("proposals/mine.html", page=page)


__all__ = ["bp"]
