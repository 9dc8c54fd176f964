"""The two engines the ledger runs on: the SQLite file in the data dir (the default), or
a PostgreSQL database that several desks share (``--ledger postgresql://…``).

The ledger's SQL is written once, in the dialect both understand: ``?`` placeholders,
ISO text times, integers for flags, compare-and-set UPDATEs and a partial unique index.
What differs is small and lives here: `Postgres` wraps a psycopg connection so that it
speaks like ``sqlite3.Connection`` (placeholders, ``lastrowid``, rows by name and
position), and `ddl` turns the migrations' column types into PostgreSQL's. No ORM: the
claim rules are plain SQL whose row counts are checked, and a schema layer would hide
exactly the statements that must be seen to hold on both.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import psycopg

SQLITE, POSTGRESQL = "sqlite", "postgresql"


class Cursor(Protocol):
    """What the ledger reads back from a statement, on either engine."""

    @property
    def rowcount(self) -> int: ...
    @property
    def lastrowid(self) -> int | None: ...
    def fetchone(self) -> Any: ...
    def fetchall(self) -> list[Any]: ...
    def __iter__(self) -> Iterator[Any]: ...


class Db(Protocol):
    """A ledger connection: ``sqlite3.Connection`` itself, or `Postgres`."""

    @property
    def in_transaction(self) -> bool: ...
    def execute(self, sql: str, parameters: Sequence[Any] = ..., /) -> Cursor: ...
    def close(self) -> None: ...


class Row(tuple[Any, ...]):
    """A PostgreSQL row read by position or by column name, and `dict(row)`, like
    ``sqlite3.Row``."""

    _names: tuple[str, ...] = ()

    def keys(self) -> list[str]:
        return list(self._names)

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            return super().__getitem__(self._names.index(key))
        return super().__getitem__(key)


def _row_factory(cursor: psycopg.Cursor[Any]) -> Any:
    names = tuple(column.name for column in cursor.description or ())

    def make(values: Sequence[Any]) -> Row:
        row = Row(values)
        row._names = names
        return row

    return make


# Every table's key is `id`, but for these two.
_KEYS = {"seals": "seq", "schema_migrations": "version"}
_INSERT = re.compile(r"^\s*INSERT\s+INTO\s+(\w+)", re.IGNORECASE)


def placeholders(sql: str) -> str:
    """SQLite's ``?`` as psycopg's ``%s`` (and a literal ``%`` doubled), outside quotes."""
    out, quoted = [], False
    for char in sql:
        if char == "'":
            quoted = not quoted
        if not quoted and char == "?":
            out.append("%s")
        elif char == "%":
            out.append("%%")
        else:
            out.append(char)
    return "".join(out)


class _PgCursor:
    def __init__(self, cursor: psycopg.Cursor[Any], lastrowid: int | None) -> None:
        self._cursor = cursor
        self.lastrowid = lastrowid
        self.rowcount = cursor.rowcount

    def fetchone(self) -> Any:
        return self._cursor.fetchone()

    def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    def __iter__(self) -> Iterator[Any]:
        return iter(self._cursor.fetchall() if self._cursor.description else [])


class Postgres:
    """A psycopg connection in autocommit, so that BEGIN and COMMIT are the ledger's own
    (as with SQLite), speaking the ledger's SQL."""

    def __init__(self, connection: psycopg.Connection[Any]) -> None:
        self._connection = connection

    @property
    def in_transaction(self) -> bool:
        from psycopg.pq import TransactionStatus

        return self._connection.info.transaction_status != TransactionStatus.IDLE

    def execute(self, sql: str, parameters: Sequence[Any] = (), /) -> _PgCursor:
        # Flags are integers in the schema: a Python bool is bound as one.
        values = [int(v) if isinstance(v, bool) else v for v in parameters]
        insert = _INSERT.match(sql)
        returning = insert is not None and "RETURNING" not in sql.upper()
        if insert is not None and returning:
            sql = f"{sql} RETURNING {_KEYS.get(insert.group(1), 'id')}"
        cursor = self._connection.cursor(row_factory=_row_factory)
        cursor.execute(placeholders(sql), values)
        lastrowid = None
        if returning and cursor.description:
            rows = cursor.fetchall()
            lastrowid = int(rows[-1][0]) if rows else None
        return _PgCursor(cursor, lastrowid)

    def close(self) -> None:
        self._connection.close()


# SQLite's integers are 64-bit and its INTEGER PRIMARY KEY counts up by itself.
_PRIMARY = re.compile(r"\bINTEGER PRIMARY KEY\b")
_INTEGER = re.compile(r"\bINTEGER\b")
_BLOB = re.compile(r"\bBLOB\b")


def ddl(statement: str) -> str:
    """A migration's statement as PostgreSQL's: 64-bit integers, identity keys, bytes."""
    statement = _PRIMARY.sub("BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY", statement)
    return _BLOB.sub("BYTEA", _INTEGER.sub("BIGINT", statement))


def connect(url: str) -> Postgres:
    """Connect to the PostgreSQL ledger at `url` (checked by widerspruch.settings: no
    password in it). The password comes from the keyring, if one is kept there for this
    user and host, else from libpq's own PGPASSWORD or PGPASSFILE."""
    import psycopg
    from psycopg.conninfo import conninfo_to_dict

    from widerspruch.accounts import ledger_password

    given = conninfo_to_dict(url)
    password = ledger_password(f"{given.get('user', '')}@{given.get('host', '')}")
    extra: dict[str, Any] = {"password": password.reveal()} if password is not None else {}
    # connect_timeout: a desk whose network is gone says so within seconds.
    connection = psycopg.connect(url, autocommit=True, connect_timeout=10, **extra)
    return Postgres(connection)


def shown(url: str) -> str:
    """The ledger's URL as it may be shown: without password, query or socket path."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    host = parts.hostname or "localhost"
    user = f"{parts.username}@" if parts.username else ""
    return f"postgresql://{user}{host}{f':{parts.port}' if parts.port else ''}{parts.path}"
