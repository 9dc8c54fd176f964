"""How `widerspruch batch` prints its outcome: a table of the items (or their JSON), the
counts, and what is left to review or to resume. The batch library returns the outcome;
the command line renders it."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

from widerspruch.batch.items import BatchOutcome, ItemState
from widerspruch.logs import mask_email


def print_outcome(outcome: BatchOutcome, *, json_output: bool) -> None:
    from widerspruch.cli.render import print_json, print_table

    if json_output:
        print_json(outcome.to_json())
        return
    print_table(
        f"Batch #{outcome.batch_id}: {Path(outcome.file).name}",
        ("member", "service", "state", "objection", "detail"),
        [
            (
                item.member_id,
                item.service,
                _styled(item.state),
                f"#{item.objection_id}" if item.objection_id else "",
                mask_email(item.reason or ""),
            )
            for item in outcome.items
        ],
    )
    counts = Counter(item.state.value for item in outcome.items)
    summary = ", ".join(f"{n} {state}" for state, n in sorted(counts.items()))
    sys.stderr.write(f"batch #{outcome.batch_id}: {summary}\n")
    review = [item for item in outcome.items if item.state is ItemState.SUBMITTED]
    if review:
        sys.stderr.write(
            f"{len(review)} to review: an objection that may have reached Meta is never sent "
            "again without a decision; decide with --resume at a terminal\n"
        )
    if outcome.stopped:
        # One line, however it stopped: "stopped with Ctrl-C", "the network is down", ...
        why = (
            outcome.stopped
            if outcome.stopped.startswith("stopped")
            else (f"stopped: {outcome.stopped}")
        )
        sys.stderr.write(f"{why[0].upper()}{why[1:]}; continue with --resume\n")


STATE_STYLE = {
    ItemState.CONFIRMED: "green",
    ItemState.CONFIRMED_BY_PERSON: "green",
    ItemState.SKIPPED: "green",
    ItemState.MEMBER_SAYS_SENT: "yellow",
    ItemState.SUBMITTED: "yellow",
    ItemState.PENDING: "yellow",
    ItemState.FAILED: "red",
    ItemState.INVALID: "red",
}


def _styled(state: ItemState) -> str:
    style = STATE_STYLE.get(state)
    return f"[{style}]{state.value}[/{style}]" if style else state.value
