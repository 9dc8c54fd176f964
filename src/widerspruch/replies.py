"""Meta's reply by email: check that it answers this objection, keep it, and read it.

``widerspruch confirm ID --eml FILE`` brings a saved email (``.eml``) into the record.
It must come from one of Meta's mail domains, be addressed to the objection's account,
and be dated after the objection was sent; anything else is refused with the reason.
The file is stored unchanged in the objection's bundle as ``reply-N.eml``, its SHA-256
in the ledger, and the objection moves to what the reply says: ``acknowledged``,
``rejected`` or ``info_requested``.

Reading the reply is deliberately simple: phrases that refuse the objection, or that
ask for more information, in German, English and French. Sentences that only say what
*would* happen ("If we need more information…") are not counted. Anything else from
Meta about this objection counts as an acknowledgement.
"""

from __future__ import annotations

import email
import hashlib
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.utils import getaddresses
from html.parser import HTMLParser
from pathlib import Path

from widerspruch.deadline import deadline_for, parse_time
from widerspruch.errors import UsageError
from widerspruch.evidence import bundle_dir
from widerspruch.ledger import Attachment, Ledger, Objection
from widerspruch.logs import mask_email
from widerspruch.states import Status

# Where Meta's mail comes from; subdomains count too (mail.instagram.com, …).
META_DOMAINS = (
    "facebookmail.com",
    "facebook.com",
    "fb.com",
    "instagram.com",
    "mail.instagram.com",
    "meta.com",
    "metamail.com",
    "support.facebook.com",
)
# Headers that may carry the address the mail was delivered to.
RECIPIENT_HEADERS = ("To", "Cc", "Delivered-To", "X-Original-To", "Envelope-To")
REPLY_KIND = "reply"

_WORDS = r"(?:\S+\s+){0,6}?"
REFUSALS = tuple(
    re.compile(pattern)
    for pattern in (
        # English
        r"cannot take (?:any )?further action",
        r"can(?:not|'t) (?:act on|process|honou?r|fulfil+|comply with|accept|uphold)",
        r"(?:are|were|'re) (?:not able|unable) to (?:act on|process|honou?r|fulfil+|comply|"
        r"accept|uphold|take)",
        r"(?:objection|request) (?:has been|was|is|have been) (?:rejected|denied|declined|refused)",
        r"(?:decided|concluded) (?:not to|that we (?:will|can) not)",
        # German
        rf"k(?:ö|oe)nn(?:en|ten) {_WORDS}nicht {_WORDS}(?:nachkommen|entsprechen|stattgeben|"
        r"umsetzen|bearbeiten)",
        r"\babgelehnt\b",
        r"keine weiteren (?:schritte|maßnahmen)",
        r"nicht in der lage",
        # French
        r"ne (?:pouvons|sommes) pas (?:en mesure )?(?:de |d')?(?:donner suite|accéder|"
        r"traiter|prendre|répondre favorablement)",
        r"\b(?:rejetée?|refusée?)\b",
        r"aucune (?:autre )?mesure",
    )
)
INFO_REQUESTS = tuple(
    re.compile(pattern)
    for pattern in (
        # English
        r"need (?:some )?(?:more|additional|further) (?:information|details)",
        r"(?:please|kindly) (?:provide|send us|tell us|give us|reply with)",
        r"provide (?:us with )?(?:more|additional|further|the following)",
        # German
        r"weitere(?:n)? (?:informationen|angaben|details)",
        r"(?:benötigen|brauchen) (?:wir )?(?:noch )?(?:mehr|weitere|zusätzliche)",
        r"bitte (?:teile|teilen sie|sende|senden sie|gib|geben sie|nenne|nennen sie) (?:uns )?",
        # French
        r"besoin (?:de |d')(?:plus d'|davantage d'|informations|renseignements)",
        r"informations (?:supplémentaires|complémentaires)",
        r"veuillez (?:nous )?(?:fournir|envoyer|préciser|indiquer)",
    )
)
ACKNOWLEDGEMENTS = tuple(
    re.compile(pattern)
    for pattern in (
        r"honou?r your objection",
        r"(?:will|'ll) (?:apply|respect|uphold) your (?:objection|request)",
        r"(?:einspruch|widerspruch) (?:\S+\s+){0,3}?nachkommen",
        r"(?:einspruch|widerspruch) (?:\S+\s+){0,3}?(?:berücksichtigen|umsetzen)",
        r"respecterons votre (?:opposition|objection|demande)",
        r"(?:objection|request) (?:will be|has been) (?:applied|honou?red|accepted)",
    )
)
# A sentence about what might happen is not what did happen.
CONDITIONAL = re.compile(r"^(?:if|should|in case|falls|wenn|sollten|sofern|si|au cas où)\b")


class ReplyMismatch(UsageError):
    """The email does not look like Meta's answer to this objection; the message says why."""


@dataclass(frozen=True)
class Reading:
    """What a reply says, and the words that said it."""

    status: Status
    phrase: str | None  # the matched words, or None when nothing specific was found

    def summary(self) -> str:
        said = f': "{self.phrase}"' if self.phrase else ""
        return {
            Status.REJECTED: "Meta refuses the objection",
            Status.INFO_REQUESTED: "Meta asks for more information",
        }.get(self.status, "Meta acknowledges the objection") + said


@dataclass(frozen=True)
class StoredReply:
    """A reply already kept in the bundle."""

    path: Path
    sha256: str
    status: Status
    date: datetime | None
    subject: str


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
    dkim: str | None  # the Meta domain whose DKIM check passed at the person's provider

    def explanation(self) -> list[str]:
        """What the reply means and what to do next, in plain words, for the terminal."""
        objection = self.objection
        number = objection.id
        who = f"{objection.service.capitalize()}, {mask_email(objection.account_email)}"
        when = self.date.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
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
            return lines
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
        if self.dkim:
            lines.append(f"Your mail provider checked Meta's signature (DKIM, {self.dkim}).")
        else:
            lines.append(
                "The file carries no passed DKIM check for Meta; keep the original email "
                "in your mailbox as well."
            )
        return lines


# -- reading an email -----------------------------------------------------------------


def parse_message(data: bytes) -> EmailMessage:
    message = email.message_from_bytes(data, policy=policy.default)
    assert isinstance(message, EmailMessage)  # policy.default builds EmailMessage
    return message


class _Text(HTMLParser):
    """The visible text of an HTML mail part, with block breaks as new lines."""

    BLOCKS = frozenset({"p", "div", "br", "tr", "li", "h1", "h2", "h3", "table", "td"})

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "head"):
            self._skip += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "head") and self._skip:
            self._skip -= 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def body_text(message: EmailMessage) -> str:
    """The readable text of the message: its plain part, else its HTML part as text."""
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        content = part.get_content()
    except (LookupError, ValueError):
        return ""
    if not isinstance(content, str):
        return ""
    if part.get_content_subtype() == "html":
        parser = _Text()
        parser.feed(content)
        return "".join(parser.parts)
    return content


def _normalise(text: str) -> str:
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u00a0", " ")
    return re.sub(r"\s+", " ", text).strip().casefold()


def sentences(text: str) -> list[str]:
    pieces = re.split(r"(?<=[.!?])\s+|\n\s*\n|\n(?=\s*[-•*])", text)
    return [s for s in (_normalise(p) for p in pieces) if s]


def read_reply(text: str) -> Reading:
    """Refused, asks for more, or acknowledged: in that order of precedence."""
    said = [s for s in sentences(text) if not CONDITIONAL.match(s)]
    for status, patterns in ((Status.REJECTED, REFUSALS), (Status.INFO_REQUESTED, INFO_REQUESTS)):
        for sentence in said:
            for pattern in patterns:
                found = pattern.search(sentence)
                if found:
                    return Reading(status, found.group(0))
    for sentence in said:
        for pattern in ACKNOWLEDGEMENTS:
            found = pattern.search(sentence)
            if found:
                return Reading(Status.ACKNOWLEDGED, found.group(0))
    return Reading(Status.ACKNOWLEDGED, None)


def is_meta_domain(domain: str) -> bool:
    domain = domain.lower().rstrip(".")
    return any(domain == d or domain.endswith("." + d) for d in META_DOMAINS)


def _addresses(message: EmailMessage, *names: str) -> list[str]:
    values = [str(v) for name in names for v in (message.get_all(name) or [])]
    return [address.casefold() for _, address in getaddresses(values) if "@" in address]


def message_date(message: EmailMessage) -> datetime | None:
    header = message["Date"]
    if header is None:
        return None
    try:
        moment = header.datetime
    except (AttributeError, TypeError, ValueError):
        return None
    if not isinstance(moment, datetime):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _dkim_pass(message: EmailMessage) -> str | None:
    for value in message.get_all("Authentication-Results") or []:
        for found in re.finditer(r"dkim=pass[^;]*?header\.d=([\w.-]+)", str(value), re.I):
            if is_meta_domain(found.group(1)):
                return found.group(1).lower()
    return None


@dataclass(frozen=True)
class Checked:
    sender: str
    date: datetime
    reading: Reading
    dkim: str | None


def check_reply(message: EmailMessage, objection: Objection) -> Checked:
    """The reply's facts, or ReplyMismatch naming the first thing that does not fit."""
    number = objection.id
    senders = _addresses(message, "From")
    if not senders:
        raise ReplyMismatch("the file has no sender (From); is it a saved email (.eml)?")
    sender = senders[0]
    if not is_meta_domain(sender.rpartition("@")[2]):
        raise ReplyMismatch(
            f"the email is from {sender}, not from Meta (expected an address at "
            f"{', '.join(META_DOMAINS[:-1])} or {META_DOMAINS[-1]})"
        )
    account = objection.account_email.casefold()
    recipients = _addresses(message, *RECIPIENT_HEADERS)
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
            f"the email is dated {date.astimezone(UTC):%Y-%m-%d %H:%M} UTC, before objection "
            f"#{number} was sent ({sent.astimezone(UTC):%Y-%m-%d %H:%M} UTC): it cannot be "
            "Meta's answer to it"
        )
    subject = str(message["Subject"] or "")
    return Checked(sender, date, read_reply(subject + "\n\n" + text), _dkim_pass(message))


# -- keeping it -----------------------------------------------------------------------


def stored_replies(attachments: list[Attachment]) -> list[StoredReply]:
    """The replies among an objection's attachments, with their dates read from the files."""
    found = []
    for attachment in attachments:
        if attachment.kind != REPLY_KIND:
            continue
        path = Path(attachment.path)
        date, subject = None, ""
        try:
            message = parse_message(path.read_bytes())
            date, subject = message_date(message), str(message["Subject"] or "")
        except OSError:
            pass
        try:
            status = Status(attachment.detail or Status.ACKNOWLEDGED.value)
        except ValueError:
            status = Status.ACKNOWLEDGED
        found.append(StoredReply(path, attachment.sha256, status, date, subject))
    return found


def _write_private(path: Path, data: bytes) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(data)
    except OSError:
        path.unlink(missing_ok=True)  # no half-written copy in the bundle (a full disk)
        raise


def import_reply(data_dir: Path, objection: Objection, eml: Path) -> ImportedReply:
    """Check, store and record Meta's reply to `objection`; move its status."""
    # A failed record whose request left the browser may still have reached Meta.
    if not objection.may_have_been_sent or objection.submitted_at is None:
        raise UsageError(
            f"objection #{objection.id} was never sent ({objection.status.value}); "
            "there is no reply to import"
        )
    try:
        data = eml.expanduser().read_bytes()
    except OSError as error:
        raise UsageError(f"--eml: cannot read {eml} ({error.strerror or error})") from None
    checked = check_reply(parse_message(data), objection)
    digest = hashlib.sha256(data).hexdigest()
    folder = (
        Path(objection.evidence_dir)
        if objection.evidence_dir
        else bundle_dir(data_dir, objection.id, objection.service)
    )
    with Ledger.open(data_dir) as ledger:
        earlier = stored_replies(ledger.attachments(objection.id))
        for reply in earlier:
            if reply.sha256 == digest:
                raise UsageError(
                    f"this email is already stored as {reply.path.name} for objection "
                    f"#{objection.id}"
                )
        folder.mkdir(parents=True, exist_ok=True)
        number = 1
        while (folder / f"reply-{number}.eml").exists():
            number += 1
        path = folder / f"reply-{number}.eml"
        _write_private(path, data)
        ledger.attach(
            objection.id, REPLY_KIND, str(path), digest, detail=checked.reading.status.value
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
        dkim=checked.dkim,
    )
