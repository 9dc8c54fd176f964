"""Ctrl-C (SIGINT) and SIGTERM at each step of `submit`, in a real process, for every
service offered: exit 130, a truthful ledger, and a later run never resends what may
have been sent. The services come from the registry; a form without a login has no
login step."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.faults.test_submit_kills_without_account import details
from widerspruch import services

SCRIPT = Path(__file__).with_name("interrupted_submit.py")
# step -> (form version, whether Meta asks for the emailed code, the truthful state after)
STEPS = {
    "cookie_banner": ("form_2025", False, "cancelled"),
    "login_wall": ("form_2025", False, "cancelled"),
    "form": ("form_2025", False, "cancelled"),
    "after_send": ("form_2025", False, "submitted_unconfirmed"),
    "code_step": ("form_2024", True, "submitted_unconfirmed"),
}
CASES = [
    (flow.service, step)
    for flow in services.registry().flows
    for step in sorted(STEPS)
    if flow.needs_login or step != "login_wall"
]


def run(
    service: str, step: str, signal_name: str, data_dir: Path, home: Path, form_step: str
) -> tuple[int, int]:
    """Run `submit service` with the replay of `form_step`'s scenario, signalled at `step`."""
    form, code, _ = STEPS[form_step]
    report = data_dir.parent / f"report-{step}-{signal_name}.json"
    script = [str(SCRIPT), step, signal_name, str(data_dir), form, str(report)]
    done = subprocess.run(
        [sys.executable, *script, *details(service)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "HOME": str(home), "SERVICE": service, "CODE_STEP": "1" * code},
    )
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, json.loads(report.read_text())["objections"]


def ledger_statuses(data_dir: Path) -> list[str]:
    db = sqlite3.connect(data_dir / "ledger.sqlite3")
    return [row[0] for row in db.execute("SELECT status FROM objections ORDER BY id")]


def test_every_service_offered_is_interrupted_at_each_of_its_steps() -> None:
    offered = {flow.service for flow in services.registry().flows}
    assert {service for service, _ in CASES} == offered
    assert any(not services.registry().flow(s).needs_login for s in offered)


@pytest.mark.parametrize("signal_name", ["SIGINT", "SIGTERM"])
@pytest.mark.parametrize(("service", "step"), CASES)
def test_interrupt_leaves_a_truthful_ledger(
    tmp_path: Path, service: str, step: str, signal_name: str
) -> None:
    truthful = STEPS[step][2]
    data_dir = tmp_path / "data"
    code, received = run(service, step, signal_name, data_dir, tmp_path, step)
    assert code == 130
    assert ledger_statuses(data_dir) == [truthful]

    code, received_again = run(service, "never", signal_name, data_dir, tmp_path, step)
    if truthful == "cancelled":
        assert received == 0
        assert code == 0  # nothing had been sent, so the next run sends it once
        assert received_again == 1
        assert ledger_statuses(data_dir) == ["cancelled", "confirmed"]
    else:
        assert received == 1
        assert code == 1  # maybe sent: the next run refuses to send it again
        assert received_again == 0
        assert ledger_statuses(data_dir) == [truthful]
