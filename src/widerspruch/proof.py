"""Proof of an objection after the fact: finding and checking its evidence bundle."""

from __future__ import annotations

from pathlib import Path

from widerspruch.errors import UsageError
from widerspruch.evidence import Verdict, verify
from widerspruch.ledger import LEDGER_FILE, Ledger, Objection
from widerspruch.settings import resolve_data_dir


def objection_by_id(data_dir: Path, objection_id: str) -> Objection:
    """The ledger's objection with this number, or a UsageError saying what is there."""
    if not objection_id.isdigit():
        raise UsageError(f"{objection_id!r} is not an objection number (see `widerspruch log`)")
    if not (data_dir / LEDGER_FILE).exists():
        raise UsageError(f"no ledger in {data_dir}; use --data-dir")
    with Ledger.open(data_dir) as ledger:
        return ledger.get(int(objection_id))


def verify_bundle(target: str, data_dir_option: Path | None) -> Verdict:
    """Verify by objection number, or by folder (compared with the ledger when it knows it)."""
    data_dir = resolve_data_dir(data_dir_option)
    folder = Path(target).expanduser()
    if folder.is_dir():
        expected = None
        if (data_dir / LEDGER_FILE).exists():
            with Ledger.open(data_dir) as ledger:
                for objection in ledger.objections():
                    if objection.evidence_dir and Path(objection.evidence_dir) == folder.resolve():
                        expected = objection.manifest_sha256
        return verify(folder, expected)
    if not target.isdigit():
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
