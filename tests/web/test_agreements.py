"""The partnership agreement on the web: the version in force with answers, the answer and
publish forms, the history, one version, the programme page's partners table and the home
page's block for partner admins; who may see and do what."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from coprod.models import AgreementAnswer, AuditEntry
from coprod.services.governance import agreement_reads as reads
from coprod.services.governance import agreements
from tests.agreement_world import build, publish
from tests.conftest import NOW, login


@pytest.fixture
def w(session):
    return build(session)


def _text(response) -> str:
    return response.get_data(as_text=True)


def _url(w, tail: str = "") -> str:
    return f"/programmes/{w.programme.id}/agreement{tail}"


def _answer(session, w, who, org, *, accepted=True, comment=""):
    agreement = reads.newest(session, who, w.programme)
    return agreements.answer(
        session, who, agreement, org, accepted=accepted, comment=comment, now=NOW
    )


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("outsider", 404),
        ("site_admin", 200),
        ("staff", 200),
        ("lead_member", 200),
        ("food_admin", 200),
        ("food_member", 200),
        ("bakery_admin", 200),
    ],
)
@pytest.mark.parametrize("tail", ["", "/versions", "/versions/1"])
def test_the_partnership_reads_the_agreement_and_nobody_else(client, session, w, who, status, tail):
    publish(session, w)
    login(client, w.people()[who])
    assert client.get(_url(w, tail)).status_code == status


def test_a_visitor_is_sent_to_sign_in(client, session, w):
    publish(session, w)
    response = client.get(_url(w))
    assert response.status_code == 302 and "/login" in response.location


def test_the_empty_state_tells_lead_staff_how_to_publish_the_first_version(client, session, w):
    login(client, w.staff)
    page = _text(client.get(_url(w)))
    assert "No version of this agreement is published yet" in page
    assert "Publish version 1" in page
    assert "40 volunteer hours a month" in page  # the terms as they will be published
    login(client, w.food_admin)
    page = _text(client.get(_url(w)))
    assert "The lead agency publishes it" in page and "Publish version 1" not in page


def test_staff_publish_a_version_and_partners_are_asked(client, session, w):
    login(client, w.staff)
    response = client.post(
        _url(w, "/publish"),
        data={
            "purpose": "Meals together.",
            "decision_rule": "consensus",
            "review_on": "2027-06-01",
        },
    )
    assert response.status_code == 303
    newest = reads.newest(session, w.staff, w.programme)
    assert (newest.version, newest.decision_rule.value) == (1, "consensus")
    page = _text(client.get(_url(w)))
    assert "Version 1 is in force" in page and "1 June 2027" in page
    assert "every organisation that may vote chooses the same option" in page
    assert "Publish version 2" in page and "Meals together." in page  # prefilled


def test_publishing_with_bad_values_shows_messages_and_changes_nothing(client, session, w):
    login(client, w.staff)
    response = client.post(
        _url(w, "/publish"), data={"purpose": "", "decision_rule": "x", "review_on": "2020-01-01"}
    )
    assert response.status_code == 422
    page = _text(response)
    assert "Enter the purpose" in page and "cannot be in the past" in page
    assert reads.newest(session, w.staff, w.programme) is None


@pytest.mark.parametrize("who", ["food_admin", "food_member", "lead_member", "bakery_admin"])
def test_only_lead_staff_may_publish(client, session, w, who):
    login(client, w.people()[who])
    response = client.post(
        _url(w, "/publish"), data={"purpose": "x", "decision_rule": "majority",
                                   "review_on": "2027-06-01"}
    )  # fmt: skip
    assert response.status_code == 403
    assert reads.newest(session, w.staff, w.programme) is None


def test_a_partner_admin_objects_with_a_comment_and_everyone_reads_it(client, session, w):
    publish(session, w)
    login(client, w.bakery_admin)
    page = _text(client.get(_url(w)))
    assert "You answer in the name of Harbour Bakery" in page
    response = client.post(
        _url(w, "/answer"),
        data={"organisation_id": str(w.bakery.id), "answer": "object", "comment": ""},
    )
    assert response.status_code == 422
    assert "a comment is required when you object" in _text(response)
    response = client.post(
        _url(w, "/answer"),
        data={"organisation_id": str(w.bakery.id), "answer": "object",
              "comment": "Friday bread collection at 7am is too early."},
    )  # fmt: skip
    assert response.status_code == 303
    login(client, w.food_member)
    page = _text(client.get(_url(w)))
    assert "Friday bread collection at 7am is too early." in page
    programme_page = _text(client.get(f"/programmes/{w.programme.id}"))
    assert "Objected to version 1: Friday bread collection at 7am is too early." in programme_page
    assert "Partnership agreement (version 1)" in programme_page


@pytest.mark.parametrize("who", ["food_member", "staff", "lead_member", "site_admin"])
def test_people_who_do_not_speak_for_a_partner_get_no_answer_form(client, session, w, who):
    publish(session, w)
    login(client, w.people()[who])
    assert "Your organisation's answer" not in _text(client.get(_url(w)))
    response = client.post(
        _url(w, "/answer"), data={"organisation_id": str(w.foodbank.id), "answer": "accept"}
    )
    assert response.status_code == 303
    assert session.scalar(select(AgreementAnswer.id)) is None


def test_an_admin_cannot_answer_for_another_partner(client, session, w):
    publish(session, w)
    login(client, w.bakery_admin)
    response = client.post(
        _url(w, "/answer"), data={"organisation_id": str(w.foodbank.id), "answer": "accept"}
    )
    assert response.status_code == 422
    assert session.scalar(select(AgreementAnswer.id)) is None


def test_changing_an_answer_keeps_one_row_and_is_audited(client, session, w):
    publish(session, w)
    login(client, w.food_admin)
    accept = {"organisation_id": str(w.foodbank.id), "answer": "accept"}
    client.post(_url(w, "/answer"), data=accept)
    page = _text(client.get(_url(w)))
    assert 'value="accept" checked' in page
    client.post(
        _url(w, "/answer"),
        data={"organisation_id": str(w.foodbank.id), "answer": "object", "comment": "No."},
    )
    rows = session.scalars(select(AgreementAnswer)).all()
    assert len(rows) == 1 and rows[0].accepted is False
    assert session.scalar(
        select(AuditEntry.id).where(AuditEntry.action == "agreement.answer_changed")
    )


def test_the_programme_page_shows_responsibilities_figures_and_standings(client, session, w):
    publish(session, w)
    _answer(session, w, w.food_admin, w.foodbank)
    login(client, w.lead_member)
    page = _text(client.get(f"/programmes/{w.programme.id}"))
    assert "Run the Saturday kitchen." in page
    assert "40 volunteer hours a month" in page and "500 meals by 30 June 2027" in page
    assert "£200.00 in kind a quarter" in page
    assert "Accepted version 1 on 13 June 2026" in page
    assert "Not answered yet" in page


def test_outsiders_and_visitors_see_no_agreement_column(client, session, w):
    publish(session, w)
    assert "Partnership agreement" not in _text(client.get(f"/programmes/{w.programme.id}"))
    login(client, w.outsider_admin)
    page = _text(client.get(f"/programmes/{w.programme.id}"))
    assert "Partnership agreement" not in page and "Not answered yet" not in page


def test_the_history_lists_versions_with_answers_and_an_old_version_says_it_is_replaced(
    client, session, w
):
    publish(session, w)
    _answer(session, w, w.food_admin, w.foodbank)
    publish(session, w, now=NOW + timedelta(days=30))
    login(client, w.food_member)
    page = _text(client.get(_url(w, "/versions")))
    assert page.index("Version 2") < page.index("Version 1")
    assert "Accepted" in page
    old = _text(client.get(_url(w, "/versions/1")))
    assert "A newer version replaced this one" in old
    assert client.get(_url(w, "/versions/3")).status_code == 404
    assert client.get(_url(w, "/versions/99999999999")).status_code == 404


def test_the_home_page_lists_agreements_waiting_for_my_organisation(client, session, w):
    publish(session, w)
    login(client, w.food_admin)
    page = _text(client.get("/"))
    assert "Agreements waiting for your answer" in page
    assert _url(w, "#answer") in page
    _answer(session, w, w.food_admin, w.foodbank)
    assert "Agreements waiting for your answer" not in _text(client.get("/"))
    login(client, w.food_member)
    assert "Agreements waiting for your answer" not in _text(client.get("/"))


def test_staff_edit_a_partners_terms(client, session, w):
    login(client, w.staff)
    url = f"/programmes/{w.programme.id}/partners/{w.food_partner.id}/edit"
    page = _text(client.get(url))
    assert "Run the Saturday kitchen." in page
    response = client.post(url, data={"role": "", "responsibilities": "", "commitments": ""})
    assert response.status_code == 422
    response = client.post(
        url, data={"role": "Cooking", "responsibilities": "Cook.", "commitments": "Food."}
    )
    assert response.status_code == 303
    session.refresh(w.food_partner)
    assert (w.food_partner.role, w.food_partner.responsibilities) == ("Cooking", "Cook.")
    login(client, w.food_admin)
    assert client.get(url).status_code == 403


def test_adding_a_partner_takes_responsibilities(client, session, w):
    from tests.factories import make_org

    org = make_org(session, name="Hall Trust")
    login(client, w.staff)
    response = client.post(
        f"/programmes/{w.programme.id}/partners/new",
        data={"organisation": "Hall Trust", "role": "Venue", "responsibilities": "Open up.",
              "commitments": ""},
    )  # fmt: skip
    assert response.status_code == 303
    session.expire(w.programme, ["partners"])
    added = next(p for p in w.programme.partners if p.organisation_id == org.id)
    assert added.responsibilities == "Open up."
