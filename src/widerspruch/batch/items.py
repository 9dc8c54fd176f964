"""What a batch is made of: its items and their states, its options, the operator's
choices, the progress line and the outcome. (See ``widerspruch.batch`` for the whole.)"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from widerspruch.batch.members import BadRow, load_template
from widerspruch.errors import UsageError
from widerspruch.states import Status
from widerspruch.submit.person import clock

if TYPE_CHECKING:
    from widerspruch.ledger import Objection
    from widerspruch.ledger.rows import BatchItemRow
    from widerspruch.proof.timestamp import Timestamping


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
    details: tuple[tuple[str, str], ...]  # what the member's form asks for, by key
    state: ItemState
    objection_id: int | None
    reason: str | None
    created_at: str
    updated_at: str
    started_at: str | None
    finished_at: str | None

    @classmethod
    def from_row(cls, row: BatchItemRow) -> Item:
        # The row's columns are the item's fields; two of them are stored as text.
        values: dict[str, Any] = {**row, "state": ItemState(row["state"])}
        values["details"] = tuple(json.loads(row["details"]).items())
        return cls(**values)

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
    timestamping: Timestamping | None = None  # a trusted timestamp on each sealed bundle
    ledger: str | None = None  # the shared PostgreSQL ledger's URL; None: the data dir's

    @classmethod
    def for_desk(
        cls, *, data_dir: Path | None, browser: str | None, ledger: str | None, **flags: Any
    ) -> BatchSettings:
        """A desk of a campaign: the members, services and templates are the campaign's
        (in the ledger), so there is no members file here."""
        from widerspruch.settings import (
            check_browser_path,
            prepare_data_dir,
            resolve_data_dir,
            resolve_ledger,
        )

        return cls(
            file=Path(),  # unused: a desk never reads a members file
            services=(),
            template="standard",
            browser_path=check_browser_path(browser),
            data_dir=prepare_data_dir(resolve_data_dir(data_dir)),
            ledger=resolve_ledger(ledger),
            **flags,
        )

    @classmethod
    def from_options(
        cls,
        *,
        file: Path,
        services: str | None,
        template: str,
        data_dir: Path | None,
        browser: str | None = None,
        ledger: str | None = None,
        **flags: Any,
    ) -> BatchSettings:
        from widerspruch.batch.members import parse_services
        from widerspruch.services import get_flow, known_services_text
        from widerspruch.settings import (
            check_browser_path,
            prepare_data_dir,
            resolve_data_dir,
            resolve_ledger,
        )

        names = tuple(dict.fromkeys(get_flow(name).service for name in parse_services(services)))
        if services is not None and not names:
            raise UsageError(f"--services: name at least one service: {known_services_text()}")
        if file.is_dir():
            raise UsageError(f"{file} is a folder, not a members file: name its CSV or JSON file")
        if not file.is_file():
            raise UsageError(f"members file not found: {file}")
        _check_template_option(template)
        return cls(
            file=file,
            services=names,
            template=template,
            browser_path=check_browser_path(browser),
            data_dir=prepare_data_dir(resolve_data_dir(data_dir)),
            ledger=resolve_ledger(ledger),
            **flags,
        )


def _check_template_option(template: str) -> None:
    """--template names a template that exists in some language: else one line now,
    rather than the same problem on every row that uses it."""
    from widerspruch.submit.justification import languages

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

        def reason(item: Item) -> str | None:
            """The stable code (widerspruch.failures.Reason), when the browser said why."""
            found = self.objections.get(item.objection_id or 0)
            return (found.reason if found else None) or None

        return {
            "batch": self.batch_id,
            "file": self.file,
            "items": [
                {
                    "member_id": item.member_id,
                    "account": item.email,
                    "service": item.service,
                    "state": item.state.value,
                    "reason": reason(item),
                    "detail": item.reason,  # the plain words, as in submit and check
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
