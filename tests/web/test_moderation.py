"""Moderation on the web: "Report this" thanks the person and goes back to the item, the hide
step asks for a reason beside its field, the queue's two tabs with their actions and empty
states, restore and dismiss, and the links from the programme and home pages."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from coprod.models import AuditEntry, ContentFlag, Role
from tests.conftest import login
from tests.factories import (
    ShiftWorld,
    make_flaggable_proposal,
    make_member,
    make_public_feedback,
    make_user,
)


@pytest.fixture
def world(session):
    w = ShiftWorld(session)
    w.author = make_user(session, display_name="Pat Proposer")
    w.proposal = make_flaggable_proposal(
        session, w.programme, w.author, title="Clear the canal towpath"
    )
    w.comment = make_public_feedback(session, w.task, w.volunteer, comment="Badly organised!")
    w.reviewer = make_member(session, w.agency, Role.REVIEWER)
    return w


def _flashes(client) -> list[str]:
    with client.session_transaction() as sess:
        return [message for _category, message in sess.get("_flashes", [])]


def test_reporting_a_proposal_thanks_and_goes_back_to_it_once(client, session, world):
    login(client, world.other_volunteer)
    url = f"/proposals/{world.proposal.id}/flag"
    resp = client.post(url, data={"reason": "Advert for a shop"})
    assert resp.status_code == 303
    assert resp.headers["Location"].endswith(f"/proposals/{world.proposal.id}")
    assert _flashes(client) == ["Thank you: the organisers will look at it."]
    client.post(url, data={"reason": "again"})
    assert _flashes(client) == [
        "Thank you: the organisers will look at it.",
        "You have already reported this: the organisers will look at it.",
    ]
    flags = session.scalars(select(ContentFlag).where(ContentFlag.proposal_id == world.proposal.id))
    assert [f.reason for f in flags] == ["Advert for a shop"]


def test_reporting_a_comment_goes_back_to_its_task_page_with_the_thanks(client, session, world):
    login(client, world.other_volunteer)
    resp = client.post(
        f"/feedback/{world.comment.id}/flag", data={"reason": "Rude"}, follow_redirects=True
    )
    assert resp.status_code == 200
    assert resp.request.path == f"/tasks/{world.task.id}"
    assert "Thank you: the organisers will look at it." in resp.get_data(as_text=True)


def test_a_visitor_is_asked_to_sign_in_to_report(client, session, world):
    resp = client.post(f"/proposals/{world.proposal.id}/flag", data={"reason": "x"})
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    assert session.scalars(select(ContentFlag)).all() == []


def test_a_too_long_report_reason_goes_back_with_the_message(client, session, world):
    login(client, world.other_volunteer)
    referrer = f"http://localhost/tasks/{world.task.id}"
    resp = client.post(
        f"/feedback/{world.comment.id}/flag",
        data={"reason": "x" * 501},
        headers={"Referer": referrer},
    )
    assert resp.status_code == 303
    assert _flashes(client) == ["The reason must be 500 characters or fewer."]
    assert session.scalars(select(ContentFlag)).all() == []


def test_the_hide_step_shows_the_item_and_its_reports_and_needs_a_reason(client, session, world):
    login(client, world.other_volunteer)
    client.post(f"/proposals/{world.proposal.id}/flag", data={"reason": "Advert for a shop"})
    login(client, world.lead_staff)
    page = client.get(f"/proposals/{world.proposal.id}/hide")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Hide this proposal?" in body and "Clear the canal towpath" in body
    assert "Advert for a shop" in body and "By Pat Proposer" in body
    resp = client.post(f"/proposals/{world.proposal.id}/hide", data={"reason": "  "})
    body = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert 'id="reason-error"' in body and "Enter the reason." in body
    assert 'aria-invalid="true"' in body
    session.refresh(world.proposal)
    assert world.proposal.hidden_at is None


def test_staff_hide_a_proposal_and_land_on_the_hidden_tab(client, session, world):
    login(client, world.lead_staff)
    resp = client.post(
        f"/proposals/{world.proposal.id}/hide", data={"reason": "Not about this programme"}
    )
    assert resp.status_code == 303
    assert resp.headers["Location"].endswith(
        f"/programmes/{world.programme.id}/moderation?show=hidden"
    )
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "It is hidden. Its author sees your reason." in page
    assert "Clear the canal towpath" in page and "Not about this programme" in page
    session.refresh(world.proposal)
    assert world.proposal.hidden_reason == "Not about this programme"
    # Asked again (a second tab): the page says it is hidden and offers to show it again.
    again = client.get(f"/proposals/{world.proposal.id}/hide").get_data(as_text=True)
    assert "It is already hidden" in again and "Show it again" in again
    conflict = client.post(f"/proposals/{world.proposal.id}/hide", data={"reason": "Twice"})
    assert conflict.status_code == 422
    assert "This proposal is already hidden." in conflict.get_data(as_text=True)


@pytest.mark.parametrize("who", ["volunteer", "coordinator", "reviewer", "author"])
def test_only_lead_staff_reach_the_hide_step_and_the_queue(client, session, world, who):
    login(client, getattr(world, who))
    assert client.get(f"/proposals/{world.proposal.id}/hide").status_code == 403
    resp = client.post(f"/proposals/{world.proposal.id}/hide", data={"reason": "x"})
    assert resp.status_code == 403
    assert client.get(f"/programmes/{world.programme.id}/moderation").status_code == 403
    assert client.post(f"/proposals/{world.proposal.id}/restore").status_code == 403
    assert client.post(f"/feedback/{world.comment.id}/dismiss-flags").status_code in (403, 404)


def test_a_hidden_proposal_is_not_found_by_others(client, session, world, now):
    from coprod.services.engagement import moderation

    moderation.hide_proposal(session, world.lead_staff, world.proposal, reason="Spam", now=now)
    session.flush()
    login(client, world.other_volunteer)
    assert client.get(f"/proposals/{world.proposal.id}/hide").status_code == 404
    assert client.post(f"/proposals/{world.proposal.id}/flag").status_code == 404


def test_the_queue_lists_reports_with_their_actions_then_restores(client, session, world):
    login(client, world.other_volunteer)
    client.post(f"/feedback/{world.comment.id}/flag", data={"reason": "Insulting"})
    client.post(f"/proposals/{world.proposal.id}/flag", data={"reason": ""})
    login(client, world.lead_staff)
    url = f"/programmes/{world.programme.id}/moderation"
    body = client.get(url).get_data(as_text=True)
    assert 'aria-current="page">Reported' in body
    assert "Badly organised!" in body and "Insulting" in body and "Clear the canal towpath" in body
    assert body.count("1 report</strong>") == 2
    assert f"/feedback/{world.comment.id}/hide?next=" in body
    assert f'action="/feedback/{world.comment.id}/dismiss-flags"' in body
    # Dismiss the comment's report: it stays shown and leaves the list.
    resp = client.post(f"/feedback/{world.comment.id}/dismiss-flags", data={"next": url})
    assert resp.status_code == 303 and resp.headers["Location"] == url
    body = client.get(url).get_data(as_text=True)
    assert "1 report dismissed: it stays shown." in body
    assert "Badly organised!" not in body
    # Hide the proposal, then restore it from the Hidden tab.
    client.post(f"/proposals/{world.proposal.id}/hide", data={"reason": "Duplicate"})
    body = client.get(url).get_data(as_text=True)
    assert "Nothing is waiting" in body
    hidden = client.get(url, query_string={"show": "hidden"}).get_data(as_text=True)
    assert "Duplicate" in hidden and "Show it again" in hidden
    resp = client.post(f"/proposals/{world.proposal.id}/restore")
    assert resp.status_code == 303
    hidden = client.get(url, query_string={"show": "hidden"}).get_data(as_text=True)
    assert "It is shown again." in hidden and "Nothing is hidden in this programme." in hidden
    actions = set(session.scalars(select(AuditEntry.action)))
    assert {"feedback.flags_dismissed", "proposal.hidden", "proposal.restored"} <= actions


def test_the_queue_is_paginated_and_refuses_a_bad_tab(client, session, world, now):
    from coprod.services.engagement import moderation

    for _ in range(3):
        p = make_flaggable_proposal(session, world.programme)
        moderation.flag_proposal(session, world.volunteer, p, reason="", now=now)
    session.flush()
    login(client, world.lead_staff)
    url = f"/programmes/{world.programme.id}/moderation"
    body = client.get(url, query_string={"per_page": 2}).get_data(as_text=True)
    assert 'rel="next"' in body and "usa-pagination" in body
    found = re.search(r'href="[^"]*[?;&]after=([^"&]+)[^"]*"[^>]*rel="next"', body)
    assert found is not None
    second = client.get(url, query_string={"per_page": 2, "after": found.group(1)})
    assert second.status_code == 200 and "First page" in second.get_data(as_text=True)
    assert 'rel="next"' not in second.get_data(as_text=True)
    old_link = client.get(url, query_string={"page": 5, "per_page": 2}).get_data(as_text=True)
    assert 'rel="next"' in old_link  # an old page number shows the first window
    assert client.get(url, query_string={"show": "everything"}).status_code == 422
    assert client.get(url, query_string={"after": "forged"}).status_code == 422


def test_the_programme_and_home_pages_lead_lead_staff_to_the_queue(client, session, world, now):
    from coprod.services.engagement import moderation

    url = f"/programmes/{world.programme.id}/moderation"
    login(client, world.reviewer)
    assert url not in client.get(f"/programmes/{world.programme.id}").get_data(as_text=True)
    login(client, world.lead_staff)
    assert url not in client.get("/").get_data(as_text=True)  # nothing reported yet
    assert url in client.get(f"/programmes/{world.programme.id}").get_data(as_text=True)
    moderation.flag_proposal(session, world.volunteer, world.proposal, reason="", now=now)
    moderation.flag_feedback(session, world.other_volunteer, world.comment, reason="", now=now)
    session.flush()
    home = client.get("/").get_data(as_text=True)
    assert "2 flagged items to look at" in home and f'href="{url}"' in home
    login(client, world.volunteer)
    assert "flagged items to look at" not in client.get("/").get_data(as_text=True)


SCRIPT = '<script>alert("xss-probe")</script>'


def test_hostile_reasons_are_shown_escaped_and_a_null_byte_is_refused(client, session, world):
    login(client, world.other_volunteer)
    client.post(f"/feedback/{world.comment.id}/flag", data={"reason": SCRIPT})
    assert (
        client.post(f"/proposals/{world.proposal.id}/flag", data={"reason": "a\x00b"}).status_code
        == 400
    )
    login(client, world.lead_staff)
    url = f"/programmes/{world.programme.id}/moderation"
    body = client.get(url).get_data(as_text=True)
    assert SCRIPT not in body and "&lt;script&gt;alert(" in body
    client.post(f"/feedback/{world.comment.id}/hide", data={"reason": SCRIPT})
    hidden = client.get(url, query_string={"show": "hidden"}).get_data(as_text=True)
    assert SCRIPT not in hidden and "&lt;script&gt;alert(" in hidden
