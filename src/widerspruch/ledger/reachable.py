"""Waiting for a shared ledger's database that cannot be reached: the desk says so in
one line, tries again every few seconds (saying how long it has waited), reconnects,
and goes on where it was; after the bounded wait it stops with one line.

Only steps that can be run again as they are go through `patiently` (taking the next
member, reading its items, ending its turn): each is one transaction, which the lost
connection rolled back whole, so nothing was half recorded and nothing is sent twice.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from widerspruch.ledger.errors import LedgerUnreachable
from widerspruch.ledger.faults import describe
from widerspruch.ledger.store import Store

T = TypeVar("T")
WAIT_S = 300.0  # how long a desk waits for its database before it stops
RETRY_S = 3.0  # how often it tries again meanwhile


def patiently(
    ledger: Store,
    step: Callable[[], T],
    *,
    say: Callable[[str], None],
    wait_s: float = WAIT_S,
    retry_s: float = RETRY_S,
) -> T:
    """Run `step`; while the database cannot be reached, wait visibly and run it again."""
    started: float | None = None
    while True:
        try:
            result = step()
        except Exception as error:
            if not ledger.is_unreachable(error):
                raise
            now = time.monotonic()
            if started is None:
                started = now
                say(
                    f"the ledger database {ledger.where} cannot be reached; waiting for it "
                    f"(at most {describe(wait_s)}, trying every {describe(retry_s)}); "
                    "the member's record stays as it was"
                )
            elif now - started >= wait_s:
                raise LedgerUnreachable(
                    f"the ledger database {ledger.where} could not be reached for "
                    f"{describe(now - started)}; this desk stopped. The member's record is "
                    "as it was: run the desk again when the database is back"
                ) from None
            else:
                say(f"still waiting for the ledger database ({describe(now - started)} so far)")
            time.sleep(retry_s)
            try:
                ledger.reconnect()
            except LedgerUnreachable:
                continue
            continue
        if started is not None:
            say("the ledger database is reachable again; going on")
        return result
