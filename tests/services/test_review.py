from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from coprod.errors import Conflict, Invalid, NotAllowed, NotFound
from coprod.models import AuditEntry, LogStatus, OrgKind, Role
from coprod.services import contributions, review
from tests.factories import (
    make_log,
    make_member,
    make_org,
    make_programme,
    make_task,
    make_user,
)


@pytest.fixture
def world(session):
    agency = make_org(session, OrgKind.AGENCY)
    programme = make_programme(session, agency)
    task = make_task(session, programme)
    reviewer = make_member(session, agency, Role.REVIEWER, display_name="Rita Reviewer")
    return {"agency": agency, "programme": programme, "task": task, "reviewer": reviewer}


def audit_of(session, log, action):
    return session.scalar(
        select(AuditEntry).where(AuditEntry.object_id == log.id, AuditEntry.action == action)
    )


def test_a_reviewer_of_the_lead_agency_approves_a_submitted_log(session, world, now):
    log = make_log(session, task=world["task"])
    review.approve(session, world["reviewer"], log, now)
    session.refresh(log)
    assert log.status == LogStatus.APPROVED
    assert (log.reviewed_by_id, log.reviewed_at) == (world["reviewer"].id, now)
    assert log.counted_changed_at == now
    entry = audit_of(session, log, "log.approved")
    assert entry.actor_id == world["reviewer"].id and entry.created_at == now
    assert entry.before["status"] == "submitted" and entry.after["status"] == "approved"


def test_rejecting_needs_a_reason(session, world, now):
    log = make_log(session, task=world["task"])
    with pytest.raises(Invalid) as exc:
        review.reject(session, world["reviewer"], log, "   ", now)
    assert list(exc.value.errors) == ["comment"]
    review.reject(session, world["reviewer"], log, "Not this programme", now)
    session.refresh(log)
    assert (log.status, log.review_comment) == (LogStatus.REJECTED, "Not this programme")
    assert log.counted_changed_at is None
    assert audit_of(session, log, "log.rejected") is not None


def test_asking_for_changes_needs_a_comment(session, world, now):
    log = make_log(session, task=world["task"])
    with pytest.raises(Invalid) as exc:
        review.request_changes(session, world["reviewer"], log, "", now)
    assert list(exc.value.errors) == ["comment"]
    review.request_changes(session, world["reviewer"], log, "Which day?", now)
    session.refresh(log)
    assert log.status == LogStatus.CHANGES_REQUESTED
    assert audit_of(session, log, "log.changes_requested").after["review_comment"] == "Which day?"


def test_a_reviewer_cannot_review_their_own_log_but_another_reviewer_can(session, world, now):
    own = make_log(session, user=world["reviewer"], task=world["task"])
    with pytest.raises(NotAllowed):
        review.approve(session, world["reviewer"], own, now)
    colleague = make_member(session, world["agency"], Role.REVIEWER)
    review.approve(session, colleague, own, now)
    assert own.status == LogStatus.APPROVED


def test_a_reviewer_of_another_agency_gets_not_found(session, world, now):
    log = make_log(session, task=world["task"])
    stranger = make_member(session, make_org(session, OrgKind.AGENCY), Role.REVIEWER)
    with pytest.raises(NotFound):
        review.approve(session, stranger, log, now)


def test_staff_without_the_reviewer_role_cannot_review(session, world, now):
    log = make_log(session, task=world["task"])
    staff = make_member(session, world["agency"], Role.STAFF)
    with pytest.raises(NotFound):
        review.approve(session, staff, log, now)


@pytest.mark.parametrize(
    "status",
    [LogStatus.APPROVED, LogStatus.REJECTED, LogStatus.CHANGES_REQUESTED, LogStatus.SUPERSEDED],
)
@pytest.mark.parametrize("decision", ["approve", "reject", "request_changes"])
def test_reviewing_a_log_that_is_not_submitted_is_a_conflict(session, world, now, status, decision):
    log = make_log(session, task=world["task"], status=status)
    with pytest.raises(Conflict):
        review.review(session, world["reviewer"], log, decision, "because", now=now)
    session.refresh(log)
    assert log.status == status


def test_an_approved_correction_supersedes_the_original(session, world, now):
    me = make_user(session)
    earlier = now - timedelta(days=3)
    original = make_log(
        session, user=me, task=world["task"], status=LogStatus.APPROVED, counted_changed_at=earlier
    )
    fix = contributions.correct_log(
        session, me, original, on=now.date(), hours=Decimal("3"), now=now
    )
    review.approve(session, world["reviewer"], fix, now)
    session.refresh(original)
    session.refresh(fix)
    assert fix.status == LogStatus.APPROVED and fix.counted_changed_at == now
    assert original.status == LogStatus.SUPERSEDED and original.counted_changed_at == now
    entry = audit_of(session, original, "log.superseded")
    assert entry.before["status"] == "approved" and entry.after["status"] == "superseded"


def test_a_rejected_correction_leaves_the_original_approved(session, world, now):
    me = make_user(session)
    original = make_log(session, user=me, task=world["task"], status=LogStatus.APPROVED)
    fix = contributions.correct_log(
        session, me, original, on=now.date(), hours=Decimal("3"), now=now
    )
    review.reject(session, world["reviewer"], fix, "The first one was right", now)
    session.refresh(original)
    assert original.status == LogStatus.APPROVED


def test_bulk_approve_approves_what_it_can_and_says_why_not_for_the_rest(session, world, now):
    ok1 = make_log(session, task=world["task"])
    ok2 = make_log(session, task=world["task"])
    done = make_log(session, task=world["task"], status=LogStatus.APPROVED)
    own = make_log(session, user=world["reviewer"], task=world["task"])
    foreign = make_log(session)  # another agency's programme
    ids = [ok1.id, done.id, own.id, foreign.id, 999999, ok2.id]
    result = review.bulk_approve(session, world["reviewer"], ids, now)
    assert result.approved == [ok1.id, ok2.id]
    reasons = dict(result.refused)
    assert set(reasons) == {done.id, own.id, foreign.id, 999999}
    assert "already approved" in reasons[done.id]
    assert reasons[own.id] == "your own log"
    assert "not one you review" in reasons[foreign.id]
    for log in (ok1, ok2):
        session.refresh(log)
        assert log.status == LogStatus.APPROVED and log.counted_changed_at == now
    session.refresh(own)
    session.refresh(foreign)
    assert own.status == foreign.status == LogStatus.SUBMITTED


def test_bulk_approve_needs_at_least_one_log(session, world, now):
    with pytest.raises(Invalid):
        review.bulk_approve(session, world["reviewer"], [], now)


# --- the queue --------------------------------------------------------------------------------


def test_the_queue_holds_submitted_logs_of_programmes_the_reviewer_reviews(session, world, now):
    mine = make_log(session, task=world["task"])
    make_log(session, task=world["task"], status=LogStatus.APPROVED)
    make_log(session)  # another agency
    page = review.review_queue(session, world["reviewer"])
    assert [log.id for log in page.items] == [mine.id]
    assert review.review_queue(session, world["reviewer"], status=None).count.n == 2


def test_the_queue_leaves_out_the_reviewers_own_logs_which_they_may_not_review(session, world, now):
    reviewer = world["reviewer"]
    theirs = make_log(session, task=world["task"])
    make_log(session, user=reviewer, task=world["task"])  # their own hours
    make_log(session, user=make_user(session), created_by_id=reviewer.id, task=world["task"])
    assert [log.id for log in review.review_queue(session, reviewer).items] == [theirs.id]


def test_the_queue_filters_by_programme_task_and_contributor(session, world, now):
    other_task = make_task(session, world["programme"])
    ana = make_user(session, display_name="Ana Lima", email="ana@example.org")
    a = make_log(session, user=ana, task=world["task"])
    b = make_log(session, task=other_task)
    reviewer = world["reviewer"]
    assert [x.id for x in review.review_queue(session, reviewer, task_id=other_task.id).items] == [
        b.id
    ]
    assert [x.id for x in review.review_queue(session, reviewer, contributor="LIMA").items] == [
        a.id
    ]
    assert [x.id for x in review.review_queue(session, reviewer, contributor="ana@ex").items] == [
        a.id
    ]
    assert review.review_queue(session, reviewer, contributor="%").count.n == 0
    other = make_programme(session, world["agency"])
    assert review.review_queue(session, reviewer, programme_id=other.id).count.n == 0


def test_the_queue_is_only_for_reviewers(session, world, now):
    with pytest.raises(NotAllowed):
        review.review_queue(session, make_member(session, world["agency"], Role.STAFF))


def test_the_queue_takes_a_constant_number_of_queries(session, world, now, count_queries):
    def run(n: int) -> int:
        for _ in range(n):
            make_log(session, task=make_task(session, world["programme"]))
        session.expire_all()
        before = count_queries.count
        page = review.review_queue(session, world["reviewer"], per_page=100)
        for log in page.items:
            _ = (log.task.title, log.task.programme.name, log.contributor, log.organisation)
        return count_queries.count - before

    assert run(2) == run(8)


# --- the queue by keyset windows --------------------------------------------------------------


def _walk(session, reviewer, **filters):
    """Every log of the queue, window by window (3 a window) following `next`, and the windows'
    sizes."""
    seen, sizes, after = [], [], None
    while True:
        queue = review.review_queue(session, reviewer, after=after, per_page=3, **filters)
        seen += [log.id for log in queue.items]
        sizes.append(len(queue.items))
        if not queue.window.has_next:
            return seen, sizes
        after = queue.window.next


def test_the_queue_walked_by_next_shows_every_log_once_oldest_submission_first(session, world, now):
    at = now - timedelta(days=3)
    # Two logs submitted at the same moment: the id orders them, and neither is lost.
    logs = [
        make_log(session, task=world["task"], submitted_at=at + timedelta(hours=h))
        for h in (5, 1, 3, 3, 2, 4, 0)
    ]
    expected = [g.id for g in sorted(logs, key=lambda g: (g.submitted_at, g.id))]
    seen, sizes = _walk(session, world["reviewer"])
    assert seen == expected
    assert sizes == [3, 3, 1]
    first = review.review_queue(session, world["reviewer"], per_page=3)
    assert first.window.first and not first.window.has_prev
    assert first.count.n == 7 and not first.count.more
    # Back from the second window by `before` gives the first one again.
    second = review.review_queue(session, world["reviewer"], after=first.window.next, per_page=3)
    back = review.review_queue(session, world["reviewer"], before=second.window.prev, per_page=3)
    assert [g.id for g in back.items] == expected[:3]


def test_the_queue_keeps_its_filters_across_windows_in_every_status(session, world, now):
    other_task = make_task(session, world["programme"])
    at = now - timedelta(days=2)
    kept = [
        make_log(session, task=other_task, submitted_at=at + timedelta(minutes=i), status=s)
        for i, s in enumerate([LogStatus.SUBMITTED, LogStatus.APPROVED] * 4)
    ]
    for i in range(4):  # the same times on another task: not in the filtered windows
        make_log(session, task=world["task"], submitted_at=at + timedelta(minutes=i))
    seen, _ = _walk(session, world["reviewer"], task_id=other_task.id, status=None)
    assert seen == [g.id for g in kept]
    seen, _ = _walk(
        session, world["reviewer"], programme_id=world["programme"].id, task_id=other_task.id
    )
    assert seen == [g.id for g in kept if g.status == LogStatus.SUBMITTED]


@pytest.mark.parametrize("cursor", ["not-a-cursor", "W1siaSIsMV1d", "x" * 500, "e30"])
def test_a_forged_or_foreign_cursor_is_a_field_error_not_a_crash(session, world, now, cursor):
    make_log(session, task=world["task"])
    with pytest.raises(Invalid) as err:
        review.review_queue(session, world["reviewer"], after=cursor)
    assert "after" in err.value.errors


def test_a_window_past_the_last_log_is_empty_and_not_the_first(session, world, now):
    logs = [make_log(session, task=world["task"]) for _ in range(4)]
    first = review.review_queue(session, world["reviewer"], per_page=3)
    for log in logs[3:]:  # approved since the link was made
        log.status = LogStatus.APPROVED
    session.flush()
    stale = review.review_queue(session, world["reviewer"], after=first.window.next, per_page=3)
    assert stale.items == [] and not stale.window.first
    assert stale.count.n == 3
