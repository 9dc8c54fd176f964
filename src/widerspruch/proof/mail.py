"""An email as widerspruch reads it: its headers, its text, and its DKIM signature.

The text is the plain part, else the HTML part as a person sees it; quoted-printable,
base64 and RFC 2047 headers are decoded by the standard library. The DKIM signature
(``DKIM-Signature``) is checked with dkimpy against the key its domain publishes in the
DNS, or against the key a caller supplies (``dns``): the result is ``pass``, ``fail``
(a key was found and the signature does not match it), ``unverified`` (no key could be
had: no network, or none published) or ``none`` (the email is not signed).
"""

from __future__ import annotations

import email
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.utils import getaddresses
from html.parser import HTMLParser
from typing import Any

# Looks up a DNS TXT record: dkimpy's ``dnsfunc`` (name as bytes, timeout in seconds).
DnsLookup = Callable[..., bytes | None]
DNS_TIMEOUT_S = 5


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


def _part_text(part: EmailMessage) -> str:
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


def body_text(message: EmailMessage) -> str:
    """The readable text of the message: its plain part and its HTML part as text (a
    plain part may only say "view this in HTML"), each once."""
    texts: list[str] = []
    for kind in ("plain", "html"):
        part = message.get_body(preferencelist=(kind,))
        text = _part_text(part) if isinstance(part, EmailMessage) else ""
        if text.strip() and text not in texts:
            texts.append(text)
    return "\n\n".join(texts)


def header_text(message: EmailMessage, name: str) -> str:
    """A header decoded (RFC 2047), or "" when absent or unreadable."""
    try:
        return str(message[name] or "")
    except (LookupError, ValueError):
        return ""


def addresses(message: EmailMessage, *names: str) -> list[str]:
    """The addresses in these headers, lower case, without display names."""
    values = []
    for name in names:
        try:
            values += [str(v) for v in message.get_all(name) or []]
        except (LookupError, ValueError):
            continue
    return [address.casefold() for _, address in getaddresses(values) if "@" in address]


def message_date(message: EmailMessage) -> datetime | None:
    try:
        header = message["Date"]
        moment = header.datetime if header is not None else None
    except (AttributeError, TypeError, ValueError):
        return None
    if not isinstance(moment, datetime):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def message_id(message: EmailMessage) -> str | None:
    """The Message-ID without its angle brackets and spaces, or None."""
    value = re.sub(r"[\s<>]", "", header_text(message, "Message-ID"))
    return value or None


@dataclass(frozen=True)
class Dkim:
    """The email's DKIM signature and what checking it gave."""

    result: str  # pass, fail, unverified, none
    domain: str | None = None  # the signature's d=
    selector: str | None = None  # its s=
    reason: str | None = None  # why it failed or could not be verified
    # The domain whose dkim=pass the receiving provider wrote in Authentication-Results.
    provider_pass: str | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: object) -> Dkim | None:
        if not isinstance(data, dict):
            return None

        def text(key: str) -> str | None:
            value = data.get(key)
            return str(value) if value is not None else None

        return cls(
            text("result") or "none",
            text("domain"),
            text("selector"),
            text("reason"),
            text("provider_pass"),
        )

    def signed_by(self, domains: tuple[str, ...]) -> bool:
        """A signature that passed, by one of `domains` or a subdomain of one."""
        return self.result == "pass" and in_domains(self.domain or "", domains)


def in_domains(domain: str, domains: tuple[str, ...]) -> bool:
    domain = domain.lower().rstrip(".")
    return any(domain == d or domain.endswith("." + d) for d in domains)


def _tags(signature: str) -> dict[str, str]:
    tags = {}
    for item in re.sub(r"\s+", "", signature).split(";"):
        key, sep, value = item.partition("=")
        if sep:
            tags[key.lower()] = value
    return tags


def provider_pass(message: EmailMessage, domains: tuple[str, ...]) -> str | None:
    """The domain among `domains` whose DKIM check the person's provider says passed."""
    try:
        results = [str(v) for v in message.get_all("Authentication-Results") or []]
    except (LookupError, ValueError):
        return None
    for value in results:
        for found in re.finditer(r"dkim=pass[^;]*?header\.d=([\w.-]+)", value, re.I):
            if in_domains(found.group(1), domains):
                return found.group(1).lower()
    return None


def check_dkim(data: bytes, domains: tuple[str, ...], dns: DnsLookup | None = None) -> Dkim:
    """Verify the first DKIM signature of the raw email `data`; `dns` supplies the key
    (dkimpy's ``dnsfunc``), by default the system's DNS."""
    import dkim

    message = parse_message(data)
    provider = provider_pass(message, domains)
    signature = header_text(message, "DKIM-Signature")
    if not signature:
        return Dkim("none", provider_pass=provider)
    tags = _tags(signature)
    domain, selector = tags.get("d", "").lower() or None, tags.get("s") or None
    lookup = dns or dkim.dnsplug.get_txt
    found: list[bool] = []

    def key(name: bytes, timeout: int = DNS_TIMEOUT_S) -> bytes | None:
        try:
            record = lookup(name, timeout=timeout)
        except Exception:  # noqa: BLE001 - any DNS failure means: the key could not be had
            record = None
        found.append(bool(record))
        return record

    try:
        ok = dkim.DKIM(data, timeout=DNS_TIMEOUT_S).verify(dnsfunc=key)
        reason = None if ok else "the signature does not match the email"
    except dkim.DKIMException as error:
        ok, reason = False, str(error) or type(error).__name__
    if ok:
        result = "pass"
    elif not any(found):
        result, reason = "unverified", f"no key for {selector}._domainkey.{domain} could be had"
    else:
        result = "fail"
    return Dkim(result, domain, selector, reason, provider)
