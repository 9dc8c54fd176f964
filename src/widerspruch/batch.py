"""Batches for NGOs: many members in a row, a fresh browser context for each, a queue in
the ledger that survives crashes, and never the same objection twice.

The queue
    A batch is one members file (widerspruch.members). Each member x service is an item,
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
"""

from __future__ import annotations

import hashlib
import signal
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any, NoReturn, Protocol, cast

from widerspruch.claims import Renewer
from widerspruch.errors import UsageError
from widerspruch.flow import Flow
from widerspruch.ledger import ClaimHeld, Ledger, Objection, TransitionRefused
from widerspruch.logs import get_logger, mask_email
from widerspruch.members import BadRow, MembersFile, load_members, load_template, member_settings
from widerspruch.person import clock
from widerspruch.states import PageState, Status

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page
    from rich.console import Console

    from widerspruch.browser import BrowserSession
    from widerspruch.flow import FilledForm, ObjectionRequest
    from widerspruch.person import Person
    from widerspruch.receipt import ReceiptPrinter
    from widerspruch.settings import Settings

log = get_logger("widerspruch.batch")


class ItemState(StrEnum):
    PENDING = "pending"
    IN_PROGRESS = "in_progress"
    AWAITING_PERSON = "awaiting_person"
    SUBMITTED = "submitted"  # the objection may have reached Meta; not confirmed (yet)
    CONFIRMED = "confirmed"
    # The member, shown Meta's unclear answer, judged it accepted (their decision).
    CONFIRMED_BY_PERSON = "confirmed_by_person"
    # The member says Meta has it ("I objected before"): their word, never a confirmation.
    MEMBER_SAYS_SENT = "member_says_sent"
    FAILED = "failed"
    SKIPPED = "skipped"
    INVALID = "invalid"  # the row failed the checks (--skip-invalid)

    @property
    def is_open(self) -> bool:
        """Still something to do: a later --resume takes it up."""
        return self in OPEN_STATES


OPEN_STATES = frozenset(
    {ItemState.PENDING, ItemState.IN_PROGRESS, ItemState.AWAITING_PERSON, ItemState.SUBMITTED}
)
FINAL_STATES = frozenset(set(ItemState) - OPEN_STATES)
# Reasons that mark a skipped item as not done (every other skip: nothing left to do).
SKIPPED_BY_OPERATOR = "skipped by the operator"
# Attempts that ended for good; FAILED in the batch.
ENDED = frozenset({Status.FAILED, Status.UNAVAILABLE, Status.TIMED_OUT})


@dataclass(frozen=True)
class Item:
    """One member x service of a batch, as the ledger holds it."""

    id: int
    batch_id: int
    position: int
    line: int
    member_id: str
    email: str
    service: str
    country: str
    language: str
    template: str
    mandate_ref: str
    state: ItemState
    objection_id: int | None
    reason: str | None
    created_at: str
    updated_at: str
    started_at: str | None
    finished_at: str | None

    @classmethod
    def from_row(cls, row: dict[str, object]) -> Item:
        return cls(**{**row, "state": ItemState(str(row["state"]))})  # type: ignore[arg-type]

    @property
    def succeeded(self) -> bool:
        """Nothing left to do for this member and service: Meta has the objection."""
        if self.state in (ItemState.CONFIRMED, ItemState.CONFIRMED_BY_PERSON):
            return True
        return self.state is ItemState.SKIPPED and not (self.reason or "").startswith(
            SKIPPED_BY_OPERATOR
        )


@dataclass(frozen=True)
class BatchSettings:
    """One batch run's options, checked once."""

    file: Path
    services: tuple[str, ...]
    template: str
    data_dir: Path
    resume: bool = False
    skip_invalid: bool = False
    timeout: float = 600
    response_timeout: float = 30.0
    headless: bool = False
    browser_path: Path | None = None
    assume_yes: bool = False
    receipts: bool = False  # PDF receipts at once (about a second each); else `receipt ID`

    @classmethod
    def from_options(
        cls,
        *,
        file: Path,
        services: str | None,
        template: str,
        data_dir: Path | None,
        browser: str | None = None,
        **flags: Any,
    ) -> BatchSettings:
        from widerspruch.flows import get_flow
        from widerspruch.members import parse_services
        from widerspruch.settings import check_browser_path, prepare_data_dir, resolve_data_dir

        names = tuple(dict.fromkeys(get_flow(name).service for name in parse_services(services)))
        if services is not None and not names:
            raise UsageError("--services: name at least one service: facebook, instagram")
        if not file.is_file():
            raise UsageError(f"members file not found: {file}")
        _check_template_option(template)
        return cls(
            file=file,
            services=names,
            template=template,
            browser_path=check_browser_path(browser),
            data_dir=prepare_data_dir(resolve_data_dir(data_dir)),
            **flags,
        )


def _check_template_option(template: str) -> None:
    """--template names a template that exists in some language: else one line now,
    rather than the same problem on every row that uses it."""
    from widerspruch.justification import languages

    problems = []
    for language in languages():
        try:
            load_template(template, language)
            return
        except UsageError as error:
            problems.append(str(error))
    raise UsageError(f"--template: {problems[0]}")


class Choice(StrEnum):
    SKIP = "skip"
    RETRY = "retry"
    STOP = "stop"


class Review(StrEnum):
    """The operator's decision on an objection that may have reached Meta."""

    SEND_AGAIN = "again"
    LEAVE = "leave"
    MEMBER_SAYS_SENT = "member-says-sent"  # recorded as the member's statement only


@dataclass(frozen=True)
class Progress:
    batch_id: int
    total: int
    states: dict[ItemState, int]
    elapsed: float
    eta: float | None

    @property
    def done(self) -> int:
        return sum(n for state, n in self.states.items() if state in FINAL_STATES)

    @property
    def remaining(self) -> int:
        return self.total - self.done

    def line(self) -> str:
        parts = [
            f"{self.states.get(ItemState.CONFIRMED, 0)} confirmed",
            f"{self.states.get(ItemState.FAILED, 0)} failed",
        ]
        for state in (
            ItemState.CONFIRMED_BY_PERSON,
            ItemState.MEMBER_SAYS_SENT,
            ItemState.SKIPPED,
            ItemState.INVALID,
            ItemState.SUBMITTED,
        ):
            if self.states.get(state):
                parts.append(f"{self.states[state]} {state.value}")
        eta = clock(self.eta) if self.eta is not None else "–"
        return (
            f"batch #{self.batch_id}: {self.done} of {self.total} done ({', '.join(parts)}), "
            f"{self.remaining} remaining, {clock(self.elapsed)} elapsed, about {eta} left"
        )


class Operator(Protocol):
    """The NGO's staff member at the desk, who hands the keyboard to each member."""

    def hand_over(self, member_id: str, email: str, services: list[str], number: int) -> None:
        """Say who is next; wait until they have the keyboard (Ctrl-C: the menu)."""

    def interrupted(self, member_id: str, service: str, what_happened: str) -> Choice:
        """Ctrl-C during a member: skip this member, retry, or stop the batch?"""

    def review(self, member_id: str, service: str, known: list[str]) -> Review:
        """An objection that may have reached Meta, and what is known about it: send it
        again (the member needs the keyboard), leave it, or record what the member says?"""

    def progress(self, progress: Progress) -> None:
        """After each member."""

    def say(self, line: str) -> None:
        """Anything else the operator should read."""


class ConsoleOperator:
    """The operator at a terminal; everything on stderr, so --json stays clean."""

    def __init__(self, *, assume_yes: bool, console: Console | None = None) -> None:
        from rich.console import Console

        self.assume_yes = assume_yes
        self.console = console or Console(stderr=True, highlight=False)

    def hand_over(self, member_id: str, email: str, services: list[str], number: int) -> None:
        self.console.print(
            f"[bold]Next: member {member_id}[/bold] ({mask_email(email)}), {', '.join(services)}",
            markup=True,
        )
        if self.assume_yes:
            return
        self.console.input(f"Hand the keyboard to member {member_id} and press Enter ")

    def interrupted(self, member_id: str, service: str, what_happened: str) -> Choice:
        from rich.prompt import Prompt

        self.console.print(f"Stopped: member {member_id}, {service}: {what_happened}")
        answer = Prompt.ask(
            "Skip this member, retry, or stop the batch?",
            choices=[c.value for c in Choice],
            default=Choice.STOP.value,
            console=self.console,
        )
        return Choice(answer)

    def review(self, member_id: str, service: str, known: list[str]) -> Review:
        from rich.prompt import Prompt

        self.console.print(f"To review: member {member_id}, {service}", markup=False)
        for line in known:
            self.console.print(f"  {line}", markup=False, soft_wrap=True)
        answer = Prompt.ask(
            f"Send it again (member {member_id} needs the keyboard), leave it, or does the "
            "member say they objected before?",
            choices=[r.value for r in Review],
            default=Review.LEAVE.value,
            console=self.console,
        )
        return Review(answer)

    def progress(self, progress: Progress) -> None:
        # A plain line, never wrapped or redrawn: readable in any terminal or log file.
        self.console.print(progress.line(), markup=False, soft_wrap=True)

    def say(self, line: str) -> None:
        self.console.print(line, markup=False, soft_wrap=True)


@dataclass
class ScriptedOperator:
    """A stand-in operator for tests, the benchmark and demos: never waits for anyone."""

    choices: list[Choice] = field(default_factory=list)  # answers to Ctrl-C, in turn
    reviews: list[Review] = field(default_factory=list)  # answers on the review list
    handed_over: list[str] = field(default_factory=list)
    asked: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    on_hand_over: Callable[[str], None] | None = None

    def hand_over(self, member_id: str, email: str, services: list[str], number: int) -> None:
        self.handed_over.append(member_id)
        if self.on_hand_over is not None:
            self.on_hand_over(member_id)

    def interrupted(self, member_id: str, service: str, what_happened: str) -> Choice:
        self.asked.append(f"{member_id}/{service}: {what_happened}")
        return self.choices.pop(0) if self.choices else Choice.STOP

    def review(self, member_id: str, service: str, known: list[str]) -> Review:
        self.asked.append(f"{member_id}/{service}: review")
        self.lines.extend(known)
        return self.reviews.pop(0) if self.reviews else Review.LEAVE

    def progress(self, progress: Progress) -> None:
        self.lines.append(progress.line())

    def say(self, line: str) -> None:
        self.lines.append(line)


@dataclass
class BatchOutcome:
    batch_id: int
    file: str
    items: list[Item]
    objections: dict[int, Objection]
    bad_rows: list[BadRow] = field(default_factory=list)
    stopped: str | None = None  # why the batch stopped before its end
    interrupted: bool = False  # stopped by Ctrl-C or SIGTERM

    @property
    def ok(self) -> bool:
        return self.stopped is None and all(item.succeeded for item in self.items)

    def to_json(self) -> dict[str, Any]:
        def objection_status(item: Item) -> str | None:
            found = self.objections.get(item.objection_id or 0)
            return found.status.value if found else None

        return {
            "batch": self.batch_id,
            "file": self.file,
            "items": [
                {
                    "member_id": item.member_id,
                    "email": item.email,
                    "service": item.service,
                    "state": item.state.value,
                    "reason": item.reason,
                    "objection_id": item.objection_id,
                    "objection_status": objection_status(item),
                    "mandate_ref": item.mandate_ref,
                    "line": item.line,
                    "started_at": item.started_at,
                    "finished_at": item.finished_at,
                }
                for item in self.items
            ],
            "counts": {state.value: n for state, n in Counter(i.state for i in self.items).items()},
            "stopped": self.stopped,
            "interrupted": self.interrupted,
        }


class Terminated(KeyboardInterrupt):
    """SIGTERM: stop the batch at once, without asking (the ledger stays truthful)."""


class _StopBatch(Exception):
    def __init__(self, reason: str, *, interrupted: bool) -> None:
        self.reason = reason
        self.interrupted = interrupted
        super().__init__(reason)


class _SkipMember(Exception):
    pass


def file_sha256(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as error:
        raise UsageError(f"cannot read the members file {path}: {error.strerror}") from None


def run_batch(
    settings: BatchSettings,
    *,
    person: Person,
    operator: Operator,
    prepare_context: Callable[[BrowserContext, Flow], None] | None = None,
    session: BrowserSession | None = None,
) -> BatchOutcome:
    """Check the file (or find the batch to resume), then work through the queue."""
    with Ledger.open(settings.data_dir) as ledger:
        batch_id, bad_rows = _start_or_resume(settings, ledger, operator)
        with (
            _locked(settings.data_dir, batch_id),
            _sigterm_stops(),
            Renewer(settings.data_dir, ledger.owner),
        ):
            runner = _Runner(settings, ledger, batch_id, person, operator)
            runner.run(prepare_context=prepare_context, session=session)
        outcome = batch_outcome(ledger, batch_id)
        outcome.bad_rows = bad_rows
        outcome.stopped = runner.stopped
        outcome.interrupted = runner.interrupted
        return outcome


def batch_outcome(ledger: Ledger, batch_id: int) -> BatchOutcome:
    record = ledger.batch(batch_id)
    if record is None:
        raise UsageError(f"no batch #{batch_id} in {ledger.path}")
    items = [Item.from_row(row) for row in ledger.batch_items(batch_id)]
    ids = {item.objection_id for item in items if item.objection_id}
    return BatchOutcome(
        batch_id=batch_id,
        file=str(record["file"]),
        items=items,
        objections={i: ledger.get(i) for i in sorted(ids)},
    )


def _start_or_resume(
    settings: BatchSettings, ledger: Ledger, operator: Operator
) -> tuple[int, list[BadRow]]:
    name = settings.file.name
    if settings.resume:
        record = ledger.unfinished_batch(file_sha256(settings.file))
        if record is None:
            raise UsageError(
                f"no unfinished batch of this {name} in {ledger.path} (it has finished, or "
                "the file changed since it started); start a new one without --resume"
            )
        operator.say(f"Resuming batch #{record['id']} of {name}")
        return int(str(record["id"])), []
    members = load_members(
        settings.file,
        services=settings.services,
        template=settings.template,
        data_dir=settings.data_dir,
    )
    earlier = ledger.unfinished_batch(members.sha256)
    if earlier is not None:
        left = sum(
            1 for row in ledger.batch_items(int(str(earlier["id"]))) if row["state"] in OPEN_STATES
        )
        raise UsageError(
            f"batch #{earlier['id']} of this {name} has not finished ({left} item(s) left); "
            "continue it with --resume"
        )
    if not settings.skip_invalid:
        members.refuse_bad_rows()
    for bad in members.bad_rows:
        operator.say(f"invalid, skipped: {name} {bad.describe()}")
    batch_id = ledger.create_batch(
        file=str(settings.file.resolve()),
        file_sha256=members.sha256,
        services=",".join(settings.services),
        template=settings.template,
        items=_queue(members),
    )
    log.info("batch_created", batch=batch_id, members=len(members.members))
    return batch_id, members.bad_rows


def _queue(members: MembersFile) -> list[dict[str, object]]:
    """Items in file order: every service of every good member, and each bad row."""
    rows: list[tuple[int, dict[str, object]]] = []
    for member in members.members:
        for service in member.services:
            rows.append(
                (
                    member.line,
                    {
                        "line": member.line,
                        "member_id": member.member_id,
                        "email": member.email.casefold(),
                        "service": service,
                        "country": member.country,
                        "language": member.language,
                        "template": member.template,
                        "mandate_ref": member.mandate_ref,
                        "state": ItemState.PENDING.value,
                        "reason": None,
                    },
                )
            )
    for bad in members.bad_rows:
        rows.append(
            (
                bad.line,
                {
                    "line": bad.line,
                    "member_id": bad.member_id,
                    "email": bad.email,
                    "service": bad.services,
                    "country": "",
                    "language": "",
                    "template": "",
                    "mandate_ref": "",
                    "state": ItemState.INVALID.value,
                    "reason": bad.describe(),
                },
            )
        )
    rows.sort(key=lambda pair: pair[0])
    return [{**row, "position": position} for position, (_, row) in enumerate(rows)]


@contextmanager
def _locked(data_dir: Path, batch_id: int) -> Iterator[None]:
    """One process per batch: a second one would work on the same items."""
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks; run one batch at a time
        yield
        return
    import os

    path = data_dir / f"batch-{batch_id}.lock"
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise UsageError(
                f"batch #{batch_id} is running in another widerspruch process; "
                "let it finish (or stop it) first"
            ) from None
        yield
    finally:
        os.close(descriptor)  # closing releases the lock, as does the process ending


@contextmanager
def _sigterm_stops() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: FrameType | None) -> NoReturn:
        raise Terminated

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


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
        # Items whose objection may have reached Meta: the operator decides at the end.
        self.to_review: dict[int, Item] = {}
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
            except _StopBatch as stop:
                self.stopped = stop.reason
                self.interrupted = stop.interrupted
                self.operator.say(f"Stopped: {stop.reason}. Continue with --resume.")
            except KeyboardInterrupt:  # between members: nothing is in the middle
                self.stopped = "stopped with Ctrl-C"
                self.interrupted = True
                self.operator.say("Stopped. Continue with --resume.")
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
            from widerspruch.receipt import ReceiptPrinter

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
        todo = [item for item in items if not self._settled_without_browser(item)]
        if not todo:
            return
        self._browser()  # ready before the member sits down
        first = todo[0]
        try:
            self._hand_over(first, [item.service for item in todo], number)
            for item in todo:
                self._item(item)
        except _SkipMember:
            for item in todo:
                self.ledger.set_batch_item(
                    item.id,
                    ItemState.SKIPPED,
                    reason=f"{SKIPPED_BY_OPERATOR}; nothing sent",
                    finished=True,
                    only_from=(ItemState.PENDING,),
                )

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
            choice = self.operator.interrupted(item.member_id, item.service, what_happened)
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

        for item_id in sorted(self.to_review, key=lambda i: self.to_review[i].position):
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
                self.set_item(item, ItemState.MEMBER_SAYS_SENT, statement, earlier.id)
            else:
                self.set_item(
                    item,
                    ItemState.SUBMITTED,
                    f"objection #{earlier.id} may have reached Meta ({earlier.status.value}); "
                    "left as it is by the operator: check the member's email for Meta's "
                    f"confirmation (`widerspruch confirm {earlier.id} --eml FILE`)",
                    earlier.id,
                )

    # -- one item -------------------------------------------------------------------

    def set_item(
        self, item: Item, state: ItemState, reason: str | None, objection: int | None
    ) -> None:
        self.ledger.set_batch_item(
            item.id, state, reason=reason, objection_id=objection, finished=state in FINAL_STATES
        )

    def _busy(self, item: Item, live: Objection) -> None:
        """Another process objects for this account and service now: leave it pending."""
        line = self.ledger.describe_claim(live)
        self.set_item(item, ItemState.PENDING, f"{line}; nothing sent", None)
        self.operator.say(f"member {item.member_id}, {item.service}: {line}; nothing sent")

    def _settled_without_browser(self, item: Item) -> bool:
        """Settle what the ledger already knows; True if the item needs no browser (now)."""
        from widerspruch.submit import settled

        live = self.ledger.live_claim(item.service, item.email)
        if live is not None:
            self._busy(item, live)
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
                self.set_item(item, state, earlier.detail, earlier.id)
            else:
                whose = " by the person" if by_person else ""
                self.set_item(
                    item,
                    ItemState.SKIPPED,
                    f"already confirmed{whose} on {earlier.finished_at} (objection "
                    f"#{earlier.id}); nothing sent",
                    earlier.id,
                )
            return True
        if earlier is not None:
            # May have reached Meta: never sent again without the operator's decision.
            if item.state is not ItemState.SUBMITTED or item.objection_id != earlier.id:
                self.set_item(
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
            self.set_item(item, ItemState.FAILED, f"{own.status.value}: {own.detail}", own.id)
            return True
        return False

    def _attempt(self, item: Item, resend_of: int | None = None) -> None:
        if resend_of is None and self._settled_without_browser(item):
            return
        from widerspruch.flows import get_flow
        from widerspruch.submit import justification_for, open_run

        settings = self._settings_for(item)
        flow = get_flow(item.service)
        text = justification_for(settings, flow)
        try:
            objection, blocking = self.ledger.claim(
                service=flow.service,
                account_email=item.email,
                country=item.country,
                language=item.language,
                template=item.template,
                template_version=settings.template_version,
                justification=text,
                form_url=flow.form_url,
                force=False,
                allow_resend_of=resend_of,  # only the one the operator decided on
            )
        except ClaimHeld as held:  # another process claimed it in between
            self._busy(item, held.objection)
            return
        if blocking is not None:  # another process got there in between
            self._settled_without_browser(item)
            return
        if resend_of is not None:
            self.ledger.note(
                resend_of,
                "sent_again",
                f"the operator chose to send it again (batch #{self.batch_id}), as objection "
                f"#{objection.id}",
            )
        attempt = _Attempt(self, item, objection)
        try:
            # Inside: Ctrl-C or SIGTERM right after this is recorded as a stop, not left
            # looking like an attempt still running.
            self.set_item(item, ItemState.IN_PROGRESS, None, objection.id)
            session = self._browser()
            flow_page, run = open_run(
                settings,
                _watching(flow, attempt),
                session=session,
                person=_MemberPerson(self.person, attempt),
                ledger=self.ledger,
                objection=objection,
                justification=text,
                start_url=flow.form_url,
                use_saved_login=False,
            )
            try:
                objection = run.run()
            finally:
                flow_page.close()
        except KeyboardInterrupt:
            found = self.ledger.get(objection.id)
            if found.status in (Status.PENDING, Status.IN_PROGRESS):
                found = self.ledger.set_status(
                    objection.id, Status.CANCELLED, "stopped before sending; nothing sent"
                )
            attempt.record(self.ledger.release(found.id), interrupted=True)
            raise
        except TransitionRefused as refused:
            # The claim was taken over (its lease ran out): this attempt stops here.
            log.warning(str(refused), member=item.member_id, service=item.service)
            attempt.record(self.ledger.get(objection.id), interrupted=True)
            return
        finally:
            # An attempt that ended by an error, not an outcome, says so truthfully.
            objection = self.ledger.release(objection.id)
        browser_gone = not session.browser.is_connected()
        attempt.record(objection, interrupted=False, browser_gone=browser_gone)
        if browser_gone:
            raise _StopBatch("the browser closed or crashed", interrupted=False)

    def _settings_for(self, item: Item) -> Settings:
        return member_settings(
            email=item.email,
            country=item.country,
            language=item.language,
            template=item.template,
            template_version=load_template(item.template, item.language).version,
            services=(item.service,),
            data_dir=self.settings.data_dir,
            timeout=self.settings.timeout,
            response_timeout=self.settings.response_timeout,
            headless=self.settings.headless,
            browser_path=self.settings.browser_path,
            assume_yes=self.settings.assume_yes,
        )


class _Attempt:
    """One try at one item: watches the flow and the person, then records the truth."""

    def __init__(self, runner: _Runner, item: Item, objection: Objection) -> None:
        self.runner = runner
        self.ledger = runner.ledger
        self.item = item
        self.objection = objection

    # Called by the flow and the person while the engine drives the page.

    def person_needed(self, need: PageState) -> None:
        # Before Send only: after it (the emailed code) the item stays "submitted".
        self.ledger.set_batch_item(
            self.item.id,
            ItemState.AWAITING_PERSON,
            reason=f"waiting for the member: {need.value.replace('_', ' ')}",
            only_from=(ItemState.IN_PROGRESS,),
        )

    def before_fill(self, page: Page) -> None:
        # The member got past the login: the item is in progress again.
        self.ledger.set_batch_item(
            self.item.id,
            ItemState.IN_PROGRESS,
            reason=None,
            only_from=(ItemState.AWAITING_PERSON,),
        )

    def before_send(self) -> None:
        # The engine has committed the objection as "submitting": from here, maybe sent.
        self.ledger.set_batch_item(
            self.item.id,
            ItemState.SUBMITTED,
            reason="sending; waiting for Meta's confirmation",
            objection_id=self.objection.id,
        )

    # After the engine is done.

    def record(
        self, objection: Objection, *, interrupted: bool, browser_gone: bool = False
    ) -> None:
        runner, item = self.runner, self.item
        status = objection.status
        if status is Status.CONFIRMED:
            reason = objection.detail or "confirmed"
            if runner.receipts is not None and not interrupted:
                receipt = runner.receipts.write(objection, self.ledger)  # never raises
                if receipt is not None:
                    reason += f"; receipt: {receipt.name}"
            runner.set_item(item, ItemState.CONFIRMED, reason, objection.id)
        elif status is Status.CONFIRMED_BY_PERSON:
            runner.set_item(item, ItemState.CONFIRMED_BY_PERSON, objection.detail, objection.id)
        elif objection.may_have_been_sent:
            why = objection.detail
            if not status.may_have_been_sent:  # failed after a request had reached Meta
                why = (
                    f"{status.value}: {objection.detail} (a request had reached Meta: not "
                    "sent again without a decision, see the review list)"
                )
            runner.set_item(item, ItemState.SUBMITTED, why, objection.id)
            runner.to_review[item.id] = item
        elif interrupted or browser_gone or status in (Status.PENDING, Status.IN_PROGRESS):
            why = "the browser closed or crashed" if browser_gone else "stopped"
            runner.set_item(
                item, ItemState.PENDING, f"{why} before sending; nothing sent", objection.id
            )
        else:
            runner.set_item(
                item, ItemState.FAILED, f"{status.value}: {objection.detail}", objection.id
            )


class _MemberPerson:
    """The real person (or stand-in), with the item's state following what they do."""

    def __init__(self, person: Person, attempt: _Attempt) -> None:
        self.person = person
        self.attempt = attempt

    def act(self, need: PageState, page: Page, flow: Flow, email: str) -> None:
        self.attempt.person_needed(need)
        self.person.act(need, page, flow, email)

    def review(self, page: Page, flow: Flow) -> None:
        self.person.review(page, flow)

    def waiting(self, what: str, elapsed: float, timeout: float) -> None:
        self.person.waiting(what, elapsed, timeout)

    def done_waiting(self) -> None:
        self.person.done_waiting()

    def confirm(self, question: str) -> bool:
        return self.person.confirm(question)

    def judge_answer(self, text: str, screenshot: str | None) -> bool:
        return self.person.judge_answer(text, screenshot)

    def tell(self, message: str) -> None:
        self.person.tell(message)


def _watching(flow: Flow, attempt: _Attempt) -> Flow:
    """The flow, unchanged, except that the batch sees the form before it is filled and
    knows when Send is about to be clicked."""
    watched = _watching_class(type(flow))()
    watched.batch_attempt = attempt  # type: ignore[attr-defined]
    return watched


_WATCHING: dict[type[Flow], type[Flow]] = {}


def _watching_class(base: type[Flow]) -> type[Flow]:
    if base in _WATCHING:
        return _WATCHING[base]

    def fill(
        self: Any, page: Page, request: ObjectionRequest, *, replace_prefilled_email: bool = False
    ) -> FilledForm:
        self.batch_attempt.before_fill(page)
        return base.fill(self, page, request, replace_prefilled_email=replace_prefilled_email)

    def send(self: Any, page: Page) -> None:
        self.batch_attempt.before_send()
        base.send(self, page)

    watching = cast(
        type[Flow], type(f"Batch{base.__name__}", (base,), {"fill": fill, "send": send})
    )
    _WATCHING[base] = watching
    return watching


# -- printing --------------------------------------------------------------------------


def print_outcome(outcome: BatchOutcome, *, json_output: bool) -> None:
    from widerspruch.output import print_json, print_table

    if json_output:
        print_json(outcome.to_json())
        return
    print_table(
        f"Batch #{outcome.batch_id}: {Path(outcome.file).name}",
        ("member", "service", "state", "objection", "reason"),
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
        sys.stderr.write(f"stopped: {outcome.stopped}; continue with --resume\n")


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
