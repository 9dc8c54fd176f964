"""Fault injection for `check`: every failure ends in a truthful, recorded state, a clear
message and the right exit code; an interrupted check records nothing half-way, and a
check never sends the form."""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext
from typer.testing import CliRunner

from tests.conftest import in_own_thread
from tests.faults.arranged import fill_the_disk
from widerspruch.check import CheckResult, CheckSettings, CheckState, record, target_for
from widerspruch.check import run as check_run
from widerspruch.cli import app
from widerspruch.ledger import LEDGER_FILE, utc_now
from widerspruch.services import registry
from widerspruch.settings import prepare_data_dir
from widerspruch.testing.check_replay import CheckReplay, CheckScenario
from widerspruch.testing.replay import SUBMIT_PATH

FLOWS = registry().flows_by_name

SCRIPT = Path(__file__).with_name("interrupted_check.py")
FACEBOOK_FORM = FLOWS["facebook"].form_urls[0]


# -- in process: the CLI on the replay ------------------------------------------------


@dataclass
class Replayed:
    """What `check` meets: the scenario, a hook for each context (a fault), and every
    replay and every request of the runs so far."""

    scenario: CheckScenario = field(default_factory=CheckScenario)
    hook: Callable[[BrowserContext], object] | None = None  # what it returns is ignored
    replays: list[CheckReplay] = field(default_factory=list)
    posts: list[str] = field(default_factory=list)  # every POST the pages tried to send
    calls: int = 0  # how often a check (and so a browser) was started


@pytest.fixture
def replayed(monkeypatch: pytest.MonkeyPatch) -> Replayed:
    state = Replayed()
    original = check_run.check_services

    def replaying(*args: Any, **kwargs: Any) -> list[CheckResult]:
        state.calls += 1
        replay = CheckReplay(CheckScenario(**vars(state.scenario)))
        state.replays.append(replay)

        def prepare(context: BrowserContext, target: Any) -> None:
            replay.attach(context, target)
            context.on(
                "request", lambda r: state.posts.append(r.url) if r.method == "POST" else None
            )
            if state.hook is not None:
                state.hook(context)

        return original(*args, **{**kwargs, "prepare_context": prepare})

    # `run_check` calls it from its own module: patched there, the patch takes effect.
    monkeypatch.setattr(check_run, "check_services", replaying)
    return state


def cli(*args: str) -> Any:
    """`widerspruch check ...` in a thread of its own (it starts Playwright)."""
    return in_own_thread(CliRunner().invoke, app, ["check", *args])


def recorded(data_dir: Path) -> list[tuple[str, str]]:
    db = sqlite3.connect(data_dir / LEDGER_FILE)
    return list(db.execute("SELECT service, state FROM checks ORDER BY id"))


FORM_GET_FAULTS = {
    # name -> (what the form URL does, --timeout, the reason code recorded)
    "connection reset": (lambda route: route.abort("connectionreset"), "20", "connection_failed"),
    "connection refused": (
        lambda route: route.abort("connectionrefused"),
        "20",
        "connection_failed",
    ),
    "no network": (lambda route: route.abort("internetdisconnected"), "20", "no_connection"),
    "timed out": (lambda route: route.abort("timedout"), "20", "network_timed_out"),
    "silent server": (lambda route: None, "1.5", "page_timed_out"),
}


@pytest.mark.parametrize("fault", sorted(FORM_GET_FAULTS))
def test_a_failing_form_get_is_a_recorded_error_and_exit_1(
    replayed: Replayed, tmp_path: Path, fault: str
) -> None:
    answer, timeout, reason = FORM_GET_FAULTS[fault]
    replayed.hook = lambda context: context.route(FACEBOOK_FORM + "**", answer)
    data_dir = tmp_path / "data"
    done = cli("facebook", "--timeout", timeout, "--json", "--data-dir", str(data_dir))
    assert done.exit_code == 1, done.output
    assert done.exception is None or isinstance(done.exception, SystemExit)
    [result] = json.loads(done.stdout)["results"]
    assert result["state"] == "error"
    assert result["reason"] == reason
    assert "ERR_" not in result["detail"]  # the raw error is for the log file only
    assert result["http_status"] is None
    assert recorded(data_dir) == [("facebook", "error")]
    history = cli("facebook", "--history", "--json", "--data-dir", str(data_dir))
    [facebook] = json.loads(history.stdout)["history"]
    assert (facebook["state"], facebook["expected"]) == ("error", False)


def test_a_form_changed_between_runs_is_reported_with_private_evidence(
    replayed: Replayed, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    args = ("facebook", "instagram", "--json", "--data-dir", str(data_dir))
    replayed.scenario.logged_in = True
    first = cli(*args)
    assert first.exit_code == 0, first.output
    assert {r["state"] for r in json.loads(first.stdout)["results"]} == {"form_ok"}

    replayed.scenario.form = "form_changed"  # the send button renamed, the email field gone
    second = cli(*args)
    assert second.exit_code == 1, second.output
    for result in json.loads(second.stdout)["results"]:
        assert result["state"] == "form_changed"
        assert result["missing"] == ["send", "email"]
        screenshot, html = Path(result["screenshot"]), Path(result["html"])
        assert screenshot.read_bytes().startswith(b"\x89PNG")
        assert "<script" not in html.read_text("utf-8").lower()
        folder = data_dir / "checks" / result["service"]
        assert screenshot.parent == html.parent == folder
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
        for saved in (screenshot, html):
            assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    db = sqlite3.connect(data_dir / LEDGER_FILE)
    rows = db.execute("SELECT state, screenshot, html FROM checks ORDER BY id").fetchall()
    assert [state for state, _, _ in rows] == ["form_ok"] * 2 + ["form_changed"] * 2
    assert all(screenshot and html for state, screenshot, html in rows[2:])
    # Kept relative to the data dir, so a moved archive still finds them.
    assert all(s.startswith("checks/") and h.startswith("checks/") for _, s, h in rows[2:])
    # A check reads; it never sends the form, not even a changed one.
    assert replayed.posts == []
    assert all(replay.meta.submissions == [] for replay in replayed.replays)
    assert not any(SUBMIT_PATH in url for replay in replayed.replays for url in replay.served)
    # The evidence shows a logged-in page: neither its session cookie nor its form token.
    written = [path.read_bytes() for path in data_dir.rglob("*") if path.is_file()]
    for replay in replayed.replays:
        for secret in (replay.meta.session_token, replay.meta.csrf_token):
            assert not any(secret.encode() in data for data in written)


UNUSABLE = {
    "full disk": ("the disk holding {data_dir} is full", "Free some space"),
    "data dir is a file": ("the data dir {data_dir} is not usable", "it is a file, not a folder"),
}


@pytest.mark.parametrize("how", sorted(UNUSABLE))
def test_an_unusable_data_dir_is_one_line_and_exit_2_before_any_browser(
    replayed: Replayed, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, how: str
) -> None:
    data_dir = tmp_path / "data"
    if how == "full disk":
        fill_the_disk(monkeypatch)
    else:
        data_dir.write_text("not a folder")
    done = cli("--json", "--data-dir", str(data_dir))
    assert done.exit_code == 2
    assert done.stdout == ""
    [line] = done.stderr.splitlines()
    start, reason = UNUSABLE[how]
    assert line.startswith("widerspruch: error: " + start.format(data_dir=data_dir))
    assert reason in line
    assert replayed.calls == 0


# -- in a real process: signals, a killed browser, a bad ledger ----------------------------


def run(fault: str, step: str, data_dir: Path, *options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), fault, step, str(data_dir), *options],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        env={**os.environ, "HOME": str(data_dir.parent)},
    )


def gone(pid: int) -> bool:
    """No such process any more (a zombie waiting for its parent counts as gone)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0] in "ZX"
    except (FileNotFoundError, ProcessLookupError):
        return True


def browser_pid(data_dir: Path) -> int:
    return int(data_dir.with_suffix(".browser-pid").read_text())


def earlier_checks(data_dir: Path) -> None:
    """A history of one earlier run, as `check` records it."""
    services = ("facebook", "instagram", "whatsapp")
    settings = CheckSettings(services=services, data_dir=prepare_data_dir(data_dir))
    found = [
        CheckResult(s, CheckState.LOGIN_REQUIRED, "earlier", FACEBOOK_FORM, utc_now(), True)
        for s in services
    ]
    record(settings, found)


@pytest.mark.parametrize("step", ["form_get", "decline", "record"])
@pytest.mark.parametrize("signal_name", ["SIGINT", "SIGTERM", "SIGTERM-background"])
def test_an_interrupted_check_stops_cleanly_and_records_nothing_half_way(
    tmp_path: Path, signal_name: str, step: str
) -> None:
    data_dir = tmp_path / "data"
    earlier_checks(data_dir)
    before = (data_dir / LEDGER_FILE).read_bytes()

    stopped = run(signal_name, step, data_dir)
    assert stopped.returncode == 130
    assert stopped.stderr == "widerspruch: stopped\n"
    assert stopped.stdout == ""
    assert gone(browser_pid(data_dir))
    # Nothing of the stopped run was recorded, not even one service of it.
    assert (data_dir / LEDGER_FILE).read_bytes() == before
    db = sqlite3.connect(data_dir / LEDGER_FILE)
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    shown = subprocess.run(
        [sys.executable, "-m", "widerspruch", "check", "--history", "--json"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "HOME": str(tmp_path), "WIDERSPRUCH_HOME": str(data_dir)},
    )
    assert shown.returncode == 0, shown.stderr
    assert [t["checks_30d"] for t in json.loads(shown.stdout)["history"]] == [1, 1, 1]


@pytest.mark.parametrize("step", ["form_get", "decline"])
def test_a_browser_killed_mid_check_is_a_recorded_error_and_exit_1(
    tmp_path: Path, step: str
) -> None:
    data_dir = tmp_path / "data"
    done = run("kill_browser", step, data_dir)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    results = {r["service"]: r for r in json.loads(done.stdout)["results"]}
    assert sorted(results) == sorted(registry().names(watched=True))  # every one checked
    facebook = results["facebook"]
    assert facebook["state"] == "error"
    assert "closed" in facebook["detail"]
    assert recorded(data_dir) == [(s, r["state"]) for s, r in results.items()]


def test_a_call_the_dead_browser_never_answers_still_ends_in_an_error_result() -> None:
    # Once Chromium is gone, a call in flight (opening a page) may wait for ever.
    async def never_answered() -> CheckResult:
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    async def browser_dies() -> CheckResult:
        closed = asyncio.Event()
        check = check_run._unless_browser_closes(never_answered(), target_for("whatsapp"), closed)
        asyncio.get_running_loop().call_later(0.1, closed.set)
        return await asyncio.wait_for(check, 10)

    result = in_own_thread(asyncio.run, browser_dies())  # pytest-playwright runs a loop here
    assert result.state is CheckState.ERROR
    assert "browser closed" in result.detail
    assert result.service == "whatsapp"
    assert not result.expected
