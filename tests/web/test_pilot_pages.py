"""Pilot pages: set-up (lead staff), the evaluation page (public once built after the window,
a preview for lead staff before), its downloads, the decision, Rebuild now, and the pilots list."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta

import pytest

from coprod.db import utcnow
from coprod.models import ComparisonKind, PilotControl, PilotDecision, Role
from coprod.services.governance import pilots
from tests.conftest import login
from tests.factories import make_member, make_programme, make_task, make_user
from tests.pilot_world import make_pilot_world


def _built(session, world):
    return pilots.build_evaluation(session, None, world.programme, now=utcnow())


def test_visitors_read_the_built_evaluation_without_names(client, session):
    world = make_pilot_world(session)
    _built(session, world)
    page = client.get(f"/programmes/{world.programme.id}/evaluation")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "Doorstep deliveries feed more people an hour." in body
    assert "1 March 2026 to 10 March 2026" in body
    assert "3.2222" in body and "1.5" in body and "1.7222" in body
    assert "Too few contributors for an interval" in body  # 3 people, 5 needed
    assert 'role="img"' in body and "<table" in body
    assert "Person A" not in body
    assert "Rebuild now" not in body and "Save the decision" not in body
    assert "Preview" not in body


def test_before_it_is_built_or_before_the_window_ends_it_is_not_found(client, session):
    world = make_pilot_world(session)
    pid = world.programme.id
    assert client.get(f"/programmes/{pid}/evaluation").status_code == 404
    assert client.get(f"/programmes/{pid}/evaluation.csv").status_code == 404
    login(client, make_user(session))
    assert client.get(f"/programmes/{pid}/evaluation").status_code == 404
    running = make_pilot_world(session, evaluation_ends_on=date(2099, 1, 31))
    login(client, running.staff)
    page = client.get(f"/programmes/{running.programme.id}/evaluation")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "Preview — the window ends on 31 January 2099" in body
    assert "Rebuild now" not in body and "Save the decision" not in body


def test_lead_staff_rebuild_and_record_the_decision(client, session):
    world = make_pilot_world(session)
    pid = world.programme.id
    login(client, world.staff)
    body = client.get(f"/programmes/{pid}/evaluation").get_data(as_text=True)
    assert "Preview — not built yet" in body and "Rebuild now" in body
    done = client.post(f"/programmes/{pid}/evaluation/rebuild")
    assert done.status_code == 303
    bad = client.post(f"/programmes/{pid}/evaluation/decision", data={"decision": "x"})
    assert bad.status_code == 422
    assert "Choose scale up, adapt or stop." in bad.get_data(as_text=True)
    ok = client.post(
        f"/programmes/{pid}/evaluation/decision",
        data={"decision": "adapt", "lessons": "Shorter rounds work better."},
    )
    assert ok.status_code == 303
    session.expire_all()
    stored = pilots.get_stored(session, world.programme)
    assert stored.decision == PilotDecision.ADAPT
    client.get("/logout")
    body = client.get(f"/programmes/{pid}/evaluation").get_data(as_text=True)
    assert "Adapt" in body and "Shorter rounds work better." in body


@pytest.mark.parametrize("role", [Role.MEMBER, Role.REVIEWER, Role.COORDINATOR])
def test_others_cannot_set_up_rebuild_or_decide(client, session, role):
    world = make_pilot_world(session)
    pid = world.programme.id
    _built(session, world)
    login(client, make_member(session, world.programme.lead_organisation, role))
    assert client.get(f"/programmes/{pid}/pilot").status_code == 403
    assert client.post(f"/programmes/{pid}/evaluation/rebuild").status_code == 403
    refused = client.post(
        f"/programmes/{pid}/evaluation/decision", data={"decision": "stop", "lessons": "x"}
    )
    assert refused.status_code == 403
    assert pilots.get_stored(session, world.programme).decision is None


def test_downloads_hold_the_same_figures(client, session):
    world = make_pilot_world(session)
    _built(session, world)
    pid = world.programme.id
    data = json.loads(client.get(f"/programmes/{pid}/evaluation.json").get_data(as_text=True))
    assert data["pilot"]["hours"] == 9.0 and data["preview"] is False
    assert data["decision"]["decision"] is None
    text = client.get(f"/programmes/{pid}/evaluation.csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["measure", "unit", "figure"]
    assert ["Meals delivered", "meals", "per_hour", "3.2222", "1.5", "1.7222", "", ""] in rows


def test_set_up_page_saves_metrics_and_comparison_and_manages_controls(client, session):
    world = make_pilot_world(session)
    pid = world.programme.id
    other = make_programme(session, name="Community Meals")
    task = make_task(session, other, title="Saturday kitchen")
    login(client, world.staff)
    page = client.get(f"/programmes/{pid}/pilot?q=kitchen")
    assert page.status_code == 200 and "Saturday kitchen" in page.get_data(as_text=True)
    refused = client.post(f"/programmes/{pid}/pilot", data={"comparison": "control"})
    assert refused.status_code == 422
    assert "Choose at least one metric" in refused.get_data(as_text=True)
    done = client.post(
        f"/programmes/{pid}/pilot",
        data={"comparison": "control", "metric_ids": [str(world.other_metric.id), "x"]},
    )
    assert done.status_code == 303
    session.expire_all()
    assert world.programme.comparison == ComparisonKind.CONTROL
    added = client.post(f"/programmes/{pid}/pilot/controls", data={"task_id": task.id})
    assert added.status_code == 303
    [control] = pilots.list_controls(session, world.programme)
    again = client.post(
        f"/programmes/{pid}/pilot/controls",
        data={"task_id": task.id},
        headers={"Referer": f"/programmes/{pid}/pilot"},
    )
    assert again.status_code == 303  # back with the reason
    gone = client.post(f"/programmes/{pid}/pilot/controls/{control.id}/remove")
    assert gone.status_code == 303
    assert session.query(PilotControl).count() == 0


def test_the_pilots_page_lists_every_pilot_with_its_decision(client, session):
    world = make_pilot_world(session)
    _built(session, world)
    pilots.record_decision(
        session, world.staff, world.programme, decision="scale_up", lessons="Yes.", now=utcnow()
    )
    make_pilot_world(session, evaluation_ends_on=date(2099, 1, 31))
    body = client.get("/pilots").get_data(as_text=True)
    assert "What we learned from pilots" in body
    assert "Scale up" in body and "3.2222" in body
    assert "In progress until 31 January 2099" in body
    assert client.get("/pilots?page=abc").status_code in (400, 422)


def test_the_programme_page_links_the_evaluation_in_the_pilot_section(client, session):
    world = make_pilot_world(session)
    pid = world.programme.id
    body = client.get(f"/programmes/{pid}").get_data(as_text=True)
    assert f"/programmes/{pid}/evaluation" not in body and "/pilots" in body
    _built(session, world)
    body = client.get(f"/programmes/{pid}").get_data(as_text=True)
    assert "Read the pilot&#39;s evaluation" in body or "Read the pilot's evaluation" in body
    login(client, world.staff)
    body = client.get(f"/programmes/{pid}").get_data(as_text=True)
    assert f"/programmes/{pid}/pilot" in body


def test_unknown_pilots_are_not_found(client, session):
    assert client.get("/programmes/999999999/evaluation").status_code == 404
    assert client.get(f"/programmes/{make_programme(session).id}/evaluation").status_code == 404
    _ = timedelta


def test_the_json_download_escapes_markup_and_the_csv_formulas(client, session):
    world = make_pilot_world(session)
    world.metric.name = "=<script>alert(1)</script>"
    _built(session, world)
    pid = world.programme.id
    text = client.get(f"/programmes/{pid}/evaluation.json").get_data(as_text=True)
    assert "<script>" not in text
    assert json.loads(text)["measures"][0]["name"] == "=<script>alert(1)</script>"
    rows = list(csv.reader(io.StringIO(client.get(f"/programmes/{pid}/evaluation.csv").text)))
    assert rows[-1][0] == "'=<script>alert(1)</script>"
