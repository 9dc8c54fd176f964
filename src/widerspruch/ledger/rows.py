"""What the ledger's tables hand back: objections, their attachments and events as frozen
dataclasses, and the rows of the check and batch tables as TypedDicts with the column
types that the schema (widerspruch.ledger.migrations) declares."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypedDict, TypeVar, cast

from widerspruch.states import Status


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Objection:
    id: int
    service: str
    account_email: str
    country: str
    language: str
    template: str
    template_version: str
    justification: str
    form_url: str
    status: Status
    detail: str | None
    final_url: str | None
    created_at: str
    updated_at: str
    submitted_at: str | None
    finished_at: str | None
    evidence_dir: str | None = None
    manifest_sha256: str | None = None
    # JSON: the request that carried the form to Meta (time, URL, method, status code,
    # a digest of the answer), once one left the browser. A record with an answered
    # submission is never sent again without the person's word.
    submission: str | None = None
    page_language: str | None = None  # the language the form was shown in
    result_text: str | None = None  # what Meta showed after the answer, as judged
    # The claim's owner (see widerspruch.ledger.claims): kept after the run as who ran it.
    claim_pid: int | None = None
    claim_host: str | None = None
    claim_started: str | None = None  # the owner process's start time
    claim_token: str | None = None
    claimed_at: str | None = None
    claim_expires: int | None = None  # the lease, in epoch seconds
    # Written by `widerspruch demo` against the replicas: nothing of it reached Meta.
    demo: bool = False
    reason: str | None = None  # widerspruch.failures.Reason, when a failure has one

    @classmethod
    def from_row(cls, row: Any, resolve: Callable[[str | None], str | None]) -> Objection:
        """The row as an Objection, its evidence folder resolved by `resolve` (a
        ledger's resolved_path: against the data dir it was opened in)."""
        values = dict(row)
        values["status"] = Status(values["status"])
        values["evidence_dir"] = resolve(values["evidence_dir"])
        if "demo" in values:
            values["demo"] = bool(values["demo"])
        return cls(**values)

    @property
    def request_left(self) -> bool:
        """The submission column shows that a request left the browser for Meta."""
        return submission_phase(self.submission) in SENT_PHASES

    @property
    def may_have_been_sent(self) -> bool:
        """Never sent again without the person's word: its status says it may have
        reached Meta, or a request left the browser (even if the record says failed)."""
        return self.status.may_have_been_sent or self.request_left


# `submission` phases (written by the engine) that mean a request left the browser.
SENT_PHASES = frozenset({"sent", "answered", "lost"})


def submission_phase(submission: str | None) -> str | None:
    """The "phase" of a submission column's JSON; None if there is none (or it is unreadable)."""
    import json

    if not submission:
        return None
    try:
        data = json.loads(submission)
    except ValueError:
        return "sent"  # unreadable, but something was recorded: assume it may have left
    phase = data.get("phase") if isinstance(data, dict) else None
    return str(phase) if phase is not None else "sent"  # recorded, phase unknown: may have


@dataclass(frozen=True)
class Attachment:
    """A file added to an objection after its bundle was sealed (receipt, Meta's reply)."""

    objection_id: int
    kind: str
    path: str
    sha256: str
    added_at: str
    detail: str | None


@dataclass(frozen=True)
class Seal:
    """One link of the chain (table seals): a sealed bundle's manifest hash (kind
    "bundle"), or the hash of a file added later (the attachment's kind, and its path as
    the ledger keeps it), and the chain's hash after it (widerspruch.ledger.chain)."""

    seq: int
    objection_id: int
    kind: str
    path: str | None  # relative to the data dir, as stored; None for a bundle
    sha256: str
    chain_sha256: str
    sealed_at: str


@dataclass(frozen=True)
class Event:
    objection_id: int
    at: str
    kind: str  # "status" (ledger state) or "page" (page state seen)
    state: str
    detail: str | None


class CheckRow(TypedDict):
    """One service's result in one `widerspruch check` run (table checks)."""

    id: int
    service: str
    checked_at: str
    state: str
    expected: int  # 1 if the state is an expected one (widerspruch.check), else 0
    final_url: str | None
    http_status: int | None
    language: str | None
    detail: str | None
    link: str | None
    screenshot: str | None
    html: str | None
    reported_state: str | None  # the state last announced for the service
    alerted: int  # 1 if this run sent an alert for it
    reason: str | None  # widerspruch.failures.Reason, when the check failed with one


class BatchRow(TypedDict):
    """One members file's batch (table batches)."""

    id: int
    file: str
    file_sha256: str
    services: str  # comma-separated
    template: str
    created_at: str
    updated_at: str
    finished_at: str | None


class BatchItemRow(TypedDict):
    """One member x service of a batch (table batch_items)."""

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
    details: str  # JSON: the details the member's form asks for, by key
    state: str  # a widerspruch.batch.ItemState value
    objection_id: int | None
    reason: str | None
    created_at: str
    updated_at: str
    started_at: str | None
    finished_at: str | None


class BatchItemEventRow(TypedDict):
    """One change of a batch item's state (table batch_item_events, without its id)."""

    item_id: int
    at: str
    state: str
    reason: str | None


Row = TypeVar("Row")


def as_row(kind: type[Row], row: Any) -> Row:
    """`row` as `kind`, the TypedDict of its table. The engines' rows carry no Python types:
    the schema is what says which the columns hold, so this cast is where it is said."""
    return cast(Row, dict(row))
