"""Steps of an objection at which a child process (tests/faults/killed_*.py) kills itself
with a real signal, installed by patching the running program from outside.

    install("sent", 2, signal.SIGKILL)  # the replay received the 2nd objection: die

- ``before_claim``: the n-th claim is about to be made (nothing in the ledger yet);
- ``after_claim``: the n-th claim was committed (``in_progress``, no browser page yet);
- ``login``: the person is about to log in for the n-th time (the login wall is shown);
- ``filled``: the n-th form was filled in, not yet marked for Send;
- ``sent``: the replay received the n-th objection; the browser never hears back;
- ``answered``: Meta's answer was in, and the n-th "confirmed" about to be written;
- ``evidence``: half of the n-th objection.json of an evidence bundle was written;
- ``receipt``: half of the n-th PDF receipt was written.
"""

from __future__ import annotations

import os
import signal
from collections import Counter
from pathlib import Path
from typing import Any

from widerspruch.ledger import Ledger
from widerspruch.page.flow import Flow
from widerspruch.proof import receipt
from widerspruch.proof.evidence import OBJECTION, Evidence
from widerspruch.states import PageState, Status
from widerspruch.testing.person import StandInPerson
from widerspruch.testing.replay import ReplayServer

POINTS = (
    "before_claim",
    "after_claim",
    "login",
    "filled",
    "sent",
    "answered",
    "evidence",
    "receipt",
)
reached: Counter[str] = Counter()


def install(point: str, nth: int, signum: int = signal.SIGKILL) -> None:
    """Kill this process with `signum` the n-th time `point` is reached."""
    assert point in POINTS, point

    def at(step: str) -> None:
        reached[step] += 1
        if step == point and reached[step] == nth:
            os.kill(os.getpid(), signum)

    original_claim = Ledger.claim
    original_set_status = Ledger.set_status
    original_act = StandInPerson.act
    original_fill = Flow.fill
    original_journal = ReplayServer._journal
    original_write_json = Evidence.write_json
    original_write_private = receipt.write_private  # type: ignore[attr-defined]

    def claim(self: Ledger, **options: Any) -> Any:
        at("before_claim")
        claimed = original_claim(self, **options)
        if claimed[1] is None:
            at("after_claim")
        return claimed

    def set_status(self: Ledger, objection_id: int, status: Status, *args: Any, **kw: Any) -> Any:
        if status is Status.CONFIRMED:
            at("answered")
        return original_set_status(self, objection_id, status, *args, **kw)

    def act(self: StandInPerson, need: PageState, *args: Any) -> None:
        if need is PageState.LOGIN_WALL:
            at("login")
        original_act(self, need, *args)

    def fill(self: Flow, *args: Any, **kw: Any) -> Any:
        filled = original_fill(self, *args, **kw)
        at("filled")
        return filled

    def journal(self: ReplayServer, kind: str, service: str, email: str, **kw: Any) -> None:
        original_journal(self, kind, service, email, **kw)
        if kind == "submitted":
            at("sent")

    def write_json(self: Evidence, name: str, data: Any) -> Path:
        if name == OBJECTION:
            if point == "evidence" and reached["evidence"] + 1 == nth:
                path = original_write_json(self, name, data)
                path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
            at("evidence")
        return original_write_json(self, name, data)

    def write_private(path: Path, data: bytes) -> None:
        if point == "receipt" and reached["receipt"] + 1 == nth:
            original_write_private(path, data[: len(data) // 2])
        at("receipt")
        original_write_private(path, data)

    Ledger.claim = claim  # type: ignore[method-assign]
    Ledger.set_status = set_status  # type: ignore[method-assign]
    StandInPerson.act = act  # type: ignore[method-assign,assignment]
    Flow.fill = fill  # type: ignore[method-assign,assignment]
    ReplayServer._journal = journal  # type: ignore[method-assign]
    Evidence.write_json = write_json  # type: ignore[method-assign]
    receipt.write_private = write_private  # type: ignore[attr-defined,assignment]
