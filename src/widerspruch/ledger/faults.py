"""What went wrong with the ledger file, found out without changing it, told in one line.

The ledger is the one record that stops an objection from being sent twice, so no
message here ever suggests moving it aside or starting a new one. A damaged ledger is
kept as it is (restore a backup); a busy one is waited for; a full disk is named.
"""

from __future__ import annotations

import errno
import os
import sqlite3
from pathlib import Path

# Less free space than this on the ledger's file system, when SQLite fails, means the
# disk is full: SQLite needs room for its shared-memory index (32 KiB) and a few pages.
FULL_BELOW = 1 << 20
DISK_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})
# How long a write waits for another run's write to end (runs write in short
# transactions, so a lock held for minutes means something else is wrong), and how long
# SQLite itself waits before the wait is shown.
BUSY_WAIT_S = 300.0
BUSY_ATTEMPT_S = 1.0
LEDGER_BUSY = "the ledger is busy: another widerspruch run is writing; waiting…"


def uri(path: Path, *, read_only: bool) -> str:
    """The SQLite URI of `path`; read-only opens never create the file."""
    return path.resolve().as_uri() + ("?mode=ro" if read_only else "?mode=rw")


def code(error: sqlite3.Error) -> str:
    """SQLite's name for the error (SQLITE_BUSY, SQLITE_FULL, SQLITE_CORRUPT, ...)."""
    return str(getattr(error, "sqlite_errorname", "") or "")


def is_busy(error: sqlite3.Error) -> bool:
    return code(error).startswith(("SQLITE_BUSY", "SQLITE_LOCKED"))


def disk_full(path: Path) -> bool:
    """Whether the file system holding `path` has (next to) no room left."""
    try:
        found = os.statvfs(path.parent)
    except OSError:
        return False
    return found.f_bavail * found.f_frsize < FULL_BELOW


def first_problem(rows: list[str]) -> str:
    """The first line of quick_check's findings, short enough for one message line."""
    lines = [line.strip() for row in rows for line in row.splitlines()]
    found = next((line for line in lines if line and not line.startswith("***")), "")
    return (found[:77] + "...") if len(found) > 80 else found


def damage(path: Path) -> str | None:
    """What SQLite's quick_check finds wrong with the file, read-only; None if nothing,
    or if it could not look (busy, not openable): that is no sign of damage."""
    try:
        db = sqlite3.connect(uri(path, read_only=True), uri=True, timeout=1)
        try:
            rows = [str(row[0]) for row in db.execute("PRAGMA quick_check")]
        finally:
            db.close()
    except sqlite3.DatabaseError as error:
        if code(error).startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")):
            return str(error)
        return None
    return None if rows == ["ok"] else first_problem(rows) or "quick_check failed"


def damaged_message(path: Path, problem: str) -> str:
    return (
        f"the ledger {path} is damaged and was left unchanged (SQLite: {problem}). "
        "Keep a copy of it as it is: it is the record that stops an objection from being "
        "sent twice. Then restore it from a backup, or ask for help"
    )


def full_message(where: Path) -> str:
    return (
        f"the disk holding {where} is full: this was not recorded, and everything "
        "recorded before is kept as it was. Free some space, then run widerspruch again"
    )


def busy_message(path: Path, waited: float | None) -> str:
    how_long = f"stayed busy for {describe(waited)}" if waited is not None else "is busy"
    return (
        f"the ledger {path} {how_long}: another widerspruch run is still writing to it; "
        "nothing was changed. Let that run finish (or stop it), then try again"
    )


def describe(seconds: float) -> str:
    if seconds >= 120:
        return f"{seconds / 60:.0f} minutes"
    return f"{seconds:.0f} seconds" if seconds >= 2 else f"{seconds:.1f} seconds"
