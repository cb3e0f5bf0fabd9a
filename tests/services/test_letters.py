"""Service letters: the figures are the approved logs of the period, frozen as issued; a code
verifies until revoked or its holder's account is deleted; only the holder sees or revokes."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from coprod.errors import Invalid, NotFound
from coprod.models import AuditEntry, LogStatus, OrgKind, OutcomeQuantity, Role
from coprod.services import contributions, letter_pdf, letters, review
from coprod.services.audit_display import ACTION_NAMES
from tests.factories import (
    make_log,
    make_member,
    make_metric,
    make_org,
    make_programme,
    make_task,
    make_user,
)

JAN, JUN = date(2026, 1, 1), date(2026, 6, 30)


@pytest.fixture
def world(session):
    agency = make_org(session, OrgKind.AGENCY, name="Ciudad de Lumen")
    food = make_programme(session, agency, name="Food bank", letter_signatory="Ana Ruiz, Manager")
    parks = make_programme(session, agency, name="Parks")
    sorting = make_task(session, food, title="Sorting")
    driving = make_task(session, food, title="Driving")
    planting = make_task(session, parks, title="Planting")
    meals = make_metric(session, food, name="Meals delivered", unit="meals")
    me = make_user(session, display_name="Marta Núñez", email="marta@example.org")
    return {
        "food": food,
        "parks": parks,
        "sorting": sorting,
        "driving": driving,
        "planting": planting,
        "meals": meals,
        "me": me,
        "reviewer": make_member(session, agency, Role.REVIEWER),
    }


def approved(session, world, task, hours, on, **kw):
    return make_log(
        session, user=world["me"], task=task, hours=hours, on=on, status=LogStatus.APPROVED, **kw
    )


def issue(session, world, now, programme=None, first=JAN, last=JUN):
    return letters.issue_letter(
        session,
        world["me"],
        from_date=first,
        to_date=last,
        programme_id=programme.id if programme else None,
        now=now,
    )


def test_the_figures_are_the_approved_logs_of_the_period_per_programme_and_task(
    session, world, now
):
    approved(session, world, world["sorting"], "2", date(2026, 2, 1))
    approved(session, world, world["sorting"], "3.5", date(2026, 3, 1))
    approved(session, world, world["sorting"], "1", date(2026, 3, 1))
    log = approved(session, world, world["driving"], "4", date(2026, 5, 2))
    session.add(OutcomeQuantity(log=log, metric_id=world["meals"].id, quantity=Decimal("40")))
    approved(session, world, world["planting"], "1.25", date(2026, 6, 30))
    # Not counted: outside the period, not approved, someone else's.
    approved(session, world, world["sorting"], "9", date(2025, 12, 31))
    approved(session, world, world["sorting"], "9", date(2026, 7, 1))
    make_log(session, user=world["me"], task=world["sorting"], hours="9", on=date(2026, 2, 2))
    make_log(session, task=world["sorting"], hours="9", on=date(2026, 2, 2), status="approved")
    session.flush()

    letter = issue(session, world, now)
    figures = letters.letter_figures(letter)

    assert figures["hours_total"] == "11.75"
    food, parks = figures["programmes"]
    assert (food["name"], food["hours"]) == ("Food bank", "10.50")
    assert food["signatory"] == "Ana Ruiz, Manager"
    driving, sorting = food["tasks"]
    assert (sorting["hours"], sorting["first_date"], sorting["last_date"], sorting["days"]) == (
        "6.50",
        "2026-02-01",
        "2026-03-01",
        2,
    )
    assert driving["outcomes"] == [{"metric": "Meals delivered", "unit": "meals", "quantity": "40"}]
    assert (parks["name"], parks["hours"]) == ("Parks", "1.25")
    assert letter.holder_name == "Marta Núñez"
    assert letter.lead_agencies == "Ciudad de Lumen"


def test_a_letter_for_one_programme_counts_only_that_programme(session, world, now):
    approved(session, world, world["sorting"], "2", date(2026, 2, 1))
    approved(session, world, world["planting"], "5", date(2026, 2, 1))
    letter = issue(session, world, now, programme=world["parks"])
    figures = letters.letter_figures(letter)
    assert figures["hours_total"] == "5.00"
    assert [p["name"] for p in figures["programmes"]] == ["Parks"]
    assert letter.programme_id == world["parks"].id


@pytest.mark.parametrize(
    ("first", "last", "field"),
    [
        ("2026-06-30", "2026-01-01", "to_date"),
        ("", "2026-01-01", "from_date"),
        ("0001-01-01", "2026-01-01", "from_date"),
        ("2026-01-01", "99999-01-01", "to_date"),
        ("yesterday", "2026-01-01", "from_date"),
    ],
)
def test_a_wrong_period_is_refused_beside_its_field(session, world, now, first, last, field):
    approved(session, world, world["sorting"], "2", date(2026, 2, 1))
    with pytest.raises(Invalid) as err:
        letters.issue_letter(session, world["me"], from_date=first, to_date=last, now=now)
    assert field in err.value.errors


def test_a_period_without_approved_hours_gets_no_letter(session, world, now):
    make_log(session, user=world["me"], task=world["sorting"], on=date(2026, 2, 1))
    with pytest.raises(Invalid, match="no approved hours"):
        issue(session, world, now)


def test_an_unknown_programme_is_refused(session, world, now):
    approved(session, world, world["sorting"], "2", date(2026, 2, 1))
    with pytest.raises(Invalid) as err:
        letters.issue_letter(
            session, world["me"], from_date=JAN, to_date=JUN, programme_id="99999999", now=now
        )
    assert "programme_id" in err.value.errors


def test_codes_are_unguessable_and_different(session, world, now):
    approved(session, world, world["sorting"], "2", date(2026, 2, 1))
    codes = {issue(session, world, now).code for _ in range(5)}
    assert len(codes) == 5
    # token_urlsafe(24): 24 random bytes, 192 bits, in 32 characters.
    assert all(len(code) == 32 for code in codes)
    assert letters.CODE_BYTES * 8 >= 128


def test_a_code_verifies_with_exactly_the_issued_figures(session, world, now):
    approved(session, world, world["sorting"], "2", date(2026, 2, 1))
    letter = issue(session, world, now)
    result = letters.verify(session, letter.code)
    assert result.valid and not result.differs_now
    assert result.figures == json.loads(letter.figures)


def test_unknown_revoked_and_deleted_holders_letters_are_not_valid(session, world, now):
    approved(session, world, world["sorting"], "2", date(2026, 2, 1))
    assert not letters.verify(session, "nope").valid
    assert not letters.verify(session, "x" * 500).valid
    revoked = issue(session, world, now)
    letters.revoke_letter(session, world["me"], revoked, now=now)
    assert not letters.verify(session, revoked.code).valid
    kept = issue(session, world, now)
    assert letters.verify(session, kept.code).valid
    world["me"].deleted_at = now
    session.flush()
    assert not letters.verify(session, kept.code).valid


def test_a_correction_approved_later_keeps_the_letter_as_issued_but_says_it_would_differ(
    session, world, now
):
    original = approved(session, world, world["sorting"], "2", date(2026, 2, 1))
    letter = issue(session, world, now)
    fix = contributions.correct_log(
        session, world["me"], original, on=date(2026, 2, 1), hours=Decimal("3"), now=now
    )
    assert not letters.verify(session, letter.code).differs_now  # pending: nothing changed yet
    review.approve(session, world["reviewer"], fix, now + timedelta(hours=1))
    result = letters.verify(session, letter.code)
    assert result.valid and result.differs_now
    assert result.figures is not None and result.figures["hours_total"] == "2.00"


def test_a_renamed_task_does_not_make_a_letter_differ(session, world, now):
    approved(session, world, world["sorting"], "2", date(2026, 2, 1))
    letter = issue(session, world, now)
    world["sorting"].title = "Sorting food"
    session.flush()
    assert not letters.verify(session, letter.code).differs_now


def test_only_the_holder_sees_lists_and_revokes_a_letter(session, world, now):
    approved(session, world, world["sorting"], "2", date(2026, 2, 1))
    letter = issue(session, world, now)
    stranger = make_user(session)
    with pytest.raises(NotFound):
        letters.get_letter(session, stranger, letter.id)
    with pytest.raises(NotFound):
        letters.revoke_letter(session, stranger, letter, now=now)
    assert letters.list_letters(session, stranger, 1, 20).items == []
    assert letters.list_letters(session, world["me"], 1, 20).items == [letter]
    assert letters.verify(session, letter.code).valid


def test_issuing_and_revoking_are_audited_with_names(session, world, now):
    approved(session, world, world["sorting"], "2", date(2026, 2, 1))
    letter = issue(session, world, now)
    letters.revoke_letter(session, world["me"], letter, now=now)
    actions = session.scalars(
        select(AuditEntry.action).where(AuditEntry.object_type == "ServiceLetter")
    ).all()
    assert sorted(actions) == ["letter.issued", "letter.revoked"]
    assert {"letter.issued", "letter.revoked"} <= set(ACTION_NAMES)


def test_the_pdf_is_a_pdf_with_the_code_and_a_link_to_the_check(session, world, now):
    world["sorting"].title = "Clasificación — año 2026 (5 €)"
    approved(session, world, world["sorting"], "2", date(2026, 2, 1))
    letter = issue(session, world, now)
    url = f"https://coprod.example/verify/{letter.code}"
    body = letter_pdf.render_pdf(letter, url)
    assert body.startswith(b"%PDF")
    assert letter.code.encode() in body
    assert url.encode() in body  # the QR code is also a link


def test_the_pdf_draws_every_character_with_a_unicode_font_or_maps_them_without_one(
    session, world, now, monkeypatch
):
    world["sorting"].title = "Clasificación — 5 € “ok”"
    approved(session, world, world["sorting"], "2", date(2026, 2, 1))
    letter = issue(session, world, now)
    url = f"https://coprod.example/verify/{letter.code}"
    if letter_pdf._unicode_font() is not None:
        assert b"DejaVu" in letter_pdf.render_pdf(letter, url)
    monkeypatch.setattr(letter_pdf, "FONT_DIRS", ())
    assert letter_pdf.render_pdf(letter, url).startswith(b"%PDF")  # no error on "—" or "€"
    core = letter_pdf._Letter()
    assert core.text_of("Clasificación — 5 € “ok”") == 'Clasificación - 5 EUR "ok"'
    assert core.text_of("日本") == "??"


def test_deleting_the_account_removes_its_letters_and_their_name(session, world, now):
    from coprod.models import ServiceLetter
    from coprod.services import account_deletion
    from tests.factories import PASSWORD

    approved(session, world, world["sorting"], "2", date(2026, 2, 1))
    letter = issue(session, world, now)
    code = letter.code
    account_deletion.delete_own_account(session, world["me"], PASSWORD, now=now)
    assert not letters.verify(session, code).valid
    names = session.scalars(select(ServiceLetter.holder_name)).all()
    assert (
        "Marta Núñez" not in names and code not in session.scalars(select(ServiceLetter.code)).all()
    )


def test_one_hour_is_singular_and_anything_else_plural() -> None:
    assert letter_pdf.programme_heading("Parks", Decimal("1")) == "Parks \u2014 1 hour"
    assert letter_pdf.programme_heading("Parks", Decimal("1.5")) == "Parks \u2014 1.5 hours"
    assert letter_pdf.programme_heading("Parks", "0.5") == "Parks \u2014 0.5 hours"
