"""Proof of an objection after the fact: finding and checking its evidence bundle."""

from __future__ import annotations

import re
from pathlib import Path

from widerspruch.errors import UsageError
from widerspruch.ledger import LEDGER_FILE, MAX_ID, Attachment, Ledger, Objection
from widerspruch.proof.archive import ArchiveVerdict, verify_archive, verify_objection
from widerspruch.proof.evidence import MANIFEST, Verdict, verify
from widerspruch.settings import resolve_data_dir

DIGITS = re.compile(r"[0-9]{1,19}")  # MAX_ID has 19 digits


def objection_number(text: str) -> int:
    """An objection's number as typed: plain digits, from 1 up to SQLite's largest integer."""
    if DIGITS.fullmatch(text) and 0 < int(text) <= MAX_ID:
        return int(text)
    raise UsageError(f"{text!r} is not an objection number (see `widerspruch log`)")


def require_ledger(data_dir: Path, url: str | None = None) -> None:
    """A UsageError unless `data_dir` holds a ledger (a command that reads one, never
    creates one); a shared ledger at `url` is there (opening it tells if it is not)."""
    if url is None and not (data_dir / LEDGER_FILE).exists():
        raise UsageError(f"no ledger in {data_dir}; use --data-dir")


def objection_by_id(data_dir: Path, objection_id: str, url: str | None = None) -> Objection:
    """The ledger's objection with this number, or a UsageError saying what is there."""
    number = objection_number(objection_id)
    require_ledger(data_dir, url)
    with Ledger.open(data_dir, url=url, read_only=True) as ledger:
        return ledger.get(number)


def attachments(data_dir: Path, objection: Objection, url: str | None = None) -> list[Attachment]:
    """The files added to `objection` after its bundle was sealed (receipt, Meta's replies)."""
    with Ledger.open(data_dir, url=url, read_only=True) as ledger:
        return ledger.attachments(objection.id)


def require_evidence_here(objection: Objection, ledger: Ledger, command: str) -> None:
    """With a shared ledger, a UsageError unless `objection`'s evidence bundle lies in
    this data dir or the ledger keeps a copy of its files (widerspruch.ledger.kept). (On
    the data dir's own ledger a missing bundle is no usage mistake but lost evidence,
    which `verify` reports.)"""
    folder = objection.evidence_dir
    if ledger.url is None or not folder or Path(folder).is_dir():
        return
    if ledger.kept_files(objection.id):
        return
    raise UsageError(
        f"the evidence files of objection #{objection.id} are not on this machine (no "
        f"{folder}), and the shared ledger keeps no copy of them: run "
        f"`widerspruch {command}` with the --data-dir of the desk that sent it"
    )


def verify_bundle(
    target: str,
    data_dir_option: Path | None,
    tsa_ca: bytes | None = None,
    url: str | None = None,
) -> Verdict:
    """Verify by objection number (everything the archive holds for it), or by folder:
    the ledger's objection when the folder is its bundle, else the bundle by itself.
    With `url`, the objection is the shared ledger's, its bundle in this data dir or
    (where it is not) as the shared ledger keeps it."""
    data_dir = resolve_data_dir(data_dir_option)
    folder = Path(target).expanduser()
    if folder.is_dir():
        if url is not None or (data_dir / LEDGER_FILE).exists():
            with Ledger.open(data_dir, url=url, read_only=True) as ledger:
                for objection in ledger.objections():
                    if (
                        objection.evidence_dir
                        and Path(objection.evidence_dir).resolve() == folder.resolve()
                    ):
                        return verify_objection(ledger, objection, tsa_ca)
        if not (folder / MANIFEST).is_file():
            raise UsageError(f"{target} is not an evidence bundle (it has no {MANIFEST})")
        return verify(folder)
    if not target.isascii() or not target.isdigit():
        if folder.exists():
            raise UsageError(f"{target} is a file, not an evidence bundle folder")
        raise UsageError(
            f"no evidence bundle folder at {target}, and it is not an objection number "
            "(see `widerspruch log`)"
        )
    number = objection_number(target)
    require_ledger(data_dir, url)
    with Ledger.open(data_dir, url=url, read_only=True) as ledger:
        objection = ledger.get(number)
        if not objection.evidence_dir:
            raise UsageError(f"objection #{objection.id} has no evidence bundle")
        require_evidence_here(objection, ledger, f"verify {objection.id}")
        return verify_objection(ledger, objection, tsa_ca)


def verify_all(
    data_dir_option: Path | None, tsa_ca: bytes | None = None, url: str | None = None
) -> ArchiveVerdict:
    """Every objection in the data dir's ledger (or the PostgreSQL ledger at `url`,
    whose evidence paths are relative to the data dir), and the chain of seals."""
    data_dir = resolve_data_dir(data_dir_option)
    if url is None:
        require_ledger(data_dir)
    with Ledger.open(data_dir, url=url, read_only=True) as ledger:
        return verify_archive(ledger, tsa_ca)
