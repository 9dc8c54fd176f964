"""Runs the real `widerspruch batch` on the replay, and kills itself at one queue state.

    python killed_batch.py DATA_DIR MEMBERS JOURNAL KILL_AT SIGNAL [--resume]

KILL_AT is ``never``, ``pending`` (right after the batch was stored), or
``<point>:<n>``:

- ``in_progress``, ``awaiting_person``, ``submitted``: item n first reached that state
  (``submitted``: committed, Send not clicked yet);
- ``post_received``: the replay received its n-th objection, and the browser never hears
  back;
- ``objection_confirmed``: an objection was recorded confirmed, and its item not yet;
- any step of tests/faults/kill_points.py (``before_claim``, ``login``, ``evidence``, ...)
  the n-th time it is reached (``receipt`` writes receipts, with ``--receipts``).

SIGNAL is SIGKILL (a crash: nothing runs after it), SIGINT or SIGTERM. The replay
appends every objection it receives to JOURNAL, which survives the kill.

With LOGIN_DELAY in the environment, each member takes that many seconds to log in.
With REVIEWS in the environment (e.g. ``leave,again``), an operator at a terminal
answers the review list in turn (``widerspruch.batch.Review`` values); otherwise the
batch runs with ``--yes``, and nobody decides.
"""

from __future__ import annotations

import io
import os
import signal
import sys
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from widerspruch import batch, browser, cli
from widerspruch.ledger import Ledger
from widerspruch.states import Status
from widerspruch.submit import person
from widerspruch.testing.operator import ScriptedOperator
from widerspruch.testing.person import StandInPerson
from widerspruch.testing.replay import ReplayServer, Scenario

if TYPE_CHECKING:  # mypy knows the module by its package; the script runs beside it
    from tests.faults import kill_points
else:
    import kill_points  # beside this script (tests/faults/), which Python puts on sys.path

data_dir, members, journal, kill_at, signal_name, *more = sys.argv[1:]
point, _, nth = kill_at.partition(":")
signum = getattr(signal, signal_name)
# Ctrl-C as a terminal delivers it, even if this test runs as a background job.
signal.signal(signal.SIGINT, signal.default_int_handler)
server = ReplayServer(Scenario(), journal=Path(journal))
if point in kill_points.POINTS:
    kill_points.install(point, int(nth), signum)
    point = "(installed)"
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


Ledger.create_batch = create_batch  # type: ignore[method-assign,assignment]
Ledger.set_batch_item = set_batch_item  # type: ignore[method-assign,assignment]
Ledger.set_status = set_status  # type: ignore[method-assign]
ReplayServer._journal = journal_entry  # type: ignore[method-assign]
launch = browser.open_browser
browser.open_browser = lambda **options: launch(
    **{**options, "prepare_context": lambda context, flow: server.attach(context)}
)
delay = float(os.environ.get("LOGIN_DELAY") or 0)  # the person's seconds before logging in
person.ConsolePerson = lambda **options: StandInPerson(login_delay=delay)  # type: ignore[assignment,misc]
reviews = [batch.Review(answer) for answer in os.environ.get("REVIEWS", "").split(",") if answer]
if reviews:

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    sys.stdin = Terminal()
    operator = ScriptedOperator(reviews=reviews)
    batch.ConsoleOperator = lambda **options: operator  # type: ignore[assignment,misc]
sys.argv = [
    "widerspruch",
    "batch",
    members,
    "--services",
    "facebook",
    "--headless",
    *([] if reviews else ["--yes"]),
    "--json",
    "--timeout",
    "30",
    "--data-dir",
    data_dir,
    *(["--receipts"] if kill_at.startswith("receipt") else []),
    *more,
]
cli.main()
