"""The one-month clock of Art. 12(3) GDPR, and where each objection stands on it.

Meta must answer an objection within one month of receiving it. A period of one month
ends on the same date in the next month, or on that month's last day when it has no
such date (31 January → 28 or 29 February), as EU law counts periods (Regulation
1182/71, Art. 3). Dates are UTC dates, as the ledger records them.

Everything here takes ``now`` as an argument: the clock is the caller's, so tests fix it.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from widerspruch.ledger import LEDGER_FILE, Ledger, NoLedger, Objection
from widerspruch.states import Status

# Sent to Meta, and Meta has not answered yet: the clock runs.
AWAITING_ANSWER = frozenset({Status.CONFIRMED, Status.SUBMITTED_UNCONFIRMED})
# Meta answered by email (imported with `widerspruch confirm`).
ANSWERED = frozenset({Status.ACKNOWLEDGED, Status.REJECTED, Status.INFO_REQUESTED})


def parse_time(iso: str) -> datetime:
    """A ledger timestamp as an aware datetime (UTC when it names no zone)."""
    moment = datetime.fromisoformat(iso)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def add_one_month(day: date) -> date:
    """The same date a month later, or that month's last day."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def deadline_for(objection: Objection) -> date | None:
    """The last day of Meta's month to answer; None for an objection never sent."""
    if objection.submitted_at is None:
        return None
    return add_one_month(parse_time(objection.submitted_at).astimezone(UTC).date())


@dataclass(frozen=True)
class Standing:
    """One objection on the clock, as of `now`."""

    objection: Objection
    now: datetime
    age_days: int
    deadline: date | None
    overdue: bool
    days_overdue: int  # days since the deadline passed; 0 unless overdue
    days_left: int  # days until the deadline; 0 once it passed or when there is none

    @property
    def flag(self) -> str:
        """ "overdue" when Meta let the month pass without an answer, else ""."""
        return "overdue" if self.overdue else ""

    @property
    def next_step(self) -> str:
        """What the person can do now, in a few words."""
        number = self.objection.id
        status = self.objection.status
        if self.objection.demo:
            return "none: a demo record, never sent to Meta"
        if self.overdue:
            return f"remind Meta: widerspruch followup {number} --kind reminder"
        if status in AWAITING_ANSWER:
            return f"on Meta's email: widerspruch inbox, or widerspruch confirm {number} --eml FILE"
        if status is Status.REJECTED:
            return f"complain: widerspruch followup {number} --kind complaint"
        if status is Status.INFO_REQUESTED:
            return "answer Meta's email (never with a password)"
        if status is Status.ACKNOWLEDGED:
            return "none: Meta acknowledged it"
        if status is Status.SUBMITTING:
            return "check your email: it may have been sent"
        return "not sent: widerspruch submit"

    def to_json(self) -> dict[str, Any]:
        objection = self.objection
        return {
            "id": objection.id,
            "service": objection.service,
            "account": objection.account_email,
            "status": objection.status.value,
            "demo": objection.demo,
            "created_at": objection.created_at,
            "submitted_at": objection.submitted_at,
            "age_days": self.age_days,
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "overdue": self.overdue,
            "days_overdue": self.days_overdue,
            "days_left": self.days_left,
            "next": self.next_step,
        }


def standing(objection: Objection, now: datetime) -> Standing:
    """Where `objection` stands at `now` (an aware datetime)."""
    started = parse_time(objection.submitted_at or objection.created_at)
    deadline = deadline_for(objection)
    today = now.astimezone(UTC).date()
    overdue = (
        deadline is not None
        and objection.status in AWAITING_ANSWER
        and today > deadline
        and not objection.demo  # Meta never had it
    )
    return Standing(
        objection=objection,
        now=now,
        age_days=max(0, (now - started).days),
        deadline=deadline,
        overdue=overdue,
        days_overdue=(today - deadline).days if overdue and deadline else 0,
        days_left=max(0, (deadline - today).days) if deadline else 0,
    )


def standings(ledger: Ledger, now: datetime, service: str | None = None) -> list[Standing]:
    return [standing(objection, now) for objection in ledger.objections(service)]


def ledger_standings(
    data_dir: Path, now: datetime, service: str | None = None, url: str | None = None
) -> list[Standing] | None:
    """Where each objection (on `service`) in `data_dir`'s ledger stands at `now`, as
    `widerspruch status` lists them; None when there is no ledger yet."""
    if url is None and not (data_dir / LEDGER_FILE).exists():
        return None
    try:
        with Ledger.open(data_dir, url=url, read_only=True) as ledger:
            return standings(ledger, now, service)
    except NoLedger:  # a shared database without the ledger's tables yet
        return None
