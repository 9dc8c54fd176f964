"""Evidence files kept in the ledger itself (table evidence_files), part of the Ledger.

A shared ledger keeps the content of every evidence file with its SHA-256: the files of
a bundle when it is sealed, and each file added later (the receipt, Meta's replies, a
trusted timestamp) when it is recorded, in the same transaction as the record. So the
coordinator verifies an objection and prints its receipt from the shared ledger alone,
without the disk of the desk that sent it (widerspruch.proof.kept).

The data dir's own SQLite ledger keeps none by itself: its files lie beside it, in the
same folder, and a copy in the file would only double the data dir and lengthen the
whole-file check that every opening makes. What `ledger copy` brings from a shared
ledger it keeps, and verifies like the shared one.

A file is kept under the path the ledger keeps for it (relative to the data dir); one
written again (a receipt made anew) is kept again, and its newest copy counts.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from widerspruch.ledger.engine import Db
from widerspruch.ledger.rows import utc_now
from widerspruch.ledger.store import Store


@dataclass(frozen=True)
class KeptFile:
    """One evidence file as the ledger keeps it."""

    objection_id: int
    path: str  # as the ledger keeps it: relative to the data dir
    resolved: str  # the same, as a path in the data dir the ledger was opened in
    sha256: str  # the SHA-256 of `content` when it was kept
    content: bytes
    stored_at: str

    @property
    def intact(self) -> bool:
        """The content is still what its SHA-256 says."""
        return hashlib.sha256(self.content).hexdigest() == self.sha256


class KeptFiles(Store):
    """The Ledger's methods for the evidence_files table."""

    @property
    def keeps_files(self) -> bool:
        """Whether this ledger keeps evidence files as they are recorded: a shared one."""
        return self.url is not None

    def _keep_files(self, db: Db, objection_id: int, paths: Iterable[Path], now: str) -> int:
        """Inside a transaction: keep the content of each file of `paths` (those that can
        be read; one that cannot is logged and left to `verify` to find missing)."""
        kept = 0
        for path in paths:
            try:
                content = path.read_bytes()
            except OSError as error:
                from widerspruch.logs import get_logger

                get_logger("widerspruch.ledger").warning(
                    "evidence_file_not_kept",
                    objection=objection_id,
                    path=str(path),
                    error=error.strerror or str(error),
                )
                continue
            db.execute(
                "INSERT INTO evidence_files (objection_id, path, sha256, size, content, "
                "stored_at) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    objection_id,
                    self.stored_path(path),
                    hashlib.sha256(content).hexdigest(),
                    len(content),
                    content,
                    now,
                ),
            )
            kept += 1
        return kept

    def keep_files(self, objection_id: int, paths: Iterable[Path]) -> int:
        """Keep these files of `objection_id` now, in one transaction; returns how many."""
        with self._transaction() as db:
            return self._keep_files(db, objection_id, list(paths), utc_now())

    def kept_files(self, objection_id: int) -> list[KeptFile]:
        """The files kept for `objection_id`: the newest copy of each path, first kept first."""
        rows = self._db.execute(
            "SELECT objection_id, path, sha256, content, stored_at FROM evidence_files "
            "WHERE objection_id = ? ORDER BY id",
            (objection_id,),
        )
        newest: dict[str, KeptFile] = {}
        for row in rows:
            values = dict(row)
            values["content"] = bytes(values["content"])
            newest.pop(values["path"], None)  # a newer copy takes the older one's place
            newest[values["path"]] = KeptFile(
                resolved=self.resolved_path(values["path"]) or values["path"], **values
            )
        return list(newest.values())

    def objections_with_kept_files(self) -> set[int]:
        """The objections the ledger keeps any file of."""
        rows = self._db.execute("SELECT DISTINCT objection_id FROM evidence_files")
        return {int(row[0]) for row in rows}
