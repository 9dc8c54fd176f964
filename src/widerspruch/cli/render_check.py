"""How `widerspruch check` prints: the table of a run and the check history (or their
JSON). The check library returns the data; the command line renders it."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from widerspruch.check.results import CheckReport, CheckState
from widerspruch.check.timeline import CHANGES_SHOWN, UPTIME_DAYS, history
from widerspruch.text import without_query

if TYPE_CHECKING:
    from widerspruch.settings import LedgerSettings


def _styled(state: str, expected: bool) -> str:
    style = "green" if expected else ("yellow" if state == CheckState.FORM_FOUND else "red")
    return f"[{style}]{state}[/{style}]"


def print_report(report: CheckReport, *, json_output: bool) -> None:
    from widerspruch.cli.render import print_json, print_table
    from widerspruch.text import local_time

    if json_output:
        print_json(report.to_json())
        return
    print_table(
        f"widerspruch check, {local_time(report.checked_at)}",
        ("service", "state", "HTTP", "lang", "final URL", "detail"),
        [
            (
                r.service,
                _styled(r.state.value, r.expected),
                str(r.http_status or "-"),
                r.language or "-",
                without_query(r.final_url) if r.final_url else "-",
                r.detail
                + (f"\nlink: {r.link}" if r.link else "")
                + (f"\nscreenshot: {r.screenshot}" if r.screenshot else ""),
            )
            for r in report.results
        ],
    )
    for alert in report.alerts:
        sys.stderr.write(f"alert: {alert.line()}\n")
    for delivery in report.deliveries:
        if not delivery.ok:
            sys.stderr.write(f"widerspruch: could not notify {delivery.target}: {delivery.error}\n")


def print_history(
    chosen: LedgerSettings, services: Sequence[str] | None, *, json_output: bool
) -> None:
    from widerspruch.cli.render import print_json, print_table
    from widerspruch.text import local_time

    timelines = history(chosen.data_dir, services, chosen.ledger)
    if json_output:
        print_json({"history": [timeline.to_json() for timeline in timelines]})
        return
    if not timelines:
        sys.stdout.write(f"No checks recorded yet in {chosen.home}.\n")
        return
    print_table(
        f"Check history ({chosen.where})",
        (
            "service",
            "now",
            "since",
            f"uptime {UPTIME_DAYS} d",
            f"checks {UPTIME_DAYS} d",
            "last check",
        ),
        [
            (
                t.service,
                _styled(t.state, t.expected),
                local_time(t.since),
                "-" if t.uptime_30d is None else f"{t.uptime_30d:.1%}",
                str(t.checks_30d),
                local_time(t.last_checked_at),
            )
            for t in timelines
        ],
    )
    print_table(
        f"State changes, newest first (up to {CHANGES_SHOWN} per service)",
        ("service", "at", "from", "to", "detail"),
        [
            (t.service, local_time(c.at), c.previous or "-", c.state, c.detail or "")
            for t in timelines
            for c in t.changes
        ],
    )
