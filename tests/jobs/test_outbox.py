"""The outbox deliverer against a real SMTP server running in this test process (aiosmtpd)."""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from coprod.jobs.outbox import claim_due, deliver_outbox
from coprod.models import NotificationKind, OutboxMessage, OutboxStatus, Task
from coprod.services import signups
from coprod.services.mailer import MailSettings
from tests.conftest import NOW
from tests.factories import ShiftWorld, make_user

SENDER = "coprod <no-reply@example.org>"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Inbox:
    """An aiosmtpd handler keeping every message it accepts (or refusing them all)."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], EmailMessage]] = []
        self.refuse = False
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse:
            return "451 4.3.0 Try again later"
        msg = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), msg))  # type: ignore[arg-type]
        return "250 OK"

    def text(self, i: int = 0) -> str:
        part = self.messages[i][1].get_body(preferencelist=("plain",))
        assert isinstance(part, EmailMessage)
        return str(part.get_content())

    def html(self, i: int = 0) -> str:
        part = self.messages[i][1].get_body(preferencelist=("html",))
        assert isinstance(part, EmailMessage)
        return str(part.get_content())


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


def settings(port: int, **overrides: Any) -> MailSettings:
    values: dict[str, Any] = {
        "server": "127.0.0.1",
        "port": port,
        "default_sender": SENDER,
        "max_attempts": 3,
        "retry_seconds": 60,
        "timeout": 5.0,
    }
    values.update(overrides)
    return MailSettings(**values)


def down() -> MailSettings:
    return settings(free_port())  # nothing listens there


def queued(session, n=1):
    msgs = []
    for _ in range(n):
        user = make_user(session)
        msgs.append(
            OutboxMessage(
                user_id=user.id,
                recipient=user.email,
                kind=NotificationKind.SIGNUP,
                subject=f"Hello {user.id}",
                body_text=f"Text for {user.id}",
                body_html=f"<p>HTML for {user.id}</p>",
                dedupe_key=f"test:{user.id}",
                next_attempt_at=NOW,
                created_at=NOW,
            )
        )
    session.add_all(msgs)
    session.flush()
    return msgs


def test_a_sign_up_confirmation_arrives_with_recipient_subject_and_links(session, smtp, now):
    inbox, mail = smtp
    world = ShiftWorld(session)
    signups.sign_up(session, world.volunteer, world.shift, now)
    assert deliver_outbox(session, now=now, settings=mail) == {"sent": 1, "retry": 0, "failed": 0}
    [(rcpt, msg)] = inbox.messages
    assert rcpt == [world.volunteer.email]
    assert msg["To"] == world.volunteer.email and msg["From"] == SENDER
    assert msg["Subject"] == f"You are signed up for “{world.task.title}”"
    for body in (inbox.text(), inbox.html()):
        assert f"http://127.0.0.1:5000/tasks/{world.task.id}" in body
        assert "http://127.0.0.1:5000/account/notifications" in body
    row = session.scalar(select(OutboxMessage))
    session.refresh(row)
    assert (row.status, row.sent_at, row.attempts) == (OutboxStatus.SENT, now, 1)


def test_a_sent_message_is_not_sent_again(session, smtp, now):
    inbox, mail = smtp
    queued(session)
    deliver_outbox(session, now=now, settings=mail)
    deliver_outbox(session, now=now + timedelta(hours=1), settings=mail)
    assert len(inbox.messages) == 1


def test_with_the_server_down_nothing_is_lost_and_a_later_run_delivers(session, smtp, now):
    inbox, mail = smtp
    [msg] = queued(session)
    assert deliver_outbox(session, now=now, settings=down())["retry"] == 1
    session.refresh(msg)
    assert msg.status == OutboxStatus.PENDING and msg.attempts == 1
    assert msg.next_attempt_at == now + timedelta(seconds=60)  # backoff applied
    assert msg.last_error
    # Before the backoff has passed, the message waits even though the server is back.
    assert deliver_outbox(session, now=now + timedelta(seconds=30), settings=mail)["sent"] == 0
    assert deliver_outbox(session, now=now + timedelta(seconds=61), settings=mail)["sent"] == 1
    session.refresh(msg)
    assert (msg.status, msg.attempts, msg.last_error) == (OutboxStatus.SENT, 2, "")
    assert [m[1]["Subject"] for m in inbox.messages] == [msg.subject]


def test_a_refusing_server_is_retried_with_a_doubling_wait_then_given_up(session, smtp, now):
    inbox, mail = smtp
    inbox.refuse = True
    [msg] = queued(session)
    when = now
    waits = []
    for _ in range(3):
        deliver_outbox(session, now=when, settings=mail)
        session.refresh(msg)
        waits.append(msg.next_attempt_at - when)
        when = msg.next_attempt_at
    assert waits[:2] == [timedelta(seconds=60), timedelta(seconds=120)]
    assert (msg.status, msg.attempts) == (OutboxStatus.FAILED, 3)
    assert "451" in msg.last_error
    inbox.refuse = False
    assert deliver_outbox(session, now=when + timedelta(days=1), settings=mail)["sent"] == 0
    assert inbox.messages == []


def test_without_a_mail_server_messages_go_to_the_console_log(session, now, caplog):
    [msg] = queued(session)
    with caplog.at_level(logging.INFO, logger="coprod.mail"):
        assert deliver_outbox(session, now=now, settings=MailSettings())["sent"] == 1
    assert msg.subject in caplog.text and msg.body_text in caplog.text
    assert msg.recipient in caplog.text


def test_a_claim_left_by_a_crashed_deliverer_is_taken_again_later(session, smtp, now):
    inbox, mail = smtp
    [msg] = queued(session)
    assert claim_due(session, now=now) == [msg]  # then the process dies: never marked
    session.commit()
    assert deliver_outbox(session, now=now + timedelta(minutes=5), settings=mail)["sent"] == 0
    assert deliver_outbox(session, now=now + timedelta(minutes=16), settings=mail)["sent"] == 1
    assert len(inbox.messages) == 1


def test_two_deliverers_at_once_send_each_message_once(committed_engine, smtp, now):
    inbox, mail = smtp
    with Session(committed_engine, expire_on_commit=False) as s:
        ids = [m.id for m in queued(s, 30)]
        s.commit()
    barrier = threading.Barrier(2, timeout=60)

    def deliverer() -> dict[str, int]:
        with Session(committed_engine, expire_on_commit=False) as s:
            barrier.wait()
            return deliver_outbox(s, now=now, settings=mail, limit=30)

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = [f.result(timeout=120) for f in [pool.submit(deliverer) for _ in range(2)]]
    assert sum(r["sent"] for r in results) == 30
    subjects = sorted(m[1]["Subject"] for m in inbox.messages)
    assert len(subjects) == 30 and len(set(subjects)) == 30
    with Session(committed_engine) as s:
        sent = s.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.id.in_(ids), OutboxMessage.status == OutboxStatus.SENT)
        )
        assert sent == 30


def test_a_task_title_holding_a_line_break_does_not_stop_its_emails(session, smtp, now):
    # Written straight into the database (an old row, a manual fix): the services refuse it.
    inbox, mail = smtp
    world = ShiftWorld(session)
    session.execute(
        update(Task).where(Task.id == world.task.id).values(title="Beach\nBcc: all@example.org")
    )
    session.expire_all()
    signups.sign_up(session, world.volunteer, world.shift, now)
    assert deliver_outbox(session, now=now, settings=mail) == {"sent": 1, "retry": 0, "failed": 0}
    [(rcpt, msg)] = inbox.messages
    assert rcpt == [world.volunteer.email]
    assert msg["Subject"] == "You are signed up for “Beach Bcc: all@example.org”"
    assert msg["Bcc"] is None


def test_an_outbox_row_whose_subject_holds_a_line_break_is_still_delivered(session, smtp, now):
    inbox, mail = smtp
    [row] = queued(session)
    row.subject = "Hello\r\n\tthere\u2028friend"
    session.flush()
    assert deliver_outbox(session, now=now, settings=mail)["sent"] == 1
    assert inbox.messages[0][1]["Subject"] == "Hello there friend"
