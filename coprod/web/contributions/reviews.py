"""One log's page and its review, the review queue, and approving many logs at once."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from wtforms.fields.choices import SelectChoice

from coprod import policy
from coprod.db import db, utcnow
from coprod.i18n import _, ngettext
from coprod.models import ContributionLog, LogStatus
from coprod.services import contributions, review
from coprod.services.bounds import as_id
from coprod.web.contributions import bp
from coprod.web.contributions._common import STATUS_LABELS, _actor, _int_or_none
from coprod.web.contributions.forms import QueueFilter, ReviewForm
from coprod.web.forms import ButtonForm
from coprod.web.helpers import commit, form_status, run_service, safe_next

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
