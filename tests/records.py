"""Ledger records and Meta emails made in the test, for the proof commands that need no
browser: confirm, status, followup, export."""

from __future__ import annotations

import base64
import hashlib
import sqlite3
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from widerspruch.ledger import LEDGER_FILE, Ledger, Objection
from widerspruch.ledger.chain import link
from widerspruch.proof.evidence import OBJECTION, Evidence, bundle_dir
from widerspruch.settings import prepare_data_dir
from widerspruch.states import Status

EMAIL = "jana@example.org"
SENT_AT = datetime(2026, 1, 31, 9, 14, 5, tzinfo=UTC)
TEXT = (
    "I object under Art. 21(1) GDPR to Meta processing my personal data to develop and "
    f"improve AI. Please confirm within one month (Art. 12(3) GDPR) to {EMAIL}."
)


def make_objection(
    data_dir: Path,
    *,
    status: Status = Status.CONFIRMED,
    sent_at: datetime | None = SENT_AT,
    service: str = "facebook",
    country: str = "DE",
    language: str = "en",
    email: str = EMAIL,
    demo: bool = False,
) -> Objection:
    """A recorded objection as `submit` leaves it, sealed bundle included, sent at `sent_at`."""
    prepare_data_dir(data_dir)
    with Ledger.open(data_dir) as ledger:
        objection, _ = ledger.claim(
            service=service,
            account_email=email,
            country=country,
            language=language,
            template="standard",
            template_version="1",
            justification=TEXT,
            form_url="https://www.facebook.com/help/contact/712876720715583",
            force=True,
            demo=demo,
        )
        if sent_at is not None:
            ledger.set_status(objection.id, Status.SUBMITTING, "clicking Send")
        objection = ledger.set_status(objection.id, status, "recorded by the test")
        evidence = Evidence(bundle_dir(data_dir, objection.id, service), demo=demo)
        evidence.write_json(OBJECTION, {"id": objection.id, "justification": TEXT})
        ledger.set_evidence(objection.id, str(evidence.folder), evidence.seal(sent_at_iso(sent_at)))
    if sent_at is not None:
        backdate(data_dir, objection.id, sent_at)
    with Ledger.open(data_dir) as ledger:
        return ledger.get(objection.id)


def reseal(db: sqlite3.Connection, sha256: str, where: str, *args: object) -> None:
    """Rewrite the hash of the seals `where` picks, and the whole chain after them to fit,
    as someone who rewrites the ledger consistently would."""
    # Only the tests' own fixed conditions are formatted in.
    db.execute(f"UPDATE seals SET sha256 = ? WHERE {where}", (sha256, *args))  # noqa: S608
    previous = None
    rows = db.execute("SELECT seq, objection_id, kind, path, sha256 FROM seals ORDER BY seq")
    for seq, objection_id, kind, path, digest in rows.fetchall():
        previous = link(previous, digest, objection_id, kind, path)
        db.execute("UPDATE seals SET chain_sha256 = ? WHERE seq = ?", (previous, seq))


def sent_at_iso(moment: datetime | None) -> str:
    return (moment or SENT_AT).isoformat(timespec="seconds")


def backdate(data_dir: Path, objection_id: int, sent_at: datetime) -> None:
    """Move an objection's timestamps to `sent_at`, as if it had been sent then."""
    iso = sent_at_iso(sent_at)
    with sqlite3.connect(data_dir / LEDGER_FILE) as db:
        db.execute(
            "UPDATE objections SET created_at = ?, submitted_at = ?, finished_at = ?, "
            "updated_at = ? WHERE id = ?",
            (iso, iso, iso, iso, objection_id),
        )
    db.close()


def meta_email(
    body: str,
    *,
    date: datetime,
    sender: str = "Facebook <noreply@facebookmail.com>",
    to: str = EMAIL,
    subject: str = "Your objection to the use of your information for AI at Meta",
    html: bool = False,
    extra_headers: dict[str, str] | None = None,
    message_id: str | None = None,
) -> bytes:
    """An email as a mail program saves it (.eml); its Message-ID is made from its
    content unless given."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(date)
    made = hashlib.sha256(f"{sender}{to}{subject}{date}{body}".encode()).hexdigest()[:16]
    message["Message-ID"] = message_id or f"<{made}@mail.example>"
    for name, value in (extra_headers or {}).items():
        message[name] = value
    if html:
        message.set_content("This email needs an HTML viewer.")
        message.add_alternative(
            f"<html><head><style>p {{color: #1c1e21}}</style></head><body>"
            f"<table><tr><td><p>{body}</p></td></tr></table></body></html>",
            subtype="html",
        )
        # Leave only the HTML part, as some of Meta's mails do.
        message = _html_only(message)
    else:
        message.set_content(body)
    return bytes(message)


def _html_only(message: EmailMessage) -> EmailMessage:
    html = message.get_body(preferencelist=("html",))
    assert html is not None
    only = EmailMessage()
    for name in ("From", "To", "Subject", "Date", "Message-ID"):
        only[name] = message[name]
    only.set_content(str(html.get_content()), subtype="html")
    return only


def write_email(folder: Path, name: str, data: bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(data)
    return path


class DkimKey:
    """A throwaway RSA key that signs test emails as a domain, and the DNS TXT record
    that publishes it (handed to dkimpy as its ``dnsfunc``)."""

    def __init__(self, domain: str = "facebookmail.com", selector: str = "s2048") -> None:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa

        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.domain, self.selector = domain, selector
        self.private_pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
        public = key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        self.record = b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)
        self.lookups: list[bytes] = []

    def sign(self, data: bytes) -> bytes:
        import dkim

        signature = dkim.sign(
            data,
            self.selector.encode(),
            self.domain.encode(),
            self.private_pem,
            include_headers=[b"from", b"to", b"subject", b"date", b"message-id"],
        )
        return bytes(signature) + data

    def dns(self, name: bytes, timeout: int = 5) -> bytes | None:
        self.lookups.append(name)
        wanted = f"{self.selector}._domainkey.{self.domain}.".encode()
        return self.record if name.rstrip(b".") + b"." == wanted else None
