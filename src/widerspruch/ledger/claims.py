"""Claims: which run is objecting for an account and service right now, and whether it
still lives.

A claim is the objection's ledger row while it is ``in_progress`` or ``submitting``
(``widerspruch.states.CLAIM_STATES``); a partial unique index allows one such row per
account and service. The row names its owner: process id, host, the process's start
time, a token that tells two owners in one process apart, and a lease (an expiry time
in epoch seconds: on a shared ledger by the database's clock, so that a desk whose own
clock is off neither loses its lease early nor keeps one too long). The owner renews
the lease while it runs (``Renewer``, a thread with a connection of its own). Another
run meets the claim and stops, unless the owner is gone: the lease has expired, or the
owner ran on this host and its process has ended (or the process id now belongs to a
process started at another time).

The rules are plain values and comparisons, decided here in Python and written with
plain compare-and-set SQL by the ledger, so that they hold on any SQL database.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from widerspruch.logs import get_logger, mask_email

if TYPE_CHECKING:
    from widerspruch.ledger.objections import Ledger
    from widerspruch.ledger.rows import Objection

log = get_logger("widerspruch.ledger.claims")

LEASE_S = 60  # how long a claim stays live without a renewal
RENEW_EVERY_S = 15.0


def now_epoch() -> int:
    return int(time.time())


def process_start(pid: int) -> str | None:
    """When process `pid` started, as a stable text; None if unknown (or no such process).

    On Linux: this boot's id plus the start in clock ticks since boot, so the same
    process always gives the same text and a reused process id another one. Not the
    boot time of /proc/stat: the kernel derives it from the wall clock, and it moves by
    a second when the clock is adjusted, which would make a live run look ended.
    """
    try:
        stat = Path(f"/proc/{pid}/stat").read_text("ascii", errors="replace")
        boot = Path("/proc/sys/kernel/random/boot_id").read_text("ascii").strip()
    except OSError:
        return None
    # The command name (field 2) is in parentheses and may hold spaces: split after it.
    fields = stat.rpartition(")")[2].split()
    return f"{boot}+{fields[19]}" if len(fields) > 19 else None


def _process_state(pid: int) -> str | None:
    """The process's state letter on Linux (R, S, Z for a zombie, ...), else None."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text("ascii", errors="replace")
    except OSError:
        return None
    fields = stat.rpartition(")")[2].split()
    return fields[0] if fields else None


def process_alive(pid: int, started: str | None) -> bool:
    """Is process `pid` running, and (when known) the one that started at `started`?"""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # it exists, under another user
    except OSError:
        return False
    if _process_state(pid) in ("Z", "X"):
        return False  # killed, not yet reaped by its parent: it runs nothing any more
    if started is not None:
        now = process_start(pid)
        if now is not None and now != started:
            return False  # the id was given to a new process
    return True


@dataclass(frozen=True)
class Owner:
    """Who holds a claim."""

    pid: int
    host: str
    started: str | None
    token: str

    @classmethod
    def of_this_process(cls) -> Owner:
        pid = os.getpid()
        return cls(pid, socket.gethostname(), process_start(pid), uuid.uuid4().hex)


_THIS_PROCESS: Owner | None = None


def this_process() -> Owner:
    """The owner for claims made by this process (one token per process)."""
    global _THIS_PROCESS  # one identity per process, made on first use
    if _THIS_PROCESS is None or _THIS_PROCESS.pid != os.getpid():  # a fork is another owner
        _THIS_PROCESS = Owner.of_this_process()
    return _THIS_PROCESS


@dataclass(frozen=True)
class Claim:
    """The owner columns of a claimed objection row."""

    pid: int | None
    host: str | None
    started: str | None
    token: str | None
    since: str | None  # ISO time of the claim
    expires: int | None  # epoch seconds

    @classmethod
    def of(cls, objection: Objection) -> Claim:
        return cls(
            objection.claim_pid,
            objection.claim_host,
            objection.claim_started,
            objection.claim_token,
            objection.claimed_at,
            objection.claim_expires,
        )


def gone(claim: Claim, me: Owner, now: int) -> str | None:
    """Why the claim's owner is gone, or None while it may still be running."""
    if claim.token is None or claim.pid is None:
        return "it names no owner (a run of an older widerspruch)"
    if claim.token == me.token:
        return None  # this very run: alive as long as it asks
    if claim.expires is None or claim.expires < now:
        return "its lease expired without renewal"
    if claim.host == me.host and not process_alive(claim.pid, claim.started):
        return f"process {claim.pid} on this machine has ended"
    return None


def describe(objection: Objection, me: Owner) -> str:
    """The line shown to a run that meets a live claim."""
    claim = Claim.of(objection)
    since = "?"
    if claim.since:
        since = f"{datetime.fromisoformat(claim.since).astimezone():%H:%M}"
    where = "on this machine" if claim.host == me.host else f"on {claim.host}"
    return (
        f"another widerspruch run is objecting for {mask_email(objection.account_email)} "
        f"on {objection.service} since {since} (pid {claim.pid} {where})"
    )


class Renewer:
    """Renews this owner's leases every `every` seconds, in a thread with its own ledger
    connection (to the file in `data_dir`, or the database at `url`), for as long as the
    ``with`` block runs."""

    def __init__(
        self,
        data_dir: Path,
        owner: Owner | None = None,
        *,
        url: str | None = None,
        lease: int = LEASE_S,
        every: float = RENEW_EVERY_S,
    ) -> None:
        self.data_dir = data_dir
        self.url = url
        self.owner = owner or this_process()
        self.lease = lease
        self.every = every
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.renewals = 0

    def __enter__(self) -> Renewer:
        self._thread = threading.Thread(target=self._run, name="widerspruch-lease", daemon=True)
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)

    def _run(self) -> None:
        from widerspruch.ledger.objections import Ledger

        ledger: Ledger | None = None
        try:
            while not self._stop.wait(self.every):
                try:
                    if ledger is None:
                        ledger = Ledger.open(self.data_dir, url=self.url)
                        ledger.owner = self.owner
                    ledger.renew_leases(ledger.lease_clock() + self.lease)
                    self.renewals += 1
                except Exception as error:  # noqa: BLE001 - try again at the next tick
                    log.warning("lease_not_renewed", error=str(error).splitlines()[0])
                    if ledger is not None and ledger.url is not None:
                        ledger.close()  # the network may have taken it: connect anew
                        ledger = None
        finally:
            if ledger is not None:
                ledger.close()
