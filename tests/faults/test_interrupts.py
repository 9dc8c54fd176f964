"""Ctrl-C (SIGINT) and SIGTERM at each step of `submit`, in a real process: exit 130,
a truthful ledger, and a later run never resends what may have been sent."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).with_name("interrupted_submit.py")
# step -> (form version, the ledger's truthful state afterwards)
STEPS = {
    "cookie_banner": ("form_2025", "cancelled"),
    "login_wall": ("form_2025", "cancelled"),
    "form": ("form_2025", "cancelled"),
    "after_send": ("form_2025", "submitted_unconfirmed"),
    "code_step": ("form_2024", "submitted_unconfirmed"),
}


def run(step: str, signal_name: str, data_dir: Path, form: str, home: Path) -> tuple[int, int]:
    report = data_dir.parent / f"report-{step}-{signal_name}.json"
    done = subprocess.run(
        [sys.executable, str(SCRIPT), step, signal_name, str(data_dir), form, str(report)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "HOME": str(home)},
    )
    return done.returncode, json.loads(report.read_text())["objections"]


def ledger_statuses(data_dir: Path) -> list[str]:
    db = sqlite3.connect(data_dir / "ledger.sqlite3")
    return [row[0] for row in db.execute("SELECT status FROM objections ORDER BY id")]


@pytest.mark.parametrize("signal_name", ["SIGINT", "SIGTERM"])
@pytest.mark.parametrize("step", sorted(STEPS))
def test_interrupt_leaves_a_truthful_ledger(tmp_path: Path, step: str, signal_name: str) -> None:
    form, truthful = STEPS[step]
    data_dir = tmp_path / "data"
    code, received = run(step, signal_name, data_dir, form, tmp_path)
    assert code == 130
    assert ledger_statuses(data_dir) == [truthful]

    code, received_again = run("never", signal_name, data_dir, form, tmp_path)
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
