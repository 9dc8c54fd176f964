"""Runs the real `widerspruch batch` on the replay, and kills itself at one queue state.

    python killed_batch.py DATA_DIR MEMBERS JOURNAL KILL_AT SIGNAL [--resume]

KILL_AT is ``never``, ``pending`` (right after the batch was stored), or
``<point>:<n>``:

- ``in_progress``, ``awaiting_person``, ``submitted``: item n first reached that state
  (``submitted``: committed, Send not clicked yet);
- ``post_received``: the replay received its n-th objection, and the browser never hears
  back;
- ``objection_confirmed``: an objection was recorded confirmed, and its item not yet.

SIGNAL is SIGKILL (a crash: nothing runs after it), SIGINT or SIGTERM. The replay
appends every objection it receives to JOURNAL, which survives the kill.
"""

from __future__ import annotations

import os
import signal
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from widerspruch import browser, cli, person
from widerspruch.ledger import Ledger
from widerspruch.replay import ReplayServer, Scenario, StandInPerson
from widerspruch.states import Status

data_dir, members, journal, kill_at, signal_name, *more = sys.argv[1:]
point, _, nth = kill_at.partition(":")
signum = getattr(signal, signal_name)
# Ctrl-C as a terminal delivers it, even if this test runs as a background job.
signal.signal(signal.SIGINT, signal.default_int_handler)
server = ReplayServer(Scenario(already_objected_notice=True), journal=Path(journal))
reached: Counter[tuple[str, int | None]] = Counter()


def maybe_kill(at: str, item: int | None = None) -> None:
    """Item n's first arrival in a state, or the n-th time of any other point: kill."""
    reached[at, item] += 1
    if at != point:
        return
    if item is None:
        hit = not nth or reached[at, None] == int(nth)
    else:
        hit = item == int(nth) and reached[at, item] == 1
    if hit:
        os.kill(os.getpid(), signum)


original_create = Ledger.create_batch
original_set_item = Ledger.set_batch_item
original_set_status = Ledger.set_status
original_journal = ReplayServer._journal


def create_batch(self: Ledger, **options: Any) -> int:
    batch_id = original_create(self, **options)
    maybe_kill("pending")
    return batch_id


def set_batch_item(self: Ledger, item_id: int, state: str, **options: Any) -> bool:
    changed = original_set_item(self, item_id, state, **options)
    if changed:
        maybe_kill(state, item_id)
    return changed


def set_status(self: Ledger, objection_id: int, status: Status, *args: Any, **kw: Any) -> Any:
    objection = original_set_status(self, objection_id, status, *args, **kw)
    if status is Status.CONFIRMED:
        maybe_kill("objection_confirmed")
    return objection


def journal_entry(self: ReplayServer, kind: str, service: str, email: str, **kw: Any) -> None:
    original_journal(self, kind, service, email, **kw)
    if kind == "submitted":
        maybe_kill("post_received")


Ledger.create_batch = create_batch  # type: ignore[method-assign]
Ledger.set_batch_item = set_batch_item  # type: ignore[method-assign]
Ledger.set_status = set_status  # type: ignore[method-assign]
ReplayServer._journal = journal_entry  # type: ignore[method-assign]
launch = browser.open_browser
browser.open_browser = lambda **options: launch(  # type: ignore[assignment]
    **{**options, "prepare_context": lambda context, flow: server.attach(context)}
)
person.ConsolePerson = lambda **options: StandInPerson()  # type: ignore[assignment,misc]
sys.argv = [
    "widerspruch",
    "batch",
    members,
    "--services",
    "facebook",
    "--headless",
    "--yes",
    "--json",
    "--timeout",
    "30",
    "--data-dir",
    data_dir,
    *more,
]
cli.main()
