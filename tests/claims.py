"""Owners of claims for tests: a run in a process that has ended, one that still lives,
one on another machine, each with a ledger connection of its own."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypedDict

from widerspruch.ledger import Ledger, engine
from widerspruch.ledger.claims import Owner, this_process


class ClaimArgs(TypedDict):
    """The keyword arguments of `Ledger.claim` that name the objection (all but `force`
    and `allow_resend_of`), so that tests can keep one set and pass it as `**CLAIM`."""

    service: str
    account_email: str
    country: str
    language: str
    template: str
    template_version: str
    justification: str
    form_url: str


# One account's objection, as the tests claim it (the address as a person may type it).
CLAIM: ClaimArgs = {
    "service": "facebook",
    "account_email": "Jana@Example.org",
    "country": "DE",
    "language": "de",
    "template": "standard",
    "template_version": "1",
    "justification": "text",
    "form_url": "https://www.facebook.com/help/contact/712876720715583",
}


def ended_process() -> Owner:
    """A run on this machine whose process has ended (and was reaped)."""
    pid = int(
        subprocess.run(
            [sys.executable, "-c", "import os; print(os.getpid())"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )
    return Owner(pid, this_process().host, None, uuid.uuid4().hex)


def live_process() -> Owner:
    """Another run that is alive: this very process, under another token."""
    me = this_process()
    return Owner(os.getpid(), me.host, me.started, uuid.uuid4().hex)


def on_another_machine(pid: int = 4711) -> Owner:
    return Owner(pid, "desk-2.example.org", "1+1", uuid.uuid4().hex)


@contextmanager
def other_owner(ledger: Ledger, owner: Owner, *, lease: int | None = None) -> Iterator[Ledger]:
    """The same ledger (file or database), opened by a run that `owner` names."""
    other = Ledger.open(ledger.data_dir, url=ledger.url)
    other.owner = owner
    if lease is not None:
        other.lease = lease
    try:
        yield other
    finally:
        other.close()


def run_sql(ledger: Ledger, statement: str, params: Sequence[Any] = ()) -> list[Any]:
    """One statement on a connection of its own (not the ledger's), committed: a change
    made behind the ledger's back, on whichever engine it is."""
    if ledger.url is None:
        db = sqlite3.connect(ledger.path)
        try:
            rows = db.execute(statement, params).fetchall()
            db.commit()
        finally:
            db.close()
        return rows
    pg = engine.connect(ledger.url)
    try:
        return list(pg.execute(statement, params))
    finally:
        pg.close()


def refused_row(ledger: Ledger) -> type[Exception]:
    """What the engine raises when a unique index refuses a row."""
    if ledger.url is None:
        return sqlite3.IntegrityError
    import psycopg

    return psycopg.errors.UniqueViolation
