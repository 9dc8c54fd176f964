"""Campaigns: one members list, several desks, one shared ledger (see
``widerspruch.ledger.desks`` for the queue, the leases and the review list).

The coordinator creates the campaign (`create`); each desk runs `run_desk`, which takes
the next member from the shared queue, works through that member's services exactly as
a batch does (widerspruch.batch.runner), and ends the member's turn: ``done``, or
``review`` when something may have reached the service unconfirmed (the coordinator
decides), or ``queued`` again when another run held the member's claim. `status` counts
members per state and per desk.
"""

from __future__ import annotations

from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from widerspruch.batch.items import OPEN_STATES, BatchOutcome, BatchSettings, Item, ItemState
from widerspruch.batch.members import load_members
from widerspruch.batch.queue import batch_outcome, queue_rows
from widerspruch.batch.runner import _Runner, _StopBatch
from widerspruch.errors import UsageError
from widerspruch.ledger import Ledger, say_on_stderr
from widerspruch.ledger.claims import Renewer
from widerspruch.ledger.desks import DONE, MEMBER_STATES, QUEUED, REVIEW, AtDesk, Campaign
from widerspruch.ledger.reachable import patiently
from widerspruch.logs import get_logger
from widerspruch.stoppable import Terminated, sigterm_as

if TYPE_CHECKING:
    from collections.abc import Callable

    from playwright.sync_api import BrowserContext

    from widerspruch.batch.operators import Operator
    from widerspruch.browser import BrowserSession
    from widerspruch.page.flow import Flow
    from widerspruch.submit.person import Person

log = get_logger("widerspruch.batch")
T = TypeVar("T")


def create(
    data_dir: Path,
    url: str | None,
    name: str,
    *,
    members_file: Path,
    services: tuple[str, ...],
    template: str,
) -> tuple[Campaign, int]:
    """The campaign `name` of the members file, all checked first (a bad row refuses
    the whole file); returns it and how many members it queued."""
    members = load_members(members_file, services=services, template=template, data_dir=data_dir)
    members.refuse_bad_rows()
    with Ledger.open(data_dir, url=url) as ledger:
        campaign = ledger.create_campaign(
            name,
            file=members_file.name,
            file_sha256=members.sha256,
            services=",".join(services),
            template=template,
            items=queue_rows(members),
        )
    log.info("campaign_created", campaign=name, members=len(members.members))
    return campaign, len(members.members)


def find(ledger: Ledger, name: str) -> Campaign:
    found = ledger.campaign(name)
    if found is None:
        known = ", ".join(c.name for c in ledger.campaigns()) or "none yet"
        raise UsageError(f"no campaign {name!r} in the ledger {ledger.where} (campaigns: {known})")
    return found


def run_desk(
    settings: BatchSettings,
    *,
    campaign: str,
    desk: str,
    person: Person,
    operator: Operator,
    prepare_context: Callable[[BrowserContext, Flow], None] | None = None,
    session: BrowserSession | None = None,
) -> BatchOutcome:
    """Take members from the campaign's queue until it is empty (or the desk stops);
    the outcome holds the members this desk had."""
    with Ledger.open(settings.data_dir, url=settings.ledger) as ledger:
        found = find(ledger, campaign)
        runner = _Runner(settings, ledger, found.batch_id, person, operator)
        with (
            sigterm_as(Terminated),
            Renewer(settings.data_dir, ledger.owner, url=settings.ledger),
            ExitStack() as stack,
        ):
            runner._stack = stack  # the browser, opened for the first member, closes here
            runner._prepare_context = prepare_context
            runner.session = session
            handled = _work(runner, ledger, found, desk)
        outcome = batch_outcome(ledger, found.batch_id)
        outcome.items = [item for item in outcome.items if item.member_id in handled]
        outcome.stopped = runner.stopped
        outcome.interrupted = runner.interrupted
        return outcome


def _work(runner: _Runner, ledger: Ledger, campaign: Campaign, desk: str) -> set[str]:
    handled: set[str] = set()
    given_back: set[str] = set()
    number = 0

    def wait(step: Callable[[], T]) -> T:
        return patiently(ledger, step, say=say_on_stderr)

    while (taken := wait(lambda: ledger.take_member(campaign, desk))) is not None:
        if taken.member_id in given_back:
            # Only members another run is objecting for are left: not this desk's now.
            ledger.end_member(taken, QUEUED, f"{desk} gave it back: another run holds it")
            runner.stopped = "the members left are held by other runs"
            break
        number += 1
        handled.add(taken.member_id)
        rows = wait(lambda: ledger.batch_items(campaign.batch_id))
        items = [
            Item.from_row(row)
            for row in rows
            if row["member_id"] == taken.member_id and row["state"] in OPEN_STATES
        ]
        try:
            runner._member(items, number)
        except _StopBatch as stop:
            runner.stopped, runner.interrupted = stop.reason, stop.interrupted
        except KeyboardInterrupt:
            runner.stopped, runner.interrupted = "stopped with Ctrl-C", True
        state, reason = wait(lambda: end_of_turn(ledger, campaign, taken))
        wait(lambda: ledger.end_member(taken, state, reason))  # noqa: B023
        if state == QUEUED:
            given_back.add(taken.member_id)
        if runner.stopped is not None:
            break
    return handled


def end_of_turn(ledger: Ledger, campaign: Campaign, taken: AtDesk) -> tuple[str, str | None]:
    """How the member's turn at the desk ends, by what its items say now."""
    states = [
        ItemState(str(row["state"]))
        for row in ledger.batch_items(campaign.batch_id)
        if row["member_id"] == taken.member_id
    ]
    if ItemState.SUBMITTED in states:
        return REVIEW, f"sent at {taken.desk} but not confirmed: the coordinator decides"
    if any(state.is_open for state in states):
        return QUEUED, f"not finished at {taken.desk}; queued again"
    return DONE, None


@dataclass
class CampaignStatus:
    name: str
    members: dict[str, int] = field(default_factory=dict)
    items: dict[str, int] = field(default_factory=dict)
    desks: dict[str, dict[str, int]] = field(default_factory=dict)
    review: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "campaign": self.name,
            "members": self.members,
            "items": self.items,
            "desks": self.desks,
            "review": self.review,
        }


def status(data_dir: Path, url: str | None, name: str) -> CampaignStatus:
    """Members per state and per desk, items per state, and the review list."""
    with Ledger.open(data_dir, url=url, read_only=True) as ledger:
        campaign = find(ledger, name)
        members = ledger.campaign_members(campaign)
        items = ledger.batch_items(campaign.batch_id)
    found = CampaignStatus(name)
    found.members = {state: 0 for state in MEMBER_STATES} | dict(
        Counter(str(m["state"]) for m in members)
    )
    found.items = dict(Counter(str(i["state"]) for i in items))
    for member in members:
        if member["desk"] is not None:
            desk = found.desks.setdefault(str(member["desk"]), {})
            desk[str(member["state"])] = desk.get(str(member["state"]), 0) + 1
    found.review = [
        {"member_id": m["member_id"], "desk": m["desk"], "detail": m["reason"]}
        for m in members
        if m["state"] == REVIEW
    ]
    return found
