"""Checking the whole archive: every file kept for an objection, and the chain of seals.

For each objection: its sealed bundle (every file in the manifest, the manifest against
the ledger), every file added later and recorded in the ledger with its SHA-256 (the
receipt, Meta's replies, a trusted timestamp, a follow-up), any file in its folder that
nothing records (named, never taken on trust), and the seals of all of these in the
chain (widerspruch.ledger.chain). The chain is recomputed from its first link, so a
bundle or an added file replaced by another, a deleted one with its ledger row, or a
ledger row whose hash was rewritten without the chain, is found.

Where a shared ledger keeps copies of the files (widerspruch.proof.kept), those are
checked too, and stand in for files that are not on this machine.

What this proves, and what not: see the README ("Keeping the archive").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from widerspruch.ledger import Attachment, Ledger, Objection, Seal
from widerspruch.ledger.chain import BUNDLE, link
from widerspruch.ledger.kept import KeptFile
from widerspruch.proof.evidence import (
    MANIFEST,
    Verdict,
    bundle_dir,
    manifest_files,
    sha256_file,
    verify,
)
from widerspruch.proof.kept import check_kept
from widerspruch.proof.timestamp import TIMESTAMP_KIND, TSA_CA, check_token


@dataclass
class ArchiveVerdict:
    """`verify --all`: one Verdict per objection, and the chain of seals."""

    data_dir: Path
    objections: list[Verdict] = field(default_factory=list)
    seals: int = 0
    chain_head: str | None = None  # the chain's last hash: worth writing down elsewhere

    @property
    def intact(self) -> bool:
        return all(verdict.intact for verdict in self.objections)


@dataclass
class Chain:
    """The chain recomputed: each objection's last bundle seal, the last seal of each file
    added to it (by path, resolved in the data dir), and where a link breaks."""

    last_seal: dict[int, Seal] = field(default_factory=dict)
    files: dict[int, dict[str, Seal]] = field(default_factory=dict)
    broken: dict[int, list[str]] = field(default_factory=dict)
    count: int = 0
    head: str | None = None

    @classmethod
    def of(cls, seals: list[Seal], resolved: Callable[[str], str | None] = str) -> Chain:
        chain, previous = cls(), None
        for seal in seals:
            computed = link(previous, seal.sha256, seal.objection_id, seal.kind, seal.path)
            if computed != seal.chain_sha256:
                chain.broken.setdefault(seal.objection_id, []).append(
                    f"the chain of seals breaks at seal {seal.seq}: a seal in the ledger "
                    "was changed or removed"
                )
            previous = seal.chain_sha256  # a break is told once, not for every seal after it
            if seal.kind == BUNDLE:
                chain.last_seal[seal.objection_id] = seal
            else:
                path = resolved(seal.path or "") or ""
                chain.files.setdefault(seal.objection_id, {})[path] = seal
        chain.count, chain.head = len(seals), previous
        return chain

    def sealed(self) -> set[int]:
        """Every objection the chain has a seal of."""
        return set(self.last_seal) | set(self.files)


def _name(path: Path, objection: Objection, data_dir: Path) -> str:
    """A file as `verify` names it: inside the bundle by its name, else from the data dir."""
    for base in (Path(objection.evidence_dir) if objection.evidence_dir else None, data_dir):
        if base is not None and path.is_relative_to(base.absolute()):
            return path.relative_to(base.absolute()).as_posix()
    return str(path)


def _latest_per_file(attachments: list[Attachment]) -> list[Attachment]:
    """A file written again (a receipt made anew) counts as it was last recorded."""
    return list({attachment.path: attachment for attachment in attachments}.values())


def _check_file(
    verdict: Verdict, path: Path, name: str, sha256: str, kept: dict[str, KeptFile]
) -> bytes | None:
    """The file's SHA-256 against the one recorded: its content if it matches. A file
    not here is read from the ledger's copy, whose hash `check_kept` has checked."""
    if path.is_file():
        verdict.checked += 1
        if sha256_file(path) != sha256:
            verdict.changed.append(name)
            return None
        return path.read_bytes()
    copy = kept.get(str(path))
    if copy is None:
        verdict.missing.append(name)
        return None
    return copy.content if copy.intact and copy.sha256 == sha256 else None


def _check_stamp(
    verdict: Verdict,
    token: bytes,
    where: tuple[Path, str],
    objection: Objection,
    ca_given: tuple[bytes | None, dict[str, KeptFile]],
) -> None:
    """A trusted timestamp's token against the manifest it was given: the CA given to
    `verify`, else the one kept with the token (see the README on what each proves)."""
    if not objection.manifest_sha256:
        return
    (path, name), (tsa_ca, kept) = where, ca_given
    ca = tsa_ca if tsa_ca is not None else _kept_ca(path.parent / TSA_CA, kept)
    problem = (
        "no CA certificate to check it against"
        if ca is None
        else check_token(token, objection.manifest_sha256, ca)
    )
    if problem:
        verdict.problems.append(f"{name}: {problem}")
    else:
        verdict.timestamped = True


def _kept_ca(path: Path, kept: dict[str, KeptFile]) -> bytes | None:
    """The CA kept with a token: here, or as the ledger keeps it."""
    if path.is_file():
        return path.read_bytes()
    copy = kept.get(str(path))
    return copy.content if copy is not None else None


def _check_attachments(
    verdict: Verdict,
    objection: Objection,
    attachments: list[Attachment],
    sealed: dict[str, Seal],
    data_dir: Path,
    ca_given: tuple[bytes | None, dict[str, KeptFile]],
) -> None:
    """Each file added later against its ledger row, and the row against its seal; a
    sealed file whose row is gone against its seal. `ca_given`: the CA given to
    `verify`, and the ledger's copies of the files by path."""
    kept = ca_given[1]
    latest = _latest_per_file(attachments)
    for attachment in latest:
        path = Path(attachment.path)
        name = _name(path, objection, data_dir)
        if not path.is_relative_to(data_dir.absolute()):
            verdict.problems.append(f"{name} is kept outside the data dir")
        seal = sealed.get(attachment.path)
        if seal is None:
            verdict.problems.append(f"{name} is not sealed in the ledger's chain of seals")
        elif (seal.sha256, seal.kind) != (attachment.sha256, attachment.kind):
            verdict.problems.append(
                f"the ledger's hash of {name} is not the one sealed in the chain"
            )
        content = _check_file(verdict, path, name, attachment.sha256, kept)
        if content is not None and attachment.kind == TIMESTAMP_KIND:
            _check_stamp(verdict, content, (path, name), objection, ca_given)
    recorded = {attachment.path for attachment in latest}
    for where, seal in sealed.items():
        if where not in recorded:
            name = _name(Path(where), objection, data_dir)
            verdict.problems.append(f"{name} was sealed, but the ledger no longer records it")
            _check_file(verdict, Path(where), name, seal.sha256, kept)


def _check_unrecorded(
    verdict: Verdict, objection: Objection, recorded_paths: set[str], data_dir: Path
) -> None:
    """Files in the objection's folder that neither its manifest nor the ledger records
    (a copied-in email, a file put there later) are named: nothing vouches for them."""
    folder = (
        Path(objection.evidence_dir)
        if objection.evidence_dir
        else bundle_dir(data_dir, objection.id, objection.service)
    )
    if not folder.is_dir():
        return
    recorded = {(folder / MANIFEST).absolute()}
    recorded |= {(folder / name).absolute() for name in manifest_files(folder) or {}}
    recorded |= {Path(path).absolute() for path in recorded_paths}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.absolute() not in recorded:
            verdict.unrecorded.append(path.relative_to(folder).as_posix())


def check_objection(
    ledger: Ledger, objection: Objection, chain: Chain, tsa_ca: bytes | None = None
) -> Verdict:
    """Everything the archive holds for `objection`, checked: the files here, and the
    copies the ledger keeps of them (widerspruch.proof.kept)."""
    data_dir = ledger.data_dir
    seal = chain.last_seal.get(objection.id)
    folder = Path(objection.evidence_dir) if objection.evidence_dir else None
    kept = ledger.kept_files(objection.id)
    if objection.manifest_sha256 and folder is not None:
        # Not here, but kept in the ledger: the ledger's copy is checked instead.
        here = folder.is_dir() or not kept
        verdict = verify(folder, objection.manifest_sha256) if here else Verdict(folder)
        if seal is None:
            verdict.problems.append("its seal is not in the ledger's chain of seals")
        elif seal.sha256 != objection.manifest_sha256:
            verdict.problems.append(
                f"the ledger's hash of {MANIFEST} is not the one sealed in the chain"
            )
    else:
        verdict = Verdict(folder, sealed=False)
        if seal is not None:
            verdict.problems.append("the ledger lost the hash of its sealed bundle")
    verdict.objection_id = objection.id
    verdict.problems.extend(chain.broken.get(objection.id, []))
    added, sealed = ledger.attachments(objection.id), chain.files.get(objection.id, {})
    by_path: dict[str, KeptFile] = {}
    if kept:
        by_path = check_kept(
            verdict,
            objection,
            kept,
            added,
            lambda p: _name(Path(p), objection, data_dir),
            here=folder is not None and folder.is_dir(),
        )
    _check_attachments(verdict, objection, added, sealed, data_dir, (tsa_ca, by_path))
    _check_unrecorded(verdict, objection, {a.path for a in added} | set(sealed), data_dir)
    return verdict


def verify_objection(ledger: Ledger, objection: Objection, tsa_ca: bytes | None = None) -> Verdict:
    return check_objection(
        ledger, objection, Chain.of(ledger.seals(), ledger.resolved_path), tsa_ca
    )


def verify_archive(ledger: Ledger, tsa_ca: bytes | None = None) -> ArchiveVerdict:
    """Every objection in the ledger, and the chain of seals, checked."""
    chain = Chain.of(ledger.seals(), ledger.resolved_path)
    found = ArchiveVerdict(ledger.data_dir, seals=chain.count, chain_head=chain.head)
    known = set()
    for objection in ledger.objections():
        known.add(objection.id)
        found.objections.append(check_objection(ledger, objection, chain, tsa_ca))
    for objection_id in sorted(chain.sealed() - known):
        found.objections.append(
            Verdict(
                None,
                objection_id=objection_id,
                problems=["the objection was sealed, but its row is gone from the ledger"],
            )
        )
    return found
