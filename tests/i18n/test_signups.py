"""Sign-ups, rosters, the home page and the notification pages in Spanish: what a Spanish
reader sees (pages asked for with Accept-Language: es), the messages they are refused with,
the roster's CSV headers, and the API's problem detail."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from coprod.db import utcnow
from coprod.errors import Conflict
from coprod.i18n import in_language
from coprod.services import signups
from tests.api.conftest import bearer
from tests.conftest import login
from tests.factories import ShiftWorld, make_signup, make_user

ES = {"Accept-Language": "es"}


def future():
    return utcnow().replace(microsecond=0) + timedelta(days=7)


def started():
    return utcnow().replace(microsecond=0) - timedelta(hours=1)


def page(client, url: str) -> str:
    """The page's main content (the menus and footer belong to other areas)."""
    resp = client.get(url, headers=ES)
    assert resp.status_code == 200, url
    text = resp.get_data(as_text=True)
    return text.split("<main", 1)[1].split("</main>", 1)[0]


def test_signing_up_says_so_in_spanish(client, session) -> None:
    w = ShiftWorld(session, starts_at=future())
    login(client, w.volunteer)
    client.post(f"/shifts/{w.shift.id}/signup", headers=ES)
    text = page(client, "/my/schedule")
    assert "Se ha inscrito en «" in text
    assert "Mi agenda" in text and "Sus próximos turnos" in text
    assert "Confirmada" in text and "Cancelar" in text
    assert "My schedule" not in text and "Your upcoming shifts" not in text


def test_a_full_shift_puts_a_spanish_reader_on_the_waiting_list(client, session) -> None:
    w = ShiftWorld(session, capacity=1, starts_at=future())
    make_signup(session, w.shift, w.other_volunteer)
    login(client, w.volunteer)
    client.post(f"/shifts/{w.shift.id}/signup", headers=ES)
    text = page(client, "/my/schedule")
    assert "está en la lista de espera (posición 1)" in text
    assert "En lista de espera" in text and "Salir de la lista de espera" in text


def test_the_cancel_page_in_spanish(client, session) -> None:
    w = ShiftWorld(session, starts_at=future())
    signup = make_signup(session, w.shift, w.volunteer)
    login(client, w.volunteer)
    text = page(client, f"/signups/{signup.id}/cancel")
    assert "¿Cancelar su plaza?" in text
    assert "Sí, cancelar esta plaza" in text and "No, mantener" in text


def test_the_roster_and_its_sign_in_sheet_in_spanish(client, session) -> None:
    w = ShiftWorld(session, starts_at=future())
    make_signup(session, w.shift, w.volunteer)
    login(client, w.coordinator)
    roster = page(client, f"/shifts/{w.shift.id}/roster")
    assert "Lista del turno: " in roster
    assert "1 de 2 ocupadas" in roster and "0 en la lista de espera" in roster
    assert "Asignar a una persona voluntaria" in roster
    assert 'data-label="Nombre"' in roster and 'data-label="Estado"' in roster
    sheet = page(client, f"/shifts/{w.shift.id}/roster/print")
    assert "Hoja de firmas: " in sheet and "Firma" in sheet and "Teléfono" in sheet


def test_the_roster_csv_has_spanish_headers_and_labels(client, session) -> None:
    w = ShiftWorld(session, starts_at=started())
    make_signup(session, w.shift, w.volunteer)
    login(client, w.coordinator)
    resp = client.get(f"/shifts/{w.shift.id}/roster.csv", headers=ES)
    rows = list(csv.reader(io.StringIO(resp.get_data(as_text=True))))
    assert rows[0] == ["Nombre", "Correo electrónico", "Teléfono", "Estado", "Asistencia"]
    assert rows[1][3:] == ["Confirmada", "Sin marcar"]


def test_marking_attendance_in_spanish(client, session) -> None:
    w = ShiftWorld(session, starts_at=started())
    make_signup(session, w.shift, w.volunteer)
    make_signup(session, w.shift, w.other_volunteer)
    login(client, w.coordinator)
    ask = page(client, f"/shifts/{w.shift.id}/attendance")
    assert "¿Marcar que todos asistieron?" in ask
    assert "Sí, marcar que 2 personas asistieron" in ask
    client.post(f"/shifts/{w.shift.id}/attendance", headers=ES)
    roster = page(client, f"/shifts/{w.shift.id}/roster")
    assert "Se ha marcado que 2 personas asistieron." in roster
    assert "Asistió" in roster


def test_the_home_page_in_spanish(client, session) -> None:
    w = ShiftWorld(session, starts_at=future())
    make_signup(session, w.shift, w.volunteer)
    login(client, w.volunteer)
    text = page(client, "/")
    assert f"Hola, {w.volunteer.display_name}" in text
    assert "Sus turnos y horas" in text and "Sus próximos turnos" in text
    assert "Aún no tiene horas aprobadas este año." in text
    assert "Your shifts and hours" not in text


def test_the_email_and_calendar_page_in_spanish(client, session) -> None:
    user = make_user(session)
    login(client, user)
    text = page(client, "/account/notifications")
    assert "Correo y calendario" in text and "Qué correos recibe" in text
    assert "Guardar mis preferencias" in text and "Restablecer mi enlace de calendario" in text


def test_a_refusal_is_in_the_readers_language(app, session) -> None:
    w = ShiftWorld(session, starts_at=future())
    signups.sign_up(session, w.volunteer, w.shift, utcnow())
    with app.app_context(), in_language("es"), pytest.raises(Conflict) as err:
        signups.sign_up(session, w.volunteer, w.shift, utcnow())
    assert err.value.message == "Ya está inscrito/a en este turno."
    with app.app_context(), in_language("en"), pytest.raises(Conflict) as err:
        signups.sign_up(session, w.volunteer, w.shift, utcnow())
    assert err.value.message == "You are already signed up for this shift."


def test_the_api_refuses_in_the_language_asked_for(client, session) -> None:
    w = ShiftWorld(session, starts_at=future())
    headers = {**bearer(session, w.volunteer), **ES}
    assert client.post(f"/api/v1/shifts/{w.shift.id}/signups", headers=headers).status_code == 201
    again = client.post(f"/api/v1/shifts/{w.shift.id}/signups", headers=headers)
    assert again.status_code == 409
    assert again.get_json()["detail"] == "Ya está inscrito/a en este turno."
