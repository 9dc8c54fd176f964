"""Checking the whole archive: every file kept for an objection, and the chain of seals.

For each objection: its sealed bundle (every file in the manifest, the manifest against
the ledger), every file added later and recorded in the ledger with its SHA-256 (the
receipt, Meta's replies, a trusted timestamp, a follow-up), any file in its folder that
nothing records (named, never taken on trust), and the seals of all of these in the
chain (widerspruch.ledger.chain). The chain is recomputed from its first link, so a
bundle or an added file replaced by another, a deleted one with its ledger row, or a
ledger row whose hash was rewritten without the chain, is found.

What this proves, and what not: see the README ("Keeping the archive").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from widerspruch.ledger import Attachment, Ledger, Objection, Seal
from widerspruch.ledger.chain import BUNDLE, link
from widerspruch.proof.evidence import (
    MANIFEST,
    Verdict,
    bundle_dir,
    manifest_files,
    sha256_file,
    verify,
)
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


def _check_file(verdict: Verdict, path: Path, name: str, sha256: str) -> bool:
    """The file's SHA-256 against the one recorded; False if it is not there."""
    if not path.is_file():
        verdict.missing.append(name)
        return False
    verdict.checked += 1
    if sha256_file(path) != sha256:
        verdict.changed.append(name)
        return False
    return True


def _check_stamp(
    verdict: Verdict, path: Path, name: str, objection: Objection, tsa_ca: bytes | None
) -> None:
    """A trusted timestamp's token against the manifest it was given: the CA given to
    `verify`, else the one kept with the token (see the README on what each proves)."""
    if not objection.manifest_sha256:
        return
    kept = path.parent / TSA_CA
    ca = tsa_ca if tsa_ca is not None else kept.read_bytes() if kept.is_file() else None
    problem = (
        "no CA certificate to check it against"
        if ca is None
        else check_token(path.read_bytes(), objection.manifest_sha256, ca)
    )
    if problem:
        verdict.problems.append(f"{name}: {problem}")
    else:
        verdict.timestamped = True


def _check_attachments(
    verdict: Verdict,
    objection: Objection,
    attachments: list[Attachment],
    sealed: dict[str, Seal],
    data_dir: Path,
    tsa_ca: bytes | None,
) -> None:
    """Each file added later against its ledger row, and the row against its seal; a
    sealed file whose row is gone against its seal."""
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
        if (
            _check_file(verdict, path, name, attachment.sha256)
            and attachment.kind == TIMESTAMP_KIND
        ):
            _check_stamp(verdict, path, name, objection, tsa_ca)
    recorded = {attachment.path for attachment in latest}
    for where, seal in sealed.items():
        if where not in recorded:
            name = _name(Path(where), objection, data_dir)
            verdict.problems.append(f"{name} was sealed, but the ledger no longer records it")
            _check_file(verdict, Path(where), name, seal.sha256)


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
    """Everything the archive holds for `objection`, checked."""
    data_dir = ledger.data_dir
    seal = chain.last_seal.get(objection.id)
    folder = Path(objection.evidence_dir) if objection.evidence_dir else None
    if objection.manifest_sha256 and folder is not None:
        verdict = verify(folder, objection.manifest_sha256)
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
    _check_attachments(verdict, objection, added, sealed, data_dir, tsa_ca)
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
