"""Looking after the ledger as a whole: `widerspruch ledger migrate` and `ledger copy`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from widerspruch.errors import UsageError
from widerspruch.ledger.engine import Db
from widerspruch.ledger.migrations import pending
from widerspruch.ledger.objections import Ledger
from widerspruch.ledger.roles import checked_role, grant_desk, require_coordinator
from widerspruch.ledger.rows import utc_now
from widerspruch.ledger.store import LEDGER_FILE


@dataclass(frozen=True)
class Migrated:
    ledger: str  # the file, or the database's URL without secrets
    schema: int  # the schema version it has now
    applied: list[tuple[int, str]]  # (version, name) of each migration applied now
    granted: tuple[str, ...] = ()  # the roles given a desk's rights now (roles.grant_desk)


def migrate(data_dir: Path, url: str | None = None, desks: Sequence[str] = ()) -> Migrated:
    """Bring the ledger (the SQLite file in `data_dir`, or the PostgreSQL database at
    `url`) up to this widerspruch's schema, creating it if there is none yet; then give
    each role of `desks` a desk's rights on it (only on PostgreSQL)."""
    if desks and url is None:
        raise UsageError("--grant-desk works with a shared ledger (--ledger postgresql://…)")
    names = tuple(checked_role(name) for name in desks)
    path = data_dir / LEDGER_FILE
    before = pending(path, url=url) if url is not None or path.exists() else None
    with Ledger.open(data_dir, url=url) as ledger:
        schema = ledger._version()
        where = ledger.where
        for name in names:
            grant_desk(ledger, name)
    applied = before if before is not None else pending_all()
    return Migrated(where, schema, applied, names)


def pending_all() -> list[tuple[int, str]]:
    from widerspruch.ledger.migrations import MIGRATIONS

    return [(number, name) for number, name, _ in MIGRATIONS]


# Every table of records, parents before children (the foreign keys), and its key.
TABLES = (
    ("objections", "id"),
    ("events", "id"),
    ("attachments", "id"),
    ("evidence_files", "id"),
    ("seals", "seq"),
    ("checks", "id"),
    ("batches", "id"),
    ("batch_items", "id"),
    ("batch_item_events", "id"),
    ("campaigns", "id"),
    ("campaign_members", "id"),
    ("campaign_member_events", "id"),
)


@dataclass(frozen=True)
class Copied:
    source: str
    target: str
    rows: dict[str, int]  # table: rows copied


def copy(data_dir: Path, source: str | None, target: str | None) -> Copied:
    """Copy every record of the ledger at `source` into the empty ledger at `target`
    (None: the SQLite file in `data_dir`; a URL: that PostgreSQL ledger), ids and all,
    in one transaction. The evidence files stay where they are too (the ledger's paths
    are relative to the data dir, so `verify --all` checks them against either ledger);
    into a shared ledger they travel as well: what the source keeps of them is copied,
    and of every other objection the files in this data dir are kept now (see
    widerspruch.ledger.kept)."""
    if source == target:
        raise UsageError("copy: the source and the target are the same ledger")
    counts: dict[str, int] = {}
    with Ledger.open(data_dir, url=source) as ledger, Ledger.open(data_dir, url=target) as into:
        require_coordinator(ledger, "copies the ledger")
        for table, _ in TABLES:
            # Only the fixed table names above are formatted in.
            found = into._db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
            if int(found):
                raise UsageError(
                    f"copy: the target ledger {into.where} holds records already ({table}); "
                    "copy only into a new, empty ledger"
                )
        with into._transaction() as db:
            for table, key in TABLES:
                rows = ledger._db.execute(f"SELECT * FROM {table} ORDER BY {key}").fetchall()  # noqa: S608
                for row in rows:
                    values = dict(row)
                    columns = ", ".join(values)
                    marks = ", ".join("?" * len(values))
                    db.execute(
                        f"INSERT INTO {table} ({columns}) VALUES ({marks})",  # noqa: S608
                        list(values.values()),
                    )
                counts[table] = len(rows)
                if into.url is not None:
                    # The next row's key follows the copied ones.
                    db.execute(
                        f"SELECT setval(pg_get_serial_sequence('{table}', '{key}'), "  # noqa: S608
                        f"COALESCE((SELECT MAX({key}) FROM {table}), 0) + 1, false)"
                    )
            if into.keeps_files:
                counts["evidence_files"] += _keep_from_disk(ledger, into, db)
        return Copied(ledger.where, into.where, counts)


def _keep_from_disk(ledger: Ledger, into: Ledger, db: Db) -> int:
    """Into `into` (inside its transaction), the files in the data dir of each objection
    whose files `ledger` does not keep: its bundle folder's, and those added later."""
    kept, now = 0, utc_now()
    already = ledger.objections_with_kept_files()
    for objection in ledger.objections():
        if objection.id in already:
            continue
        paths: dict[Path, None] = {}
        folder = Path(objection.evidence_dir) if objection.evidence_dir else None
        if folder is not None and folder.is_dir():
            paths |= dict.fromkeys(sorted(p for p in folder.iterdir() if p.is_file()))
        for attachment in ledger.attachments(objection.id):
            if Path(attachment.path).is_file():
                paths[Path(attachment.path)] = None
        kept += into._keep_files(db, objection.id, paths, now)
    return kept
