"""Small traps a newcomer falls into, each closed: a clear one-line answer, up front."""

from __future__ import annotations

import json
import re
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.conftest import EMAIL, Harness, in_own_thread
from widerspruch.cli import app
from widerspruch.ledger import Ledger
from widerspruch.logs import LOG_FILE
from widerspruch.states import Status
from widerspruch.submit import Outcome
from widerspruch.submit.result import Result

ROOT = Path(__file__).parent.parent
SUBMIT = ["submit", "facebook", "--email", EMAIL, "--country", "DE"]


def cli(*args: str) -> Any:
    return in_own_thread(CliRunner().invoke, app, list(args))


def one_line_exit_2(done: Any) -> str:
    assert done.exit_code == 2, done.output
    assert done.exception is None or isinstance(done.exception, SystemExit)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    return lines[0]


def test_a_form_url_outside_the_flows_hosts_is_refused_before_anything_starts(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    line = one_line_exit_2(
        cli(*SUBMIT, "--form-url", "https://evil.example/form", "--data-dir", str(data))
    )
    assert "--form-url: evil.example is not one of the hosts" in line
    assert not (data / "ledger.sqlite3").exists()  # no failed objection recorded


def test_an_empty_data_dir_is_an_error_not_the_current_folder(tmp_path: Path) -> None:
    done = cli("log", "--data-dir", "")
    assert done.exit_code == 2
    assert "--data-dir" in done.output
    assert "is empty" in done.output


def test_batch_on_a_folder_says_it_is_a_folder(tmp_path: Path) -> None:
    line = one_line_exit_2(
        cli("batch", str(tmp_path), "--services", "facebook", "--yes",
            "--data-dir", str(tmp_path / "data"))
    )  # fmt: skip
    assert f"{tmp_path} is a folder, not a members file" in line


def test_receipt_works_when_the_log_file_cannot_be_written(harness: Harness) -> None:
    harness.submit("facebook", language="en")
    log_file = harness.data_dir / LOG_FILE
    log_file.unlink(missing_ok=True)
    log_file.mkdir()  # cannot be opened for writing, even by root
    done = cli("receipt", "1", "--data-dir", str(harness.data_dir))
    assert done.exit_code == 0, done.output
    assert done.exception is None
    assert "Traceback" not in done.output


def test_the_results_of_several_accounts_name_the_account(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from widerspruch.cli.render import print_results

    monkeypatch.setenv("COLUMNS", "200")
    results = [
        Result("facebook", Status.CONFIRMED, "done", "jana@example.org"),
        Result("facebook", Status.FAILED, "no internet connection", "ole@example.org"),
    ]
    print_results(Outcome(results=results), json_output=False)
    out, err = capsys.readouterr()
    header = next(line for line in out.splitlines() if "service" in line)
    assert "account" in header
    assert "jana@example.org" in out
    assert "ole@example.org" in out
    assert "facebook (ole@example.org): no internet connection" in err


def test_an_empty_ledger_and_a_missing_one_say_the_same(tmp_path: Path) -> None:
    missing = cli("log", "--data-dir", str(tmp_path / "none")).stdout
    folder = tmp_path / "empty"
    folder.mkdir(mode=0o700)
    with Ledger.open(folder):
        pass
    empty = cli("log", "--data-dir", str(folder)).stdout
    assert missing.replace(str(tmp_path / "none"), "X") == empty.replace(str(folder), "X")
    assert "No objections recorded yet" in empty
    status = cli("status", "--data-dir", str(folder)).stdout
    assert "No objections recorded yet" in status


def test_dev_without_arguments_prints_only_its_usage() -> None:
    done = subprocess.run([str(ROOT / "dev")], capture_output=True, text=True, check=False)
    assert done.returncode == 2
    assert done.stdout == ""
    assert "./dev setup" in done.stderr
    assert "set -" not in done.stderr


def test_installing_names_every_package_the_source_holds() -> None:
    # setuptools warns on install about a package folder the configuration leaves out,
    # in src/ and in the folders mapped in (flows/, fixtures/).
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"]
    listed = set(config["packages"])
    roots = {package: ROOT / folder for package, folder in config["package-dir"].items() if package}
    roots["widerspruch"] = ROOT / "src" / "widerspruch"
    for root_package, root in roots.items():
        # A folder without __init__.py is importable all the same (a namespace package).
        found = root.rglob("*")
        folders = {p.parent for p in found if p.suffix in (".py", ".txt", ".html")}
        for folder in folders:
            if "__pycache__" in folder.parts:
                continue
            package = ".".join((root_package, *folder.relative_to(root).parts))
            assert package in listed, f"{package} is not in pyproject's packages"
            for suffix in (".txt", ".html"):
                if any(p.suffix == suffix for p in folder.iterdir()):
                    data = config["package-data"].get(package, [])
                    assert f"*{suffix}" in data, f"{package}: *{suffix} is not in package-data"


def every_command() -> list[list[str]]:
    commands: list[list[str]] = []
    for command in app.registered_commands:
        commands.append([command.name or command.callback.__name__.replace("_", "-")])  # type: ignore[union-attr]
    for group in app.registered_groups:
        for command in group.typer_instance.registered_commands:  # type: ignore[union-attr]
            commands.append([str(group.name), str(command.name)])
    return commands


@pytest.mark.parametrize("command", every_command(), ids=" ".join)
def test_no_placeholder_reads_like_a_python_type(command: list[str]) -> None:
    done = CliRunner().invoke(app, [*command, "--help"], env={"COLUMNS": "200"})
    assert done.exit_code == 0
    assert not re.search(r"<(str|int|float|path|list\[[a-z]+\])>", done.stdout), done.stdout


def test_log_status_and_export_name_the_account_alike(harness: Harness) -> None:
    harness.submit("facebook", language="en")
    data = str(harness.data_dir)
    log = json.loads(cli("log", "--json", "--data-dir", data).stdout)["objections"][0]
    status = json.loads(cli("status", "--json", "--data-dir", data).stdout)["objections"][0]
    assert log["account"] == status["account"] == EMAIL
    assert "account_email" not in log
