"""Accounts in Spanish: signing in and registering, the account pages, error pages, the page
frame, and the account API's messages, for a reader whose language is Spanish."""

from __future__ import annotations

from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import IntegerField, StringField
from wtforms.validators import DataRequired

from coprod.models import Role, User
from coprod.services import accounts, tokens
from tests.api.conftest import API, bearer
from tests.conftest import login
from tests.factories import PASSWORD, add_role, make_org, make_user

ES = {"Accept-Language": "es"}
NEW_PASSWORD = "a brand new passphrase"


def test_the_sign_in_page_and_the_page_frame_are_in_spanish(client) -> None:
    page = client.get("/login", headers=ES).text
    assert '<html lang="es"' in page
    for words in (
        "<title>Iniciar sesión · coprod</title>",
        "Saltar al contenido principal",
        "Menú",
        "Buscar tareas",
        "Crear cuenta",
        "Correo electrónico",
        "Contraseña",
        "Mantener la sesión iniciada en este dispositivo (30 días)",
        "¿Ha olvidado su contraseña?",
        '¿Aún no tiene cuenta? <a class="usa-link" href="/register">Cree una cuenta</a>.',
    ):
        assert words in page, words
    assert "Sign in" not in page and "Password" not in page


def test_a_refused_sign_in_says_why_in_spanish(client, session) -> None:
    user = make_user(session)
    page = client.post("/login", data={"email": user.email, "password": "wrong"}, headers=ES)
    assert page.status_code == 422
    assert "Hay un problema" in page.text
    assert "El correo electrónico o la contraseña no son correctos." in page.text


def test_signing_in_and_out_flash_in_spanish(client, session) -> None:
    user = make_user(session, display_name="Ana")
    data = {"email": user.email, "password": PASSWORD}
    page = client.post("/login", data=data, headers=ES, follow_redirects=True)
    assert "Ha iniciado sesión como Ana." in page.text
    page = client.post("/logout", headers=ES, follow_redirects=True)
    assert "Ha cerrado la sesión." in page.text


def test_registering_in_spanish_keeps_spanish_for_the_new_person(client, session) -> None:
    data = {"display_name": "Lucía", "email": "lucia@example.org", "password": NEW_PASSWORD}
    resp = client.post("/register", data=data, headers=ES)
    assert resp.status_code == 303
    user = session.scalar(select(User).where(User.email == "lucia@example.org"))
    assert user is not None and user.language == "es"
    page = client.get(resp.headers["Location"], headers=ES).text
    assert "Revise su correo" in page


def test_registering_in_english_follows_the_browser_as_before(client, session) -> None:
    data = {"display_name": "Lucy", "email": "lucy@example.org", "password": NEW_PASSWORD}
    assert client.post("/register", data=data).status_code == 303
    user = session.scalar(select(User).where(User.email == "lucy@example.org"))
    assert user is not None and user.language is None
    # Outside a request (the CLI, a job) there is no reader's language: none is kept.
    other = accounts.register(
        session, email="cli@example.org", password=NEW_PASSWORD, display_name="Cli"
    )
    assert other.language is None


def test_registration_errors_are_in_spanish(client) -> None:
    data = {"display_name": "", "email": "not-an-address", "password": "short"}
    page = client.post("/register", data=data, headers=ES).text
    assert "Introduzca su nombre." in page
    assert "Introduzca un correo electrónico como nombre@ejemplo.org." in page
    assert "Use al menos 10 caracteres." in page


def test_the_account_page_is_in_spanish_with_roles_named(client, session) -> None:
    user = make_user(session, language="es")
    add_role(session, user, make_org(session, name="Club Juvenil"), Role.COORDINATOR)
    page = login(client, user).get("/account").text
    assert '<html lang="es"' in page
    for words in (
        "<h1>Su cuenta</h1>",
        "Club Juvenil — coordinador/a",
        "Tokens de la API",
        "Cambiar su contraseña",
        "Cuenta",
        "Cerrar sesión",
    ):
        assert words in page, words


def test_the_tokens_page_and_its_pager_are_in_spanish(client, session) -> None:
    user = make_user(session, language="es")
    tokens.create_token(session, user, "Hoja de horas")
    session.flush()
    page = login(client, user).get("/account/tokens").text
    assert "Tokens que funcionan ahora" in page
    assert 'data-label="Último uso"' in page and "Nunca" in page
    assert "Página 1 de 1 · 1 en total" in page


def test_a_missing_page_and_a_dead_link_say_so_in_spanish(client) -> None:
    page = client.get("/no-such-page", headers=ES)
    assert page.status_code == 404
    assert "<h1>No encontrado</h1>" in page.text
    assert "No se ha encontrado en el servidor la dirección solicitada." in page.text
    assert "Ir a la página de inicio" in page.text
    dead = client.get("/reset-password/not-a-token", headers=ES)
    assert "Este enlace ha caducado o ya se ha usado. Pida uno nuevo." in dead.text


def test_the_home_page_welcomes_a_visitor_in_spanish(client) -> None:
    page = client.get("/", headers=ES).text
    assert "Prestemos juntos los servicios públicos" in page
    assert "para inscribirse en turnos y registrar sus horas." in page


def test_the_account_api_answers_in_spanish(client, session) -> None:
    user = make_user(session)
    resp = client.post(f"{API}/password-resets", json={"email": user.email}, headers={**ES})
    assert resp.status_code == 202
    assert resp.get_json()["detail"].startswith("Si esta dirección tiene una cuenta")
    wrong = client.post(
        f"{API}/tokens", json={"email": user.email, "password": "wrong"}, headers=ES
    )
    assert wrong.status_code == 422
    assert wrong.get_json()["detail"] == "El correo electrónico o la contraseña no son correctos."
    # A message of the API's own schema (a phone that is not one) comes in Spanish too.
    me = client.patch(f"{API}/me", json={"phone": "abc"}, headers={**ES, **bearer(session, user)})
    assert me.status_code == 422
    assert me.get_json()["errors"]["phone"] == [
        "Introduzca un número de teléfono como +44 20 7946 0000, o déjelo vacío."
    ]


class _Form(FlaskForm):
    name = StringField(validators=[DataRequired()])
    count = IntegerField()


def test_wtforms_own_messages_come_in_spanish(app) -> None:
    """WTForms' built-in messages come from WTForms' own catalogue, through Flask-WTF."""
    data = {"name": "", "count": "x"}
    with app.test_request_context("/", method="POST", data=data, headers=ES):
        form = _Form(meta={"csrf": False})
        assert not form.validate()
        assert form.name.errors == ["Este campo es obligatorio."]
        assert form.count.errors == ["No es un valor entero válido."]


def test_the_api_reads_and_sets_your_language(client, session) -> None:
    user = make_user(session)
    headers = bearer(session, user)
    assert client.get(f"{API}/me", headers=headers).json["language"] is None
    changed = client.patch(f"{API}/me", json={"language": "es"}, headers=headers)
    assert changed.status_code == 200 and changed.json["language"] == "es"
    refused = client.patch(
        f"{API}/me", json={"language": "xx"}, headers={**headers, "Accept-Language": "es"}
    )
    assert refused.status_code == 422 and "language" in refused.json["errors"]
    assert refused.json["detail"] != "Some values are not valid: see errors."
    assert client.get(f"{API}/me", headers=headers).json["language"] == "es"
    back = client.patch(f"{API}/me", json={"language": None}, headers=headers)
    assert back.json["language"] is None
