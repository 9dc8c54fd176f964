"""An objection's evidence as the ledger keeps it (widerspruch.ledger.kept): checked by
`verify`, and brought back into this data dir for `receipt` and `timestamp`.

`verify` checks every kept copy twice: its content against the SHA-256 it was kept
with, and against the hash the record holds for it (the manifest's own in the ledger,
each bundle file's in the kept manifest, each file added later in its attachment row).
A byte changed in a kept copy, or a copy replaced together with its hash, is found
either way. Where the desk's files lie here too, they are checked as well, each as
itself: a kept copy's fault is named "… (as kept in the ledger)".
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from widerspruch.errors import UsageError
from widerspruch.ledger import Attachment, Ledger, Objection
from widerspruch.ledger.kept import KeptFile
from widerspruch.proof.evidence import MANIFEST, Verdict

IN_LEDGER = " (as kept in the ledger)"


def _sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _report(found: list[str], name: str) -> None:
    if name not in found:
        found.append(name)


def check_kept(
    verdict: Verdict,
    objection: Objection,
    kept: list[KeptFile],
    attachments: list[Attachment],
    name_of: Callable[[str], str],
    *,
    here: bool,
) -> dict[str, KeptFile]:
    """Check the ledger's copies of `objection`'s files into `verdict`; returns them by
    path (resolved), for the timestamp check. The bundle as kept is checked whenever the
    ledger keeps its manifest, and must be kept where the bundle is not `here`; each
    file added later, where the ledger keeps it."""
    by_path = {file.resolved: file for file in kept}
    for file in kept:
        verdict.checked += 1
        verdict.kept += 1
        if not file.intact:
            _report(verdict.changed, name_of(file.resolved) + IN_LEDGER)
    if objection.evidence_dir and objection.manifest_sha256:
        manifest = str(Path(objection.evidence_dir) / MANIFEST)
        if manifest in by_path or not here:
            _check_bundle(verdict, objection, by_path, name_of)
    latest = {attachment.path: attachment for attachment in attachments}
    for attachment in latest.values():
        copy = by_path.get(attachment.path)  # none kept: the file here is checked
        if copy is not None and _sha256(copy.content) != attachment.sha256:
            _report(verdict.changed, name_of(attachment.path) + IN_LEDGER)
    return by_path


def _check_bundle(
    verdict: Verdict,
    objection: Objection,
    by_path: dict[str, KeptFile],
    name_of: Callable[[str], str],
) -> None:
    folder = Path(str(objection.evidence_dir))
    manifest = by_path.get(str(folder / MANIFEST))
    if manifest is None:
        _report(verdict.missing, MANIFEST + IN_LEDGER)
        return
    if _sha256(manifest.content) != objection.manifest_sha256:
        _report(verdict.changed, MANIFEST + IN_LEDGER)
        if verdict.manifest_matches_ledger is None:
            verdict.manifest_matches_ledger = False
    elif verdict.manifest_matches_ledger is None:
        verdict.manifest_matches_ledger = True
    try:
        listed = dict(json.loads(manifest.content.decode("utf-8"))["files"])
    except (ValueError, KeyError, TypeError):
        _report(verdict.changed, MANIFEST + IN_LEDGER)
        return
    for name, digest in listed.items():
        file = by_path.get(str(folder / name))
        if file is None:
            _report(verdict.missing, name + IN_LEDGER)
        elif _sha256(file.content) != digest:
            _report(verdict.changed, name + IN_LEDGER)


def _inside(data_dir: Path, stored: str) -> Path | None:
    """Where a kept file goes back in `data_dir`: only a relative path that stays inside."""
    relative = PurePosixPath(stored)
    if relative.is_absolute() or ".." in relative.parts or not relative.parts:
        return None
    return data_dir.joinpath(*relative.parts)


def bring_back(ledger: Ledger, objection: Objection) -> int:
    """Write `objection`'s kept files into the data dir the ledger was opened in (only
    those missing there, owner-only); returns how many. A UsageError, and nothing
    written, if a kept copy is not what its SHA-256 says."""
    from widerspruch.files import write_private

    kept = ledger.kept_files(objection.id)
    changed = [file.path for file in kept if not file.intact]
    if changed:
        raise UsageError(
            f"the copy of {changed[0]} that the ledger keeps for objection #{objection.id} "
            f"was changed; nothing was written. See `widerspruch verify {objection.id}`"
        )
    written = 0
    for file in kept:
        target = _inside(ledger.data_dir, file.path)
        if target is None or target.exists():
            continue
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        write_private(target, file.content)
        written += 1
    return written


def evidence_here(data_dir: Path, objection: Objection, url: str | None, command: str) -> None:
    """With a shared ledger (`url`), make sure `objection`'s evidence bundle lies in this
    data dir: brought back from the ledger's copies when it is not (see bring_back). A
    UsageError if the ledger keeps none (an objection sealed before the ledger kept
    files): then its files are only on the desk that sent it."""
    from widerspruch.proof.verify import require_evidence_here

    if url is None or not objection.evidence_dir or Path(objection.evidence_dir).is_dir():
        return
    with Ledger.open(data_dir, url=url, read_only=True) as ledger:
        require_evidence_here(objection, ledger, command)
        bring_back(ledger, objection)
