"""Batches for NGOs: many members in a row, a fresh browser context for each, a queue in
the ledger that survives crashes, and never the same objection twice.

The queue
    A batch is one members file (widerspruch.batch.members). Each member x service is an item,
    stored in the ledger before anything else happens. An item moves through
    ``pending -> in_progress -> awaiting_person -> submitted -> confirmed | failed |
    skipped`` (and ``confirmed_by_person``, ``member_says_sent``, below); rows that
    failed the checks are ``invalid`` (with ``--skip-invalid``).
    An item is claimed (``Ledger.claim``, one transaction) and linked to its objection
    before its browser opens. ``submitted`` is set right after the engine has committed
    the objection as "submitting", just before it clicks Send. The objection's own
    status is the authority: an item's state only says where the batch got to.
    ``confirmed_by_person`` is an item whose member judged Meta's unclear answer as
    accepted; ``member_says_sent`` one whose member says Meta has it (not confirmed).

Nothing twice
    Every item's objection is a claim in the ledger (``Ledger.claim``): another process
    objecting for the same account and service at the same time (a `submit`, another
    batch) keeps the item ``pending`` with one line saying so, and nothing is sent. An
    account and service already confirmed, in this batch or any earlier run, is
    ``skipped`` with the reason. An objection that may have reached Meta (a kill or a
    crash after Send, a lost answer, a failure after Meta answered the submission) is
    never sent again automatically, not even by ``--resume``: its item stays
    ``submitted`` and goes to the review list at the end of the run, where the operator
    sees what is known (the submission request, the detail, the screenshot) and decides
    for each: send it again, leave it, or record what the member says. What a member
    says ("I objected before") is their statement (``member_says_sent``, and an event on
    the objection), never Meta's confirmation. With ``--yes`` the list is shown and
    nothing is sent again.

Isolation
    One browser for the whole batch; every member x service gets a new browser context
    (no cookies, storage or cache from anyone before), closed when the item is done.
    Saved logins are never used in a batch.

The person
    Before each member, the operator sees who is next and hands over the keyboard. The
    member logs in with the usual visible wait. Ctrl-C during a member asks: skip this
    member, retry, or stop the batch; the item is recorded as what happened. With
    ``--yes`` nothing is asked, and Ctrl-C (or SIGTERM) stops the batch.

Where it is
    ``batch.items``       the items and their states, BatchSettings, the operator's
                          choices (Choice, Review), Progress, BatchOutcome
    ``batch.members``     reading and checking the members file
    ``batch.queue``       starting or resuming a batch, its queue in the ledger, the lock
                          that keeps it to one process, the outcome read back
    ``batch.runner``      ``run_batch``: member by member, Ctrl-C, the review list
    ``batch.tracking``    each item's state kept true to its objection (the attempt's
                          hooks, ``widerspruch.submit.attempt``)
    ``batch.operators``   the operator: Operator, ConsoleOperator (the scripted one of
                          tests is ``widerspruch.testing.operator``)
    ``batch.report``      `widerspruch report`
    Printing the outcome is the command line's: ``widerspruch.cli.render_batch``.
"""

from __future__ import annotations

from widerspruch.batch.items import (
    BatchOutcome,
    BatchSettings,
    Choice,
    Item,
    ItemState,
    Progress,
    Review,
)
from widerspruch.batch.operators import ConsoleOperator, Operator
from widerspruch.batch.queue import batch_outcome
from widerspruch.batch.runner import run_batch

__all__ = [
    "BatchOutcome",
    "BatchSettings",
    "Choice",
    "ConsoleOperator",
    "Item",
    "ItemState",
    "Operator",
    "Progress",
    "Review",
    "batch_outcome",
    "run_batch",
]
