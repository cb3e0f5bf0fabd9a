"""The partnership agreement's pages: the version in force with every partner's answer, the
answer form for partner admins and the publish form for lead staff, the history of versions
and one version."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from coprod import policy
from coprod.db import db, utcnow
from coprod.i18n import _, _l
from coprod.models import Agreement, DecisionRule, Programme, User
from coprod.services import programmes
from coprod.services.governance import agreement_reads as reads
from coprod.services.governance import agreements
from coprod.services.governance.terms import current_terms, describe_figure, figures_by_partner
from coprod.services.localtime import local_today
from coprod.web.forms import SelectField
from coprod.web.helpers import form_status, page_args, run_service, viewer

bp = Blueprint("agreements", __name__, url_prefix="/programmes/<int:programme_id>/agreement")


@bp.app_context_processor
def _helpers() -> dict[str, object]:
    """The agreement's words for every template, and the programme page's partner standings
    (None for people outside the partnership)."""

    def agreement_standings(programme: Programme) -> dict[str, object] | None:
        if not policy.can(viewer(), "programme.view_reports", programme):
            return None
        session = db.session()
        newest = reads.newest(session, viewer(), programme)
        return {"newest": newest, "by_org": reads.standings(session, programme, newest)}

    return {
        "agreement_standings": agreement_standings,
        "agreement_answer": reads.answer_of,
        "partner_figures": lambda programme: figures_by_partner(db.session(), programme),
        "figure_text": describe_figure,
        "rule_label": agreements.rule_label,
        "rule_explained": agreements.rule_explained,
    }


class AnswerForm(FlaskForm):
    organisation_id = SelectField(_l("Answer for"), validate_choice=False)
    answer = RadioField(
        _l("Your organisation's answer"),
        choices=[
            SelectChoice("accept", _l("We accept this version")),
            SelectChoice("object", _l("We object")),
        ],
        validate_choice=False,
    )
    comment = TextAreaField(_l("Comment"))


class PublishForm(FlaskForm):
    purpose = TextAreaField(_l("Purpose of the partnership"))
    decision_rule = RadioField(
        _l("How the partners decide"),
        choices=[SelectChoice(r.value, agreements.RULE_LABELS[r]) for r in DecisionRule],
        validate_choice=False,
    )
    review_on = StringField(_l("Review date"))


def _me() -> User:
    actor = viewer()
    assert actor is not None  # the login gate
    return actor


def _programme(programme_id: int) -> Programme:
    session, actor = db.session(), viewer()
    programme = programmes.get_programme(session, actor, programme_id)
    agreements.require_view(actor, programme)
    return programme


def _to_agreement(programme: Programme, anchor: str | None = None) -> ResponseReturnValue:
    url = url_for("agreements.show", programme_id=programme.id, _anchor=anchor)
    return redirect(url, code=303)


def _answer_form(newest: Agreement | None, form: AnswerForm | None = None) -> AnswerForm | None:
    if newest is None:
        return None
    orgs = reads.speakable(viewer(), newest)
    if not orgs:
        return None
    form = form or AnswerForm()
    form.organisation_id.choices = [SelectChoice(str(o.id), o.name) for o in orgs]
    if not form.is_submitted():
        org_id = orgs[0].id
        form.organisation_id.data = str(org_id)
        found = reads.answer_of(newest, org_id)
        if found is not None:
            form.answer.data = "accept" if found.accepted else "object"
            form.comment.data = found.comment
    return form


def _publish_form(
    programme: Programme, newest: Agreement | None, form: PublishForm | None = None
) -> PublishForm | None:
    if not policy.can(viewer(), "programme.manage", programme):
        return None
    if form is not None:
        return form
    form = PublishForm()
    if newest is not None:
        form.purpose.data = newest.purpose
        form.decision_rule.data = newest.decision_rule.value
        if newest.review_on and newest.review_on >= local_today(programme, utcnow()):
            form.review_on.data = newest.review_on.isoformat()
    else:
        form.decision_rule.data = DecisionRule.MAJORITY.value
    return form


def _show(
    programme: Programme,
    answer_form: AnswerForm | None = None,
    publish_form: PublishForm | None = None,
) -> str:
    session = db.session()
    newest = reads.newest(session, viewer(), programme)
    by_org = reads.standings(session, programme, newest)
    return render_template(
        "agreements/show.html",
        programme=programme,
        agreement=newest,
        by_org=by_org,
        answer_form=_answer_form(newest, answer_form),
        publish_form=_publish_form(programme, newest, publish_form),
        draft_terms=current_terms(programme),
    )


@bp.route("")
def show(programme_id: int) -> ResponseReturnValue:
    return _show(_programme(programme_id))


@bp.route("/answer", methods=["POST"])
def answer(programme_id: int) -> ResponseReturnValue:
    session, actor = db.session(), _me()
    programme = _programme(programme_id)
    newest = reads.newest(session, actor, programme)
    form = _answer_form(newest, AnswerForm())
    if newest is None or form is None:
        flash(_("You cannot answer this agreement for any organisation."), "error")
        return _to_agreement(programme)
    if form.validate_on_submit():
        org = next(
            (o for o in reads.speakable(actor, newest) if str(o.id) == form.organisation_id.data),
            None,
        )
        if org is None:
            form.organisation_id.errors = [_("Choose an organisation you answer for.")]
        elif form.answer.data not in ("accept", "object"):
            form.answer.errors = [_("Choose whether your organisation accepts or objects.")]
        else:
            accepted = form.answer.data == "accept"
            done = run_service(
                form,
                lambda: agreements.answer(
                    session, actor, newest, org, accepted=accepted,
                    comment=form.comment.data, now=utcnow(),
                ),
            )  # fmt: skip
            if done is not None:
                if accepted:
                    message = _("%(name)s accepts version %(version)s.", name=org.name,
                                version=newest.version)  # fmt: skip
                else:
                    message = _("%(name)s objects to version %(version)s.", name=org.name,
                                version=newest.version)  # fmt: skip
                flash(message, "success")
                return _to_agreement(programme, "answers")
    return _show(programme, answer_form=form), form_status(form)


@bp.route("/publish", methods=["POST"])
def publish(programme_id: int) -> ResponseReturnValue:
    session, actor = db.session(), _me()
    programme = _programme(programme_id)
    policy.require(actor, "programme.manage", programme)
    form = PublishForm()
    if form.validate_on_submit():
        done = run_service(
            form,
            lambda: agreements.publish(
                session, actor, programme, purpose=form.purpose.data,
                decision_rule=form.decision_rule.data, review_on=form.review_on.data,
                now=utcnow(),
            ),
        )  # fmt: skip
        if done is not None:
            flash(
                _("Version %(version)s is published. Each partner's admins are asked to answer.",
                  version=done.version),
                "success",
            )  # fmt: skip
            return _to_agreement(programme)
    return _show(programme, publish_form=form), form_status(form)


@bp.route("/versions")
def versions(programme_id: int) -> ResponseReturnValue:
    programme = _programme(programme_id)
    page_no, per_page = page_args()
    page = reads.list_versions(db.session(), viewer(), programme, page=page_no, per_page=per_page)
    return render_template("agreements/versions.html", programme=programme, page=page)


@bp.route("/versions/<int:version>")
def version(programme_id: int, version: int) -> ResponseReturnValue:
    session = db.session()
    programme = _programme(programme_id)
    found = reads.get_version(session, viewer(), programme, version)
    newest = reads.newest(session, viewer(), programme)
    return render_template(
        "agreements/version.html",
        programme=programme,
        agreement=found,
        is_newest=newest is not None and newest.id == found.id,
    )


__all__ = ["bp"]
