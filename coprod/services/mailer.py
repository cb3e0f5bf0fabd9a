"""Sending one email over SMTP (or to the console log when no mail server is configured).

Settings use the names Flask-Mail users know: MAIL_SERVER, MAIL_PORT, MAIL_USE_TLS,
MAIL_USE_SSL, MAIL_USERNAME, MAIL_PASSWORD, MAIL_DEFAULT_SENDER; plus MAIL_MAX_ATTEMPTS and
MAIL_RETRY_SECONDS for the outbox's retries.
"""

from __future__ import annotations

import contextlib
import logging
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from types import TracebackType
from typing import Any

from coprod.models import OutboxMessage
from coprod.services.text import one_line

log = logging.getLogger("coprod.mail")


def _flag(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "on"}
    return bool(value)


@dataclass(frozen=True)
class MailSettings:
    server: str | None = None
    port: int = 25
    use_tls: bool = False
    use_ssl: bool = False
    username: str | None = None
    password: str | None = None
    default_sender: str = "coprod <no-reply@localhost>"
    max_attempts: int = 8
    retry_seconds: int = 60
    timeout: float = 15.0

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> MailSettings:
        """Read the MAIL_* settings from a Flask config (or any mapping)."""
        return cls(
            server=config.get("MAIL_SERVER") or None,
            port=int(config.get("MAIL_PORT") or 25),
            use_tls=_flag(config.get("MAIL_USE_TLS", False)),
            use_ssl=_flag(config.get("MAIL_USE_SSL", False)),
            username=config.get("MAIL_USERNAME") or None,
            password=config.get("MAIL_PASSWORD") or None,
            default_sender=config.get("MAIL_DEFAULT_SENDER") or cls.default_sender,
            max_attempts=int(config.get("MAIL_MAX_ATTEMPTS") or 8),
            retry_seconds=int(config.get("MAIL_RETRY_SECONDS") or 60),
        )

    @property
    def console(self) -> bool:
        """No mail server configured: messages are written to the log (development)."""
        return not self.server

    def backoff(self, attempts: int) -> timedelta:
        """Wait before the next try: retry_seconds, doubled after every failure (max 6 h)."""
        return timedelta(seconds=min(self.retry_seconds * 2 ** max(attempts - 1, 0), 6 * 3600))


def build_email(settings: MailSettings, message: OutboxMessage) -> EmailMessage:
    """The outbox row as a MIME message: plain text with an HTML alternative."""
    email = EmailMessage()
    email["From"] = settings.default_sender
    email["To"] = message.recipient
    # Subjects are built from one-line text; a row written before that rule (or by hand)
    # must still go out rather than fail every retry on a header with a line break.
    email["Subject"] = one_line(message.subject)
    email["Date"] = format_datetime(message.created_at)
    email["Message-ID"] = make_msgid(idstring=f"outbox{message.id}", domain="coprod")
    email["Auto-Submitted"] = "auto-generated"
    email.set_content(message.body_text)
    email.add_alternative(message.body_html, subtype="html")
    return email


def console_text(email: EmailMessage) -> str:
    """A short block for the development console: who, what, and the plain-text body without
    its signature or blank lines."""
    part = email.get_body(preferencelist=("plain",))
    body = part.get_content() if isinstance(part, EmailMessage) else ""
    body = body.split("\n-- \n")[0]  # the signature: who sends it and why
    kept = [line.rstrip() for line in body.splitlines() if line.strip()]
    rule = "-" * 72
    head = f"email to {email['To']} (not sent: MAIL_SERVER is not set)"
    return "\n".join([f"--- {head} ".ljust(72, "-"), f"Subject: {email['Subject']}", *kept, rule])


class Mailer:
    """Sends messages over one SMTP connection, opened on first use and dropped on error."""

    def __init__(self, settings: MailSettings) -> None:
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> Mailer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        assert s.server is not None
        smtp: smtplib.SMTP
        if s.use_ssl:
            context = ssl.create_default_context()
            smtp = smtplib.SMTP_SSL(s.server, s.port, timeout=s.timeout, context=context)
        else:
            smtp = smtplib.SMTP(s.server, s.port, timeout=s.timeout)
            if s.use_tls:
                smtp.starttls(context=ssl.create_default_context())
        if s.username:
            smtp.login(s.username, s.password or "")
        return smtp

    def send(self, email: EmailMessage) -> None:
        """Hand the message to the server (or the console log); raise on any refusal."""
        if self.settings.console:
            log.info("%s", console_text(email))
            return
        try:
            if self._smtp is None:
                self._smtp = self._connect()
            self._smtp.send_message(email)
        except Exception:
            self.close()
            raise

    def close(self) -> None:
        if self._smtp is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self._smtp.quit()
            self._smtp = None
