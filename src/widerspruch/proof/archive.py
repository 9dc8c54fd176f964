"""Checking the whole archive: every file kept for an objection, and the chain of seals.

For each objection: its sealed bundle (every file in the manifest, the manifest against
the ledger), every file added later and recorded in the ledger with its SHA-256 (the
receipt, Meta's replies, a trusted timestamp), and its seal's place in the chain
(widerspruch.ledger.chain). The chain is recomputed from its first link, so a bundle
replaced by another, a deleted one, or a ledger row whose manifest hash was rewritten
without the chain, is found.

What this proves, and what not: see the README ("Keeping the archive").
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from widerspruch.ledger import Attachment, Ledger, Objection, Seal
from widerspruch.ledger.chain import link
from widerspruch.ledger.kept import KeptFile
from widerspruch.proof.evidence import MANIFEST, Verdict, verify
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
    kept: dict[str, KeptFile],
) -> None:
    """Each file added later, here in the data dir; where it is not here, the ledger's
    copy of it (whose hash `check_kept` has checked) stands in for the timestamp check."""
    for attachment in _latest_per_file(attachments):
        path = Path(attachment.path)
        name = _name(path, objection, data_dir)
        if not path.is_relative_to(data_dir.absolute()):
            verdict.problems.append(f"{name} is kept outside the data dir")
        copy = kept.get(attachment.path)
        if path.is_file():
            verdict.checked += 1
            content = path.read_bytes()
            if hashlib.sha256(content).hexdigest() != attachment.sha256:
                verdict.changed.append(name)
                continue
        elif copy is None:
            verdict.missing.append(name)
            continue
        elif hashlib.sha256(copy.content).hexdigest() != attachment.sha256:
            continue  # told by check_kept
        else:
            content = copy.content
        if attachment.kind == TIMESTAMP_KIND and objection.manifest_sha256:
            # The CA given to `verify`, else the one kept with the token (see the README
            # on what each proves): here, or as the ledger keeps it.
            ca = tsa_ca if tsa_ca is not None else _kept_ca(path.parent / TSA_CA, kept)
            problem = (
                "no CA certificate to check it against"
                if ca is None
                else check_token(content, objection.manifest_sha256, ca)
            )
            if problem:
                verdict.problems.append(f"{name}: {problem}")
            else:
                verdict.timestamped = True


def _kept_ca(path: Path, kept: dict[str, KeptFile]) -> bytes | None:
    if path.is_file():
        return path.read_bytes()
    copy = kept.get(str(path))
    return copy.content if copy is not None else None


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
    attachments = ledger.attachments(objection.id)
    by_path: dict[str, KeptFile] = {}
    if kept:
        here = folder is not None and folder.is_dir()
        by_path = check_kept(
            verdict,
            objection,
            kept,
            attachments,
            lambda p: _name(Path(p), objection, data_dir),
            here=here,
        )
    _check_attachments(verdict, objection, attachments, data_dir, tsa_ca, by_path)
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
