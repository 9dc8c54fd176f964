"""One service's outcome, as the summary and --json show it, and the run's log context."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import structlog

from widerspruch.ledger import Ledger, Objection, utc_now
from widerspruch.logs import mask_email
from widerspruch.states import Status


@dataclass
class Result:
    """One service's outcome, as shown in the summary and in --json."""

    service: str
    status: Status
    message: str
    account: str
    objection_id: int | None = None
    started_at: str = ""
    finished_at: str = ""
    final_url: str | None = None
    ledger: str | None = None
    screenshot: str | None = None
    reason: str | None = None  # widerspruch.failures.Reason, when the browser or network said

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["status"] = self.status.value
        return data


def result_for(
    objection: Objection,
    *,
    message: str,
    ledger: Ledger,
    screenshot: str | None,
    status: Status | None = None,
    started_at: str = "",
) -> Result:
    return Result(
        service=objection.service,
        status=status or objection.status,
        message=message,
        account=objection.account_email,
        objection_id=objection.id,
        started_at=started_at or objection.created_at,
        finished_at=objection.finished_at or utc_now(),
        final_url=objection.final_url,
        ledger=ledger.where,
        screenshot=screenshot,
        reason=objection.reason,
    )


def bind_context(**values: str) -> None:
    structlog.contextvars.bind_contextvars(**{k: mask_email(v) for k, v in values.items()})
