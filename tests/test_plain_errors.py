"""Plain words for what goes wrong: a network that is down, a browser that cannot start.

"Network unplugged" is Chromium's own resolver told to find no name (--host-resolver-rules),
so each command meets what a person offline meets: net::ERR_NAME_NOT_RESOLVED.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext
from typer.testing import CliRunner

from tests.conftest import EMAIL, Harness, in_own_thread
from tests.test_batch import member, members, run
from widerspruch import browser as browser_module
from widerspruch.batch import ItemState
from widerspruch.cli import app
from widerspruch.failures import NETWORK, Reason, explain, launch_failure
from widerspruch.ledger import LEDGER_FILE
from widerspruch.testing.operator import ScriptedOperator

RAW = ("ERR_", "net::", "Page.goto", "BrowserType", "Target page", "Call log")


@pytest.fixture
def unplugged(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every browser the commands launch resolves no name at all."""
    monkeypatch.setattr(
        browser_module,
        "LAUNCH_ARGS",
        (*browser_module.LAUNCH_ARGS, "--host-resolver-rules=MAP * ~NOTFOUND"),
    )


def cli(*args: str) -> Any:
    return in_own_thread(CliRunner().invoke, app, list(args))


def assert_plain(text: str) -> None:
    for raw in RAW:
        assert raw not in text, f"{raw!r} reached the person: {text}"


def test_submit_offline_says_no_internet_in_one_line_and_records_the_reason(
    unplugged: None, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    done = cli(
        "submit", "facebook", "--email", EMAIL, "--country", "DE", "--headless",
        "--data-dir", str(data), "--json",
    )  # fmt: skip
    assert done.exit_code == 1, done.output
    [result] = json.loads(done.stdout)["results"]
    assert (result["status"], result["reason"]) == ("failed", "name_not_resolved")
    assert result["message"].startswith("no internet connection")
    assert "\n" not in result["message"]
    assert_plain(result["message"])
    db = sqlite3.connect(data / LEDGER_FILE)
    [(detail, reason)] = db.execute("SELECT detail, reason FROM objections")
    assert reason == "name_not_resolved"
    assert_plain(detail)
    # The raw error is kept, in the log file only.
    assert "ERR_NAME_NOT_RESOLVED" in (data / "widerspruch.log").read_text("utf-8")


def test_check_offline_says_no_internet_and_records_the_reason(
    unplugged: None, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    done = cli("check", "facebook", "--data-dir", str(data), "--json", "--timeout", "20")
    assert done.exit_code == 1, done.output
    [result] = json.loads(done.stdout)["results"]
    assert (result["state"], result["reason"]) == ("error", "name_not_resolved")
    assert result["detail"].startswith("no internet connection")
    assert_plain(result["detail"])
    db = sqlite3.connect(data / LEDGER_FILE)
    assert list(db.execute("SELECT reason FROM checks")) == [("name_not_resolved",)]
    table = cli("check", "facebook", "--data-dir", str(data), "--timeout", "20")
    assert "no internet connection" in table.stdout
    assert_plain(table.output)


def test_batch_offline_pauses_after_two_members_and_calls_no_third(
    unplugged: None, tmp_path: Path
) -> None:
    path = members(tmp_path, member(1), member(2), member(3))
    data = tmp_path / "data"
    done = cli("batch", str(path), "--services", "facebook", "--headless", "--yes",
               "--data-dir", str(data))  # fmt: skip
    assert done.exit_code == 1, done.output
    assert "could not reach Meta: no internet connection" in done.stderr
    assert "Stopped: the network is down" in done.stderr
    assert "member 0003" not in done.stderr  # never called to the desk
    assert_plain(done.output)
    db = sqlite3.connect(data / LEDGER_FILE)
    items = list(db.execute("SELECT member_id, state FROM batch_items ORDER BY position"))
    assert items == [("0001", "failed"), ("0002", "failed"), ("0003", "pending")]


def offline(context: BrowserContext) -> None:
    context.route("**/*", lambda route: route.abort("internetdisconnected"))


def test_the_operator_is_asked_once_and_may_go_on(harness: Harness, tmp_path: Path) -> None:
    harness.context_hook = offline
    path = members(tmp_path, member(1), member(2), member(3), member(4))
    operator = ScriptedOperator(go_on=[True])
    outcome = run(harness, path, operator, assume_yes=False)
    asked = [line for line in operator.asked if line.startswith("network down")]
    # Paused after 0002; went on; paused again after 0004 (two more in a row).
    assert operator.handed_over == ["0001", "0002", "0003", "0004"]
    assert len(asked) == 2
    assert "no internet connection" in asked[0]
    assert [item.state for item in outcome.items] == [ItemState.FAILED] * 4


def test_one_member_failing_to_reach_meta_is_no_pause(harness: Harness, tmp_path: Path) -> None:
    seen: list[BrowserContext] = []

    def first_only(context: BrowserContext) -> None:
        seen.append(context)
        if len(seen) == 1:
            offline(context)

    harness.context_hook = first_only
    harness.replay.scenario.logged_in = True
    path = members(tmp_path, member(1), member(2), member(3))
    operator = ScriptedOperator()
    outcome = run(harness, path, operator, assume_yes=False)
    assert not [line for line in operator.asked if line.startswith("network down")]
    assert outcome.items[0].state is ItemState.FAILED
    assert operator.handed_over == ["0001", "0002", "0003"]


@pytest.mark.parametrize(
    ("raw", "reason", "words"),
    [
        ("Page.goto: net::ERR_NAME_NOT_RESOLVED at https://www.example.org/x", "name_not_resolved",
         "no internet connection"),
        ("Page.goto: net::ERR_INTERNET_DISCONNECTED at https://a.example/", "no_connection",
         "no internet connection"),
        ("Page.goto: net::ERR_BLOCKED_BY_CLIENT at https://portal.example/", "blocked_host",
         "portal.example was blocked"),
        ("Page.goto: net::ERR_PROXY_CONNECTION_FAILED at https://a.example/", "proxy",
         "proxy"),
        ("Page.goto: net::ERR_CERT_AUTHORITY_INVALID at https://a.example/", "captive_portal",
         "sign in to the network"),
        ("Page.goto: net::ERR_CONNECTION_REFUSED at https://a.example/", "connection_failed",
         "connection to a.example failed"),
        ("Page.goto: net::ERR_TIMED_OUT at https://a.example/", "network_timed_out",
         "a.example did not answer"),
        ("Page.goto: net::ERR_CONNECTION_TIMED_OUT at https://a.example/", "network_timed_out",
         "a.example did not answer"),
        ("Page.goto: Timeout 30000ms exceeded.", "page_timed_out", "within 30 seconds"),
        ("Page.click: Target page, context or browser has been closed", "browser_closed",
         "closed or crashed"),
    ],
)  # fmt: skip
def test_every_raw_error_becomes_a_reason_and_plain_words(
    raw: str, reason: str, words: str
) -> None:
    failure = explain(raw + "\nCall log:\n  - navigating")
    assert failure.reason == reason
    assert words in failure.message
    assert_plain(failure.message)


def test_network_reasons_are_those_that_never_reached_meta() -> None:
    assert Reason.NAME_NOT_RESOLVED in NETWORK
    assert Reason.NETWORK_TIMED_OUT in NETWORK  # nothing came back: the network, not Meta
    assert Reason.PAGE_TIMED_OUT not in NETWORK  # Meta may be slow: not "the network is down"
    assert Reason.BLOCKED_HOST not in NETWORK


def test_submit_without_a_display_points_to_what_works(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    done = cli("submit", "facebook", "--email", EMAIL, "--country", "DE",
               "--data-dir", str(tmp_path / "data"))  # fmt: skip
    assert done.exit_code == 2, done.output
    line = done.stderr.strip()
    assert "\n" not in line
    for hint in ("desktop session", "xvfb-run", "--cdp"):
        assert hint in line
    assert_plain(line)


def test_a_program_that_is_no_browser_is_named_as_such(tmp_path: Path) -> None:
    done = cli("demo", "--browser", "/bin/true", "--data-dir", str(tmp_path / "data"))
    assert done.exit_code == 2, done.output
    assert "/bin/true" in done.stderr
    assert "ended as soon as it started" in done.stderr
    assert_plain(done.stderr)
    not_a_program = tmp_path / "chrome"
    not_a_program.write_text("")
    failure = launch_failure("Target page, context or browser has been closed", not_a_program,
                             headless=True)  # fmt: skip
    assert failure.reason is Reason.BROWSER_NOT_EXECUTABLE


def test_a_bad_browser_variable_is_blamed_not_the_option(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WIDERSPRUCH_BROWSER", "/nope/x")
    done = cli("check", "facebook", "--data-dir", str(tmp_path / "data"))
    assert done.exit_code == 2
    assert "WIDERSPRUCH_BROWSER" in done.stderr
    assert "--browser" not in done.stderr
    # Named on the command line, the option is blamed.
    done = cli("check", "facebook", "--browser", "/nope/y", "--data-dir", str(tmp_path / "d"))
    assert "--browser: /nope/y does not exist" in done.stderr
