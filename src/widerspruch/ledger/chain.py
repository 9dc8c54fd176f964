"""The seals' chain: every sealed bundle's manifest hash, and every file added to an
objection later (receipt, Meta's replies, a timestamp, a follow-up), linked to the seal
made before it.

A bundle or an added file edited, replaced or deleted, or a ledger row whose hash was
rewritten, no longer fits the chain: `widerspruch verify --all` recomputes it from the
first link.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from widerspruch.ledger.engine import Db

# The kind of a seal of a bundle's manifest; a seal of an added file has that file's
# kind (the attachment's: "receipt", "reply", ...) and its path.
BUNDLE = "bundle"


def link(
    previous: str | None,
    sha256: str,
    objection_id: int,
    kind: str = BUNDLE,
    path: str | None = None,
) -> str:
    """The chain's hash after this seal: sha256(previous chain, hash, objection id), and
    for an added file its kind and its path as the ledger keeps it (relative to the data
    dir, so a moved archive keeps its chain)."""
    text = f"{previous or ''}\n{sha256}\n{objection_id}"
    if kind != BUNDLE:
        text += f"\n{kind}\n{path or ''}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def seal(
    db: Db,
    objection_id: int,
    sha256: str,
    now: str,
    kind: str = BUNDLE,
    path: str | None = None,
) -> None:
    """Append a seal to the chain, linked to the last one, in the caller's transaction
    (which holds the ledger's write lock, so no other seal comes between)."""
    last = db.execute("SELECT chain_sha256 FROM seals ORDER BY seq DESC LIMIT 1").fetchone()
    db.execute(
        "INSERT INTO seals (objection_id, kind, path, sha256, chain_sha256, sealed_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (
            objection_id,
            kind,
            path,
            sha256,
            link(last[0] if last else None, sha256, objection_id, kind, path),
            now,
        ),
    )
