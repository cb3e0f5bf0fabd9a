"""The task and shift pages in Spanish: the list, a task's page, the management pages with
their plurals, the services' refusals and the calendar feed in its owner's language."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_skeleton
from icalendar import Calendar

from coprod.db import utcnow
from coprod.models import OrgKind, Role, TaskStatus
from coprod.services import shift_changes
from tests.conftest import login
from tests.factories import (
    make_member,
    make_org,
    make_programme,
    make_shift,
    make_signup,
    make_task,
    make_user,
)

ES = {"Accept-Language": "es"}
SOON = utcnow() + timedelta(days=10)


@pytest.fixture
def world(session):
    agency = make_org(session, OrgKind.AGENCY, timezone="Europe/Madrid")
    programme = make_programme(session, agency, name="Comedores")
    task = make_task(session, programme, title="Repartir comidas")
    return {
        "task": task,
        "staff": make_member(session, agency, Role.STAFF),
        "one": make_shift(session, task, starts_at=SOON, capacity=1),
        "three": make_shift(session, task, starts_at=SOON + timedelta(days=7), capacity=3),
    }


def test_the_task_list_speaks_spanish(client, world) -> None:
    page = client.get("/tasks", headers=ES).text
    assert '<html lang="es"' in page
    assert "<h1>Buscar tareas</h1>" in page
    assert "Tareas abiertas en las que puede inscribirse, las más próximas primero." in page
    assert ">Plazas libres<" in page and 'data-label="Próximo turno (hora local)"' in page
    assert "Repartir comidas" in page  # data stays as it was typed
    assert "(+1 más)" in page
    assert "<h1>Find tasks</h1>" not in page and "Free places" not in page


def test_the_task_list_says_in_spanish_that_a_filter_is_wrong(client, world) -> None:
    page = client.get("/tasks?date_from=2026-12-31&date_to=2026-01-01", headers=ES)
    assert page.status_code == 422
    assert "La fecha de fin debe ser igual o posterior a la fecha de inicio." in page.text


def test_a_task_page_in_spanish_with_its_status_dates_and_places(client, world) -> None:
    task, one = world["task"], world["one"]
    page = client.get(f"/tasks/{task.id}", headers=ES).text
    assert ">Abierta</span>" in page and ">Open</span>" not in page
    assert '<h2 id="shifts">Próximos turnos</h2>' in page
    assert "Próximos turnos de Repartir comidas (hora local de Europe/Madrid)" in page
    assert ">1 de 1</td>" in page and ">3 de 3</td>" in page
    assert 'data-label="Lista de espera"' in page and 'data-label="Su plaza"' in page
    day = one.starts_at.astimezone(ZoneInfo("Europe/Madrid"))
    assert f'data-label="Fecha">{format_skeleton("yMMMEd", day, locale="es")}</th>' in page
    assert "Upcoming shifts" not in page and "Waiting list" not in page


def test_the_cancel_page_counts_sign_ups_in_spanish(client, session, world) -> None:
    task = world["task"]
    login(client, world["staff"])
    none = client.get(f"/tasks/{task.id}/cancel", headers=ES).text
    assert "Nadie está inscrito en sus turnos." in none
    make_signup(session, world["one"])
    one = client.get(f"/tasks/{task.id}/cancel", headers=ES).text
    assert "También se cancelará 1 inscripción confirmada o en lista de espera" in one
    for _ in range(2):
        make_signup(session, world["three"])
    three = client.get(f"/tasks/{task.id}/cancel", headers=ES).text
    assert "También se cancelarán las 3 inscripciones confirmadas o en lista de espera" in three
    assert "Sí, cancelar esta tarea" in three


def test_the_copy_page_says_1_plaza_and_3_plazas(client, session, world) -> None:
    make_task(session, world["task"].programme, title="Otra tarea", status=TaskStatus.DRAFT)
    login(client, world["staff"])
    page = client.get(f"/tasks/{world['task'].id}/shifts/copy", headers=ES).text
    assert ", 1 plaza</label>" in page and ", 3 plazas</label>" in page
    assert "Otra tarea (borrador)" in page
    english = client.get(f"/tasks/{world['task'].id}/shifts/copy").text
    assert ", 1 place</label>" in english and ", 3 places</label>" in english


def test_a_refusal_and_a_flash_in_spanish(client, world) -> None:
    task = world["task"]
    login(client, world["staff"])
    past = (utcnow() - timedelta(days=3)).date().isoformat()
    form = {"date": past, "starts_at": "09:00", "ends_at": "12:00", "capacity": "5"}
    bad = client.post(f"/tasks/{task.id}/shifts/new", data=form, headers=ES)
    assert bad.status_code == 422
    assert "Un turno no puede empezar en el pasado." in bad.text
    form["date"] = (SOON + timedelta(days=30)).date().isoformat()
    client.post(f"/tasks/{task.id}/shifts/new", data=form, headers=ES)
    shown = client.get(f"/tasks/{task.id}", headers=ES).text
    assert "El turno se ha añadido." in shown


def test_a_refused_skip_date_names_the_weekday_in_spanish(app, world) -> None:
    from coprod.services.shifts.weekly import _skip_days

    first = SOON.date()
    other = first + timedelta(days=1)
    with app.test_request_context(headers=ES):
        from coprod.errors import FieldErrors

        errs = FieldErrors()
        _skip_days(errs, [first], [other], first, first + timedelta(days=14))
    message = errs.errors["skip_dates"][0]
    assert "no es una fecha de la serie: sus turnos caen en" in message
    assert first.strftime("%A") not in message


def test_the_calendar_feed_speaks_its_owners_language(client, session, world) -> None:
    me = make_user(session, language="es")
    make_signup(session, world["one"], me)
    shift_changes.cancel_shift(
        session, world["staff"], world["one"], reason="Tormenta", now=utcnow()
    )
    session.flush()
    feed = client.get(f"/calendar/{me.calendar_token}.ics", headers={"Accept-Language": "en"})
    event = next(iter(Calendar.from_ical(feed.data).walk("VEVENT")))
    assert str(event["SUMMARY"]) == "Cancelado: Repartir comidas"
    assert str(event["DESCRIPTION"]).startswith("Este turno se canceló. Motivo: Tormenta")
    assert event["STATUS"] == "CANCELLED"
