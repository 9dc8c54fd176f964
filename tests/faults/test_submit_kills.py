"""`submit` in real processes: killed with a real SIGKILL at each step and run again, and
two runs at once (two `submit`s, or `submit` and `batch`) for the same account and
service. Meta gets each objection once, the ledger tells the truth, and the run that
meets another's claim stops at once with one line and exit code 1."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import NamedTuple

import pytest

from tests.faults.test_batch_kills import (
    assert_the_ledger_tells_the_truth,
    journal,
    received,
)
from widerspruch.services import company_of, registry

# Every service one logs in to, as the registry lists them.
WITH_LOGIN = tuple(flow.service for flow in registry().flows if flow.needs_login)
HERE = Path(__file__).parent
SUBMIT = HERE / "killed_submit.py"
BATCH = HERE / "killed_batch.py"
BUSY = "another widerspruch run is objecting for j***@example.org on facebook since "
JANA = "jana@example.org"


def start(
    folder: Path, script: Path, *args: str, login_delay: float = 0, **env: str
) -> subprocess.Popen[str]:
    """A child in its own process group (its browser too), on this test's data dir; `env`
    adds to its environment (SERVICE, CODE_DELAY: see killed_submit.py)."""
    return subprocess.Popen(
        [sys.executable, str(script), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "HOME": str(folder), "LOGIN_DELAY": str(login_delay), **env},
        start_new_session=True,
    )


def finish(process: subprocess.Popen[str]) -> subprocess.CompletedProcess[str]:
    try:
        stdout, stderr = process.communicate(timeout=600)
    finally:
        # A killed process leaves its browser to its process group: end that too.
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def submit(
    folder: Path, kill_at: str = "never", *more: str, login_delay: float = 0, **env: str
) -> subprocess.Popen[str]:
    data, log = str(folder / "data"), str(folder / "journal.jsonl")
    return start(folder, SUBMIT, data, log, kill_at, *more, login_delay=login_delay, **env)


def statuses(folder: Path) -> list[str]:
    db = sqlite3.connect(folder / "data" / "ledger.sqlite3")
    return [row[0] for row in db.execute("SELECT status FROM objections ORDER BY id")]


def wait_until(condition: Callable[[], bool], timeout: float = 120) -> None:
    """Wait for a state, with a timeout (never a fixed sleep)."""
    pause = threading.Event()
    for _ in range(int(timeout / 0.05)):
        if condition():
            return
        pause.wait(0.05)
    raise AssertionError("the state was not reached in time")


def claimed(folder: Path) -> bool:
    """A run holds a claim for Jana on Facebook (the ledger shows it in progress)."""
    try:
        return "in_progress" in statuses(folder)
    except sqlite3.Error:
        return False  # not created yet, or being migrated


class Step(NamedTuple):
    at_the_kill: list[str]  # the ledger right after the kill
    received: int  # objections Meta has then
    rerun_exit: int
    after_rerun: list[str]


STEPS = {
    "before_claim:1": Step([], 0, 0, ["confirmed"]),
    "after_claim:1": Step(["in_progress"], 0, 0, ["cancelled", "confirmed"]),
    "login:1": Step(["in_progress"], 0, 0, ["cancelled", "confirmed"]),
    "filled:1": Step(["in_progress"], 0, 0, ["cancelled", "confirmed"]),
    # Meta has it, the browser never heard back: never sent again by itself.
    "sent:1": Step(["submitting"], 1, 1, ["submitted_unconfirmed"]),
    "answered:1": Step(["submitting"], 1, 1, ["submitted_unconfirmed"]),
    "evidence:1": Step(["confirmed"], 1, 0, ["confirmed"]),
    "receipt:1": Step(["confirmed"], 1, 0, ["confirmed"]),
}


@pytest.mark.parametrize("kill_at", list(STEPS))
@pytest.mark.parametrize("service", WITH_LOGIN)
def test_submit_killed_at_each_step_then_run_again_sends_it_once(
    tmp_path: Path, service: str, kill_at: str
) -> None:
    step = STEPS[kill_at]
    killed = finish(submit(tmp_path, kill_at, SERVICE=service))
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert (statuses(tmp_path) if (tmp_path / "data").exists() else []) == step.at_the_kill
    assert sum(received(tmp_path).values()) == step.received

    again = finish(submit(tmp_path, "never", SERVICE=service))
    assert again.returncode == step.rerun_exit, again.stderr
    assert "Traceback" not in again.stderr
    assert statuses(tmp_path) == step.after_rerun
    if step.rerun_exit:
        assert f"may already have reached {company_of(service)}" in again.stderr
        assert "not sent again" in again.stderr
    assert received(tmp_path) == Counter({JANA: 1})
    assert_the_ledger_tells_the_truth(tmp_path)

    once_more = finish(submit(tmp_path, "never", SERVICE=service))  # and again: still nothing twice
    assert once_more.returncode == step.rerun_exit, once_more.stderr
    assert received(tmp_path) == Counter({JANA: 1})


def test_two_submits_at_once_send_one_objection_and_the_other_stops_with_one_line(
    tmp_path: Path,
) -> None:
    first = submit(tmp_path, login_delay=5)
    second = submit(tmp_path, login_delay=5)  # the same moment, the same account
    runs = [finish(first), finish(second)]

    assert sorted(run.returncode for run in runs) == [0, 1], [run.stderr for run in runs]
    loser = max(runs, key=lambda run: run.returncode)
    assert BUSY in loser.stderr
    assert "on this machine)" in loser.stderr
    assert "Traceback" not in loser.stderr
    assert received(tmp_path) == Counter({JANA: 1})
    assert statuses(tmp_path) == ["confirmed"]
    assert_the_ledger_tells_the_truth(tmp_path)


def members_with_jana(folder: Path) -> Path:
    path = folder / "members.csv"
    path.write_text(
        "member_id,email,country,language,services,mandate_ref\n0001,jana@example.org,DE,,,M-1\n",
        "utf-8",
    )
    return path


def run_batch(folder: Path, *, login_delay: float = 0) -> subprocess.Popen[str]:
    data, log = str(folder / "data"), str(folder / "journal.jsonl")
    members = str(members_with_jana(folder))
    return start(folder, BATCH, data, members, log, "never", "SIGKILL", login_delay=login_delay)


def test_submit_then_batch_for_the_same_member_sends_once(tmp_path: Path) -> None:
    running = submit(tmp_path, login_delay=5)
    wait_until(lambda: claimed(tmp_path))
    batch = finish(run_batch(tmp_path))
    done = finish(running)

    assert done.returncode == 0, done.stderr
    assert batch.returncode == 1, batch.stderr
    assert BUSY in batch.stderr
    assert received(tmp_path) == Counter({JANA: 1})
    assert_the_ledger_tells_the_truth(tmp_path)


def test_batch_then_submit_for_the_same_member_sends_once(tmp_path: Path) -> None:
    running = run_batch(tmp_path, login_delay=5)
    wait_until(lambda: claimed(tmp_path))
    meanwhile = finish(submit(tmp_path))
    done = finish(running)

    assert done.returncode == 0, done.stderr
    assert meanwhile.returncode == 1, meanwhile.stderr
    assert BUSY in meanwhile.stderr
    assert [e["kind"] for e in journal(tmp_path)] == ["submitted"]
    assert received(tmp_path) == Counter({JANA: 1})
    assert_the_ledger_tells_the_truth(tmp_path)
