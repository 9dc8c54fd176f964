"""The ledger: every objection and every change to it, in SQLite, kept for years as proof.

Each write is one transaction, so a crash at any point leaves a truthful record. The
schema is versioned with named migrations from the first version on; a ledger written
by a newer version of widerspruch is refused, never rewritten.
"""

from __future__ import annotations

import os
import sqlite3
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from widerspruch import claims, ledger_faults
from widerspruch.errors import UsageError
from widerspruch.states import CLAIM_STATES, Status, may_follow

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
)
SCHEMA_VERSION = MIGRATIONS[-1][0]


class LedgerError(UsageError):
    """The ledger cannot be used; the message says what to do."""


class NoLedger(LedgerError):
    """There is no ledger yet where one was to be read (nothing was created)."""


class LedgerDamaged(LedgerError):
    """SQLite finds the file damaged; it was not changed."""


class LedgerBusy(LedgerError):
    """Another run held the write lock for longer than this one would wait."""


class LedgerFull(LedgerError):
    """The disk holding the ledger is full; the write was not recorded."""


# How long a write waits for another run's write to end (runs write in short
# transactions, so a lock held for minutes means something else is wrong), and how long
# SQLite itself waits before the wait is shown.
BUSY_WAIT_S = 300.0
BUSY_ATTEMPT_S = 1.0
LEDGER_BUSY = "the ledger is busy: another widerspruch run is writing; waiting…"
# SQLite's integers are 64-bit: a larger id cannot name an objection.
MAX_ID = 2**63 - 1


def say_on_stderr(message: str) -> None:
    sys.stderr.write(f"widerspruch: {message}\n")
    sys.stderr.flush()


def fault(path: Path, error: sqlite3.Error) -> LedgerError:
    """The one-line LedgerError for an SQLite error on the ledger at `path`, found out
    without changing the file: a full disk, a lock held by another run, or damage (a
    PRAGMA quick_check decides)."""
    name = ledger_faults.code(error)
    if name.startswith("SQLITE_FULL") or (
        name.startswith(("SQLITE_IOERR", "SQLITE_CANTOPEN")) and ledger_faults.disk_full(path)
    ):
        return LedgerFull(ledger_faults.full_message(path))
    if ledger_faults.is_busy(error):
        return LedgerBusy(ledger_faults.busy_message(path, None))
    problem = ledger_faults.damage(path)
    if problem is not None:
        return LedgerDamaged(ledger_faults.damaged_message(path, problem))
    return LedgerError(
        f"the ledger {path} could not be used ({error}); it was left as it was. "
        "Keep a copy of it, and ask for help if this happens again"
    )


class TransitionRefused(LedgerError):
    """A status change the state machine does not allow, or one asked for by a run that
    does not hold the objection's claim. Nothing was changed."""


class ClaimHeld(LedgerError):
    """Another run, still alive, holds the claim for this account and service."""

    def __init__(self, message: str, objection: Objection) -> None:
        super().__init__(message)
        self.objection = objection


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
    # JSON: the request that carried the form to Meta (time, URL, method, status code,
    # a digest of the answer), once one left the browser. A record with an answered
    # submission is never sent again without the person's word.
    submission: str | None = None
    page_language: str | None = None  # the language the form was shown in
    result_text: str | None = None  # what Meta showed after the answer, as judged
    # The claim's owner (see widerspruch.claims): kept after the run as who ran it.
    claim_pid: int | None = None
    claim_host: str | None = None
    claim_started: str | None = None  # the owner process's start time
    claim_token: str | None = None
    claimed_at: str | None = None
    claim_expires: int | None = None  # the lease, in epoch seconds

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Objection:
        values = dict(row)
        values["status"] = Status(values["status"])
        return cls(**values)

    @property
    def request_left(self) -> bool:
        """The submission column shows that a request left the browser for Meta."""
        return submission_phase(self.submission) in SENT_PHASES

    @property
    def may_have_been_sent(self) -> bool:
        """Never sent again without the person's word: its status says it may have
        reached Meta, or a request left the browser (even if the record says failed)."""
        return self.status.may_have_been_sent or self.request_left


# `submission` phases (written by the engine) that mean a request left the browser.
SENT_PHASES = frozenset({"sent", "answered", "lost"})


def submission_phase(submission: str | None) -> str | None:
    """The "phase" of a submission column's JSON; None if there is none (or it is unreadable)."""
    import json

    if not submission:
        return None
    try:
        data = json.loads(submission)
    except ValueError:
        return "sent"  # unreadable, but something was recorded: assume it may have left
    phase = data.get("phase") if isinstance(data, dict) else None
    return str(phase) if phase is not None else "sent"  # recorded, phase unknown: may have


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

    def __init__(
        self,
        connection: sqlite3.Connection,
        path: Path,
        *,
        read_only: bool = False,
        busy_wait: float = BUSY_WAIT_S,
        waiting: Callable[[str], None] = say_on_stderr,
    ) -> None:
        self._db = connection
        self.path = path
        self.read_only = read_only
        self._busy_wait = busy_wait
        self._waiting = waiting  # tells the person that this run waits for another
        # Who this ledger's claims belong to (this process), and how long a claim lives
        # without renewal (widerspruch.claims.Renewer renews it).
        self.owner = claims.this_process()
        self.lease = claims.LEASE_S

    @classmethod
    def open(
        cls,
        data_dir: Path,
        *,
        read_only: bool = False,
        busy_wait: float = BUSY_WAIT_S,
        waiting: Callable[[str], None] = say_on_stderr,
    ) -> Ledger:
        """Open the ledger in `data_dir`, after a PRAGMA quick_check of the whole file.

        A writer creates it (owner-only) if there is none, and migrates it only if its
        schema is behind; it waits, saying so, while another run is writing. With
        `read_only` nothing is created, changed or locked (WAL: a reader never blocks
        a running submit), and NoLedger says there is none yet. Whatever is wrong with
        the file ends in one LedgerError line, and the file is left as it was.
        """
        path = data_dir / LEDGER_FILE
        if read_only:
            ledger = cls._connect(path, read_only=True, busy_wait=busy_wait, waiting=waiting)
            if ledger._version() >= SCHEMA_VERSION:
                return ledger
            ledger.close()
            # An older ledger is brought up to date once, in a short write of its own.
            cls.open(data_dir, busy_wait=busy_wait, waiting=waiting).close()
            return cls._connect(path, read_only=True, busy_wait=busy_wait, waiting=waiting)
        if not path.exists():
            try:
                # Create it owner-only before SQLite touches it.
                os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
            except OSError as error:
                if error.errno in ledger_faults.DISK_FULL_ERRNOS:
                    raise LedgerFull(ledger_faults.full_message(path)) from None
                raise LedgerError(
                    f"cannot create the ledger {path}: {error.strerror or error}"
                ) from None
        ledger = cls._connect(path, read_only=False, busy_wait=busy_wait, waiting=waiting)
        try:
            with ledger._faults():
                ledger._migrate()
        except BaseException:
            ledger.close()
            raise
        return ledger

    @classmethod
    def _connect(
        cls, path: Path, *, read_only: bool, busy_wait: float, waiting: Callable[[str], None]
    ) -> Ledger:
        try:
            connection = sqlite3.connect(
                ledger_faults.uri(path, read_only=read_only),
                uri=True,
                isolation_level=None,
                timeout=BUSY_ATTEMPT_S,
            )
        except sqlite3.Error as error:
            if not path.exists():
                raise NoLedger(f"no ledger yet in {path.parent}; nothing was created") from None
            raise fault(path, error) from None
        connection.row_factory = sqlite3.Row
        ledger = cls(connection, path, read_only=read_only, busy_wait=busy_wait, waiting=waiting)
        try:
            with ledger._faults():
                ledger._check_whole()
                ledger._refuse_newer()
                connection.execute("PRAGMA foreign_keys = ON")
                if not read_only:
                    ledger._set_up_writes()
        except BaseException:
            connection.close()
            raise
        return ledger

    def _check_whole(self) -> None:
        """Damage anywhere in the file is found here, before anything is read or written."""
        rows = [str(row[0]) for row in self._db.execute("PRAGMA quick_check")]
        if rows != ["ok"]:
            problem = ledger_faults.first_problem(rows) or "quick_check failed"
            raise LedgerDamaged(ledger_faults.damaged_message(self.path, problem))

    def _version(self) -> int:
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    def _refuse_newer(self) -> None:
        version = self._version()
        if version > SCHEMA_VERSION:
            raise LedgerError(
                f"the ledger {self.path} was written by a newer widerspruch (schema {version}, "
                f"this one knows {SCHEMA_VERSION}); nothing was changed. Keep a copy of it, "
                "and upgrade widerspruch"
            )

    def _set_up_writes(self) -> None:
        # WAL: readers never block the writer, nor it them. FULL: a commit is on disk
        # before it returns, so a power cut cannot take back what was recorded.
        db = self._db
        if str(db.execute("PRAGMA journal_mode").fetchone()[0]).lower() != "wal":
            self._wait_for_lock(lambda: db.execute("PRAGMA journal_mode = WAL"))
        db.execute("PRAGMA synchronous = FULL")

    def _wait_for_lock(self, take: Callable[[], object]) -> None:
        """Run `take`, which takes the write lock, waiting visibly (up to the busy wait)
        while another run holds it."""
        started: float | None = None
        while True:
            try:
                take()
            except sqlite3.OperationalError as error:
                if not ledger_faults.is_busy(error):
                    raise
                now = time.monotonic()
                if started is None:
                    started = now
                    limit = ledger_faults.describe(self._busy_wait)
                    self._waiting(f"{LEDGER_BUSY} (at most {limit})")
                elif now - started >= self._busy_wait:
                    waited = now - started + BUSY_ATTEMPT_S
                    raise LedgerBusy(ledger_faults.busy_message(self.path, waited)) from None
                continue
            if started is not None:
                self._waiting("the ledger is free again; going on")
            return

    @contextmanager
    def _faults(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as error:
            raise fault(self.path, error) from None

    def __enter__(self) -> Ledger:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
        if isinstance(error, sqlite3.Error):
            # Anything SQLite raised while the ledger was in use: one line, not a traceback.
            raise fault(self.path, error) from None

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
        self._wait_for_lock(lambda: self._db.execute("BEGIN IMMEDIATE"))
        try:
            yield self._db
        except BaseException:
            self._roll_back()
            raise
        try:
            self._db.execute("COMMIT")
        except sqlite3.Error:
            self._roll_back()  # a failed COMMIT (a full disk) may leave it open
            raise

    def _roll_back(self) -> None:
        if self._db.in_transaction:  # SQLite may have rolled back by itself already
            with suppress(sqlite3.Error):
                self._db.execute("ROLLBACK")

    def _migrate(self) -> None:
        # A ledger that is up to date is not locked: opening it never waits for a writer.
        if self._version() >= SCHEMA_VERSION:
            return
        with self._transaction() as db:
            version = self._version()  # another run may have migrated it meanwhile
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
    # The rules for claims and status changes are plain SQL: a compare-and-set UPDATE
    # (WHERE id = ? AND status = ? [AND claim_token = ?]) checked by its row count, and
    # an INSERT that the partial unique index objections_one_claim guards. Times are
    # ISO text and epoch seconds from Python. So they hold on any SQL database that has
    # transactions and partial unique indexes, not only in SQLite.

    def latest_sent(self, service: str, account_email: str) -> Objection | None:
        """The objection for this account and service that may have reached Meta: a
        confirmed one first, else the newest that may have been sent (by its status, or
        because its submission request left the browser)."""
        states = [s.value for s in Status if s.may_have_been_sent]
        rows = self._db.execute(
            # Only "?" placeholders are formatted in; every value is bound.
            "SELECT * FROM objections WHERE service = ? AND account_email = ? "  # noqa: S608
            f"AND (status IN ({','.join('?' * len(states))}) OR submission IS NOT NULL) "
            "ORDER BY id DESC",
            (service, account_email.casefold(), *states),
        )
        found = [o for o in map(Objection.from_row, rows) if o.may_have_been_sent]
        confirmed = [o for o in found if o.status.was_confirmed]
        return next(iter(confirmed or found), None)

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
        allow_resend_of: int | None = None,
    ) -> tuple[Objection, Objection | None]:
        """Start a new objection, owned by this run, unless one may already have been sent.

        Returns (new objection, None), or (earlier objection, earlier objection) when it
        blocks a new one; `allow_resend_of` names the one earlier objection that the
        person agreed to send again, `force` lets any through. Raises ClaimHeld if another
        live run is objecting for this account and service; a claim whose owner is gone
        is taken over first (see `_take_over`). All in one transaction.
        """
        now = utc_now()
        email = account_email.casefold()
        with self._transaction() as db:
            live = self._settle_claim(db, service, email, now)
            if live is not None:
                raise ClaimHeld(claims.describe(live, self.owner), live)
            if not force:
                earlier = self.latest_sent(service, email)
                if earlier is not None and earlier.id != allow_resend_of:
                    return earlier, earlier
            owner = self.owner
            try:
                cursor = db.execute(
                    "INSERT INTO objections (service, account_email, country, language, "
                    "template, template_version, justification, form_url, status, created_at, "
                    "updated_at, claim_pid, claim_host, claim_started, claim_token, claimed_at, "
                    "claim_expires) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
                        owner.pid,
                        owner.host,
                        owner.started,
                        owner.token,
                        now,
                        claims.now_epoch() + self.lease,
                    ),
                )
            except sqlite3.IntegrityError:
                # The index: another run's claim came in between (where reads take no lock).
                other = self._open_claims(db, service, email)
                if not other:
                    raise
                raise ClaimHeld(claims.describe(other[0], self.owner), other[0]) from None
            objection_id = int(cursor.lastrowid or 0)
            self._event(db, objection_id, "status", Status.IN_PROGRESS.value, None, now)
        return self.get(objection_id), None

    def live_claim(self, service: str, account_email: str) -> Objection | None:
        """The open claim of another live run for this account and service, if any.
        A claim whose owner is gone is taken over now, truthfully (see `_take_over`)."""
        with self._transaction() as db:
            return self._settle_claim(db, service, account_email.casefold(), utc_now())

    def describe_claim(self, objection: Objection) -> str:
        return claims.describe(objection, self.owner)

    def release(self, objection_id: int) -> Objection:
        """End this run's claim, if it still holds it, the way a crash would be read:
        before Send "nothing sent", after it "Meta may have it"."""
        with self._transaction() as db:
            current = self._row(db, objection_id)
            if current.status in CLAIM_STATES and current.claim_token == self.owner.token:
                self._take_over(db, current, None, utc_now())
        return self.get(objection_id)

    def renew_leases(self, expires: int) -> int:
        """Extend the lease of every claim this owner holds; returns how many."""
        with self._transaction() as db:
            cursor = db.execute(
                "UPDATE objections SET claim_expires = ? "
                "WHERE claim_token = ? AND status IN (?, ?)",
                (expires, self.owner.token, *sorted(s.value for s in CLAIM_STATES)),
            )
        return int(cursor.rowcount)

    def set_status(
        self,
        objection_id: int,
        status: Status,
        detail: str | None = None,
        *,
        final_url: str | None = None,
        expected: Status | None = None,
    ) -> Objection:
        """Move an objection to `status`, from `expected` (if given) or from what it is now.

        Only a change that widerspruch.states.TRANSITIONS allows, and out of a claim
        state only by the run that holds the claim (a claim whose owner is gone is taken
        over first). Anything else raises TransitionRefused, is logged, and changes nothing.
        """
        now = utc_now()
        with self._transaction() as db:
            current = self._row(db, objection_id)
            if expected is not None and current.status is not expected:
                self._refuse(current, status, f"it is {current.status.value}, not {expected}")
            if current.status in CLAIM_STATES and current.claim_token != self.owner.token:
                why = claims.gone(claims.Claim.of(current), self.owner, claims.now_epoch())
                if why is None:
                    self._refuse(current, status, claims.describe(current, self.owner))
                current = self._take_over(db, current, why, now)
            if not may_follow(current.status, status):
                self._refuse(current, status, "the state machine does not allow it")
            self._set_status(db, current, status, detail, now, final_url=final_url)
        return self.get(objection_id)

    def _refuse(self, current: Objection, status: Status, why: str) -> None:
        from widerspruch.logs import get_logger

        message = (
            f"objection #{current.id}: {current.status.value} -> {status.value} refused ({why})"
        )
        get_logger("widerspruch.ledger").warning(
            "transition_refused",
            objection=current.id,
            current=current.status.value,
            wanted=status.value,
            why=why,
        )
        raise TransitionRefused(message)

    def _row(self, db: sqlite3.Connection, objection_id: int) -> Objection:
        row = db.execute("SELECT * FROM objections WHERE id = ?", (objection_id,)).fetchone()
        if row is None:
            raise LedgerError(f"no objection with id {objection_id}")
        return Objection.from_row(row)

    def _open_claims(self, db: sqlite3.Connection, service: str, email: str) -> list[Objection]:
        rows = db.execute(
            "SELECT * FROM objections WHERE service = ? AND account_email = ? "
            "AND status IN (?, ?) ORDER BY id",
            (service, email, *sorted(s.value for s in CLAIM_STATES)),
        )
        return [Objection.from_row(row) for row in rows]

    def _settle_claim(
        self, db: sqlite3.Connection, service: str, email: str, now: str
    ) -> Objection | None:
        """The live open claim for this account and service; gone owners' are taken over."""
        for open_claim in self._open_claims(db, service, email):
            why = claims.gone(claims.Claim.of(open_claim), self.owner, claims.now_epoch())
            if why is None:
                return open_claim
            self._take_over(db, open_claim, why, now)
        return None

    def _take_over(
        self, db: sqlite3.Connection, claimed: Objection, why: str | None, now: str
    ) -> Objection:
        """End a claim whose run is over, truthfully: never reached Send, so "cancelled";
        marked for Send, so it may have reached Meta: "submitted_unconfirmed"."""
        because = f" ({why})" if why else ""
        if claimed.status is Status.SUBMITTING:
            status = Status.SUBMITTED_UNCONFIRMED
            detail = f"the run ended after Send was clicked; Meta may have it{because}"
        else:
            status = Status.CANCELLED
            detail = f"the run ended before sending; nothing sent{because}"
        self._set_status(db, claimed, status, detail, now)
        return self._row(db, claimed.id)

    def _set_status(
        self,
        db: sqlite3.Connection,
        current: Objection,
        status: Status,
        detail: str | None,
        now: str,
        *,
        final_url: str | None = None,
    ) -> None:
        """The compare-and-set: from `current` exactly as read (status, and the claim's
        owner while it holds one), or not at all."""
        finished = status not in (Status.PENDING, *CLAIM_STATES)
        guard, args = "id = ? AND status = ?", [current.id, current.status.value]
        if current.status in CLAIM_STATES:
            if current.claim_token is None:
                guard += " AND claim_token IS NULL"
            else:
                guard, args = guard + " AND claim_token = ?", [*args, current.claim_token]
        cursor = db.execute(
            # Only the fixed guard above is formatted in; every value is bound.
            "UPDATE objections SET status = ?, detail = ?, updated_at = ?, "  # noqa: S608
            "final_url = COALESCE(?, final_url), "
            "submitted_at = CASE WHEN ? THEN COALESCE(submitted_at, ?) ELSE submitted_at END, "
            f"finished_at = CASE WHEN ? THEN ? ELSE finished_at END WHERE {guard}",
            (
                status.value,
                detail,
                now,
                final_url,
                status is Status.SUBMITTING,
                now,
                finished,
                now,
                *args,
            ),
        )
        if cursor.rowcount != 1:
            self._refuse(current, status, "it changed in the meantime")
        self._event(db, current.id, "status", status.value, detail, now)

    def record_submission(self, objection_id: int, submission: dict[str, object]) -> None:
        """Keep the submission request and its answer (no body, no headers: no secrets)."""
        import json

        with self._transaction() as db:
            db.execute(
                "UPDATE objections SET submission = ? WHERE id = ?",
                (json.dumps(submission, sort_keys=True), objection_id),
            )
            self._event(
                db, objection_id, "submission", str(submission.get("phase")), None, utc_now()
            )

    def record_reading(
        self, objection_id: int, *, page_language: str | None, result_text: str | None
    ) -> None:
        """The page's language, and the text after Meta's answer that the outcome rests on."""
        with self._transaction() as db:
            db.execute(
                "UPDATE objections SET page_language = COALESCE(?, page_language), "
                "result_text = COALESCE(?, result_text) WHERE id = ?",
                (page_language, result_text, objection_id),
            )

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
        if not 0 < objection_id <= MAX_ID:  # SQLite could not even look such a number up
            raise LedgerError(f"no objection with id {objection_id}")
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
