"""Meta's replies fetched from the person's mailbox over IMAP (``widerspruch inbox``).

Each poll looks, in one folder, for mail from any service's mail domains that arrived
since the oldest open objection was sent (open: sent or confirmed, and still awaiting
Meta's answer), and imports each by the rules of ``widerspruch.proof.replies``: an
email counts for the open objection it answers, or it is reported with the reason it
answers none. Nothing in the mailbox changes: the folder is opened read-only and the
mail fetched with ``BODY.PEEK``, so it stays unread.

The standard library's ``imaplib`` is enough for this (log in, search, fetch) and
brings no dependency. TLS (``imaps://``) verifies the server's certificate against the
system's authorities, or against ``ca_file``; plain ``imap://`` is allowed only to this
machine, since it would send the password in the clear.
"""

from __future__ import annotations

import imaplib
import ssl
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

from widerspruch.accounts import Secret
from widerspruch.errors import UsageError
from widerspruch.ledger import Ledger, Objection
from widerspruch.proof.deadline import AWAITING_ANSWER, parse_time
from widerspruch.proof.mail import DnsLookup, addresses, header_text, parse_message
from widerspruch.proof.reading import ReplyMismatch
from widerspruch.proof.replies import ImportedReply, import_message
from widerspruch.services import registry
from widerspruch.states import Status

LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
OPEN = AWAITING_ANSWER | {Status.CONFIRMED_BY_PERSON, Status.INFO_REQUESTED}
TIMEOUT_S = 30
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class Mailbox:
    """Where to look: ``imaps://user@host[:port][/folder]``."""

    user: str
    host: str
    port: int
    tls: bool
    folder: str = "INBOX"

    @property
    def name(self) -> str:
        """The keyring's name for the password: user@host."""
        return f"{self.user}@{self.host}"

    @classmethod
    def parse(cls, url: str) -> Mailbox:
        parts = urlsplit(url)
        if parts.scheme not in ("imaps", "imap"):
            raise UsageError(f"--imap: {url!r} is not imaps://user@host[:port]")
        if parts.password is not None:
            raise UsageError(
                "--imap: no password in the URL; widerspruch keeps it in the keyring "
                "(or reads it with --password-stdin)"
            )
        if not parts.username or not parts.hostname:
            raise UsageError(f"--imap: {url!r} names no user or no host (imaps://user@host)")
        try:
            port = parts.port
        except ValueError:
            raise UsageError(f"--imap: {url!r} has no valid port") from None
        tls = parts.scheme == "imaps"
        if not tls and parts.hostname not in LOCAL_HOSTS:
            raise UsageError(
                f"--imap: imap:// would send the password to {parts.hostname} in plain text; "
                "use imaps:// (imap:// only to 127.0.0.1 or localhost)"
            )
        folder = unquote(parts.path.strip("/")) or "INBOX"
        return cls(
            unquote(parts.username), parts.hostname, port or (993 if tls else 143), tls, folder
        )


@dataclass(frozen=True)
class Looked:
    """One email the poll looked at."""

    uid: str
    sender: str
    subject: str
    imported: ImportedReply | None = None
    reason: str | None = None  # why it answers no open objection


@dataclass(frozen=True)
class Poll:
    at: datetime
    objections: list[int]  # the open objections looked for
    imported: list[Looked] = field(default_factory=list)
    rejected: list[Looked] = field(default_factory=list)
    already: int = 0  # emails imported before


def open_objections(data_dir: Path, url: str | None = None) -> list[Objection]:
    with Ledger.open(data_dir, url=url) as ledger:
        return [o for o in ledger.objections() if o.status in OPEN and o.submitted_at]


@contextmanager
def connect(mailbox: Mailbox, password: Secret, ca_file: Path | None) -> Iterator[imaplib.IMAP4]:
    """Logged in to `mailbox`, its folder selected read-only; every failure one UsageError."""
    where = f"{mailbox.host}:{mailbox.port}"
    try:
        if mailbox.tls:
            context = ssl.create_default_context(cafile=str(ca_file) if ca_file else None)
            imap: imaplib.IMAP4 = imaplib.IMAP4_SSL(
                mailbox.host, mailbox.port, ssl_context=context, timeout=TIMEOUT_S
            )
        else:
            imap = imaplib.IMAP4(mailbox.host, mailbox.port, timeout=TIMEOUT_S)
    except ssl.SSLCertVerificationError as error:
        raise UsageError(
            f"--imap: the TLS certificate of {where} cannot be verified "
            f"({error.verify_message}); --ca-file FILE trusts a certificate of your own"
        ) from None
    except (OSError, imaplib.IMAP4.error) as error:
        raise UsageError(f"--imap: cannot reach {where} ({error})") from None
    try:
        try:
            imap.login(mailbox.user, password.reveal())
        except imaplib.IMAP4.error:
            raise UsageError(f"--imap: {where} refused the login of {mailbox.user}") from None
        status, _ = imap.select(_quoted(mailbox.folder), readonly=True)
        if status != "OK":
            raise UsageError(f"--imap: there is no folder {mailbox.folder!r} on {where}")
        yield imap
    except (OSError, imaplib.IMAP4.abort) as error:
        raise UsageError(f"--imap: the connection to {where} broke ({error})") from None
    finally:
        with suppress(OSError, imaplib.IMAP4.error):
            imap.logout()


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _since(moment: datetime) -> str:
    day = moment.astimezone(UTC)
    return f"{day.day:02d}-{_MONTHS[day.month - 1]}-{day.year}"


def _candidates(imap: imaplib.IMAP4, since: datetime) -> list[str]:
    """The UIDs of mail from any service's mail domains since `since`, oldest first."""
    found: set[str] = set()
    for domain in registry().mail_domains():
        status, data = imap.uid("SEARCH", "SINCE", _since(since), "FROM", _quoted(domain))
        if status == "OK" and data and data[0]:
            found.update(uid.decode() for uid in data[0].split())
    return sorted(found, key=int)


def _fetch(imap: imaplib.IMAP4, uid: str) -> bytes | None:
    status, data = imap.uid("FETCH", uid, "(BODY.PEEK[])")
    for item in data if status == "OK" else []:
        if isinstance(item, tuple) and len(item) == 2:
            return bytes(item[1])
    return None


def _import(
    data_dir: Path,
    uid: str,
    raw: bytes,
    objections: list[Objection],
    dns: DnsLookup | None,
    url: str | None,
) -> tuple[Looked | None, bool]:
    """(what became of the email, whether it was imported before)."""
    message = parse_message(raw)
    sender = next(iter(addresses(message, "From")), "")
    subject = header_text(message, "Subject")
    reasons: list[str] = []
    for objection in objections:
        try:
            imported = import_message(data_dir, objection, raw, dns=dns, url=url)
        except ReplyMismatch as error:
            reasons.append(str(error))
        except UsageError as error:
            if "already stored" in str(error):
                return None, True
            reasons.append(str(error))
        else:
            return Looked(uid, sender, subject, imported=imported), False
    if any("already stored for objection" in r for r in reasons):
        return None, True
    # The reason about its own account says most; "addressed to someone else" least.
    specific = [r for r in reasons if not r.startswith("the email is addressed to")]
    return Looked(uid, sender, subject, reason=(specific or reasons)[0]), False


def poll(
    data_dir: Path,
    mailbox: Mailbox,
    password: Secret,
    *,
    ca_file: Path | None = None,
    dns: DnsLookup | None = None,
    url: str | None = None,
) -> Poll:
    """Look once for Meta's replies to the open objections (of the shared ledger at
    `url`, if given), and import them."""
    objections = open_objections(data_dir, url)
    result = Poll(datetime.now(UTC), [o.id for o in objections])
    if not objections:
        return result
    since = min(parse_time(o.submitted_at or "") for o in objections)
    with connect(mailbox, password, ca_file) as imap:
        for uid in _candidates(imap, since):
            raw = _fetch(imap, uid)
            if raw is None:
                continue
            # An objection answered by an earlier email of this poll is no longer open.
            still = [o for o in open_objections(data_dir, url) if o.id in result.objections]
            if not still:
                break
            looked, before = _import(data_dir, uid, raw, still, dns, url)
            if before:
                result = _replace(result, already=result.already + 1)
            elif looked is not None:
                (result.imported if looked.imported else result.rejected).append(looked)
    return result


def _replace(result: Poll, *, already: int) -> Poll:
    return Poll(result.at, result.objections, result.imported, result.rejected, already)


def watch(
    run_once: Callable[[], Poll],
    report: Callable[[Poll], None],
    *,
    every_s: float,
    rounds: int | None = None,
    stop: threading.Event | None = None,
) -> int:
    """Poll, report, wait `every_s`, again: `rounds` times, or until `stop` is set.
    Returns the number of rounds run."""
    stop = stop or threading.Event()
    done = 0
    while rounds is None or done < rounds:
        report(run_once())
        done += 1
        if (rounds is not None and done >= rounds) or stop.wait(every_s):
            break
    return done
