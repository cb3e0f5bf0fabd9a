"""The expiry sweep: one email per award about to expire, naming the training shifts that
would renew it, never twice, none when renewed already; a bad award does not stop the others."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from coprod import scheduler
from coprod.models import NotificationKind, OutboxMessage, TaskStatus
from coprod.services.capacity import expiry
from tests.factories import (
    make_award,
    make_qualification,
    make_shift,
    make_task,
    make_user,
)


def emails(session):
    return list(
        session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.kind == NotificationKind.EXPIRING)
            .order_by(OutboxMessage.id)
        )
    )


def expiring(session, now, days=10, **award):
    q = make_qualification(session, name="Food hygiene", how_to_get="Attend our course.")
    person = make_user(session)
    a = make_award(session, person, q, expires_on=(now + timedelta(days=days)).date(), **award)
    return q, person, a


def test_an_award_about_to_expire_is_emailed_once_with_the_renewal_shifts(session, now):
    q, person, award = expiring(session, now)
    training = make_task(session, title="Food hygiene course", trains_qualification_id=q.id)
    first = make_shift(session, training, starts_at=now + timedelta(days=3))
    make_shift(session, training, starts_at=now - timedelta(days=3))  # over
    make_shift(session, training, starts_at=now + timedelta(days=4), capacity=1, confirmed=1)
    second = make_shift(session, training, starts_at=now + timedelta(days=6))
    draft = make_task(session, status=TaskStatus.DRAFT, trains_qualification_id=q.id)
    make_shift(session, draft)
    assert expiry.send_expiry_notices(session, now=now, days=30) == 1
    assert expiry.send_expiry_notices(session, now=now + timedelta(days=1), days=30) == 0
    [mail] = emails(session)
    assert mail.user_id == person.id
    assert "Food hygiene" in mail.subject
    assert award.expiry_notified_at == now
    text = mail.body_text
    assert (now + timedelta(days=10)).strftime("%-d %b %Y") in text
    assert text.count(f"/tasks/{training.id}") == 2
    assert f"/tasks/{draft.id}" not in text
    assert first.id != second.id


def test_at_most_five_renewal_shifts_are_named(session, now):
    q, _, _ = expiring(session, now)
    training = make_task(session, trains_qualification_id=q.id)
    for day in range(1, 9):
        make_shift(session, training, starts_at=now + timedelta(days=day))
    expiry.send_expiry_notices(session, now=now, days=30)
    [mail] = emails(session)
    assert mail.body_text.count(f"/tasks/{training.id}") == expiry.RENEWAL_SHIFTS


def test_without_a_training_shift_the_email_says_how_to_get_it(session, now):
    expiring(session, now)
    expiry.send_expiry_notices(session, now=now, days=30)
    [mail] = emails(session)
    assert "Attend our course." in mail.body_text


def test_awards_outside_the_window_revoked_or_never_expiring_get_nothing(session, now):
    expiring(session, now, days=40)
    expiring(session, now, days=-1)  # expired already
    expiring(session, now, revoked_at=now)
    q = make_qualification(session, validity_months=None)
    make_award(session, make_user(session), q)
    assert expiry.send_expiry_notices(session, now=now, days=30) == 0


def test_an_award_renewed_already_gets_no_email(session, now):
    q, person, _ = expiring(session, now)
    make_award(session, person, q, awarded_on=now.date())  # valid for a year from today
    assert expiry.send_expiry_notices(session, now=now, days=30) == 0


def test_the_email_is_in_the_holders_language(app, session, now):
    _, person, _ = expiring(session, now)
    person.language = "es"
    with app.app_context():  # as the scheduler runs its jobs
        expiry.send_expiry_notices(session, now=now, days=30)
    [mail] = emails(session)
    assert "Hola, " in mail.body_text
    assert "23 jun 2026" in mail.body_text  # the expiry day, written the Spanish way
    assert 'lang="es"' in mail.body_html


def test_one_bad_award_does_not_stop_the_others(session, now, monkeypatch, caplog):
    _, _, bad = expiring(session, now, days=5)
    _, good_person, good = expiring(session, now, days=6)
    real = expiry.renewal_shifts

    def failing(session, award, *, now):
        if award.id == bad.id:
            raise RuntimeError("boom")
        return real(session, award, now=now)

    monkeypatch.setattr(expiry, "renewal_shifts", failing)
    assert expiry.send_expiry_notices(session, now=now, days=30) == 1
    [mail] = emails(session)
    assert mail.user_id == good_person.id
    assert good.expiry_notified_at == now and bad.expiry_notified_at is None
    assert f"award {bad.id} not notified" in caplog.text


def test_the_job_is_in_the_schedulers_table():
    assert "capacity.expiry" in {spec.id for spec in scheduler.JOBS}
