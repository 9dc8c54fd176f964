"""Proof of an objection after the fact: finding and checking its evidence bundle."""

from __future__ import annotations

import re
from pathlib import Path

from widerspruch.errors import UsageError
from widerspruch.evidence import Verdict, verify
from widerspruch.ledger import LEDGER_FILE, MAX_ID, Ledger, Objection
from widerspruch.settings import resolve_data_dir

DIGITS = re.compile(r"[0-9]{1,19}")  # MAX_ID has 19 digits


def objection_number(text: str) -> int:
    """An objection's number as typed: plain digits, from 1 up to SQLite's largest integer."""
    if DIGITS.fullmatch(text) and 0 < int(text) <= MAX_ID:
        return int(text)
    raise UsageError(f"{text!r} is not an objection number (see `widerspruch log`)")


def objection_by_id(data_dir: Path, objection_id: str) -> Objection:
    """The ledger's objection with this number, or a UsageError saying what is there."""
    number = objection_number(objection_id)
    if not (data_dir / LEDGER_FILE).exists():
        raise UsageError(f"no ledger in {data_dir}; use --data-dir")
    with Ledger.open(data_dir, read_only=True) as ledger:
        return ledger.get(number)


def verify_bundle(target: str, data_dir_option: Path | None) -> Verdict:
    """Verify by objection number, or by folder (compared with the ledger when it knows it)."""
    data_dir = resolve_data_dir(data_dir_option)
    folder = Path(target).expanduser()
    if folder.is_dir():
        expected = None
        if (data_dir / LEDGER_FILE).exists():
            with Ledger.open(data_dir, read_only=True) as ledger:
                for objection in ledger.objections():
                    if objection.evidence_dir and Path(objection.evidence_dir) == folder.resolve():
                        expected = objection.manifest_sha256
        return verify(folder, expected)
    if not target.isascii() or not target.isdigit():
        if folder.exists():
            raise UsageError(f"{target} is a file, not an evidence bundle folder")
        raise UsageError(
            f"no evidence bundle folder at {target}, and it is not an objection number "
            "(see `widerspruch log`)"
        )
    objection = objection_by_id(data_dir, target)
    if not objection.evidence_dir:
        raise UsageError(f"objection #{objection.id} has no evidence bundle")
    return verify(Path(objection.evidence_dir), objection.manifest_sha256)
