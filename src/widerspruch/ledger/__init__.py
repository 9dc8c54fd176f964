"""The ledger: every objection and every change to it, in SQLite, kept for years as proof.

Each write is one transaction, so a crash at any point leaves a truthful record. The
schema is versioned with named migrations from the first version on; a ledger written
by a newer version of widerspruch is refused, never rewritten.

This package re-exports what the rest of widerspruch uses; the code lives in:

- ``objections``: ``Ledger`` itself: objections, their claims, status changes, events,
  evidence and attachments;
- ``checks`` and ``batches``: the check history and the batch queues, mixed into Ledger;
- ``store``: ``Store``, the base of Ledger: opening and checking the file, transactions,
  waiting for another run's write lock, SQLite's errors as one line;
- ``migrations``: the schema's named migrations, the runner, and ``pending``, which
  tells (read-only) which migrations a ledger file still needs;
- ``rows``: what the tables hand back: Objection, Attachment, Event, Seal, and TypedDicts for
  the check and batch rows;
- ``errors``: LedgerError and its kinds, and ``fault``, which names an SQLite error;
- ``faults``: a damaged, busy or full ledger, found out without changing it, in one line;
- ``claims``: who holds an objection's claim, and whether that run still lives;
- ``roles``: the coordinator's and the desks' rights in a shared PostgreSQL ledger;
- ``paths``: paths kept relative to the data dir, handed back resolved against it;
- ``chain``: the chain of seals: manifest hashes and the hashes of files added later.
"""

from __future__ import annotations

from widerspruch.ledger import claims, faults, migrations
from widerspruch.ledger.errors import (
    ClaimHeld,
    LedgerBusy,
    LedgerDamaged,
    LedgerError,
    LedgerFull,
    NoLedger,
    TransitionRefused,
    fault,
)
from widerspruch.ledger.faults import BUSY_ATTEMPT_S, BUSY_WAIT_S, LEDGER_BUSY
from widerspruch.ledger.migrations import MIGRATIONS, SCHEMA_VERSION, pending
from widerspruch.ledger.objections import MAX_ID, Ledger
from widerspruch.ledger.rows import (
    SENT_PHASES,
    Attachment,
    BatchItemEventRow,
    BatchItemRow,
    BatchRow,
    CheckRow,
    Event,
    Objection,
    Seal,
    submission_phase,
    utc_now,
)
from widerspruch.ledger.store import LEDGER_FILE, say_on_stderr

__all__ = [
    "BUSY_ATTEMPT_S",
    "BUSY_WAIT_S",
    "LEDGER_BUSY",
    "LEDGER_FILE",
    "MAX_ID",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "SENT_PHASES",
    "Attachment",
    "BatchItemEventRow",
    "BatchItemRow",
    "BatchRow",
    "CheckRow",
    "ClaimHeld",
    "Event",
    "Ledger",
    "LedgerBusy",
    "LedgerDamaged",
    "LedgerError",
    "LedgerFull",
    "NoLedger",
    "Objection",
    "Seal",
    "TransitionRefused",
    "claims",
    "fault",
    "faults",
    "migrations",
    "pending",
    "say_on_stderr",
    "submission_phase",
    "utc_now",
]
