"""The seals' chain: each sealed bundle's manifest hash linked to the one sealed before.

A bundle edited, replaced or deleted, or a ledger row whose manifest hash was rewritten,
no longer fits the chain: `widerspruch verify --all` recomputes it from the first link.
"""

from __future__ import annotations

import hashlib


def link(previous: str | None, manifest_sha256: str, objection_id: int) -> str:
    """The chain's hash after this seal: sha256(previous chain, manifest hash, objection id)."""
    text = f"{previous or ''}\n{manifest_sha256}\n{objection_id}"
    return hashlib.sha256(text.encode("ascii")).hexdigest()
