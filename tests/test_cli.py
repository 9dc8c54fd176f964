"""The command line: exit codes, --json, one-line errors, help with examples."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.conftest import in_own_thread
from widerspruch import submit as submit_module
from widerspruch.browser import BrowserSession, open_browser
from widerspruch.cli import app
from widerspruch.testing.replay import ReplayServer, Scenario

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
def replayed_meta(monkeypatch: pytest.MonkeyPatch) -> ReplayServer:
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
    # Wide enough that the table does not fold the ledger's long temporary path.
    result = runner.invoke(app, submit_args(tmp_path), env={"COLUMNS": "250"})
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
        "--browser: ",
    ),
    (["templates", "nope"], "unknown template"),
    (
        ["submit", "meta-third-party", "--email", EMAIL, "--country", "DE", "--where", "photos"],
        "--name is required for ",
    ),
    (
        ["submit", "whatsapp", "--email", EMAIL, "--country", "DE", "--phone", "+4915112345678"],
        "WhatsApp has no known objection form yet",
    ),
    (["submit", "facebook", "--email", EMAIL, "--country", "DE", "--name", "J"], "--name: not"),
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


def test_unreachable_cdp_is_exit_2_in_plain_words(runner: CliRunner, tmp_path: Path) -> None:
    """Nothing listens at the --cdp address: one plain line that asks whether the browser
    was started with --remote-debugging-port; Playwright's own words only in the log."""
    result = runner.invoke(app, submit_args(tmp_path, "--cdp", "http://127.0.0.1:9"))
    assert result.exit_code == 2
    [line] = result.stderr.strip().splitlines()
    assert "no browser answers at http://127.0.0.1:9" in line
    assert "--remote-debugging-port=9" in line
    for raw in ("BrowserType", "connect_over_cdp", "ECONNREFUSED"):
        assert raw not in result.output
    assert "ECONNREFUSED" in (tmp_path / "widerspruch.log").read_text("utf-8")


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


@pytest.mark.parametrize(
    "command",
    [["submit"], ["check"], ["batch"], ["account", "add"], ["account", "forget-session"]],
    ids=" ".join,
)
def test_help_names_the_services_the_flows_declare(runner: CliRunner, command: list[str]) -> None:
    from widerspruch.services import service_names

    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0
    assert service_names()[0] in result.stdout
    assert "{SERVICE" not in result.stdout
    assert "{ALL_SERVICES}" not in result.stdout


def test_help_loads_no_flow_and_no_browser() -> None:
    script = (
        "import sys\n"
        "from widerspruch.cli import main\n"
        "sys.argv = ['widerspruch', '--help']\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "print([m for m in sys.modules if m.startswith(('widerspruch.flows', 'playwright'))])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip().endswith("[]"), done.stdout
