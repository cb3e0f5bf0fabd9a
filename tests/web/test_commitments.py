"""The commitment pages: a partner's figures against delivery, the lead staff's add form and
remove confirmation, the report's section and the lead staff's home page."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from coprod.models import Commitment, ReportSnapshot, Role
from coprod.services import reports
from tests.conftest import NOW, login
from tests.factories import make_member, make_user
from tests.services.test_commitments import World, build_world


@pytest.fixture
def world(session) -> World:
    """The hand-computed world of the service tests."""
    return build_world(session)


@pytest.fixture(autouse=True)
def _clock(monkeypatch) -> None:
    for module in ("commitments", "reports", "main", "programmes"):
        monkeypatch.setattr(f"coprod.web.{module}.utcnow", lambda: NOW, raising=False)


def _url(w, tail: str = "") -> str:
    return f"/programmes/{w.programme.id}/partners/{w.partner.id}/commitments{tail}"


def test_the_page_lists_each_figure_in_words_with_its_flag(client, session, world) -> None:
    login(client, world.staff)
    page = client.get(_url(world)).get_data(as_text=True)
    assert "40 volunteer hours a month from 1 January 2026" in page
    assert "10 h delivered of 40 h committed in June 2026" in page
    assert "16 h expected by now" in page
    assert "Behind" in page and "How the flags are decided" in page
    assert "Add a figure" in page


def test_a_partner_member_reads_the_figures_without_the_form(client, session, world) -> None:
    login(client, make_member(session, world.partner.organisation, Role.MEMBER))
    page = client.get(_url(world)).get_data(as_text=True)
    assert "40 volunteer hours a month" in page and "Add a figure" not in page
    assert "Remove" not in page


@pytest.mark.parametrize(
    ("who", "status"), [("stranger", 403), ("nobody", 302), ("lead staff", 200)]
)
def test_who_may_open_the_page(client, session, world, who, status) -> None:
    if who == "stranger":
        login(client, make_user(session))
    elif who == "lead staff":
        login(client, world.staff)
    assert client.get(_url(world)).status_code == status


def test_a_partner_of_another_programme_is_not_found(client, session, world) -> None:
    login(client, world.staff)
    url = f"/programmes/{world.programme.id}/partners/999999/commitments"
    assert client.get(url).status_code == 404


def test_staff_add_a_figure_and_see_it(client, session, world) -> None:
    login(client, world.staff)
    form = {"kind": "hours", "amount": "12", "period": "week", "starts_on": "2026-03-02"}
    response = client.post(_url(world), data=form)
    assert response.status_code == 303
    page = client.get(_url(world)).get_data(as_text=True)
    assert "12 volunteer hours a week from 2 March 2026" in page
    assert "The figure is added." in page


def test_wrong_values_are_shown_next_to_their_fields_and_change_nothing(
    client,
    session,
    world,
) -> None:
    login(client, world.staff)
    before = len(session.scalars(select(Commitment)).all())
    response = client.post(_url(world), data={"kind": "outcome", "amount": "0", "due_on": "x"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="amount-error"' in page and "more than 0" in page
    assert 'id="due_on-error"' in page
    assert len(session.scalars(select(Commitment)).all()) == before


def test_a_partner_member_cannot_add_a_figure(client, session, world) -> None:
    login(client, make_member(session, world.partner.organisation, Role.ADMIN))
    response = client.post(_url(world), data={"kind": "hours", "amount": "3", "period": "week"})
    assert response.status_code == 403


def test_removing_asks_for_confirmation_first(client, session, world) -> None:
    login(client, world.staff)
    url = _url(world, f"/{world.hours.id}/remove")
    page = client.get(url).get_data(as_text=True)
    assert "Remove a figure of Food Bank?" in page
    assert "40 volunteer hours a month from 1 January 2026" in page
    unticked = client.post(url, data={})
    assert unticked.status_code == 422 and session.get(Commitment, world.hours.id) is not None
    assert client.post(url, data={"confirm": "y"}).status_code == 303
    gone = select(Commitment.id).where(Commitment.id == world.hours.id)
    assert session.scalar(gone) is None


def test_only_lead_staff_open_the_remove_page(client, session, world) -> None:
    login(client, make_member(session, world.partner.organisation, Role.ADMIN))
    assert client.get(_url(world, f"/{world.hours.id}/remove")).status_code == 403
    login(client, world.staff)
    other = world.programme.partners[1]
    url = (
        f"/programmes/{world.programme.id}/partners/{other.id}/commitments/{world.hours.id}/remove"
    )
    assert client.get(url).status_code == 404


def test_the_programme_page_links_each_partners_figures_for_lead_staff(
    client,
    session,
    world,
) -> None:
    login(client, world.staff)
    page = client.get(f"/programmes/{world.programme.id}").get_data(as_text=True)
    assert _url(world) in page
    assert 'Commitment figures<span class="usa-sr-only"> of Food Bank</span>' in page
    login(client, make_member(session, world.partner.organisation, Role.MEMBER))
    assert _url(world) not in client.get(f"/programmes/{world.programme.id}").get_data(as_text=True)


def test_the_report_shows_committed_against_delivered_with_flags(client, session, world) -> None:
    reports.rebuild_reports(session, now=NOW, programme_id=world.programme.id)
    login(client, world.staff)
    page = client.get(
        f"/programmes/{world.programme.id}/reports?period=month&start=2026-05-01"
    ).get_data(as_text=True)
    assert "Commitments: committed and delivered" in page
    assert 'id="chart-commitments-title"' in page and 'id="table-commitments"' in page
    assert "31 h delivered of 40 h: behind" in page  # the chart says it in words
    assert "Behind" in page and "On track" in page


def test_the_report_computes_figures_when_no_snapshot_is_built(client, session, world) -> None:
    login(client, world.staff)
    page = client.get(
        f"/programmes/{world.programme.id}/reports?period=month&start=2026-05-01"
    ).get_data(as_text=True)
    assert "No report for this period yet" in page
    assert "Commitments: committed and delivered" in page and "31 h" in page


def test_a_snapshot_built_before_commitments_still_shows_them(client, session, world) -> None:
    reports.rebuild_reports(session, now=NOW, programme_id=world.programme.id)
    for snap in session.scalars(select(ReportSnapshot)):
        snap.data = {k: v for k, v in snap.data.items() if k != "commitments"}
    session.flush()
    login(client, world.staff)
    response = client.get(f"/programmes/{world.programme.id}/reports?period=month&start=2026-05-01")
    assert response.status_code == 200
    assert "31 h delivered of 40 h: behind" in response.get_data(as_text=True)
    csv = client.get(f"/programmes/{world.programme.id}/reports/month/2026-05-01.csv")
    assert csv.status_code == 200 and "commitment" not in csv.get_data(as_text=True)


def test_the_exports_carry_the_figures(client, session, world) -> None:
    reports.rebuild_reports(session, now=NOW, programme_id=world.programme.id)
    login(client, world.staff)
    base = f"/programmes/{world.programme.id}/reports/month/2026-05-01"
    data = client.get(base + ".json").get_json()
    [entry] = data["commitments"]
    assert entry["figures"][0]["committed"] == 40 and entry["figures"][0]["delivered"] == 31
    csv = client.get(base + ".csv").get_data(as_text=True)
    assert f"commitment,{world.hours.id},Food Bank" in csv


def test_lead_staff_see_partners_behind_on_their_home_page(client, session, world) -> None:
    login(client, world.staff)
    page = client.get("/").get_data(as_text=True)
    assert "Partners behind their commitments" in page
    assert "Food Bank: 40 volunteer hours a month from 1 January 2026" in page
    assert "31 h delivered of 40 h committed in May 2026" in page
    assert f"/programmes/{world.programme.id}/reports?period=month&amp;start=2026-05-01" in page
    login(client, make_member(session, world.partner.organisation, Role.MEMBER))
    assert "Partners behind" not in client.get("/").get_data(as_text=True)


def test_a_figure_due_later_is_not_on_the_home_page_while_on_track(client, session, world) -> None:
    world.outcome.due_on = date(2027, 12, 31)
    session.flush()
    login(client, world.staff)
    assert "“Meals”" not in client.get("/").get_data(as_text=True)
