"""What `verify` and `timestamp` print: a bundle's verdict, the whole archive's, a stamp."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import typer

from widerspruch.cli.render import print_json
from widerspruch.text import local_time

if TYPE_CHECKING:
    from widerspruch.ledger import Objection
    from widerspruch.proof.archive import ArchiveVerdict
    from widerspruch.proof.evidence import Verdict
    from widerspruch.proof.timestamp import Stamp


def verdict_document(verdict: Verdict) -> dict[str, Any]:
    return {
        "objection_id": verdict.objection_id,
        "bundle": str(verdict.folder) if verdict.folder else None,
        "intact": verdict.intact,
        "sealed": verdict.sealed,
        "files_checked": verdict.checked,
        "kept_in_ledger": verdict.kept,
        "changed": verdict.changed,
        "missing": verdict.missing,
        "not_recorded": verdict.unrecorded,
        "problems": verdict.problems,
        "timestamped": verdict.timestamped,
    }


def _files(verdict: Verdict) -> str:
    """How many files were checked, and how many of them as the ledger keeps them."""
    kept = f", {verdict.kept} of them as kept in the ledger" if verdict.kept else ""
    return f"{verdict.checked} files{kept}"


def _faults(verdict: Verdict) -> list[str]:
    return [
        *(f"changed: {name}" for name in verdict.changed),
        *(f"missing: {name}" for name in verdict.missing),
        *(f"not recorded: {name}" for name in verdict.unrecorded),
        *verdict.problems,
    ]


def print_verdict(verdict: Verdict, *, json_output: bool) -> None:
    if json_output:
        print_json(verdict_document(verdict))
    elif verdict.intact:
        stamped = ", with a trusted timestamp" if verdict.timestamped else ""
        typer.echo(f"intact: {verdict.folder} ({_files(verdict)}{stamped})")
    else:
        for line in _faults(verdict):
            typer.echo(line)


def _line(verdict: Verdict) -> str:
    number = f"#{verdict.objection_id}"
    if not verdict.intact:
        return f"{number} NOT INTACT: " + "; ".join(_faults(verdict))
    if not verdict.sealed:
        added = f", {verdict.checked} files added later intact" if verdict.checked else ""
        return f"{number} nothing sealed (never sent){added}"
    stamped = ", trusted timestamp holds" if verdict.timestamped else ""
    return f"{number} intact ({_files(verdict)}{stamped})"


def print_archive(archive: ArchiveVerdict, *, json_output: bool) -> None:
    broken = [v for v in archive.objections if not v.intact]
    if json_output:
        print_json(
            {
                "data_dir": str(archive.data_dir),
                "intact": archive.intact,
                "objections": [verdict_document(v) for v in archive.objections],
                "not_intact": [v.objection_id for v in broken],
                "seals": archive.seals,
                "chain_head": archive.chain_head,
            }
        )
        return
    for verdict in archive.objections:
        typer.echo(_line(verdict))
    count = len(archive.objections)
    state = "all intact" if not broken else f"{len(broken)} NOT INTACT"
    head = f"; chain of {archive.seals} seals ends in {archive.chain_head}" if archive.seals else ""
    typer.echo(f"{count} objection{'s' if count != 1 else ''}: {state}{head}")


def print_stamp(objection: Objection, stamp: Stamp, *, json_output: bool) -> None:
    if json_output:
        print_json(
            {
                "objection_id": objection.id,
                "manifest_sha256": objection.manifest_sha256,
                "stamped_at": stamp.at.isoformat(),
                "authority": stamp.authority,
            }
        )
    else:
        typer.echo(
            f"objection #{objection.id}: manifest time-stamped at {local_time(stamp.at)} "
            f"by {stamp.authority}"
        )
