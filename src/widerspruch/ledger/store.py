"""The ledger's store: opening and checking it, transactions, waiting (visibly) for
another run's write lock, and the engine's errors told as one LedgerError line.

The store is the SQLite file in the data dir, or (with a URL) a PostgreSQL database
that several desks share (widerspruch.ledger.engine). `Store` is the base of
`widerspruch.ledger.Ledger`; what is stored in it is the business of the modules that
build on it (objections, checks, batches).
"""

from __future__ import annotations

import os
import sqlite3
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from types import TracebackType
from typing import Self

from widerspruch.ledger import claims, engine, migrations, paths
from widerspruch.ledger import faults as ledger_faults
from widerspruch.ledger.errors import (
    LedgerBusy,
    LedgerDamaged,
    LedgerError,
    LedgerFull,
    LedgerUnreachable,
    NoLedger,
    fault,
    not_opened,
)
from widerspruch.ledger.faults import BUSY_ATTEMPT_S, BUSY_WAIT_S, LEDGER_BUSY
from widerspruch.ledger.migrations import SCHEMA_VERSION

LEDGER_FILE = "ledger.sqlite3"


def say_on_stderr(message: str) -> None:
    sys.stderr.write(f"widerspruch: {message}\n")
    sys.stderr.flush()


class Store:
    """One connection to the ledger file; see `open`."""

    def __init__(
        self,
        connection: engine.Db,
        path: Path,
        *,
        url: str | None = None,
        read_only: bool = False,
        busy_wait: float = BUSY_WAIT_S,
        waiting: Callable[[str], None] = say_on_stderr,
    ) -> None:
        self._db = connection
        self.path = path
        # The shared PostgreSQL ledger's URL; None: the SQLite file at `path`.
        self.url = url
        self.engine = engine.POSTGRESQL if url else engine.SQLITE
        # Every path the ledger keeps is relative to this folder (widerspruch.ledger.paths).
        self.data_dir = path.parent
        self.read_only = read_only
        self._busy_wait = busy_wait
        self._waiting = waiting  # tells the person that this run waits for another
        # Who this ledger's claims belong to (this process), and how long a claim lives
        # without renewal (widerspruch.ledger.claims.Renewer renews it).
        self.owner = claims.this_process()
        self.lease = claims.LEASE_S

    @classmethod
    def open(
        cls,
        data_dir: Path,
        *,
        url: str | None = None,
        read_only: bool = False,
        busy_wait: float = BUSY_WAIT_S,
        waiting: Callable[[str], None] = say_on_stderr,
    ) -> Self:
        """Open the ledger in `data_dir`, after a PRAGMA quick_check of the whole file;
        with `url`, the PostgreSQL ledger there instead (see `_open_postgres`).

        A writer creates it (owner-only) if there is none, and migrates it only if its
        schema is behind; it waits, saying so, while another run is writing. With
        `read_only` nothing is created, changed or locked (WAL: a reader never blocks
        a running submit), and NoLedger says there is none yet. Whatever is wrong with
        the file ends in one LedgerError line, and the file is left as it was.
        """
        if url is not None:
            return cls._open_postgres(data_dir, url, read_only=read_only, waiting=waiting)
        path = data_dir / LEDGER_FILE
        if read_only:
            ledger = cls._connect(path, read_only=True, busy_wait=busy_wait, waiting=waiting)
            if not ledger._lacking():
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
    def _open_postgres(
        cls, data_dir: Path, url: str, *, read_only: bool, waiting: Callable[[str], None]
    ) -> Self:
        """The shared ledger at `url`: refused if a newer widerspruch wrote it, brought up
        to date otherwise (one transaction, under a lock that one desk holds at a time).
        Evidence paths stay relative to this desk's `data_dir`."""
        try:
            connection = engine.connect(url)
        except Exception as error:  # noqa: BLE001 - psycopg's, told as one line
            raise cls._unreachable(url, error) from None
        ledger = cls(
            connection, data_dir / LEDGER_FILE, url=url, read_only=read_only, waiting=waiting
        )
        try:
            with ledger._faults():
                ledger._refuse_newer()
                if read_only and ledger._version() == 0:
                    raise NoLedger(
                        f"no ledger yet in {engine.shown(url)}; nothing was created "
                        "(`widerspruch ledger migrate --ledger URL` creates it)"
                    )
                if not read_only:
                    ledger._migrate()
        except BaseException:
            ledger.close()
            raise
        return ledger

    @staticmethod
    def _unreachable(url: str, error: BaseException) -> LedgerError:
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        return LedgerUnreachable(
            f"the ledger database {engine.shown(url)} cannot be reached ({first}); nothing "
            "was recorded. Check the network and the database, then run widerspruch again"
        )

    @property
    def where(self) -> str:
        """The ledger as messages name it: the file, or the database's URL (no secrets)."""
        return engine.shown(self.url) if self.url else str(self.path)

    @classmethod
    def _connect(
        cls, path: Path, *, read_only: bool, busy_wait: float, waiting: Callable[[str], None]
    ) -> Self:
        try:
            connection = sqlite3.connect(
                ledger_faults.uri(path, read_only=read_only),
                uri=True,
                isolation_level=None,
                timeout=BUSY_ATTEMPT_S,
            )
        except sqlite3.Error as error:
            raise not_opened(path, error) from None
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
        return migrations.schema_version(self._db, self.engine)

    def _lacking(self) -> list[tuple[int, str]]:
        """The migrations this ledger still needs (migrations.lacking)."""
        return migrations.lacking(self._db, self.engine)

    def _epoch(self, db: engine.Db | None = None) -> int:
        """Now in epoch seconds, as leases are set and judged: on a shared ledger the
        database's clock (its now()), one clock for every desk however each desk's own is
        set; on the file, this machine's."""
        if self.url is None:
            return claims.now_epoch()
        with self._faults():
            row = (
                (db or self._db)
                .execute("SELECT CAST(floor(EXTRACT(EPOCH FROM now())) AS BIGINT)")
                .fetchone()
            )
        return int(row[0])

    def lease_clock(self) -> int:
        """Now in epoch seconds on the clock leases are judged by (see `_epoch`)."""
        return self._epoch()

    @property
    def schema(self) -> int:
        """The number of the last migration this ledger has had."""
        with self._faults():
            return self._version()

    def _refuse_newer(self) -> None:
        version = self._version()
        if version > SCHEMA_VERSION:
            raise LedgerError(
                f"the ledger {self.where} was written by a newer widerspruch (schema {version}, "
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
        except Exception as error:
            if not self._is_database_error(error):
                raise
            raise self._postgres_fault(error) from None

    def _is_database_error(self, error: BaseException) -> bool:
        if self.url is None:
            return False
        import psycopg

        return isinstance(error, psycopg.Error)

    def _is_conflict(self, error: BaseException) -> bool:
        """A unique index refused a row: another run's came first."""
        if isinstance(error, sqlite3.IntegrityError):
            return True
        if self.url is None:
            return False
        import psycopg

        return isinstance(error, psycopg.errors.UniqueViolation)

    def _postgres_fault(self, error: BaseException) -> LedgerError:
        import psycopg

        if isinstance(error, psycopg.OperationalError):
            return self._unreachable(self.url or "", error)
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        if isinstance(error, psycopg.errors.InsufficientPrivilege):
            # A desk's role (widerspruch.ledger.roles) asked for the coordinator's work.
            return LedgerError(
                f"the ledger database {self.where} does not allow this role to do that "
                f"({first}); it is the coordinator's to do. Nothing was changed"
            )
        return LedgerError(
            f"the ledger database {self.where} refused a statement ({first}); nothing was "
            "changed by it. Ask the database's administrator if this happens again"
        )

    def __enter__(self) -> Self:
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
        if error is not None and self._is_database_error(error):
            raise self._postgres_fault(error) from None

    def close(self) -> None:
        with suppress(Exception):  # a PostgreSQL connection the network took is closed
            self._db.close()

    def is_unreachable(self, error: BaseException) -> bool:
        """`error` says the shared ledger's database cannot be reached (now)."""
        if isinstance(error, LedgerUnreachable):
            return True
        if not self._is_database_error(error):
            return False
        import psycopg

        return isinstance(error, psycopg.OperationalError)

    def reconnect(self) -> None:
        """A new connection to the shared ledger, in place of one the database lost;
        LedgerUnreachable while it still cannot be reached."""
        if self.url is None:
            return
        try:
            fresh = engine.connect(self.url)
        except Exception as error:  # noqa: BLE001 - psycopg's, told as one line
            raise self._unreachable(self.url, error) from None
        self.close()
        self._db = fresh

    def stored_path(self, path: str | Path | None) -> str | None:
        """`path` as the ledger keeps it: relative to the data dir when inside it."""
        return paths.stored(self.data_dir, path)

    def resolved_path(self, value: str | None) -> str | None:
        """A path the ledger keeps, as a path in the data dir it was opened in."""
        return paths.resolved(self.data_dir, value)

    @contextmanager
    def atomic(self) -> Iterator[None]:
        """Several writes as one: all of them are kept, or (on any exception) none."""
        with self._transaction():
            yield

    @contextmanager
    def _transaction(self) -> Iterator[engine.Db]:
        if self._db.in_transaction:
            yield self._db  # part of an enclosing `atomic()`: it commits or rolls back
            return
        if self.url is None:
            # IMMEDIATE takes the write lock at once: two runs cannot both claim an objection.
            self._wait_for_lock(lambda: self._db.execute("BEGIN IMMEDIATE"))
        else:
            # PostgreSQL locks rows, not the database: what must not run twice at once
            # takes its own lock inside (`_lock`, FOR UPDATE, the unique index).
            self._db.execute("BEGIN")
        try:
            yield self._db
        except BaseException:
            self._roll_back()
            raise
        try:
            self._db.execute("COMMIT")
        except Exception:
            self._roll_back()  # a failed COMMIT (a full disk) may leave it open
            raise

    def _roll_back(self) -> None:
        if self._db.in_transaction:  # SQLite may have rolled back by itself already
            with suppress(Exception):
                self._db.execute("ROLLBACK")

    def _lock(self, db: engine.Db, *key: str) -> None:
        """Inside a transaction: one run at a time past this point for `key` (an account
        and service), until the transaction ends. SQLite's write lock already is one."""
        if self.url is not None:
            db.execute("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))", ("\n".join(key),))

    def _for_update(self) -> str:
        """Appended to a SELECT whose rows the transaction changes next: PostgreSQL locks
        them against another desk; SQLite's write lock covers the whole file already."""
        return " FOR UPDATE" if self.url is not None else ""

    def _migrate(self) -> None:
        # A ledger that is up to date is not locked: opening it never waits for a writer.
        if not self._lacking():
            return
        with self._transaction() as db:
            if self.url is not None:
                self._lock(db, "widerspruch migrations")  # one desk migrates, the rest wait
            migrations.run(db, self.data_dir, engine=self.engine)
