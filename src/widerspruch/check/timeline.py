"""The recorded timeline per service: its state now, since when, its uptime and its
changes of state, read from the ledger's check history."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from widerspruch.check.results import check_services_named
from widerspruch.ledger import LEDGER_FILE, Ledger, NoLedger

UPTIME_DAYS = 30
CHANGES_SHOWN = 10


@dataclass(frozen=True)
class Change:
    at: str
    state: str
    previous: str | None
    detail: str | None
    final_url: str | None
    http_status: int | None


@dataclass(frozen=True)
class ServiceHistory:
    service: str
    state: str
    expected: bool
    since: str
    last_checked_at: str
    uptime_30d: float | None  # share of checks in the last 30 days that were as expected
    checks_30d: int
    changes: list[Change]  # newest first

    def to_json(self) -> dict[str, Any]:
        return {**vars(self), "changes": [vars(change) for change in self.changes]}


def history(
    data_dir: Path, services: Sequence[str] | None = None, url: str | None = None
) -> list[ServiceHistory]:
    """The recorded timeline per service (of the shared ledger at `url`, if given);
    empty when nothing was checked yet."""
    names = check_services_named(services) if services else None  # a typo is an error
    if url is None and not (data_dir / LEDGER_FILE).exists():
        return []
    since = (datetime.now(UTC) - timedelta(days=UPTIME_DAYS)).isoformat(timespec="seconds")
    found = []
    try:
        opened = Ledger.open(data_dir, url=url, read_only=True)
    except NoLedger:  # a shared database without the ledger's tables yet
        return []
    with opened as ledger:
        for service in ledger.checked_services():
            if names is not None and service not in names:
                continue
            rows = ledger.checks(service)
            changes: list[Change] = []
            previous: str | None = None
            for row in rows:
                if row["state"] != previous:
                    changes.append(
                        Change(
                            at=str(row["checked_at"]),
                            state=str(row["state"]),
                            previous=previous,
                            detail=_optional(row["detail"]),
                            final_url=_optional(row["final_url"]),
                            http_status=_int(row["http_status"]),
                        )
                    )
                    previous = str(row["state"])
            recent = [row for row in rows if str(row["checked_at"]) >= since]
            good = sum(1 for row in recent if row["expected"])
            last = rows[-1]
            found.append(
                ServiceHistory(
                    service=service,
                    state=str(last["state"]),
                    expected=bool(last["expected"]),
                    since=changes[-1].at,
                    last_checked_at=str(last["checked_at"]),
                    uptime_30d=round(good / len(recent), 4) if recent else None,
                    checks_30d=len(recent),
                    changes=list(reversed(changes))[:CHANGES_SHOWN],
                )
            )
    return found


def _optional(value: object) -> str | None:
    return None if value is None else str(value)


def _int(value: object) -> int | None:
    return value if isinstance(value, int) else None
