"""`widerspruch inbox`: Meta's replies fetched from a real IMAP server (Dovecot, started
here) and imported by the rules of `confirm`; the rest reported with the reason."""

from __future__ import annotations

import imaplib
import json
import ssl
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from tests.dovecot import PASSWORD, USER, Dovecot, dovecot
from tests.records import SENT_AT, make_objection, meta_email
from widerspruch.accounts import Secret, store_mailbox_password
from widerspruch.cli import app
from widerspruch.ledger import Ledger
from widerspruch.proof.inbox import Mailbox, Poll, poll, watch
from widerspruch.states import Status

LATER = SENT_AT + timedelta(days=2)
ACCEPTED = meta_email(
    "Hi Jana, we'll honor your objection to the use of your information for AI at Meta.",
    date=LATER,
)
LOGIN_ALERT = meta_email(
    "We noticed a new login to your account from Chrome on Linux. Was this you?",
    date=LATER,
    subject="New login to Facebook from Chrome on Linux",
    sender="Facebook <security@facebookmail.com>",
)
INSTAGRAM_SUBJECT = "Your Instagram objection"
INSTAGRAM = meta_email(
    "Hi Jana, we'll honor your objection to the use of your information for AI at Meta.",
    date=LATER + timedelta(hours=1),
    sender="Instagram <no-reply@mail.instagram.com>",
    subject=INSTAGRAM_SUBJECT,
)
REFUSAL = meta_email(
    "We received your objection about AI at Meta. Unfortunately we cannot act on it.",
    date=LATER,
)
STRANGER = meta_email("Lunch on Friday?", date=LATER, sender="Max <max@example.net>")


@pytest.fixture
def server() -> Iterator[Dovecot]:
    with dovecot() as running:
        yield running


def inbox(server: Dovecot, data_dir: Path, *extra: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(
        app,
        [
            "inbox",
            "--imap",
            server.url,
            "--ca-file",
            str(server.ca_file),
            "--data-dir",
            str(data_dir),
            *extra,
        ],
        input=stdin,
    )


def _status(data_dir: Path, number: int = 1) -> Status:
    with Ledger.open(data_dir) as ledger:
        return ledger.get(number).status


def test_replies_are_imported_and_other_mail_reported_with_the_reason(
    server: Dovecot, data_dir: Path
) -> None:
    make_objection(data_dir)
    for mail in (LOGIN_ALERT, INSTAGRAM, STRANGER, ACCEPTED):
        server.deliver(mail)
    store_mailbox_password(f"{USER}@127.0.0.1", Secret(PASSWORD))

    result = inbox(server, data_dir, "--json")

    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["objections"] == [1]
    [imported] = document["imported"]
    assert (imported["objection_id"], imported["status"]) == (1, "acknowledged")
    # Kept as the server sent it: the same message, in the wire's CRLF line ends.
    assert Path(imported["stored"]).read_bytes().replace(b"\r\n", b"\n") == ACCEPTED
    reasons = {r["subject"]: r["detail"] for r in document["rejected"]}
    assert "security alert" in reasons["New login to Facebook from Chrome on Linux"]
    assert "Instagram's mail" in reasons[INSTAGRAM_SUBJECT]
    assert len(document["rejected"]) == 2  # the stranger's mail is not Meta's: not looked at
    assert _status(data_dir) is Status.ACKNOWLEDGED
    # The mailbox is only read: the mail stays unread.
    context = ssl.create_default_context(cafile=str(server.ca_file))
    with imaplib.IMAP4_SSL("127.0.0.1", server.port, ssl_context=context) as imap:
        imap.login(USER, PASSWORD)
        imap.select("INBOX", readonly=True)
        _, unseen = imap.search(None, "UNSEEN")
    assert len(unseen[0].split()) == 4

    again = inbox(server, data_dir)
    assert again.exit_code == 0, again.output
    assert "no open objection awaits Meta's reply" in again.stdout


def test_a_refusal_found_by_watch_leads_to_the_complaint(server: Dovecot, data_dir: Path) -> None:
    make_objection(data_dir)
    server.deliver(REFUSAL)

    result = inbox(server, data_dir, "--watch", "--rounds", "1", "--password-stdin", stdin=PASSWORD)

    assert result.exit_code == 0, result.output
    assert "1 imported" in result.stdout
    assert "Meta refused objection #1" in result.stdout
    assert _status(data_dir) is Status.REJECTED
    complaint = CliRunner().invoke(app, ["followup", "1", "--data-dir", str(data_dir)])
    assert complaint.exit_code == 0, complaint.output
    assert "Meta refused objection #1" in complaint.stderr


def test_watch_picks_up_a_reply_that_arrives_between_looks(server: Dovecot, data_dir: Path) -> None:
    make_objection(data_dir)
    server.deliver(LOGIN_ALERT)
    mailbox = Mailbox.parse(server.url)
    seen: list[Poll] = []

    def report(found: Poll) -> None:
        seen.append(found)
        if len(seen) == 1:
            server.deliver(ACCEPTED)  # Meta answers after the first look

    rounds = watch(
        lambda: poll(data_dir, mailbox, Secret(PASSWORD), ca_file=server.ca_file),
        report,
        every_s=0,
        rounds=2,
    )

    assert rounds == 2
    assert [len(p.imported) for p in seen] == [0, 1]
    assert [len(p.rejected) for p in seen] == [1, 1]
    assert _status(data_dir) is Status.ACKNOWLEDGED


def test_the_certificate_is_verified_by_default(server: Dovecot, data_dir: Path) -> None:
    make_objection(data_dir)
    result = CliRunner().invoke(
        app,
        ["inbox", "--imap", server.url, "--password-stdin", "--data-dir", str(data_dir)],
        input=PASSWORD,
    )
    assert result.exit_code == 2
    assert "cannot be verified" in result.stderr
    assert "--ca-file" in result.stderr


def test_a_wrong_password_is_one_line(server: Dovecot, data_dir: Path) -> None:
    make_objection(data_dir)
    result = inbox(server, data_dir, "--password-stdin", stdin="wrong")
    assert result.exit_code == 2
    assert f"refused the login of {USER}" in result.stderr
    assert "wrong" not in result.stderr


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("imap://jana@mail.example.org", "plain text"),
        ("imaps://jana:secret@mail.example.org", "no password in the URL"),
        ("imaps://mail.example.org", "names no user"),
        ("https://jana@mail.example.org", "is not imaps://"),
    ],
)
def test_bad_mailbox_urls_are_refused(data_dir: Path, url: str, message: str) -> None:
    result = CliRunner().invoke(app, ["inbox", "--imap", url, "--data-dir", str(data_dir)])
    assert result.exit_code == 2
    assert message in result.stderr
    assert "secret" not in result.stderr


def test_plain_imap_is_allowed_to_this_machine_only() -> None:
    assert not Mailbox.parse("imap://jana@127.0.0.1:1143").tls
    assert Mailbox.parse("imaps://jana@host/Meta").folder == "Meta"


def test_without_a_stored_password_and_no_terminal_it_says_how(data_dir: Path) -> None:
    make_objection(data_dir)
    result = CliRunner().invoke(
        app, ["inbox", "--imap", "imaps://jana@127.0.0.1:1", "--data-dir", str(data_dir)]
    )
    assert result.exit_code == 2
    assert "no password for jana@127.0.0.1 in the keyring" in result.stderr
