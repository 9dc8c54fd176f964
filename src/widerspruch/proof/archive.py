"""Checking the whole archive: every file kept for an objection, and the chain of seals.

For each objection: its sealed bundle (every file in the manifest, the manifest against
the ledger), every file added later and recorded in the ledger with its SHA-256 (the
receipt, Meta's replies, a trusted timestamp), any file in its folder that nothing
records (named, never taken on trust), and its seal's place in the chain
(widerspruch.ledger.chain). The chain is recomputed from its first link, so a bundle
replaced by another, a deleted one, or a ledger row whose manifest hash was rewritten
without the chain, is found.

What this proves, and what not: see the README ("Keeping the archive").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from widerspruch.ledger import Attachment, Ledger, Objection, Seal
from widerspruch.ledger.chain import link
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
    """The chain recomputed: each objection's last seal, and where a link breaks."""

    last_seal: dict[int, Seal] = field(default_factory=dict)
    broken: dict[int, list[str]] = field(default_factory=dict)
    count: int = 0
    head: str | None = None

    @classmethod
    def of(cls, seals: list[Seal]) -> Chain:
        chain, previous = cls(), None
        for seal in seals:
            if link(previous, seal.manifest_sha256, seal.objection_id) != seal.chain_sha256:
                chain.broken.setdefault(seal.objection_id, []).append(
                    f"the chain of seals breaks at seal {seal.seq}: a seal in the ledger "
                    "was changed or removed"
                )
            previous = seal.chain_sha256  # a break is told once, not for every seal after it
            chain.last_seal[seal.objection_id] = seal
        chain.count, chain.head = len(seals), previous
        return chain


def _name(path: Path, objection: Objection, data_dir: Path) -> str:
    """A file as `verify` names it: inside the bundle by its name, else from the data dir."""
    for base in (Path(objection.evidence_dir) if objection.evidence_dir else None, data_dir):
        if base is not None and path.is_relative_to(base.absolute()):
            return path.relative_to(base.absolute()).as_posix()
    return str(path)


def _latest_per_file(attachments: list[Attachment]) -> list[Attachment]:
    """A file written again (a receipt made anew) counts as it was last recorded."""
    return list({attachment.path: attachment for attachment in attachments}.values())


def _check_attachments(
    verdict: Verdict,
    objection: Objection,
    attachments: list[Attachment],
    data_dir: Path,
    tsa_ca: bytes | None,
) -> None:
    for attachment in _latest_per_file(attachments):
        path = Path(attachment.path)
        name = _name(path, objection, data_dir)
        if not path.is_relative_to(data_dir.absolute()):
            verdict.problems.append(f"{name} is kept outside the data dir")
        if not path.is_file():
            verdict.missing.append(name)
            continue
        verdict.checked += 1
        if sha256_file(path) != attachment.sha256:
            verdict.changed.append(name)
        elif attachment.kind == TIMESTAMP_KIND and objection.manifest_sha256:
            # The CA given to `verify`, else the one kept with the token (see the README
            # on what each proves).
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


def _check_unrecorded(
    verdict: Verdict, objection: Objection, attachments: list[Attachment], data_dir: Path
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
    recorded |= {Path(attachment.path).absolute() for attachment in attachments}
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
        elif seal.manifest_sha256 != objection.manifest_sha256:
            verdict.problems.append(
                f"the ledger's hash of {MANIFEST} is not the one sealed in the chain"
            )
    else:
        verdict = Verdict(folder, sealed=False)
        if seal is not None:
            verdict.problems.append("the ledger lost the hash of its sealed bundle")
    verdict.objection_id = objection.id
    verdict.problems.extend(chain.broken.get(objection.id, []))
    added = ledger.attachments(objection.id)
    _check_attachments(verdict, objection, added, data_dir, tsa_ca)
    _check_unrecorded(verdict, objection, added, data_dir)
    return verdict


def verify_objection(ledger: Ledger, objection: Objection, tsa_ca: bytes | None = None) -> Verdict:
    return check_objection(ledger, objection, Chain.of(ledger.seals()), tsa_ca)


def verify_archive(ledger: Ledger, tsa_ca: bytes | None = None) -> ArchiveVerdict:
    """Every objection in the ledger, and the chain of seals, checked."""
    chain = Chain.of(ledger.seals())
    found = ArchiveVerdict(ledger.data_dir, seals=chain.count, chain_head=chain.head)
    known = set()
    for objection in ledger.objections():
        known.add(objection.id)
        found.objections.append(check_objection(ledger, objection, chain, tsa_ca))
    for objection_id in sorted(set(chain.last_seal) - known):
        found.objections.append(
            Verdict(
                None,
                objection_id=objection_id,
                problems=["the objection was sealed, but its row is gone from the ledger"],
            )
        )
    return found
