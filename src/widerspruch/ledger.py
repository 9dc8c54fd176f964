"""The ledger: every objection and every change to it, in SQLite, kept for years as proof.

Each write is one transaction, so a crash at any point leaves a truthful record. The
schema is versioned with named migrations from the first version on; a ledger written
by a newer version of widerspruch is refused, never rewritten.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from widerspruch.errors import UsageError
from widerspruch.states import Status

LEDGER_FILE = "ledger.sqlite3"

# (version, name, SQL). Append only: a released migration never changes.
MIGRATIONS: tuple[tuple[int, str, str], ...] = (
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
)
SCHEMA_VERSION = MIGRATIONS[-1][0]


class LedgerError(UsageError):
    """The ledger cannot be used; the message says what to do."""


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Objection:
    id: int
    service: str
    account_email: str
    country: str
    language: str
    template: str
    template_version: str
    justification: str
    form_url: str
    status: Status
    detail: str | None
    final_url: str | None
    created_at: str
    updated_at: str
    submitted_at: str | None
    finished_at: str | None
    evidence_dir: str | None = None
    manifest_sha256: str | None = None

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Objection:
        values = dict(row)
        values["status"] = Status(values["status"])
        return cls(**values)


@dataclass(frozen=True)
class Attachment:
    """A file added to an objection after its bundle was sealed (receipt, Meta's reply)."""

    objection_id: int
    kind: str
    path: str
    sha256: str
    added_at: str
    detail: str | None


@dataclass(frozen=True)
class Event:
    objection_id: int
    at: str
    kind: str  # "status" (ledger state) or "page" (page state seen)
    state: str
    detail: str | None


class Ledger:
    """Open with ``Ledger.open(data_dir)``; use as a context manager to close."""

    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        self._db = connection
        self.path = path

    @classmethod
    def open(cls, data_dir: Path) -> Ledger:
        path = data_dir / LEDGER_FILE
        if not path.exists():
            # Create it owner-only before SQLite touches it.
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        try:
            connection = sqlite3.connect(path, isolation_level=None, timeout=10)
            connection.row_factory = sqlite3.Row
            connection.execute("PRAGMA foreign_keys = ON")
            ledger = cls(connection, path)
            ledger._migrate()
        except sqlite3.DatabaseError as error:
            raise LedgerError(
                f"the ledger {path} is unreadable ({error}); nothing was changed. "
                f"Keep a copy of it, then move it aside to start a new one"
            ) from None
        return ledger

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def atomic(self) -> Iterator[None]:
        """Several writes as one: all of them are kept, or (on any exception) none."""
        with self._transaction():
            yield

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        if self._db.in_transaction:
            yield self._db  # part of an enclosing `atomic()`: it commits or rolls back
            return
        # IMMEDIATE takes the write lock at once: two runs cannot both claim an objection.
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def _migrate(self) -> None:
        version = int(self._db.execute("PRAGMA user_version").fetchone()[0])
        if version > SCHEMA_VERSION:
            raise LedgerError(
                f"the ledger {self.path} was written by a newer widerspruch (schema {version}, "
                f"this one knows {SCHEMA_VERSION}); nothing was changed. Keep a copy of it, "
                "and upgrade widerspruch"
            )
        with self._transaction() as db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations "
                "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
            )
            for number, name, sql in MIGRATIONS:
                if number <= version:
                    continue
                for statement in sql.split(";"):
                    if statement.strip():
                        db.execute(statement)
                db.execute(
                    "INSERT INTO schema_migrations VALUES (?, ?, ?)", (number, name, utc_now())
                )
                db.execute(f"PRAGMA user_version = {number}")

    # -- objections -----------------------------------------------------------------

    def latest_sent(self, service: str, account_email: str) -> Objection | None:
        """The newest objection for this account and service that may have reached Meta."""
        states = [s.value for s in Status if s.may_have_been_sent]
        confirmed = ",".join(f"'{s.value}'" for s in Status if s.was_confirmed)
        row = self._db.execute(
            # Only "?" placeholders are formatted in; every value is bound.
            f"SELECT * FROM objections WHERE service = ? AND account_email = ? "  # noqa: S608
            f"AND status IN ({','.join('?' * len(states))}) "
            f"ORDER BY (status IN ({confirmed})) DESC, id DESC LIMIT 1",
            (service, account_email.casefold(), *states),
        ).fetchone()
        return Objection.from_row(row) if row else None

    def claim(
        self,
        *,
        service: str,
        account_email: str,
        country: str,
        language: str,
        template: str,
        template_version: str,
        justification: str,
        form_url: str,
        force: bool,
    ) -> tuple[Objection, Objection | None]:
        """Start a new objection, unless one may already have been sent.

        Returns (new objection, None), or (earlier objection, earlier objection) when it
        blocks a new one. Runs in one transaction, so two runs cannot both proceed.
        """
        now = utc_now()
        email = account_email.casefold()
        with self._transaction() as db:
            if not force:
                earlier = self.latest_sent(service, email)
                if earlier is not None:
                    return earlier, earlier
            # Runs that ended before Send (a crash, a kill) left in_progress rows behind.
            stale = db.execute(
                "SELECT id FROM objections WHERE service = ? AND account_email = ? "
                "AND status IN ('pending', 'in_progress')",
                (service, email),
            ).fetchall()
            for (stale_id,) in stale:
                self._set_status(
                    db, stale_id, Status.CANCELLED, "the run ended before sending", now
                )
            cursor = db.execute(
                "INSERT INTO objections (service, account_email, country, language, template, "
                "template_version, justification, form_url, status, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    service,
                    email,
                    country,
                    language,
                    template,
                    template_version,
                    justification,
                    form_url,
                    Status.IN_PROGRESS.value,
                    now,
                    now,
                ),
            )
            objection_id = int(cursor.lastrowid or 0)
            self._event(db, objection_id, "status", Status.IN_PROGRESS.value, None, now)
        return self.get(objection_id), None

    def set_status(
        self,
        objection_id: int,
        status: Status,
        detail: str | None = None,
        *,
        final_url: str | None = None,
    ) -> Objection:
        now = utc_now()
        with self._transaction() as db:
            self._set_status(db, objection_id, status, detail, now, final_url=final_url)
        return self.get(objection_id)

    def _set_status(
        self,
        db: sqlite3.Connection,
        objection_id: int,
        status: Status,
        detail: str | None,
        now: str,
        *,
        final_url: str | None = None,
    ) -> None:
        finished = status not in (Status.PENDING, Status.IN_PROGRESS, Status.SUBMITTING)
        db.execute(
            "UPDATE objections SET status = ?, detail = ?, updated_at = ?, "
            "final_url = COALESCE(?, final_url), "
            "submitted_at = CASE WHEN ? THEN ? ELSE submitted_at END, "
            "finished_at = CASE WHEN ? THEN ? ELSE finished_at END WHERE id = ?",
            (
                status.value,
                detail,
                now,
                final_url,
                status is Status.SUBMITTING,
                now,
                finished,
                now,
                objection_id,
            ),
        )
        self._event(db, objection_id, "status", status.value, detail, now)

    def set_evidence(self, objection_id: int, folder: str, manifest_sha256: str) -> None:
        with self._transaction() as db:
            db.execute(
                "UPDATE objections SET evidence_dir = ?, manifest_sha256 = ? WHERE id = ?",
                (folder, manifest_sha256, objection_id),
            )
            self._event(db, objection_id, "evidence", "sealed", manifest_sha256, utc_now())

    def attach(
        self, objection_id: int, kind: str, path: str, sha256: str, detail: str | None = None
    ) -> None:
        with self._transaction() as db:
            now = utc_now()
            db.execute(
                "INSERT INTO attachments (objection_id, kind, path, sha256, added_at, detail) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (objection_id, kind, path, sha256, now, detail),
            )
            self._event(db, objection_id, "attachment", kind, sha256, now)

    def attachments(self, objection_id: int) -> list[Attachment]:
        rows = self._db.execute(
            "SELECT objection_id, kind, path, sha256, added_at, detail FROM attachments "
            "WHERE objection_id = ? ORDER BY id",
            (objection_id,),
        )
        return [Attachment(**dict(row)) for row in rows]

    def record_page(self, objection_id: int, page_state: str, detail: str | None = None) -> None:
        with self._transaction() as db:
            self._event(db, objection_id, "page", page_state, detail, utc_now())

    @staticmethod
    def _event(
        db: sqlite3.Connection,
        objection_id: int,
        kind: str,
        state: str,
        detail: str | None,
        now: str,
    ) -> None:
        db.execute(
            "INSERT INTO events (objection_id, at, kind, state, detail) VALUES (?, ?, ?, ?, ?)",
            (objection_id, now, kind, state, detail),
        )

    def get(self, objection_id: int) -> Objection:
        row = self._db.execute("SELECT * FROM objections WHERE id = ?", (objection_id,)).fetchone()
        if row is None:
            raise LedgerError(f"no objection with id {objection_id}")
        return Objection.from_row(row)

    def objections(self, service: str | None = None) -> list[Objection]:
        query, args = "SELECT * FROM objections", tuple[str, ...]()
        if service:
            query, args = query + " WHERE service = ?", (service,)
        return [Objection.from_row(row) for row in self._db.execute(query + " ORDER BY id", args)]

    def events(self, objection_id: int) -> list[Event]:
        rows = self._db.execute(
            "SELECT objection_id, at, kind, state, detail FROM events "
            "WHERE objection_id = ? ORDER BY id",
            (objection_id,),
        )
        return [Event(**dict(row)) for row in rows]

    # -- check history (`widerspruch check`, see widerspruch.check) -----------------------
    # One row per service and run: the state found, where and what the page was, the
    # files saved for an anomaly, and `reported_state`, the state last announced for the
    # service (an alert goes out when it changes; `alerted` marks the runs that sent one).

    CHECK_COLUMNS = (
        "service",
        "checked_at",
        "state",
        "expected",
        "final_url",
        "http_status",
        "language",
        "detail",
        "link",
        "screenshot",
        "html",
        "reported_state",
        "alerted",
    )

    def add_check(self, values: dict[str, object]) -> int:
        """Record one service's check result; returns its row id."""
        unknown = set(values) - set(self.CHECK_COLUMNS)
        if unknown:
            raise ValueError(f"not check columns: {sorted(unknown)}")
        columns = [name for name in self.CHECK_COLUMNS if name in values]
        with self._transaction() as db:
            cursor = db.execute(
                # Only known column names and "?" placeholders are formatted in.
                f"INSERT INTO checks ({', '.join(columns)}) "  # noqa: S608
                f"VALUES ({', '.join('?' * len(columns))})",
                [values[name] for name in columns],
            )
        return int(cursor.lastrowid or 0)

    def checks(
        self, service: str | None = None, *, since: str | None = None, newest: int | None = None
    ) -> list[dict[str, object]]:
        """Recorded check results, oldest first: all, those at or after `since` (ISO UTC),
        or only the `newest` few."""
        where, args = [], list[object]()
        if service is not None:
            where.append("service = ?")
            args.append(service)
        if since is not None:
            where.append("checked_at >= ?")
            args.append(since)
        # Only fixed conditions with "?" placeholders are joined in; every value is bound.
        query = "SELECT * FROM checks" + (" WHERE " + " AND ".join(where) if where else "")  # noqa: S608
        if newest is not None:
            query = f"SELECT * FROM ({query} ORDER BY id DESC LIMIT ?)"  # noqa: S608
            args.append(newest)
        return [dict(row) for row in self._db.execute(query + " ORDER BY id", args)]

    def checked_services(self) -> list[str]:
        """Every service with a recorded check, in order of its first check."""
        rows = self._db.execute("SELECT service FROM checks GROUP BY service ORDER BY MIN(id)")
        return [str(row[0]) for row in rows]

    # -- batch queues (`widerspruch batch`, see widerspruch.batch) -----------------------
    # A batch is one members file; its items are member x service, in file order. The
    # ledger only stores them: what the states mean is widerspruch.batch's business.
    # Every change of an item's state is also a row in batch_item_events.

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
            for item in items:
                cursor = db.execute(
                    # Only known column names and "?" placeholders are formatted in.
                    f"INSERT INTO batch_items (batch_id, {', '.join(columns)}, "  # noqa: S608
                    f"created_at, updated_at) VALUES (?, {', '.join('?' * len(columns))}, ?, ?)",
                    [batch_id, *(item.get(name) for name in columns), now, now],
                )
                db.execute(
                    "INSERT INTO batch_item_events (item_id, at, state, reason) "
                    "VALUES (?, ?, ?, ?)",
                    (cursor.lastrowid, now, item["state"], item.get("reason")),
                )
        return batch_id

    def batch(self, batch_id: int) -> dict[str, object] | None:
        row = self._db.execute("SELECT * FROM batches WHERE id = ?", (batch_id,)).fetchone()
        return dict(row) if row else None

    def batches(self) -> list[dict[str, object]]:
        return [dict(row) for row in self._db.execute("SELECT * FROM batches ORDER BY id")]

    def unfinished_batch(self, file_sha256: str) -> dict[str, object] | None:
        """The newest batch of this exact file that has not finished."""
        row = self._db.execute(
            "SELECT * FROM batches WHERE file_sha256 = ? AND finished_at IS NULL "
            "ORDER BY id DESC LIMIT 1",
            (file_sha256,),
        ).fetchone()
        return dict(row) if row else None

    def batch_items(self, batch_id: int) -> list[dict[str, object]]:
        rows = self._db.execute(
            "SELECT * FROM batch_items WHERE batch_id = ? ORDER BY position, id", (batch_id,)
        )
        return [dict(row) for row in rows]

    def batch_item(self, item_id: int) -> dict[str, object]:
        row = self._db.execute("SELECT * FROM batch_items WHERE id = ?", (item_id,)).fetchone()
        if row is None:
            raise LedgerError(f"no batch item with id {item_id}")
        return dict(row)

    def batch_item_events(self, item_id: int) -> list[dict[str, object]]:
        rows = self._db.execute(
            "SELECT item_id, at, state, reason FROM batch_item_events WHERE item_id = ? "
            "ORDER BY id",
            (item_id,),
        )
        return [dict(row) for row in rows]

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
                    "SELECT state FROM batch_items WHERE id = ?", (item_id,)
                ).fetchone()
                if current is None or current[0] not in only_from:
                    return False
            db.execute(
                "UPDATE batch_items SET state = ?, reason = ?, updated_at = ?, "
                "objection_id = COALESCE(?, objection_id), "
                "started_at = CASE WHEN ? AND started_at IS NULL THEN ? ELSE started_at END, "
                "finished_at = CASE WHEN ? THEN ? ELSE NULL END WHERE id = ?",
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
            db.execute(
                "INSERT INTO batch_item_events (item_id, at, state, reason) VALUES (?, ?, ?, ?)",
                (item_id, now, state, reason),
            )
            db.execute(
                "UPDATE batches SET updated_at = ? "
                "WHERE id = (SELECT batch_id FROM batch_items WHERE id = ?)",
                (now, item_id),
            )
        return True

    def finish_batch(self, batch_id: int, finished: bool) -> None:
        """Mark the batch finished (nothing left to do) or open again."""
        now = utc_now()
        with self._transaction() as db:
            db.execute(
                "UPDATE batches SET updated_at = ?, "
                "finished_at = CASE WHEN ? THEN COALESCE(finished_at, ?) ELSE NULL END "
                "WHERE id = ?",
                (now, finished, now, batch_id),
            )

    def note(self, objection_id: int, what: str, detail: str) -> None:
        """An event on an objection that is not a change of its status (kind "batch")."""
        with self._transaction() as db:
            self._event(db, objection_id, "batch", what, detail, utc_now())
