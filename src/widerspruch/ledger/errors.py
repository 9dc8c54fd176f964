"""What goes wrong with the ledger, as UsageErrors whose message says what to do, and
`fault`, which turns an SQLite error on the file into the right one of them."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from widerspruch.errors import UsageError
from widerspruch.ledger import faults
from widerspruch.ledger.rows import Objection


class LedgerError(UsageError):
    """The ledger cannot be used; the message says what to do."""


class LedgerUnreachable(LedgerError):
    """The shared ledger's database cannot be reached (the network, or it is down)."""


class NoLedger(LedgerError):
    """There is no ledger yet where one was to be read (nothing was created)."""


class LedgerDamaged(LedgerError):
    """SQLite finds the file damaged; it was not changed."""


class LedgerBusy(LedgerError):
    """Another run held the write lock for longer than this one would wait."""


class LedgerFull(LedgerError):
    """The disk holding the ledger is full; the write was not recorded."""


class TransitionRefused(LedgerError):
    """A status change the state machine does not allow, or one asked for by a run that
    does not hold the objection's claim. Nothing was changed."""


class ClaimHeld(LedgerError):
    """Another run, still alive, holds the claim for this account and service."""

    def __init__(self, message: str, objection: Objection) -> None:
        super().__init__(message)
        self.objection = objection


def fault(path: Path, error: sqlite3.Error) -> LedgerError:
    """The one-line LedgerError for an SQLite error on the ledger at `path`, found out
    without changing the file: a full disk, a lock held by another run, or damage (a
    PRAGMA quick_check decides)."""
    name = faults.code(error)
    if name.startswith("SQLITE_FULL") or (
        name.startswith(("SQLITE_IOERR", "SQLITE_CANTOPEN")) and faults.disk_full(path)
    ):
        return LedgerFull(faults.full_message(path))
    if faults.is_busy(error):
        return LedgerBusy(faults.busy_message(path, None))
    problem = faults.damage(path)
    if problem is not None:
        return LedgerDamaged(faults.damaged_message(path, problem))
    return LedgerError(
        f"the ledger {path} could not be used ({error}); it was left as it was. "
        "Keep a copy of it, and ask for help if this happens again"
    )


def not_opened(path: Path, error: sqlite3.Error) -> LedgerError:
    """Why SQLite could not open the ledger at `path`: there is none yet, or `fault`."""
    if not path.exists():
        return NoLedger(f"no ledger yet in {path.parent}; nothing was created")
    return fault(path, error)
