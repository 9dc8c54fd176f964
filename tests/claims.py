"""Owners of claims for tests: a run in a process that has ended, one that still lives,
one on another machine, each with a ledger connection of its own."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from widerspruch.claims import Owner, this_process
from widerspruch.ledger import Ledger


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
    """The same ledger file, opened by a run that `owner` names."""
    other = Ledger.open(ledger.path.parent)
    other.owner = owner
    if lease is not None:
        other.lease = lease
    try:
        yield other
    finally:
        other.close()
