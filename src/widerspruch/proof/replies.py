"""Meta's reply by email: check that it answers this objection, keep it, and read it.

``widerspruch confirm ID --eml FILE`` (and ``widerspruch inbox``) bring an email into the
record. It counts for an objection only if it comes from one of the mail domains that
the objection's service declares (``Flow.mail_domains``; the display name counts for
nothing), is addressed to the objection's account (or names it), is dated after the
objection was sent, does not speak of another service alone, and says what Meta
decided (``widerspruch.proof.reading``): acceptance, refusal or a request for more
information. Security alerts, login codes, marketing and other notifications are
refused with the reason. One email answers one objection: the same file (SHA-256) or
the same Message-ID is never stored for a second one.

The file is stored unchanged in the objection's bundle as ``reply-N.eml``, its SHA-256
in the ledger, and what it said in the attachment's ``detail`` (JSON: the answer, the
Message-ID, the sender, the date and the DKIM signature: d=, s=, the result, and
whether it is the service's signature), which the receipt and the follow-ups read.
The objection moves to ``acknowledged``, ``rejected`` or ``info_requested``.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

from widerspruch.errors import UsageError
from widerspruch.files import write_private
from widerspruch.ledger import Attachment, Ledger, Objection
from widerspruch.logs import mask_email
from widerspruch.proof.deadline import deadline_for, parse_time
from widerspruch.proof.evidence import bundle_dir
from widerspruch.proof.mail import (
    Dkim,
    DnsLookup,
    addresses,
    body_text,
    check_dkim,
    header_text,
    in_domains,
    message_date,
    message_id,
    parse_message,
)
from widerspruch.proof.reading import Reading, ReplyMismatch, read_reply
from widerspruch.services import get_flow, registry
from widerspruch.states import Status
from widerspruch.text import local_time

__all__ = ["REPLY_KIND", "ImportedReply", "Reading", "ReplyMismatch", "StoredReply"]

# Headers that may carry the address the mail was delivered to.
RECIPIENT_HEADERS = ("To", "Cc", "Delivered-To", "X-Original-To", "Envelope-To")
REPLY_KIND = "reply"
# A mail dated further ahead than clocks drift was not written yet.
FUTURE_SLACK = timedelta(days=1)


@dataclass(frozen=True)
class StoredReply:
    """A reply already kept in the bundle, as its ledger entry describes it."""

    path: Path
    sha256: str
    status: Status
    date: datetime | None
    subject: str
    message_id: str | None = None
    dkim: Dkim | None = None
    # The service's own DKIM signature was verified (d= one of its mail domains).
    meta_signed: bool = False


@dataclass(frozen=True)
class Checked:
    sender: str
    date: datetime
    reading: Reading
    message_id: str | None


def _domains_text(domains: tuple[str, ...]) -> str:
    """``a.com, b.com or c.com``: the domains in order of the alphabet, without those
    inside another one listed (its subdomains count anyway)."""
    main = sorted({d for d in domains if not any(d.endswith("." + other) for other in domains)})
    if len(main) < 2:
        return "".join(main) or "no domain (the service declares none)"
    return f"{', '.join(main[:-1])} or {main[-1]}"


def _check_sender(message: EmailMessage, objection: Objection) -> str:
    senders = addresses(message, "From")
    if not senders:
        raise ReplyMismatch("the file has no sender (From); is it a saved email (.eml)?")
    if len(senders) > 1:
        raise ReplyMismatch(f"the email names {len(senders)} senders; Meta's name one")
    sender = senders[0]
    domain = sender.rpartition("@")[2]
    flow = get_flow(objection.service)
    if in_domains(domain, flow.mail_domains):
        return sender
    for other in registry().flows:
        if other.service != flow.service and in_domains(domain, other.mail_domains):
            raise ReplyMismatch(
                f"the email is from {sender}, {other.display_name}'s mail: it cannot answer "
                f"objection #{objection.id} on {flow.display_name}"
            )
    raise ReplyMismatch(
        f"the email is from {sender}, not from {flow.display_name} (expected an address at "
        f"{_domains_text(flow.mail_domains)}, or at one of their subdomains)"
    )


def _check_service(text: str, objection: Objection) -> None:
    """An email that names another service, and not this one, is about that one."""
    flow = get_flow(objection.service)

    def named(name: str) -> bool:  # a word, not a host name such as name.com
        return bool(re.search(rf"\b{re.escape(name)}\b(?!\.\w)", text, re.IGNORECASE))

    if named(flow.display_name):
        return
    for other in registry().flows:
        if other.service != flow.service and named(other.display_name):
            raise ReplyMismatch(
                f"the email speaks of {other.display_name}, not of {flow.display_name}: it "
                f"does not answer objection #{objection.id}"
            )


def check_reply(message: EmailMessage, objection: Objection, now: datetime) -> Checked:
    """The reply's facts, or ReplyMismatch naming the first thing that does not fit."""
    number = objection.id
    sender = _check_sender(message, objection)
    account = objection.account_email.casefold()
    recipients = addresses(message, *RECIPIENT_HEADERS)
    text = body_text(message)
    if account not in recipients and account not in text.casefold():
        shown = ", ".join(recipients) or "no one"
        raise ReplyMismatch(
            f"the email is addressed to {shown} and does not mention {account}, "
            f"the account of objection #{number}"
        )
    date = message_date(message)
    if date is None:
        raise ReplyMismatch(
            f"the email has no readable date (Date); cannot tell whether it answers "
            f"objection #{number}"
        )
    assert objection.submitted_at is not None  # checked by the caller
    sent = parse_time(objection.submitted_at)
    if date < sent:
        raise ReplyMismatch(
            f"the email is dated {local_time(date)}, before objection "
            f"#{number} was sent ({local_time(sent)}): it cannot be "
            "Meta's answer to it"
        )
    if date > now + FUTURE_SLACK:
        raise ReplyMismatch(f"the email is dated {local_time(date)}, in the future")
    subject = header_text(message, "Subject")
    reading = read_reply(subject, text)
    _check_service(f"{subject}\n{text}", objection)
    return Checked(sender, date, reading, message_id(message))


# -- keeping it -----------------------------------------------------------------------


def reply_facts(attachment: Attachment) -> dict[str, object]:
    """The attachment's detail as JSON; a plain status (older ledgers) as {"says": it}."""
    raw = attachment.detail or ""
    try:
        data = json.loads(raw)
    except ValueError:
        data = None
    return data if isinstance(data, dict) else {"says": raw or Status.ACKNOWLEDGED.value}


def stored_reply(attachment: Attachment) -> StoredReply:
    detail = reply_facts(attachment)
    path = Path(attachment.path)
    date, subject, found_id = None, "", detail.get("message_id")
    try:
        message = parse_message(path.read_bytes())
        date, subject = message_date(message), header_text(message, "Subject")
        found_id = found_id or message_id(message)
    except OSError:
        pass
    try:
        status = Status(str(detail.get("says")))
    except ValueError:
        status = Status.ACKNOWLEDGED
    return StoredReply(
        path,
        attachment.sha256,
        status,
        date,
        subject,
        message_id=str(found_id) if found_id else None,
        dkim=Dkim.from_json(detail.get("dkim")),
        meta_signed=detail.get("meta_signed") is True,
    )


def stored_replies(attachments: list[Attachment]) -> list[StoredReply]:
    """The replies among an objection's attachments."""
    return [stored_reply(a) for a in attachments if a.kind == REPLY_KIND]


def _already_stored(
    ledger: Ledger, objection: Objection, digest: str, checked: Checked
) -> UsageError | None:
    """The same email (SHA-256 or Message-ID) kept for any objection: one email answers
    one objection."""
    for other in ledger.objections():
        for reply in stored_replies(ledger.attachments(other.id)):
            same_id = checked.message_id is not None and reply.message_id == checked.message_id
            if reply.sha256 != digest and not same_id:
                continue
            if other.id == objection.id:
                return UsageError(
                    f"this email is already stored as {reply.path.name} for objection "
                    f"#{objection.id}"
                )
            return ReplyMismatch(
                f"this email is already stored for objection #{other.id} ({reply.path.name}); "
                "one email answers one objection"
            )
    return None


def import_reply(
    data_dir: Path,
    objection: Objection,
    eml: Path,
    *,
    dns: DnsLookup | None = None,
    now: datetime | None = None,
    url: str | None = None,
) -> ImportedReply:
    """Check, store and record Meta's reply to `objection` from the file `eml` (in the
    shared ledger at `url`, if given; the email itself is kept in this data dir)."""
    try:
        data = eml.expanduser().read_bytes()
    except OSError as error:
        raise UsageError(f"--eml: cannot read {eml} ({error.strerror or error})") from None
    return import_message(data_dir, objection, data, dns=dns, now=now, url=url)


def import_message(
    data_dir: Path,
    objection: Objection,
    data: bytes,
    *,
    dns: DnsLookup | None = None,
    now: datetime | None = None,
    url: str | None = None,
) -> ImportedReply:
    """Check, store and record the raw email `data` as Meta's reply to `objection`;
    move its status. ReplyMismatch (a UsageError) says why it is not one. With `url`,
    the record goes into that shared ledger, the email into this data dir's bundle."""
    # A failed record whose request left the browser may still have reached Meta.
    if not objection.may_have_been_sent or objection.submitted_at is None:
        raise UsageError(
            f"objection #{objection.id} was never sent ({objection.status.value}); "
            "there is no reply to import"
        )
    checked = check_reply(parse_message(data), objection, now or datetime.now(UTC))
    digest = hashlib.sha256(data).hexdigest()
    folder = (
        Path(objection.evidence_dir)
        if objection.evidence_dir
        else bundle_dir(data_dir, objection.id, objection.service)
    )
    domains = get_flow(objection.service).mail_domains
    dkim = check_dkim(data, domains, dns)  # before the ledger opens: it may wait on DNS
    with Ledger.open(data_dir, url=url) as ledger:
        refused = _already_stored(ledger, objection, digest, checked)
        if refused is not None:
            raise refused
        earlier = stored_replies(ledger.attachments(objection.id))
        folder.mkdir(parents=True, exist_ok=True)
        number = 1
        while (folder / f"reply-{number}.eml").exists():
            number += 1
        path = folder / f"reply-{number}.eml"
        write_private(path, data, exclusive=True)  # no half-written copy stays behind
        detail = {
            "says": checked.reading.status.value,
            "phrase": checked.reading.phrase,
            "message_id": checked.message_id,
            "sender": checked.sender,
            "date": checked.date.isoformat(),
            "dkim": dkim.to_json(),
            "meta_signed": dkim.signed_by(domains),
        }
        ledger.attach(
            objection.id, REPLY_KIND, str(path), digest, detail=json.dumps(detail, sort_keys=True)
        )
        # A reply older than one already kept does not overrule it.
        newest = max((r.date for r in earlier if r.date is not None), default=None)
        changed = newest is None or checked.date >= newest
        if changed:
            updated = ledger.set_status(
                objection.id,
                checked.reading.status,
                f"Meta's email of {checked.date.astimezone(UTC):%Y-%m-%d} ({path.name}): "
                f"{checked.reading.summary()}",
            )
        else:
            updated = ledger.get(objection.id)
    return ImportedReply(
        objection=updated,
        previous=objection.status,
        reading=checked.reading,
        date=checked.date,
        sender=checked.sender,
        path=path,
        sha256=digest,
        status_changed=changed,
        dkim=dkim,
        meta_signed=dkim.signed_by(domains),
        message_id=checked.message_id,
    )


@dataclass(frozen=True)
class ImportedReply:
    objection: Objection
    previous: Status
    reading: Reading
    date: datetime
    sender: str
    path: Path
    sha256: str
    status_changed: bool
    dkim: Dkim
    meta_signed: bool  # the service's own DKIM signature was verified
    message_id: str | None

    def explanation(self) -> list[str]:
        """What the reply means and what to do next, in plain words, for the terminal."""
        objection = self.objection
        number = objection.id
        who = f"{objection.service.capitalize()}, {mask_email(objection.account_email)}"
        when = local_time(self.date)
        lines = [
            f"Stored as {self.path} (SHA-256 {self.sha256}); "
            f"`widerspruch receipt {number}` adds it to the receipt."
        ]
        if not self.status_changed:
            lines.insert(
                0,
                f"Meta's email of {when} is older than a reply already stored; objection "
                f"#{number} stays {objection.status.value}.",
            )
            return [*lines, self.signature_line()]
        status = self.reading.status
        said = f' ("{self.reading.phrase}")' if self.reading.phrase else ""
        if status is Status.REJECTED:
            lines[:0] = [
                f"Meta refused objection #{number} ({who}) in its email of {when}{said}.",
                "Under Art. 21(1) GDPR Meta must stop unless it shows compelling legitimate "
                "grounds that override your interests; a plain refusal does not show them.",
                f"Next: `widerspruch followup {number} --kind complaint` writes a complaint "
                "to the data protection authority, with this record as evidence.",
            ]
        elif status is Status.INFO_REQUESTED:
            deadline = deadline_for(objection)
            lines[:0] = [
                f"Meta asks for more information about objection #{number} ({who}) in its "
                f"email of {when}{said}.",
                "Read the email and answer Meta directly (reply to it, or use the form it "
                "links). Give only what identifies the account; never a password or a "
                "login code.",
                f"When Meta writes again, import that email too: "
                f"`widerspruch confirm {number} --eml FILE`."
                + (
                    f" If it stays silent past {deadline.isoformat()}, "
                    f"`widerspruch followup {number} --kind reminder`."
                    if deadline
                    else ""
                ),
            ]
        else:
            lines[:0] = [
                f"Meta acknowledged objection #{number} ({who}) in its email of {when}{said}.",
                "Nothing more to do. Keep the data dir: it is your proof.",
            ]
        return [*lines, self.signature_line()]

    def signature_line(self) -> str:
        dkim = self.dkim
        signed = f"DKIM d={dkim.domain}, s={dkim.selector}"
        if self.meta_signed:
            return f"Meta's signature was verified ({signed})."
        if dkim.result == "pass":
            return f"The email is signed by {dkim.domain}, not by Meta ({signed})."
        if dkim.result == "fail":
            return (
                f"Meta's signature does not match this file ({signed}: {dkim.reason}); the "
                "file may have been changed. Keep the original email in your mailbox."
            )
        if dkim.result == "unverified":
            return (
                f"Meta's signature ({signed}) could not be checked here ({dkim.reason}); "
                "keep the original email in your mailbox as well."
            )
        if dkim.provider_pass:
            return f"Your mail provider checked Meta's signature (DKIM, {dkim.provider_pass})."
        return "The email carries no DKIM signature; keep the original in your mailbox as well."
