"""Working through a batch's queue: member by member, each service an attempt (see
``widerspruch.submit.attempt``) whose item follows it, Ctrl-C as the operator decides,
and the review list at the end. (See ``widerspruch.batch`` for the whole.)"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING

from widerspruch.batch.items import (
    FINAL_STATES,
    OPEN_STATES,
    SKIPPED_BY_OPERATOR,
    BatchOutcome,
    BatchSettings,
    Choice,
    Item,
    ItemState,
    Progress,
    Review,
)
from widerspruch.batch.members import member_settings
from widerspruch.batch.queue import batch_outcome, locked, start_or_resume
from widerspruch.batch.tracking import ItemKeeper
from widerspruch.ledger import Ledger, Objection
from widerspruch.ledger.claims import Renewer
from widerspruch.logs import get_logger, tell
from widerspruch.states import Status
from widerspruch.stoppable import Terminated, sigterm_as

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext

    from widerspruch.batch.operators import Operator
    from widerspruch.browser import BrowserSession
    from widerspruch.page.flow import Flow
    from widerspruch.proof.receipt import ReceiptPrinter
    from widerspruch.settings import Settings
    from widerspruch.submit.person import Person

log = get_logger("widerspruch.batch")
# Members in a row whose every attempt could not reach Meta, before the batch pauses.
NETWORK_DOWN_AFTER = 2


def run_batch(
    settings: BatchSettings,
    *,
    person: Person,
    operator: Operator,
    prepare_context: Callable[[BrowserContext, Flow], None] | None = None,
    session: BrowserSession | None = None,
) -> BatchOutcome:
    """Check the file (or find the batch to resume), then work through the queue."""
    with Ledger.open(settings.data_dir, url=settings.ledger) as ledger:
        batch_id, bad_rows = start_or_resume(settings, ledger, operator)
        with (
            locked(settings.data_dir, batch_id),
            sigterm_as(Terminated),
            Renewer(settings.data_dir, ledger.owner, url=settings.ledger),
        ):
            runner = _Runner(settings, ledger, batch_id, person, operator)
            runner.run(prepare_context=prepare_context, session=session)
        outcome = batch_outcome(ledger, batch_id)
        outcome.bad_rows = bad_rows
        outcome.stopped = runner.stopped
        outcome.interrupted = runner.interrupted
        return outcome


class _StopBatch(Exception):
    def __init__(self, reason: str, *, interrupted: bool) -> None:
        self.reason = reason
        self.interrupted = interrupted
        super().__init__(reason)


class _SkipMember(Exception):
    pass


class _Runner:
    """Works through one batch's open items, member by member."""

    def __init__(
        self,
        settings: BatchSettings,
        ledger: Ledger,
        batch_id: int,
        person: Person,
        operator: Operator,
    ) -> None:
        self.settings = settings
        self.ledger = ledger
        self.batch_id = batch_id
        self.person = person
        self.operator = operator
        self.session: BrowserSession | None = None
        self.receipts: ReceiptPrinter | None = None
        self.stopped: str | None = None
        self.interrupted = False
        self.started = time.monotonic()
        self.items_done_here = 0
        self.keeper = ItemKeeper(ledger, operator)
        # The plain message of each member in a row who could not reach Meta at all.
        self.unreachable: list[str] = []
        self._member_unreachable: list[str | None] = []
        self._services: list[str] = []  # the current member's services, for the stop menu
        self._stack = ExitStack()
        self._prepare_context: Callable[[BrowserContext, Flow], None] | None = None

    # -- the queue ------------------------------------------------------------------

    def run(
        self,
        *,
        prepare_context: Callable[[BrowserContext, Flow], None] | None,
        session: BrowserSession | None,
    ) -> None:
        members: dict[str, list[Item]] = {}
        for row in self.ledger.batch_items(self.batch_id):
            item = Item.from_row(row)
            if item.state.is_open:
                members.setdefault(item.member_id, []).append(item)
        with ExitStack() as stack:
            self._stack = stack
            self._prepare_context = prepare_context
            self.session = session
            try:
                for number, items in enumerate(members.values(), start=1):
                    self._member(items, number)
                    self._progress()
                self._review(len(members) + 1)
            except _StopBatch as stop:  # the outcome says so, once (cli.render_batch)
                self.stopped = stop.reason
                self.interrupted = stop.interrupted
            except KeyboardInterrupt:  # between members: nothing is in the middle
                self.stopped = "stopped with Ctrl-C"
                self.interrupted = True
        left = [
            row for row in self.ledger.batch_items(self.batch_id) if row["state"] in OPEN_STATES
        ]
        self.ledger.finish_batch(self.batch_id, finished=not left)

    def _browser(self) -> BrowserSession:
        if self.session is None:
            from widerspruch.browser import open_browser

            self.session = self._stack.enter_context(
                open_browser(
                    browser_path=self.settings.browser_path,
                    headless=self.settings.headless,
                    prepare_context=self._prepare_context,
                )
            )
        if self.receipts is None and self.settings.receipts:
            from widerspruch.proof.receipt import ReceiptPrinter

            self.receipts = ReceiptPrinter(
                self.session,
                headless=self.settings.headless,
                browser_path=self.settings.browser_path,
            )
            self._stack.callback(self.receipts.close)
        return self.session

    def _progress(self) -> None:
        states = Counter(
            ItemState(str(row["state"])) for row in self.ledger.batch_items(self.batch_id)
        )
        total = sum(states.values())
        done = sum(n for state, n in states.items() if state in FINAL_STATES)
        elapsed = time.monotonic() - self.started
        eta = None
        if self.items_done_here:
            eta = elapsed / self.items_done_here * (total - done)
        self.operator.progress(Progress(self.batch_id, total, dict(states), elapsed, eta))

    def _member(self, items: list[Item], number: int) -> None:
        todo = [item for item in items if not self.keeper.settled_without_browser(item)]
        if not todo:
            return
        self._browser()  # ready before the member sits down
        first = todo[0]
        self._member_unreachable = []
        self._services = [item.service for item in todo]
        try:
            self._hand_over(first, [item.service for item in todo], number)
            for item in todo:
                self._item(item)
            self._count_unreachable()
        except _SkipMember:
            for item in todo:
                self.ledger.set_batch_item(
                    item.id,
                    ItemState.SKIPPED,
                    reason=f"{SKIPPED_BY_OPERATOR}; nothing sent",
                    finished=True,
                    only_from=(ItemState.PENDING,),
                )

    def _count_unreachable(self) -> None:
        """After a member: if every attempt failed to reach Meta for network reasons, and
        the member before fared the same, pause and ask instead of calling the next one."""
        reached = not self._member_unreachable or None in self._member_unreachable
        if reached:
            self.unreachable = []
            return
        self.unreachable.append(str(self._member_unreachable[-1]))
        if len(self.unreachable) < NETWORK_DOWN_AFTER:
            return
        what = (
            f"The last {len(self.unreachable)} members could not reach Meta: "
            f"{self.unreachable[-1]}. Nothing was sent for them; --resume tries them again."
        )
        log.warning("network_down", members=len(self.unreachable))
        go_on = False
        if not self.settings.assume_yes:
            self.person.done_waiting()
            try:
                go_on = self.operator.network_down(what)
            except (KeyboardInterrupt, EOFError):
                go_on = False
        else:
            self.operator.say(what)
        if not go_on:
            raise _StopBatch("the network is down", interrupted=False)
        self.unreachable = []

    def _hand_over(self, first: Item, services: list[str], number: int) -> None:
        while True:
            try:
                self.operator.hand_over(first.member_id, first.email, services, number)
                return
            except KeyboardInterrupt as interrupt:
                if self._ask(interrupt, first, "nothing was started") is Choice.SKIP:
                    raise _SkipMember from None
            except EOFError:
                raise _StopBatch(
                    "no answer at the handover (end of input)", interrupted=True
                ) from None

    def _ask(self, interrupt: KeyboardInterrupt, item: Item, what_happened: str) -> Choice:
        """Ctrl-C during a member: the operator decides (STOP raises _StopBatch)."""
        self.person.done_waiting()
        why = "stopped by SIGTERM" if isinstance(interrupt, Terminated) else "stopped with Ctrl-C"
        if isinstance(interrupt, Terminated) or self.settings.assume_yes:
            raise _StopBatch(why, interrupted=True)
        try:
            services = ", ".join(self._services) if item.service in self._services else item.service
            choice = self.operator.interrupted(item.member_id, services, what_happened)
        except (KeyboardInterrupt, EOFError):
            choice = Choice.STOP
        if choice is Choice.STOP:
            raise _StopBatch(why, interrupted=True)
        return choice

    def _item(self, item: Item, resend_of: int | None = None) -> None:
        while True:
            try:
                self._attempt(item, resend_of)
                self.items_done_here += 1
                return
            except KeyboardInterrupt as interrupt:
                current = Item.from_row(self.ledger.batch_item(item.id))
                what = current.reason or current.state.value
                choice = self._ask(interrupt, current, what)
                if choice is Choice.SKIP:
                    if current.state is ItemState.PENDING:
                        self.ledger.set_batch_item(
                            item.id,
                            ItemState.SKIPPED,
                            reason=f"{SKIPPED_BY_OPERATOR} (Ctrl-C); nothing sent",
                            finished=True,
                        )
                    raise _SkipMember from None
                item = current  # retry

    # -- the review list --------------------------------------------------------------

    def _review(self, number: int) -> None:
        """Each objection that may have reached Meta: what is known, and the operator's
        decision. Nothing is sent again without it; with --yes, only the list."""
        from widerspruch.submit import settled, what_is_known

        for item_id in sorted(
            self.keeper.to_review, key=lambda i: self.keeper.to_review[i].position
        ):
            item = Item.from_row(self.ledger.batch_item(item_id))
            earlier = self.ledger.latest_sent(item.service, item.email)
            if item.state is not ItemState.SUBMITTED or earlier is None or settled(earlier):
                continue  # settled in the meantime (Meta's email imported, another run)
            known = what_is_known(earlier, self.settings.data_dir)
            if self.settings.assume_yes:
                self.operator.say(
                    f"To review: member {item.member_id}, {item.service}: {known[0]} Not sent "
                    "again (--yes): decide with --resume at a terminal"
                )
                continue
            self.person.done_waiting()
            try:
                decision = self.operator.review(item.member_id, item.service, known)
            except (KeyboardInterrupt, EOFError):
                raise _StopBatch("stopped at the review list", interrupted=True) from None
            if decision is Review.SEND_AGAIN:
                try:
                    self._hand_over(item, [item.service], number)
                    self._item(item, resend_of=earlier.id)
                except _SkipMember:
                    pass  # the item keeps its state: still to review
            elif decision is Review.MEMBER_SAYS_SENT:
                statement = (
                    f"member {item.member_id} says Meta has this objection (they objected "
                    "before); their statement, not Meta's confirmation"
                )
                self.ledger.note(earlier.id, "member_statement", statement)
                self.keeper.set(item, ItemState.MEMBER_SAYS_SENT, statement, earlier.id)
            else:
                self.keeper.set(
                    item,
                    ItemState.SUBMITTED,
                    f"objection #{earlier.id} may have reached Meta ({earlier.status.value}); "
                    "left as it is by the operator: check the member's email for Meta's "
                    f"confirmation (`widerspruch confirm {earlier.id} --eml FILE`)",
                    earlier.id,
                )

    def _attempt(self, item: Item, resend_of: int | None = None) -> None:
        if resend_of is None and self.keeper.settled_without_browser(item):
            return
        from widerspruch.services import get_flow
        from widerspruch.submit import justification_for
        from widerspruch.submit.attempt import Blocked, Busy, Resend, attempt

        settings = self._settings_for(item)
        flow = get_flow(item.service)
        decided = f"the operator chose to send it again (batch #{self.batch_id})"
        tracker = self.keeper.tracker(item)
        tried = attempt(
            settings,
            flow,
            ledger=self.ledger,
            person=self.person,
            justification=justification_for(settings, flow),
            browser=self._browser,
            # Only the one the operator decided on is let through the claim.
            resend=Resend(resend_of, decided) if resend_of is not None else None,
            hooks=tracker,
            receipt=self._receipt,
            use_saved_login=False,
        )
        if isinstance(tried, Busy):  # another process claimed it in between
            self.keeper.busy(item, tried.live)
            return
        if isinstance(tried, Blocked):  # another process got there in between
            self.keeper.settled_without_browser(item)
            return
        if tried.taken_over is not None:
            # The claim was taken over (its lease ran out): this attempt stops here.
            tell(str(tried.taken_over), member=item.member_id, service=item.service)
            tracker.record(tried.objection, interrupted=True)
            return
        if tried.interrupt is not None:
            tracker.record(tried.objection, interrupted=True)
            raise tried.interrupt
        assert self.session is not None  # the attempt had the browser
        self._member_unreachable.append(_unreachable(tried.objection))
        browser_gone = not self.session.browser.is_connected()
        tracker.record(
            tried.objection, interrupted=False, browser_gone=browser_gone, receipt=tried.receipt
        )
        if browser_gone:
            raise _StopBatch("the browser closed or crashed", interrupted=False)

    def _receipt(self, objection: Objection) -> Path | None:
        """--receipts: the PDF receipt at once. A batch writes it for Meta's confirmation
        only, not for the member's own judgement (confirmed_by_person)."""
        if self.receipts is None or objection.status is not Status.CONFIRMED:
            return None
        return self.receipts.write(objection, self.ledger)

    def _settings_for(self, item: Item) -> Settings:
        return member_settings(
            email=item.email,
            country=item.country,
            language=item.language,
            template=item.template,
            services=(item.service,),
            details=item.details,
            data_dir=self.settings.data_dir,
            timeout=self.settings.timeout,
            response_timeout=self.settings.response_timeout,
            headless=self.settings.headless,
            browser_path=self.settings.browser_path,
            assume_yes=self.settings.assume_yes,
            timestamping=self.settings.timestamping,
            # What may have reached Meta waits for the operator's decision: never forced.
            force=False,
        )


def _unreachable(objection: Objection) -> str | None:
    """The plain message if this attempt could not reach Meta for network reasons."""
    from widerspruch.failures import NETWORK

    if objection.status is Status.FAILED and objection.reason in NETWORK:
        return objection.detail or objection.reason
    return None
