"""The digest as a mail: an HTML part with a plain-text alternative, sent over SMTP (STARTTLS, login with a
password from the environment). Sent means the server accepted it for at least one recipient; only then does
the digest count as delivered (the caller marks it)."""

from __future__ import annotations

import os
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from .config import MailSettings


class MailError(RuntimeError):
    """The digest could not be mailed; the message says why. Nothing counts as delivered."""


def compose(subject: str, text: str, html: str, settings: MailSettings, to: tuple[str, ...]) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = settings.sender
    message["To"] = ", ".join(to)
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = make_msgid(domain=settings.sender.rpartition("@")[2] or None)
    message.set_content(text)  # readers that show no HTML, and the spam filters that want a text part
    message.add_alternative(html, subtype="html")
    return message


def check(settings: MailSettings) -> str | None:
    """Raise MailError for settings that cannot send (before any work); the password, if a login is set up."""
    if not settings.smtp_host or not settings.sender:
        raise MailError("[digest] in the sources file needs smtp_host and from to mail the digest")
    if not settings.smtp_user:
        return None
    password = os.environ.get(settings.password_env)
    if not password:
        raise MailError(f"[digest] logs in as {settings.smtp_user!r}: set the password in ${settings.password_env}")
    return password


def send(message: EmailMessage, settings: MailSettings, password: str | None) -> dict[str, tuple[int, bytes]]:
    """Send `message`; returns the recipients the server refused (the others accepted it). Raises MailError
    when nobody accepted it or the conversation failed."""
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.timeout) as smtp:
            if settings.starttls:
                context = ssl.create_default_context(cafile=settings.ca_file or None)
                smtp.starttls(context=context)
            if settings.smtp_user:
                smtp.login(settings.smtp_user, password or "")
            return smtp.send_message(message)
    except smtplib.SMTPRecipientsRefused as exc:
        refused = "; ".join(f"{who}: {code} {_text(text)}" for who, (code, text) in exc.recipients.items())
        raise MailError(f"the server refused every recipient ({refused})") from None
    except smtplib.SMTPResponseException as exc:
        raise MailError(f"the server answered {exc.smtp_code} {_text(exc.smtp_error)}") from None
    except (smtplib.SMTPException, ssl.SSLError, OSError) as exc:
        raise MailError(f"cannot mail via {settings.smtp_host}:{settings.smtp_port}: {exc}") from None


def _text(reply: bytes | str) -> str:
    """An SMTP server's reply text (smtplib gives bytes, or str for some of its own errors)."""
    return reply.decode(errors="replace") if isinstance(reply, bytes) else reply
