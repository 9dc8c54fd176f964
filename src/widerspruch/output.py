"""What the commands print: tables for people, one JSON document for scripts."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from typing import Any

from widerspruch.states import Status

STATUS_STYLE = {
    Status.CONFIRMED: "green",
    Status.ALREADY_CONFIRMED: "green",
    Status.SUBMITTED_UNCONFIRMED: "yellow",
    Status.SUBMITTING: "yellow",
    Status.TIMED_OUT: "yellow",
    Status.CANCELLED: "yellow",
    Status.FAILED: "red",
    Status.UNAVAILABLE: "red",
    Status.ACKNOWLEDGED: "green",
    Status.REJECTED: "red",
    Status.INFO_REQUESTED: "yellow",
}


def print_json(document: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")


def print_table(title: str, columns: Sequence[str], rows: Iterable[Sequence[str]]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title, title_justify="left", show_lines=False)
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*row)
    Console(highlight=False).print(table)


def styled(status: Status) -> str:
    style = STATUS_STYLE.get(status)
    return f"[{style}]{status.value}[/{style}]" if style else status.value


def short_time(iso: str | None) -> str:
    return (iso or "").replace("T", " ").replace("+00:00", " UTC")
