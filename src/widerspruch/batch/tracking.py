"""Each item's state, kept true to its objection: from what the ledger already knows
(before any browser opens), while the engine drives the page (the attempt's hooks,
``widerspruch.submit.attempt.AttemptHooks``), and when the attempt ends. The
objection's own status is the authority; an item's state says where the batch got to.
(See ``widerspruch.batch`` for the whole.)"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from widerspruch.batch.items import ENDED, FINAL_STATES, Item, ItemState
from widerspruch.states import PageState, Status
from widerspruch.text import local_time

if TYPE_CHECKING:
    from widerspruch.batch.operators import Operator
    from widerspruch.ledger import Ledger, Objection


class ItemKeeper:
    """Keeps each item's state true to what is known of its objection."""

    def __init__(self, ledger: Ledger, operator: Operator) -> None:
        self.ledger = ledger
        self.operator = operator
        # Items whose objection may have reached Meta: the operator decides at the end.
        self.to_review: dict[int, Item] = {}

    def tracker(self, item: Item) -> AttemptTracker:
        return AttemptTracker(self, item)

    def set(self, item: Item, state: ItemState, reason: str | None, objection: int | None) -> None:
        self.ledger.set_batch_item(
            item.id, state, reason=reason, objection_id=objection, finished=state in FINAL_STATES
        )

    def busy(self, item: Item, live: Objection) -> None:
        """Another process objects for this account and service now: leave it pending."""
        line = self.ledger.describe_claim(live)
        self.set(item, ItemState.PENDING, f"{line}; nothing sent", None)
        self.operator.say(f"member {item.member_id}, {item.service}: {line}; nothing sent")

    def settled_without_browser(self, item: Item) -> bool:
        """Settle what the ledger already knows; True if the item needs no browser (now)."""
        from widerspruch.submit import settled

        live = self.ledger.live_claim(item.service, item.email)
        if live is not None:
            self.busy(item, live)
            return True
        earlier = self.ledger.latest_sent(item.service, item.email)
        if earlier is not None and settled(earlier):
            # This item's doing (a crash came before the batch wrote it down), or older?
            mine = earlier.id == item.objection_id or (
                item.started_at is not None and (earlier.finished_at or "") >= item.started_at
            )
            by_person = earlier.status is Status.CONFIRMED_BY_PERSON
            if mine:
                state = ItemState.CONFIRMED_BY_PERSON if by_person else ItemState.CONFIRMED
                self.set(item, state, earlier.detail, earlier.id)
            else:
                whose = " by the person" if by_person else ""
                self.set(
                    item,
                    ItemState.SKIPPED,
                    f"already confirmed{whose} on {local_time(earlier.finished_at)} (objection "
                    f"#{earlier.id}); nothing sent",
                    earlier.id,
                )
            return True
        if earlier is not None:
            # May have reached Meta: never sent again without the operator's decision.
            if item.state is not ItemState.SUBMITTED or item.objection_id != earlier.id:
                self.set(
                    item,
                    ItemState.SUBMITTED,
                    f"objection #{earlier.id} may have reached Meta ({earlier.status.value}: "
                    f"{earlier.detail}); not sent again: see the review list",
                    earlier.id,
                )
            self.to_review[item.id] = item
            return True
        own = self.ledger.get(item.objection_id) if item.objection_id else None
        if own is not None and own.status in ENDED:
            # The attempt ended before the batch could write it down (a crash, a kill).
            self.set(item, ItemState.FAILED, f"{own.status.value}: {own.detail}", own.id)
            return True
        return False


class AttemptTracker:
    """One item's state, in step with its attempt: the attempt's hooks while the engine
    drives the page, then the truth about how it ended."""

    def __init__(self, keeper: ItemKeeper, item: Item) -> None:
        self.keeper = keeper
        self.ledger = keeper.ledger
        self.item = item
        self.objection_id: int | None = None

    # Called by the attempt and the engine (widerspruch.submit.attempt.AttemptHooks).

    def claimed(self, objection: Objection) -> None:
        self.objection_id = objection.id
        self.keeper.set(self.item, ItemState.IN_PROGRESS, None, objection.id)

    def person_needed(self, need: PageState) -> None:
        # Before Send only: after it (the emailed code) the item stays "submitted".
        self.ledger.set_batch_item(
            self.item.id,
            ItemState.AWAITING_PERSON,
            reason=f"waiting for the member: {need.value.replace('_', ' ')}",
            only_from=(ItemState.IN_PROGRESS,),
        )

    def filling(self) -> None:
        # The member got past the login: the item is in progress again.
        self.ledger.set_batch_item(
            self.item.id,
            ItemState.IN_PROGRESS,
            reason=None,
            only_from=(ItemState.AWAITING_PERSON,),
        )

    def sending(self) -> None:
        # The engine has committed the objection as "submitting": from here, maybe sent.
        self.ledger.set_batch_item(
            self.item.id,
            ItemState.SUBMITTED,
            reason="sending; waiting for Meta's confirmation",
            objection_id=self.objection_id,
        )

    # After the engine is done.

    def record(
        self,
        objection: Objection,
        *,
        interrupted: bool,
        browser_gone: bool = False,
        receipt: Path | None = None,
    ) -> None:
        keeper, item = self.keeper, self.item
        status = objection.status
        if status is Status.CONFIRMED:
            reason = objection.detail or "confirmed"
            if receipt is not None:
                reason += f"; receipt: {receipt.name}"
            keeper.set(item, ItemState.CONFIRMED, reason, objection.id)
        elif status is Status.CONFIRMED_BY_PERSON:
            keeper.set(item, ItemState.CONFIRMED_BY_PERSON, objection.detail, objection.id)
        elif objection.may_have_been_sent:
            why = objection.detail
            if not status.may_have_been_sent:  # failed after a request had reached Meta
                why = (
                    f"{status.value}: {objection.detail} (a request had reached Meta: not "
                    "sent again without a decision, see the review list)"
                )
            keeper.set(item, ItemState.SUBMITTED, why, objection.id)
            keeper.to_review[item.id] = item
        elif interrupted or browser_gone or status in (Status.PENDING, Status.IN_PROGRESS):
            why = "the browser closed or crashed" if browser_gone else "stopped"
            keeper.set(item, ItemState.PENDING, f"{why} before sending; nothing sent", objection.id)
        else:
            keeper.set(item, ItemState.FAILED, f"{status.value}: {objection.detail}", objection.id)
