"""Which changes of state to announce: a state is announced once it has held for
``alert_after`` consecutive checks; and the alert document the notifications carry."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from widerspruch import __version__
from widerspruch.check.results import EXPECTED, Alert, CheckResult, CheckState
from widerspruch.ledger import Ledger


def decide(
    ledger: Ledger, result: CheckResult, alert_after: int
) -> tuple[str | None, str | None, Alert | None]:
    """(state reported before, state reported after this result, the alert to send).

    A state is announced once it has held for `alert_after` consecutive checks, and
    only if it differs from what was last announced: from expected to failing, back
    (recovered), or from one failure to another. Changes between expected states
    (form_ok, login_required, no_form) are noted silently. A flapping service, which
    never holds a new state long enough, is announced once and then stays quiet.
    """
    history = ledger.checks(result.service, newest=max(alert_after, 50))
    before = (
        str(history[-1]["reported_state"]) if history and history[-1]["reported_state"] else None
    )
    runs = [(str(row["state"]), bool(row["expected"]), str(row["checked_at"])) for row in history]
    runs.append((result.state.value, result.expected, result.checked_at))
    same_health = _streak(runs, lambda run: run[1] == result.expected)
    same_state = _streak(runs, lambda run: run[0] == result.state.value)
    reported_ok = _was_expected(before, runs)

    state = result.state.value
    if before is not None and reported_ok == result.expected:
        if result.expected or state == before:
            return before, state if result.expected else before, None
        if same_state < alert_after:
            return before, before, None
        return before, state, _alert(result, "changed", before, runs[-same_state][2])
    if before is None and result.expected:
        return None, state, None  # the first check: nothing to announce
    if same_health < alert_after:
        return before, before, None
    kind = "recovered" if result.expected else "failing"
    return before, state, _alert(result, kind, before, runs[-same_health][2])


def _streak(
    runs: list[tuple[str, bool, str]], same: Callable[[tuple[str, bool, str]], bool]
) -> int:
    count = 0
    for run in reversed(runs):
        if not same(run):
            break
        count += 1
    return count


def _was_expected(reported: str | None, runs: list[tuple[str, bool, str]]) -> bool:
    if reported is None:
        return True
    for state, expected, _ in reversed(runs[:-1]):
        if state == reported:
            return expected
    return CheckState(reported) in EXPECTED


def _alert(result: CheckResult, kind: str, previous: str | None, since: str) -> Alert:
    if result.state is CheckState.FORM_FOUND:
        kind = "form_found"
    return Alert(
        service=result.service,
        kind=kind,
        state=result.state.value,
        previous=previous,
        since=since,
        detail=result.detail,
        final_url=result.final_url,
        link=result.link,
        screenshot=result.screenshot,
    )


def alert_document(
    checked_at: str, alerts: Sequence[Alert], results: Sequence[CheckResult]
) -> dict[str, Any]:
    """What --notify-cmd reads on stdin and --webhook receives."""
    return {
        "source": "widerspruch check",
        "version": __version__,
        "checked_at": checked_at,
        "alerts": [alert.to_json() for alert in alerts],
        "results": [result.to_json() for result in results],
    }
