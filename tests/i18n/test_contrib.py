"""Contribution logs in Spanish: the log form (hours typed with a decimal comma or a dot), the
rules' messages with dates and numbers in Spanish, my logs, the review queue's flags, bulk
approval, and the API's problem detail."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from coprod.models import ContributionLog, LogStatus, OrgKind, Role
from tests.api.conftest import Api, bearer, is_problem
from tests.conftest import NOW, login
from tests.factories import (
    make_held_shift,
    make_log,
    make_member,
    make_org,
    make_programme,
    make_task,
)

ES = {"Accept-Language": "es"}
TODAY = NOW.date().isoformat()


@pytest.fixture
def world(session):
    agency = make_org(session, OrgKind.AGENCY)
    programme = make_programme(session, agency, name="Comidas a domicilio")
    task = make_task(session, programme, title="Repartir comidas")
    partner = make_org(session, OrgKind.NONPROFIT, name="Banco de alimentos")
    volunteer = make_member(session, partner, Role.MEMBER, display_name="Vera")
    reviewer = make_member(session, agency, Role.REVIEWER, display_name="Rita")
    session.flush()
    return {"task": task, "volunteer": volunteer, "reviewer": reviewer}


def _logs(session, task) -> list[ContributionLog]:
    return list(session.scalars(select(ContributionLog).where(ContributionLog.task_id == task.id)))


def test_the_log_form_speaks_spanish(client, world) -> None:
    login(client, world["volunteer"])
    page = client.get(f"/tasks/{world['task'].id}/log", headers=ES)
    assert page.status_code == 200
    assert '<html lang="es"' in page.text
    assert "<h1>Registrar horas</h1>" in page.text
    assert "Enviar a revisión" in page.text
    assert "por ejemplo, 2,5" in page.text
    assert "Contribuciones en especie" in page.text and "Concepto 1: descripción" in page.text


@pytest.mark.parametrize("typed", ["2,5", "2.5"])
def test_hours_typed_in_spanish_with_a_decimal_comma_or_a_dot_are_saved(
    client, session, world, typed
) -> None:
    login(client, world["volunteer"])
    sent = client.post(
        f"/tasks/{world['task'].id}/log", data={"date": TODAY, "hours": typed}, headers=ES
    )
    assert sent.status_code == 303, sent.text
    [log] = _logs(session, world["task"])
    assert log.hours == Decimal("2.5")
    shown = client.get(sent.headers["Location"], headers=ES)
    assert "Sus horas están registradas. Un revisor o una revisora las comprobará." in shown.text
    assert "2,5" in shown.text and "Pendiente de revisión" in shown.text


def test_a_log_changed_in_spanish_shows_its_hours_with_a_decimal_comma(
    client, session, world
) -> None:
    log = make_log(session, user=world["volunteer"], task=world["task"], hours="2.5")
    login(client, world["volunteer"])
    form = client.get(f"/logs/{log.id}/edit", headers=ES)
    assert 'value="2,5"' in form.text and "Cambiar su registro" in form.text
    saved = client.post(
        f"/logs/{log.id}/edit", data={"date": log.date.isoformat(), "hours": "3,25"}, headers=ES
    )
    assert saved.status_code == 303
    session.refresh(log)
    assert log.hours == Decimal("3.25")


def test_the_day_limit_says_the_date_and_hours_in_spanish(client, session, world) -> None:
    make_log(session, user=world["volunteer"], task=world["task"], hours="20", on=NOW.date())
    login(client, world["volunteer"])
    refused = client.post(
        f"/tasks/{world['task'].id}/log", data={"date": TODAY, "hours": "5"}, headers=ES
    )
    assert refused.status_code == 422
    assert (
        "Ya ha registrado 20 horas el 13 de junio de 2026; para ese día se pueden registrar "
        "como máximo 4 horas más." in refused.text
    )
    bad = client.post(
        f"/tasks/{world['task'].id}/log", data={"date": TODAY, "hours": "dos"}, headers=ES
    )
    assert "Introduzca un número; por ejemplo, 2,5." in bad.text


def test_my_logs_in_spanish(client, session, world) -> None:
    make_log(session, user=world["volunteer"], task=world["task"], hours="1.5", on=NOW.date())
    login(client, world["volunteer"])
    page = client.get("/my/logs", headers=ES)
    assert page.status_code == 200
    assert "<h1>Mis registros</h1>" in page.text
    assert 'data-label="En nombre de"' in page.text and "Yo mismo/a" in page.text
    assert "13 jun 2026" in page.text and "1,5" in page.text
    assert "Pendiente de revisión" in page.text


def test_the_review_queue_flags_and_bulk_approval_in_spanish(client, session, world) -> None:
    volunteer, task = world["volunteer"], world["task"]
    shift = make_held_shift(session, task, volunteer, hours=3)
    over = make_log(session, user=volunteer, task=task, hours="4.5", shift_id=shift.id)
    other = make_log(session, user=volunteer, task=task, hours="1", on=NOW.date())
    login(client, world["reviewer"])
    queue = client.get("/review", headers=ES)
    assert queue.status_code == 200
    assert "<h1>Cola de revisión</h1>" in queue.text
    assert "4,5 h es más de lo que dura el turno (3 h)." in queue.text
    assert "Seleccionar los 2 registros de esta página" in queue.text
    done = client.post(
        "/review/approve",
        data={"log_ids": [str(over.id), str(other.id), "999999"], "next": "/review"},
        headers=ES,
        follow_redirects=True,
    )
    assert "Se han aprobado 2 registros." in done.text
    refused = "No aprobados: registro n.º 999999: no existe o no le corresponde revisarlo."
    assert refused in done.text
    session.refresh(over)
    assert over.status == LogStatus.APPROVED


def test_the_api_answers_a_review_without_a_reason_in_spanish(client, session, world) -> None:
    log = make_log(session, user=world["volunteer"], task=world["task"])
    api = Api(client, {**bearer(session, world["reviewer"]), **ES})
    refused = api.post(f"/contributions/{log.id}/review", {"decision": "reject"})
    assert is_problem(refused, 422)
    assert "Indique el motivo por el que rechaza este registro." in str(refused.get_json())
    english = Api(client, bearer(session, world["reviewer"]))
    again = english.post(f"/contributions/{log.id}/review", {"decision": "reject"})
    assert "Enter the reason for rejecting this log." in str(again.get_json())
