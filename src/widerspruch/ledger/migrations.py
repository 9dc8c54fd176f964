"""The ledger's schema: named migrations, append only, recorded in the ledger itself.

A ledger written by a newer widerspruch is refused (widerspruch.ledger.store), never
rewritten; an older one is brought up to date inside one write transaction. The same
migrations make the ledger on SQLite and on PostgreSQL: their column types are turned
into PostgreSQL's by widerspruch.ledger.engine.ddl, and nothing else differs.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from widerspruch.ledger import faults
from widerspruch.ledger.chain import BUNDLE, link, seal
from widerspruch.ledger.engine import POSTGRESQL, SQLITE, Db, ddl
from widerspruch.ledger.errors import not_opened
from widerspruch.ledger.paths import moved
from widerspruch.ledger.rows import utc_now

# A step that needs more than SQL: it gets the connection and the data dir the ledger
# lies in (where its relative paths point).
PythonStep = Callable[[Db, Path], None]


def _relative_paths_and_seals(db: Db, data_dir: Path) -> None:
    """Migration 7: every path relative to the data dir, and the seals chained."""
    for table, columns in (
        ("objections", ("evidence_dir",)),
        ("attachments", ("path",)),
        ("checks", ("screenshot", "html")),
    ):
        for column in columns:
            # Only the fixed table and column names above are formatted in.
            query = f"SELECT id, {column} FROM {table} WHERE {column} IS NOT NULL"  # noqa: S608
            for row_id, value in db.execute(query).fetchall():
                relative = moved(data_dir, value)
                if relative != value:
                    db.execute(
                        f"UPDATE {table} SET {column} = ? WHERE id = ?",  # noqa: S608
                        (relative, row_id),
                    )
    seals = (
        "CREATE TABLE seals ("
        " seq INTEGER PRIMARY KEY,"
        " objection_id INTEGER NOT NULL REFERENCES objections (id),"
        " manifest_sha256 TEXT NOT NULL,"
        " chain_sha256 TEXT NOT NULL,"
        " sealed_at TEXT NOT NULL)"
    )
    db.execute(ddl(seals) if not isinstance(db, sqlite3.Connection) else seals)
    db.execute("CREATE INDEX seals_by_objection ON seals (objection_id)")
    # The bundles sealed so far join the chain in the order of their objections.
    chain = None
    sealed = db.execute(
        "SELECT o.id, o.manifest_sha256, COALESCE(MAX(e.at), o.updated_at) FROM objections o"
        " LEFT JOIN events e ON e.objection_id = o.id AND e.kind = 'evidence'"
        " WHERE o.manifest_sha256 IS NOT NULL GROUP BY o.id ORDER BY o.id"
    ).fetchall()
    for objection_id, manifest, at in sealed:
        chain = link(chain, manifest, objection_id)
        db.execute(
            "INSERT INTO seals (objection_id, manifest_sha256, chain_sha256, sealed_at) "
            "VALUES (?, ?, ?, ?)",
            (objection_id, manifest, chain, at),
        )


def _sealed_attachments(db: Db, data_dir: Path) -> None:
    """Migration 12: every file added to an objection (receipt, replies, timestamps) is
    sealed in the chain too, as bundles are; those recorded so far join it now, after
    the last seal, in the order they were recorded."""
    for statement in (
        "ALTER TABLE seals RENAME COLUMN manifest_sha256 TO sha256",
        f"ALTER TABLE seals ADD COLUMN kind TEXT NOT NULL DEFAULT '{BUNDLE}'",
        "ALTER TABLE seals ADD COLUMN path TEXT",
    ):
        db.execute(statement)
    now = utc_now()
    added = db.execute(
        "SELECT objection_id, kind, path, sha256 FROM attachments ORDER BY id"
    ).fetchall()
    for objection_id, kind, path, sha256 in added:
        seal(db, objection_id, sha256, now, kind, path)


# (version, name, SQL or a Python step). Append only: a released migration never changes.
MIGRATIONS: tuple[tuple[int, str, str | PythonStep], ...] = (
    (
        1,
        "objections and events",
        """
        CREATE TABLE objections (
            id INTEGER PRIMARY KEY,
            service TEXT NOT NULL,
            account_email TEXT NOT NULL,
            country TEXT NOT NULL,
            language TEXT NOT NULL,
            template TEXT NOT NULL,
            template_version TEXT NOT NULL,
            justification TEXT NOT NULL,
            form_url TEXT NOT NULL,
            status TEXT NOT NULL,
            detail TEXT,
            final_url TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            submitted_at TEXT,
            finished_at TEXT
        );
        CREATE INDEX objections_by_account ON objections (service, account_email);
        CREATE TABLE events (
            id INTEGER PRIMARY KEY,
            objection_id INTEGER NOT NULL REFERENCES objections (id),
            at TEXT NOT NULL,
            kind TEXT NOT NULL,
            state TEXT NOT NULL,
            detail TEXT
        );
        CREATE INDEX events_by_objection ON events (objection_id);
        """,
    ),
    (
        2,
        "evidence bundles and attachments",
        """
        ALTER TABLE objections ADD COLUMN evidence_dir TEXT;
        ALTER TABLE objections ADD COLUMN manifest_sha256 TEXT;
        CREATE TABLE attachments (
            id INTEGER PRIMARY KEY,
            objection_id INTEGER NOT NULL REFERENCES objections (id),
            kind TEXT NOT NULL,
            path TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            added_at TEXT NOT NULL,
            detail TEXT
        );
        CREATE INDEX attachments_by_objection ON attachments (objection_id);
        """,
    ),
    (
        3,
        "check history",
        """
        CREATE TABLE checks (
            id INTEGER PRIMARY KEY,
            service TEXT NOT NULL,
            checked_at TEXT NOT NULL,
            state TEXT NOT NULL,
            expected INTEGER NOT NULL,
            final_url TEXT,
            http_status INTEGER,
            language TEXT,
            detail TEXT,
            link TEXT,
            screenshot TEXT,
            html TEXT,
            reported_state TEXT,
            alerted INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX checks_by_service ON checks (service, id);
        """,
    ),
    (
        4,
        "batch queues",
        """
        CREATE TABLE batches (
            id INTEGER PRIMARY KEY,
            file TEXT NOT NULL,
            file_sha256 TEXT NOT NULL,
            services TEXT NOT NULL,
            template TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            finished_at TEXT
        );
        CREATE INDEX batches_by_file ON batches (file_sha256);
        CREATE TABLE batch_items (
            id INTEGER PRIMARY KEY,
            batch_id INTEGER NOT NULL REFERENCES batches (id),
            position INTEGER NOT NULL,
            line INTEGER NOT NULL,
            member_id TEXT NOT NULL,
            email TEXT NOT NULL,
            service TEXT NOT NULL,
            country TEXT NOT NULL,
            language TEXT NOT NULL,
            template TEXT NOT NULL,
            mandate_ref TEXT NOT NULL,
            state TEXT NOT NULL,
            objection_id INTEGER REFERENCES objections (id),
            reason TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            started_at TEXT,
            finished_at TEXT
        );
        CREATE INDEX batch_items_by_batch ON batch_items (batch_id, position);
        CREATE INDEX batch_items_by_objection ON batch_items (objection_id);
        CREATE TABLE batch_item_events (
            id INTEGER PRIMARY KEY,
            item_id INTEGER NOT NULL REFERENCES batch_items (id),
            at TEXT NOT NULL,
            state TEXT NOT NULL,
            reason TEXT
        );
        CREATE INDEX batch_item_events_by_item ON batch_item_events (item_id);
        """,
    ),
    (
        5,
        "the submission request and Meta's answer",
        """
        ALTER TABLE objections ADD COLUMN submission TEXT;
        ALTER TABLE objections ADD COLUMN page_language TEXT;
        ALTER TABLE objections ADD COLUMN result_text TEXT;
        """,
    ),
    (
        6,
        "claims with an owner and a lease",
        # Rows still open from before claims name no owner; where several are open for
        # one account and service, all but the newest are closed first (an older one
        # that was "submitting" may have reached Meta, so it is not cancelled), so that
        # the index can hold: one open claim per account and service.
        """
        ALTER TABLE objections ADD COLUMN claim_pid INTEGER;
        ALTER TABLE objections ADD COLUMN claim_host TEXT;
        ALTER TABLE objections ADD COLUMN claim_started TEXT;
        ALTER TABLE objections ADD COLUMN claim_token TEXT;
        ALTER TABLE objections ADD COLUMN claimed_at TEXT;
        ALTER TABLE objections ADD COLUMN claim_expires INTEGER;
        CREATE TEMPORARY TABLE superseded AS
            SELECT id, status FROM objections AS old
            WHERE status IN ('in_progress', 'submitting') AND EXISTS (
                SELECT 1 FROM objections AS newer
                WHERE newer.service = old.service AND newer.account_email = old.account_email
                AND newer.status IN ('in_progress', 'submitting') AND newer.id > old.id);
        UPDATE objections SET
            status = CASE WHEN status = 'submitting' THEN 'submitted_unconfirmed'
                          ELSE 'cancelled' END,
            detail = CASE WHEN status = 'submitting'
                THEN 'the run ended after Send was clicked, so Meta may have it'
                ELSE 'the run ended before sending, so nothing was sent' END,
            finished_at = updated_at
            WHERE id IN (SELECT id FROM superseded);
        INSERT INTO events (objection_id, at, kind, state, detail)
            SELECT o.id, o.updated_at, 'status', o.status, o.detail
            FROM objections AS o WHERE o.id IN (SELECT id FROM superseded);
        DROP TABLE superseded;
        CREATE UNIQUE INDEX objections_one_claim ON objections (service, account_email)
            WHERE status IN ('in_progress', 'submitting');
        """,
    ),
    (7, "paths relative to the data dir, and chained seals", _relative_paths_and_seals),
    (
        8,
        "demo records",
        # `widerspruch demo` writes its records marked, so that a real run never takes
        # them for real ones: the one open claim per account and service is per kind.
        """
        ALTER TABLE objections ADD COLUMN demo INTEGER NOT NULL DEFAULT 0;
        DROP INDEX objections_one_claim;
        CREATE UNIQUE INDEX objections_one_claim ON objections (service, account_email, demo)
            WHERE status IN ('in_progress', 'submitting');
        """,
    ),
    (
        9,
        "reason codes for failures",
        # A stable code (widerspruch.failures.Reason) beside the plain message, so that
        # reports and scripts can tell "no internet" from "the form changed".
        """
        ALTER TABLE objections ADD COLUMN reason TEXT;
        ALTER TABLE checks ADD COLUMN reason TEXT;
        """,
    ),
    (
        10,
        "the details a member's form asks for",
        # A name, a phone number, …, by key, as JSON: the members file's own columns,
        # kept so that a resumed batch sends what the file said.
        """
        ALTER TABLE batch_items ADD COLUMN details TEXT NOT NULL DEFAULT '{}';
        """,
    ),
    (
        11,
        "campaigns shared by several desks",
        # A campaign is a named batch whose members several desks take, one member at a
        # time, each under a lease (widerspruch.ledger.desks): one row per member, so a
        # member's services never go to two desks.
        """
        CREATE TABLE campaigns (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            batch_id INTEGER NOT NULL REFERENCES batches (id),
            created_at TEXT NOT NULL
        );
        CREATE TABLE campaign_members (
            id INTEGER PRIMARY KEY,
            campaign_id INTEGER NOT NULL REFERENCES campaigns (id),
            member_id TEXT NOT NULL,
            position INTEGER NOT NULL,
            state TEXT NOT NULL,
            desk TEXT,
            lease_token TEXT,
            lease_expires INTEGER,
            reason TEXT,
            updated_at TEXT NOT NULL,
            UNIQUE (campaign_id, member_id)
        );
        CREATE INDEX campaign_members_queue ON campaign_members (campaign_id, state, position);
        CREATE TABLE campaign_member_events (
            id INTEGER PRIMARY KEY,
            member_row INTEGER NOT NULL REFERENCES campaign_members (id),
            at TEXT NOT NULL,
            state TEXT NOT NULL,
            desk TEXT,
            reason TEXT
        );
        CREATE INDEX campaign_member_events_by_member ON campaign_member_events (member_row);
        """,
    ),
    (12, "files added to objections sealed in the chain", _sealed_attachments),
    (
        13,
        "evidence files kept in a shared ledger",
        # The files of a sealed bundle and those added later (receipt, Meta's replies, a
        # timestamp), with their SHA-256, so that the coordinator can verify and print
        # them from the shared ledger alone (widerspruch.ledger.kept). The data dir's own
        # SQLite ledger keeps none: its files lie beside it.
        """
        CREATE TABLE evidence_files (
            id INTEGER PRIMARY KEY,
            objection_id INTEGER NOT NULL REFERENCES objections (id),
            path TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            size INTEGER NOT NULL,
            content BLOB NOT NULL,
            stored_at TEXT NOT NULL
        );
        CREATE INDEX evidence_files_by_objection ON evidence_files (objection_id, path);
        """,
    ),
)
SCHEMA_VERSION = MIGRATIONS[-1][0]


def schema_version(db: Db, engine: str = SQLITE) -> int:
    """The number of the last migration the ledger has had: SQLite keeps it in the
    file's header, PostgreSQL in the schema_migrations table (none yet: 0)."""
    if engine == SQLITE:
        return int(db.execute("PRAGMA user_version").fetchone()[0])
    if db.execute("SELECT to_regclass('schema_migrations')").fetchone()[0] is None:
        return 0
    return int(db.execute("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").fetchone()[0])


def applied(db: Db, engine: str = SQLITE) -> set[int]:
    """The numbers of the migrations recorded in the ledger's schema_migrations table."""
    if engine == SQLITE:
        exists = db.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
        ).fetchone()
    else:
        exists = db.execute("SELECT to_regclass('schema_migrations')").fetchone()[0]
    if not exists:
        return set()
    return {int(row[0]) for row in db.execute("SELECT version FROM schema_migrations")}


def lacking(db: Db, engine: str = SQLITE) -> list[tuple[int, str]]:
    """The (version, name) of each migration this ledger still needs, oldest first: every
    one above its version, and any below it that it has not had (a number that came in
    with a later change, after the ledger had a higher one)."""
    version, had = schema_version(db, engine), applied(db, engine)
    if version > SCHEMA_VERSION:
        return []
    return [(n, name) for n, name, _ in MIGRATIONS if n > version or n not in had]


def run(db: Db, data_dir: Path, *, until: int = SCHEMA_VERSION, engine: str = SQLITE) -> None:
    """Apply every migration the ledger lacks (up to number `until`: an old ledger, as
    the tests make one), inside the caller's write transaction; `data_dir` is the
    folder the ledger lies in.

    The version is read here, under the write lock: another run may have migrated the
    ledger since the caller looked.
    """
    version = schema_version(db, engine)
    adapt = ddl if engine == POSTGRESQL else str
    db.execute(
        adapt(
            "CREATE TABLE IF NOT EXISTS schema_migrations "
            "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
    )
    had = applied(db, engine)
    for number, name, step in MIGRATIONS:
        if (number <= version and number in had) or number > until:
            continue
        if callable(step):
            step(db, data_dir)
        else:
            for statement in step.split(";"):
                if statement.strip():
                    db.execute(adapt(statement))
        db.execute("INSERT INTO schema_migrations VALUES (?, ?, ?)", (number, name, utc_now()))
        if engine == SQLITE and number > version:
            version = number
            db.execute(f"PRAGMA user_version = {number}")


def pending(path: Path, *, url: str | None = None) -> list[tuple[int, str]]:
    """The (version, name) of each migration the ledger file at `path` (or with `url`,
    the PostgreSQL ledger there) still needs, oldest first: [] when it is up to date, or
    newer than this widerspruch (which `Ledger.open` refuses). Read-only: nothing is
    created, changed or locked. NoLedger if there is no file; any other fault as one
    LedgerError line."""
    if url is not None:
        from widerspruch.ledger.errors import NoLedger
        from widerspruch.ledger.store import Store

        try:
            with Store.open(path.parent, url=url, read_only=True) as store:
                return store._lacking()
        except NoLedger:  # a database without the ledger's tables: every one is pending
            return [(number, name) for number, name, _ in MIGRATIONS]
    try:
        db = sqlite3.connect(
            faults.uri(path, read_only=True), uri=True, timeout=faults.BUSY_ATTEMPT_S
        )
        try:
            return lacking(db)
        finally:
            db.close()
    except sqlite3.Error as error:
        raise not_opened(path, error) from None
