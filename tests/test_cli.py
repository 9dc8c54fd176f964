"""The command line: exit codes, --json, one-line errors, help with examples."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.conftest import in_own_thread
from widerspruch import submit as submit_module
from widerspruch.browser import BrowserSession, open_browser
from widerspruch.cli import app
from widerspruch.replay import ReplayServer, Scenario

README = Path(__file__).parent.parent / "README.md"
EMAIL = "jana@example.org"


class ThreadedRunner(CliRunner):
    """Invokes in a thread of its own: the CLI starts Playwright, as it does for users."""

    def invoke(self, *args: Any, **kwargs: Any) -> Any:
        return in_own_thread(super().invoke, *args, **kwargs)


@pytest.fixture
def runner() -> CliRunner:
    return ThreadedRunner()


@pytest.fixture
def replayed_meta(monkeypatch: pytest.MonkeyPatch) -> Iterator[ReplayServer]:
    """`submit` launches its browser as usual, but Meta is the replay (logged in)."""
    server = ReplayServer(Scenario(logged_in=True, language="de"))

    def replaying_browser(**options: Any) -> AbstractContextManager[BrowserSession]:
        return open_browser(**{**options, "prepare_context": lambda c, f: server.attach(c)})

    monkeypatch.setattr(submit_module, "open_browser", replaying_browser)
    return server


def submit_args(data_dir: Path, *extra: str) -> list[str]:
    return [
        "submit",
        "facebook",
        "--email",
        EMAIL,
        "--country",
        "DE",
        "--headless",
        "--data-dir",
        str(data_dir),
        *extra,
    ]


def test_submit_json_is_one_document_and_exit_0_when_confirmed(
    runner: CliRunner, replayed_meta: ReplayServer, tmp_path: Path
) -> None:
    result = runner.invoke(app, submit_args(tmp_path, "--json"))
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    [entry] = document["results"]
    assert entry["service"] == "facebook"
    assert entry["status"] == "confirmed"
    assert entry["ledger"].endswith("ledger.sqlite3")

    again = runner.invoke(app, submit_args(tmp_path, "--json"))
    assert again.exit_code == 0
    assert json.loads(again.stdout)["results"][0]["status"] == "already_confirmed"
    assert len(replayed_meta.submissions) == 1


def test_submit_error_page_exits_1_and_is_not_confirmed(
    runner: CliRunner, replayed_meta: ReplayServer, tmp_path: Path
) -> None:
    replayed_meta.scenario.outcome = "error"
    result = runner.invoke(app, submit_args(tmp_path, "--json"))
    assert result.exit_code == 1
    assert json.loads(result.stdout)["results"][0]["status"] == "failed"
    log = runner.invoke(app, ["log", "--json", "--data-dir", str(tmp_path)])
    assert [o["status"] for o in json.loads(log.stdout)["objections"]] == ["failed"]


def test_headless_login_fails_clearly_instead_of_waiting(
    runner: CliRunner, replayed_meta: ReplayServer, tmp_path: Path
) -> None:
    replayed_meta.scenario.logged_in = False
    result = runner.invoke(app, submit_args(tmp_path))
    assert result.exit_code == 1
    assert "headless" in result.output
    assert "confirmed" not in result.stdout.replace("unconfirmed", "")


def test_summary_table_names_service_status_and_record(
    runner: CliRunner, replayed_meta: ReplayServer, tmp_path: Path
) -> None:
    result = runner.invoke(app, submit_args(tmp_path))
    assert result.exit_code == 0
    assert re.search(r"facebook\s.*confirmed", result.stdout)
    assert "ledger.sqlite3" in result.stdout


BAD_INPUT = [
    (["submit", "facebook", "--email", "not-an-email", "--country", "DE"], "--email"),
    (["submit", "myspace", "--email", EMAIL, "--country", "DE"], "unknown service"),
    (["submit", "whatsapp", "--email", EMAIL, "--country", "DE"], "WhatsApp has no"),
    (["submit", "facebook", "--email", EMAIL, "--country", "ZZ"], "unknown country"),
    (
        ["submit", "facebook", "--email", EMAIL, "--country", "DE", "--language", "tlh"],
        "--language",
    ),
    (
        ["submit", "facebook", "--email", EMAIL, "--country", "DE", "--template", "nope"],
        "unknown template",
    ),
    (["submit", "facebook", "--email", EMAIL, "--country", "DE", "--justification", "  "], "empty"),
    (
        ["submit", "facebook", "--email", EMAIL, "--country", "DE", "--justification", "x" * 3001],
        "at most 3000",
    ),
    (
        ["submit", "facebook", "--email", EMAIL, "--country", "DE", "--form-url", "ftp://x"],
        "--form-url",
    ),
    (
        [
            "submit",
            "facebook",
            "instagram",
            "--email",
            EMAIL,
            "--country",
            "DE",
            "--form-url",
            "https://www.facebook.com/help/contact/1",
        ],
        "exactly one service",
    ),
    (["submit", "facebook", "--email", EMAIL, "--country", "DE", "--cdp", "localhost"], "--cdp"),
    (
        ["submit", "facebook", "--email", EMAIL, "--country", "DE", "--browser", "/no/such/chrome"],
        "no executable browser",
    ),
    (["templates", "nope"], "unknown template"),
]


@pytest.mark.parametrize(("args", "message"), BAD_INPUT, ids=lambda v: str(v)[:40])
def test_bad_input_is_one_line_and_exit_2(
    runner: CliRunner, tmp_path: Path, args: list[str], message: str
) -> None:
    result = runner.invoke(
        app, [*args, "--data-dir", str(tmp_path)] if args[0] == "submit" else args
    )
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_unreachable_cdp_is_exit_2(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, submit_args(tmp_path, "--cdp", "http://127.0.0.1:9"))
    assert result.exit_code == 2
    assert "cannot reach a browser" in result.stderr


def test_log_on_empty_data_dir(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["log", "--json", "--data-dir", str(tmp_path)])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {"ledger": None, "objections": []}


def test_templates_list_and_show(runner: CliRunner) -> None:
    listed = json.loads(runner.invoke(app, ["templates", "--json"]).stdout)["templates"]
    assert {(t["name"], t["language"]) for t in listed} >= {("standard", "de"), ("standard", "en")}
    shown = runner.invoke(app, ["templates", "standard", "--language", "en"])
    assert "Art. 21(1) GDPR" in shown.stdout


def test_demo_runs_offline_and_shows_its_ledger(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["demo", "--json", "--data-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert [r["status"] for r in document["results"]] == ["confirmed", "confirmed"]
    assert [o["status"] for o in document["objections"]] == ["confirmed", "confirmed"]


def test_every_command_has_help_with_an_example_and_is_in_the_readme(
    runner: CliRunner,
) -> None:
    readme = README.read_text("utf-8")
    names = [
        command.name or command.callback.__name__.replace("_", "-")  # type: ignore[union-attr]
        for command in app.registered_commands
    ]
    assert names
    for name in names:
        result = runner.invoke(app, [name, "--help"])
        assert result.exit_code == 0
        assert "Example:" in result.stdout or "Examples:" in result.stdout, name
        assert f"widerspruch {name}" in readme, name
