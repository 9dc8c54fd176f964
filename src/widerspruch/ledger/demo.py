"""Telling the demo's records from real ones without touching the ledger.

`widerspruch demo` writes only into a data dir whose ledger holds no real record, so
that the demo's made-up objections never sit among real ones (and a real run ignores
the demo's records: see ``Ledger.latest_sent``).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from widerspruch.ledger import faults
from widerspruch.ledger.errors import not_opened
from widerspruch.ledger.store import LEDGER_FILE

# Tables that only real runs write (the demo objects, it never checks or batches).
REAL_ONLY = ("batches", "checks")


def real_records(data_dir: Path) -> int:
    """How many real records the ledger in `data_dir` holds: objections not marked as the
    demo's, batches and check results; 0 when there is no ledger. Read-only: an older
    ledger is not brought up to date, and its objections (from before the mark) count
    as real."""
    path = data_dir / LEDGER_FILE
    if not path.exists():
        return 0
    try:
        db = sqlite3.connect(faults.uri(path, read_only=True), uri=True, timeout=1.0)
        try:
            tables = {str(row[0]) for row in db.execute("SELECT name FROM sqlite_master")}
            count = 0
            if "objections" in tables:
                columns = {str(row[1]) for row in db.execute("PRAGMA table_info(objections)")}
                marked = " WHERE demo = 0" if "demo" in columns else ""
                # Only fixed text is formatted in.
                count += int(db.execute(f"SELECT count(*) FROM objections{marked}").fetchone()[0])  # noqa: S608
            for table in REAL_ONLY:
                if table in tables:
                    count += int(db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # noqa: S608
        finally:
            db.close()
    except sqlite3.Error as error:
        raise not_opened(path, error) from None
    return count
