"""digest --mail-to against a real SMTP server (aiosmtpd) on 127.0.0.1 that requires STARTTLS (a certificate
from a throwaway CA made by trustme) and a login: the message is read back as the server received it."""

from __future__ import annotations

import email
import email.policy
import socket
import ssl
from collections.abc import Iterator
from email.message import Message
from pathlib import Path

import pytest

aiosmtpd_controller = pytest.importorskip("aiosmtpd.controller")
trustme = pytest.importorskip("trustme")
from aiosmtpd.smtp import AuthResult, LoginPassword  # noqa: E402

from conftest import run  # noqa: E402
from test_digest import corpus_db  # noqa: E402,F401  (the three-story corpus, as a fixture)

PASSWORD = "s3cret-for-the-test"


class Mailbox:
    """What the server accepted, and a recipient it refuses (as a mailbox that does not exist would be)."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], Message]] = []
        self.refuse: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, options):  # noqa: ANN001, ANN201
        if address in self.refuse:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, ANN201
        self.messages.append((list(envelope.rcpt_tos), email.message_from_bytes(envelope.original_content, policy=email.policy.default)))
        return "250 Message accepted for delivery"


def _authenticate(server, session, envelope, mechanism, auth_data) -> AuthResult:  # noqa: ANN001
    ok = isinstance(auth_data, LoginPassword) and auth_data.login == b"desk" and auth_data.password == PASSWORD.encode()
    return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535 itself


@pytest.fixture
def smtp(tmp_path: Path) -> Iterator[tuple[Mailbox, int, Path]]:
    ca = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server_context)
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    mailbox = Mailbox()
    controller = aiosmtpd_controller.Controller(
        mailbox, hostname="127.0.0.1", port=port, tls_context=server_context, require_starttls=True,
        authenticator=_authenticate, auth_require_tls=True, ready_timeout=10,
    )
    controller.start()
    try:
        yield mailbox, port, ca_file
    finally:
        controller.stop()


def _sources(tmp_path: Path, port: int, ca_file: Path) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(f'[digest]\nsmtp_host = "127.0.0.1"\nsmtp_port = {port}\nsmtp_user = "desk"\n'
                    f'from = "watch@example.org"\nca_file = "{ca_file}"\ntimeout = 10.0\n'
                    '[[source]]\nname = "x"\nstart_urls = ["https://x.example/"]\n')
    return path


def test_the_digest_is_mailed_as_html_with_a_text_part_and_then_counts_as_delivered(
    corpus_db: Path, smtp: tuple[Mailbox, int, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,  # noqa: F811
) -> None:
    mailbox, port, ca_file = smtp
    sources = _sources(tmp_path, port, ca_file)
    monkeypatch.setenv("INTEGRATION_WATCH_SMTP_PASSWORD", PASSWORD)
    code, out, err = run(corpus_db, "digest", "--mail-to", "desk@example.org", "--sources", str(sources))
    assert code == 0, err
    assert out == "" and "digest mailed to desk@example.org" in err
    ((recipients, message),) = mailbox.messages
    assert recipients == ["desk@example.org"] and message["To"] == "desk@example.org"
    assert message["Subject"].startswith("integration-watch digest, ") and message["From"] == "watch@example.org"
    assert message.get_content_type() == "multipart/alternative"
    parts = {part.get_content_type(): part.get_payload(decode=True).decode() for part in message.walk()
             if not part.is_multipart()}
    assert set(parts) == {"text/plain", "text/html"}
    assert "Partnership launched" in parts["text/plain"] and "<svg" not in parts["text/plain"]
    assert "Partnership launched" in parts["text/html"] and "<svg" in parts["text/html"]  # with the 30-day chart
    # delivered: the next digest has nothing new, and nothing is sent on a day without news
    code, out, _ = run(corpus_db, "digest", "--mail-to", "desk@example.org", "--sources", str(sources))
    assert code == 0 and out.startswith("nothing new") and len(mailbox.messages) == 1
    code, out, _ = run(corpus_db, "stats")
    assert "mail to desk@example.org" in out


@pytest.mark.parametrize("failure", ["refused", "wrong password", "no password", "no server"])
def test_a_digest_the_server_did_not_accept_is_not_delivered(
    corpus_db: Path, smtp: tuple[Mailbox, int, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,  # noqa: F811
    failure: str,
) -> None:
    mailbox, port, ca_file = smtp
    if failure == "no server":
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
    sources = _sources(tmp_path, port, ca_file)
    mailbox.refuse.add("desk@example.org")
    if failure != "no password":
        monkeypatch.setenv("INTEGRATION_WATCH_SMTP_PASSWORD", "wrong" if failure == "wrong password" else PASSWORD)
    else:
        monkeypatch.delenv("INTEGRATION_WATCH_SMTP_PASSWORD", raising=False)
    code, _, err = run(corpus_db, "digest", "--mail-to", "desk@example.org", "--sources", str(sources))
    assert code == 2 and mailbox.messages == []
    message = {"refused": "refused every recipient", "wrong password": "535",
               "no password": "set the password in $INTEGRATION_WATCH_SMTP_PASSWORD",
               "no server": "cannot mail via 127.0.0.1"}[failure]
    assert message in err, err
    # nothing was marked delivered: the same stories are still the next digest's
    monkeypatch.setenv("INTEGRATION_WATCH_SMTP_PASSWORD", PASSWORD)
    mailbox.refuse.clear()
    code, _, err = run(corpus_db, "digest", "--mail-to", "desk@example.org", "--sources", str(_sources(tmp_path, smtp[1], ca_file)))
    assert code == 0, err
    assert "Partnership launched" in mailbox.messages[0][1].get_body(("plain",)).get_content()


def test_a_partly_refused_mail_is_delivered_to_the_others(
    corpus_db: Path, smtp: tuple[Mailbox, int, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,  # noqa: F811
) -> None:
    mailbox, port, ca_file = smtp
    mailbox.refuse.add("gone@example.org")
    monkeypatch.setenv("INTEGRATION_WATCH_SMTP_PASSWORD", PASSWORD)
    code, _, err = run(corpus_db, "digest", "--mail-to", "desk@example.org", "--mail-to", "gone@example.org",
                       "--sources", str(_sources(tmp_path, port, ca_file)))
    assert code == 0 and "warning: gone@example.org refused the digest: 550" in err
    assert [r for r, _ in mailbox.messages] == [["desk@example.org"]]
