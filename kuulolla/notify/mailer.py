"""Sending e-mail through the SMTP server of ``KUULOLLA_SMTP_URL``.

``smtp://[user:password@]host[:port]`` (STARTTLS when the server offers it),
``smtps://…`` (TLS from the start, port 465 by default). The standard library's
client runs in a worker thread, so the event loop never waits on the mail server.
"""

from __future__ import annotations

import asyncio
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

from kuulolla.core.errors import BadRequest
from kuulolla.core.i18n import N_

TIMEOUT = 20.0


@dataclass(frozen=True, slots=True)
class Mail:
    to: str
    subject: str
    body: str


@dataclass(frozen=True, slots=True)
class SmtpServer:
    host: str
    port: int
    tls: bool  # TLS from the start (smtps)
    username: str = ""
    password: str = ""

    @classmethod
    def from_url(cls, url: str) -> SmtpServer:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise BadRequest(N_("The SMTP address is not valid."), code="bad_smtp_url")
        tls = parts.scheme == "smtps"
        return cls(
            host=parts.hostname,
            port=parts.port or (465 if tls else 25),
            tls=tls,
            username=unquote(parts.username or ""),
            password=unquote(parts.password or ""),
        )


def _send(server: SmtpServer, sender: str, mails: list[Mail]) -> None:
    context = ssl.create_default_context()
    client: smtplib.SMTP
    if server.tls:
        client = smtplib.SMTP_SSL(server.host, server.port, timeout=TIMEOUT, context=context)
    else:
        client = smtplib.SMTP(server.host, server.port, timeout=TIMEOUT)
    with client:
        client.ehlo()
        if not server.tls and client.has_extn("starttls"):
            client.starttls(context=context)
            client.ehlo()
        if server.username:
            client.login(server.username, server.password)
        for mail in mails:
            message = EmailMessage()
            message["From"] = sender
            message["To"] = mail.to
            message["Subject"] = mail.subject
            message.set_content(mail.body)
            client.send_message(message)


async def send(server: SmtpServer, sender: str, mails: list[Mail]) -> None:
    """Send ``mails`` over one connection; raises the client's error when that fails."""
    if mails:
        await asyncio.to_thread(_send, server, sender, mails)
