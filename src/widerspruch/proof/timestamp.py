"""A trusted timestamp (RFC 3161) on a bundle's manifest hash: a time-stamping authority
signs "this hash existed at this time", so a bundle cannot be made up later, not even
by someone who rewrites the whole ledger.

The request and the check are rfc3161-client's (Trail of Bits, also used by sigstore):
the request is built, and the token's CMS signature and certificate chain verified, by
a maintained library on top of `cryptography`, not by our own ASN.1.

In the bundle, next to manifest.json: ``manifest.tsr`` (the authority's reply as it
came) and ``manifest.tsa-ca.pem`` (the authority's CA certificate, as the person gave
it), both recorded in the ledger with their SHA-256. `verify` checks that the token's
message imprint is the manifest's SHA-256 and that its signature verifies, with a
chain to that CA (or to one given to `verify --tsa-ca`).
"""

from __future__ import annotations

import hashlib
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from widerspruch.errors import UsageError
from widerspruch.files import write_private
from widerspruch.logs import get_logger

if TYPE_CHECKING:
    from rfc3161_client import TimeStampResponse

    from widerspruch.ledger import Ledger, Objection

TIMESTAMP_KIND = "timestamp"
TSA_CA_KIND = "timestamp-ca"
TIMESTAMP_FILE = "manifest.tsr"
TSA_CA = "manifest.tsa-ca.pem"
QUERY_TYPE = "application/timestamp-query"
REPLY_TYPE = "application/timestamp-reply"
SHA256_OID = "2.16.840.1.101.3.4.2.1"
TIMEOUT_S = 30.0

log = get_logger()


class TimestampFailed(Exception):
    """The authority could not be reached, or its answer does not hold."""


@dataclass(frozen=True)
class Stamp:
    """A checked token: when, and by whom."""

    at: datetime
    authority: str


@dataclass(frozen=True)
class Timestamping:
    """`--timestamp-url` and `--timestamp-ca` of a run that seals bundles."""

    url: str
    ca_pem: bytes

    @classmethod
    def from_options(cls, url: str | None, ca: Path | None) -> Timestamping | None:
        """None when neither is given; a UsageError when only one is, or one is bad."""
        from widerspruch.settings import check_url

        if url is None and ca is None:
            return None
        if url is None or ca is None:
            raise UsageError(
                "--timestamp-url and --timestamp-ca go together: the authority's address "
                "and its CA certificate (PEM), against which its answer is checked"
            )
        return cls(check_url("--timestamp-url", url), read_ca(ca))


def read_ca(path: Path, option: str = "--timestamp-ca") -> bytes:
    """The authority's CA certificate (PEM) as the person gave it, or a UsageError."""
    from cryptography import x509

    try:
        data = path.expanduser().read_bytes()
        x509.load_pem_x509_certificates(data)
    except OSError as error:
        raise UsageError(f"{option}: cannot read {path} ({error.strerror or error})") from None
    except ValueError:
        raise UsageError(f"{option}: {path} is not a PEM certificate") from None
    return data


def _verified(reply: bytes, manifest_sha256: str, ca_pem: bytes, nonce: int | None) -> Stamp:
    """The stamp in `reply`, or TimestampFailed saying why it does not hold."""
    from cryptography import x509
    from rfc3161_client import VerificationError, VerifierBuilder, decode_timestamp_response

    try:
        response: TimeStampResponse = decode_timestamp_response(reply)
    except ValueError as error:
        raise TimestampFailed(f"not a time-stamp reply ({error})") from None
    if response.status not in (0, 1):  # granted, granted with modifications
        raise TimestampFailed(f"the authority refused it (status {response.status})")
    imprint = response.tst_info.message_imprint
    if imprint.hash_algorithm.dotted_string != SHA256_OID:
        raise TimestampFailed("the token is not over a SHA-256 hash")
    if imprint.message.hex() != manifest_sha256:
        raise TimestampFailed("the token is for another manifest (its hash differs)")
    builder = VerifierBuilder(nonce=nonce)
    for certificate in x509.load_pem_x509_certificates(ca_pem):
        builder = builder.add_root_certificate(certificate)
    try:
        builder.build().verify(response, imprint.message)
    except VerificationError as error:
        raise TimestampFailed(f"its signature does not verify ({error})") from None
    name = response.tst_info.name
    authority = name.value.rfc4514_string() if isinstance(name.value, x509.Name) else str(name)
    return Stamp(response.tst_info.gen_time, authority)


def check_token(reply: bytes, manifest_sha256: str, ca_pem: bytes) -> str | None:
    """None if the token holds for this manifest hash and CA, else what is wrong."""
    try:
        _verified(reply, manifest_sha256, ca_pem, None)
    except TimestampFailed as failed:
        return str(failed)
    return None


def fetch_timestamp(url: str, manifest: bytes, ca_pem: bytes) -> tuple[bytes, Stamp]:
    """Ask the authority at `url` to stamp the SHA-256 of `manifest` (manifest.json's
    bytes); the reply and its stamp, checked against `ca_pem`."""
    from rfc3161_client import HashAlgorithm, TimestampRequestBuilder

    # The request carries only the hash: nothing of the bundle leaves the machine.
    query = TimestampRequestBuilder().data(manifest).hash_algorithm(HashAlgorithm.SHA256).build()
    request = urllib.request.Request(  # noqa: S310 - the URL was checked to be http(s)
        url, data=query.as_bytes(), headers={"Content-Type": QUERY_TYPE}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as answer:  # noqa: S310
            reply = answer.read()
    except (urllib.error.URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", None) or error
        raise TimestampFailed(f"the authority at {url} could not be reached ({reason})") from None
    return reply, _verified(reply, hashlib.sha256(manifest).hexdigest(), ca_pem, query.nonce)


def add_timestamp(ledger: Ledger, objection: Objection, url: str, ca_pem: bytes) -> Stamp:
    """Stamp `objection`'s sealed manifest, keep the token and the CA in its bundle,
    and record both in the ledger. TimestampFailed (nothing kept) if it does not hold."""
    from widerspruch.proof.evidence import MANIFEST, sha256_file

    if not objection.evidence_dir or not objection.manifest_sha256:
        raise UsageError(f"objection #{objection.id} has no sealed evidence bundle to stamp")
    folder = Path(objection.evidence_dir)
    try:
        manifest = (folder / MANIFEST).read_bytes()
    except OSError as error:
        raise TimestampFailed(f"cannot read its {MANIFEST} ({error.strerror or error})") from None
    if hashlib.sha256(manifest).hexdigest() != objection.manifest_sha256:
        raise TimestampFailed(f"its {MANIFEST} is not the one sealed; see `widerspruch verify`")
    reply, stamp = fetch_timestamp(url, manifest, ca_pem)
    with ledger.atomic():
        for name, data, kind in (
            (TSA_CA, ca_pem, TSA_CA_KIND),
            (TIMESTAMP_FILE, reply, TIMESTAMP_KIND),
        ):
            path = write_private(folder / name, data)
            ledger.attach(objection.id, kind, path, sha256_file(path), detail=stamp.at.isoformat())
    log.info("timestamp_added", objection=objection.id, authority=stamp.authority)
    return stamp


def stamp_quietly(ledger: Ledger, objection: Objection, options: Timestamping) -> Stamp | None:
    """`add_timestamp` after a submission: a failure is logged, never changes the outcome
    (`widerspruch timestamp N` adds it later)."""
    try:
        return add_timestamp(ledger, objection, options.url, options.ca_pem)
    except (TimestampFailed, UsageError, OSError) as error:
        log.warning("timestamp_failed", objection=objection.id, error=str(error))
        return None
