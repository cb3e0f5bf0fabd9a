"""Emails go out in the recipient's language (user.language; English when they chose none),
whoever's request or job queues them; the API's problem details follow Accept-Language.

The Spanish expected here is written as a reader sees it: these tests need the Spanish
catalogue (coprod/translations/es) to hold the emails' translations."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from sqlalchemy import select

from coprod.i18n import current_language, in_language
from coprod.jobs.outbox import deliver_outbox
from coprod.jobs.reminders import send_reminders
from coprod.models import NotificationKind, OutboxMessage, User
from coprod.services import account_emails, localtime, signups
from coprod.services.mailer import MailSettings
from tests.api.conftest import Api, bearer, is_problem
from tests.factories import ShiftWorld, make_signup, make_user
from tests.jobs.test_outbox import Inbox, free_port, settings

Kind = NotificationKind


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, MailSettings]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, settings(port)
    finally:
        controller.stop()


@pytest.fixture
def ctx(app: Flask) -> Iterator[None]:
    """An app context, as a request and the scheduler's jobs have."""
    with app.app_context():
        yield


def mails(session: Any, user: User, kind: NotificationKind) -> list[OutboxMessage]:
    return list(
        session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.user_id == user.id, OutboxMessage.kind == kind
            )
        )
    )


def spanish_time(shift: Any) -> str:
    with in_language("es"):
        return localtime.describe_shift(shift)


def test_a_spanish_readers_sign_up_confirmation_is_in_spanish(session, now, ctx):
    world = ShiftWorld(session)
    world.volunteer.language = "es"
    signups.sign_up(session, world.volunteer, world.shift, now)
    [msg] = mails(session, world.volunteer, Kind.SIGNUP)
    assert msg.subject == f"Se ha inscrito en «{world.task.title}»"
    for body in (msg.body_text, msg.body_html):
        assert f"Hola, {world.volunteer.display_name}:" in body
        assert "Se ha inscrito en este turno. ¡Gracias!" in body
        assert spanish_time(world.shift) in body
        assert "Si no puede venir, cancele desde su agenda" in body
        assert "You are signed up" not in body and "Hello" not in body
    assert "Cuándo:" in msg.body_text
    assert '<html lang="es">' in msg.body_html
    assert "configuración de notificaciones" in msg.body_html


def test_the_account_confirmation_is_in_the_new_persons_language(session, now, ctx, app):
    person = make_user(session, language="es", email_confirmed_at=None)
    account_emails.confirm_address(session, person, secret=app.config["SECRET_KEY"], now=now)
    [msg] = mails(session, person, Kind.CONFIRM_EMAIL)
    assert msg.subject == "Confirme su correo electrónico para coprod"
    assert "Le damos la bienvenida a coprod." in msg.body_text
    assert "Confirmar mi correo electrónico" in msg.body_html
    assert "/confirm-email/" in msg.body_text


def test_the_reminder_job_reminds_a_spanish_reader_in_spanish(session, now, ctx):
    world = ShiftWorld(session, starts_at=now + timedelta(hours=20))
    world.volunteer.language = "es"
    make_signup(session, world.shift, world.volunteer)
    assert send_reminders(session, now=now, hours_before=24) == 1
    [msg] = mails(session, world.volunteer, Kind.REMINDER)
    when = spanish_time(world.shift)
    assert when.startswith("dom, 14 jun 2026")  # Sunday 14 June
    assert msg.subject == f"Recordatorio: «{world.task.title}», {when}"
    assert "Un recordatorio: se acerca su turno." in msg.body_text
    assert "alguien de la lista de espera pueda ocupar su plaza" in msg.body_html


def test_a_spanish_email_arrives_in_spanish_over_smtp(session, now, ctx, smtp):
    inbox, mail = smtp
    world = ShiftWorld(session)
    world.volunteer.language = "es"
    signups.sign_up(session, world.volunteer, world.shift, now)
    assert deliver_outbox(session, now=now, settings=mail)["sent"] == 1
    [(rcpt, msg)] = inbox.messages
    assert rcpt == [world.volunteer.email]
    assert msg["Subject"] == f"Se ha inscrito en «{world.task.title}»"
    assert "Se ha inscrito en este turno. ¡Gracias!" in inbox.text()
    assert "Página de la tarea:" in inbox.text()
    assert '<html lang="es">' in inbox.html() and "Ver su agenda" in inbox.html()


def test_each_person_gets_their_own_language_whoever_is_reading(session, now, app):
    """A Spanish reader's request queues an English email for someone who chose no language,
    and a Spanish one for someone who chose Spanish; the request stays in Spanish."""
    world = ShiftWorld(session, capacity=2)
    world.other_volunteer.language = "es"
    with app.test_request_context("/api/v1/me", headers={"Accept-Language": "es"}):
        assert current_language() == "es"
        signups.sign_up(session, world.volunteer, world.shift, now)
        signups.sign_up(session, world.other_volunteer, world.shift, now)
        assert current_language() == "es"
    [english] = mails(session, world.volunteer, Kind.SIGNUP)
    [spanish] = mails(session, world.other_volunteer, Kind.SIGNUP)
    assert english.subject == f"You are signed up for “{world.task.title}”"
    assert "You are signed up for this shift. Thank you!" in english.body_text
    assert '<html lang="en">' in english.body_html
    assert spanish.subject == f"Se ha inscrito en «{world.task.title}»"


def test_an_english_reminder_is_unchanged(session, now, ctx):
    world = ShiftWorld(session, starts_at=now + timedelta(hours=20))
    make_signup(session, world.shift, world.volunteer)
    send_reminders(session, now=now, hours_before=24)
    [msg] = mails(session, world.volunteer, Kind.REMINDER)
    when = localtime.describe_shift(world.shift)
    assert when.startswith("Sun 14 Jun 2026")
    assert msg.subject == f"Reminder: “{world.task.title}” on {when}"
    assert "A reminder: your shift is coming up." in msg.body_text


def test_the_apis_problem_detail_follows_accept_language(client, session):
    spanish = {"Accept-Language": "es"}
    missing = Api(client).get("/nothing-here", headers=spanish)
    assert is_problem(missing, 404)
    assert missing.get_json()["detail"] == "No se ha encontrado."
    assert Api(client).get("/nothing-here").get_json()["detail"] == "Not found."

    api = Api(client, bearer(session, make_user(session)))
    bad = api.post("/organisations", {"name": "a\nb", "kind": "nonprofit"}, headers=spanish)
    assert is_problem(bad, 422)
    body = bad.get_json()
    assert body["detail"] == "Algunos valores no son válidos: consulte errors."
    assert body["errors"]["name"] == [
        "Introduzca algún texto en una sola línea, sin saltos de línea, tabuladores ni "
        "caracteres de control."
    ]

    # marshmallow's own messages too
    missing_name = api.post("/organisations", {"kind": "nonprofit"}, headers=spanish)
    assert missing_name.get_json()["errors"]["name"] == ["Falta este dato obligatorio."]
    english = api.post("/organisations", {"kind": "nonprofit"})
    assert english.get_json()["errors"]["name"] == ["Missing data for required field."]

    anonymous = Api(client).get("/me", headers=spanish)
    assert is_problem(anonymous, 401)
    assert anonymous.get_json()["detail"].startswith("Envíe un token de acceso personal válido")
