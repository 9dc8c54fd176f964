"""The batch queues (`widerspruch batch`, see widerspruch.batch), part of the Ledger.

A batch is one members file; its items are member x service, in file order. The ledger
only stores them: what the states mean is widerspruch.batch's business. Every change of
an item's state is also a row in batch_item_events.
"""

from __future__ import annotations

from widerspruch.ledger.engine import Db
from widerspruch.ledger.errors import LedgerError
from widerspruch.ledger.rows import BatchItemEventRow, BatchItemRow, BatchRow, as_row, utc_now
from widerspruch.ledger.store import Store


class BatchQueues(Store):
    """The Ledger's methods for the batches, batch_items and batch_item_events tables."""

    BATCH_ITEM_COLUMNS = (
        "position",
        "line",
        "member_id",
        "email",
        "service",
        "country",
        "language",
        "template",
        "mandate_ref",
        "details",
        "state",
        "reason",
    )

    def create_batch(
        self,
        *,
        file: str,
        file_sha256: str,
        services: str,
        template: str,
        items: list[dict[str, object]],
    ) -> int:
        """Store a new batch and all its items in one transaction; returns its id."""
        now = utc_now()
        columns = self.BATCH_ITEM_COLUMNS
        with self._transaction() as db:
            cursor = db.execute(
                "INSERT INTO batches (file, file_sha256, services, template, created_at, "
                "updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                (file, file_sha256, services, template, now, now),
            )
            batch_id = int(cursor.lastrowid or 0)
            for given in items:
                item = {"details": "{}", **given}  # most services' forms ask for none
                cursor = db.execute(
                    # Only known column names and "?" placeholders are formatted in.
                    f"INSERT INTO batch_items (batch_id, {', '.join(columns)}, "  # noqa: S608
                    f"created_at, updated_at) VALUES (?, {', '.join('?' * len(columns))}, ?, ?)",
                    [batch_id, *(item.get(name) for name in columns), now, now],
                )
                self._item_event(db, cursor.lastrowid, item["state"], item.get("reason"), now)
        return batch_id

    def batch(self, batch_id: int) -> BatchRow | None:
        row = self._db.execute("SELECT * FROM batches WHERE id = ?", (batch_id,)).fetchone()
        return as_row(BatchRow, row) if row else None

    def batches(self) -> list[BatchRow]:
        return [
            as_row(BatchRow, row) for row in self._db.execute("SELECT * FROM batches ORDER BY id")
        ]

    def unfinished_batch(self, file_sha256: str) -> BatchRow | None:
        """The newest batch of this exact file that has not finished."""
        row = self._db.execute(
            "SELECT * FROM batches WHERE file_sha256 = ? AND finished_at IS NULL "
            "ORDER BY id DESC LIMIT 1",
            (file_sha256,),
        ).fetchone()
        return as_row(BatchRow, row) if row else None

    def batch_items(self, batch_id: int) -> list[BatchItemRow]:
        rows = self._db.execute(
            "SELECT * FROM batch_items WHERE batch_id = ? ORDER BY position, id", (batch_id,)
        )
        return [as_row(BatchItemRow, row) for row in rows]

    def batch_item(self, item_id: int) -> BatchItemRow:
        row = self._db.execute("SELECT * FROM batch_items WHERE id = ?", (item_id,)).fetchone()
        if row is None:
            raise LedgerError(f"no batch item with id {item_id}")
        return as_row(BatchItemRow, row)

    def batch_item_events(self, item_id: int) -> list[BatchItemEventRow]:
        rows = self._db.execute(
            "SELECT item_id, at, state, reason FROM batch_item_events WHERE item_id = ? "
            "ORDER BY id",
            (item_id,),
        )
        return [as_row(BatchItemEventRow, row) for row in rows]

    def set_batch_item(
        self,
        item_id: int,
        state: str,
        *,
        reason: str | None = None,
        objection_id: int | None = None,
        finished: bool = False,
        only_from: tuple[str, ...] | None = None,
    ) -> bool:
        """Move an item to `state` (and link it to `objection_id`, if given). With
        `only_from`, only if it is in one of those states now: False if it was not."""
        now = utc_now()
        with self._transaction() as db:
            if only_from is not None:
                current = db.execute(
                    # Only the fixed " FOR UPDATE" (or nothing) is added; the id is bound.
                    "SELECT state FROM batch_items WHERE id = ?" + self._for_update(),  # noqa: S608
                    (item_id,),
                ).fetchone()
                if current is None or current[0] not in only_from:
                    return False
            db.execute(
                "UPDATE batch_items SET state = ?, reason = ?, updated_at = ?, "
                "objection_id = COALESCE(?, objection_id), "
                "started_at = CASE WHEN ? = 1 AND started_at IS NULL THEN ? ELSE started_at END, "
                "finished_at = CASE WHEN ? = 1 THEN ? ELSE NULL END WHERE id = ?",
                (
                    state,
                    reason,
                    now,
                    objection_id,
                    state == "in_progress",
                    now,
                    finished,
                    now,
                    item_id,
                ),
            )
            self._item_event(db, item_id, state, reason, now)
            db.execute(
                "UPDATE batches SET updated_at = ? "
                "WHERE id = (SELECT batch_id FROM batch_items WHERE id = ?)",
                (now, item_id),
            )
        return True

    @staticmethod
    def _item_event(db: Db, item_id: object, state: object, reason: object, now: str) -> None:
        db.execute(
            "INSERT INTO batch_item_events (item_id, at, state, reason) VALUES (?, ?, ?, ?)",
            (item_id, now, state, reason),
        )

    def finish_batch(self, batch_id: int, finished: bool) -> None:
        """Mark the batch finished (nothing left to do) or open again."""
        now = utc_now()
        with self._transaction() as db:
            db.execute(
                "UPDATE batches SET updated_at = ?, "
                "finished_at = CASE WHEN ? = 1 THEN COALESCE(finished_at, ?) ELSE NULL END "
                "WHERE id = ?",
                (now, finished, now, batch_id),
            )
