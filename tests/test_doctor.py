"""`widerspruch doctor`: one line per check, ✓ or ✗ with the fix, --json, exit 0 only if all
pass."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from typer.testing import CliRunner

from tests.conftest import in_own_thread
from widerspruch.cli import app
from widerspruch.doctor import _resolves
from widerspruch.ledger import LEDGER_FILE, SCHEMA_VERSION, Ledger
from widerspruch.services import registry


def doctor(*args: str) -> Any:
    return in_own_thread(CliRunner().invoke, app, ["doctor", *args])


def checks(done: Any) -> dict[str, dict[str, Any]]:
    document = json.loads(done.stdout)
    assert set(document) == {"ok", "checks"}
    for check in document["checks"]:
        assert set(check) == {"check", "ok", "detail", "fix"}
        assert (check["fix"] is None) == check["ok"]
    return {check["check"]: check for check in document["checks"]}


def test_every_check_is_one_line_with_a_mark_and_a_failure_has_its_fix(tmp_path: Path) -> None:
    done = doctor("--data-dir", str(tmp_path / "data"))
    lines = done.stdout.splitlines()
    assert lines
    for line in lines:
        assert line[:2] in ("✓ ", "✗ ")
        assert line.startswith("✓ ") or "; fix: " in line
    assert done.exit_code == (0 if all(line.startswith("✓") for line in lines) else 1)
    assert done.stderr == ""  # no log line, no warning


def test_the_browser_starts_headless_and_the_hosts_come_from_the_flows(tmp_path: Path) -> None:
    found = checks(doctor("--data-dir", str(tmp_path / "data"), "--json"))
    assert found["browser"]["ok"]
    assert found["browser starts headless"]["ok"]
    assert "browser starts with a window" in found
    every = registry()
    urls = [f.form_urls[0] for f in every.flows] + [w.watch_urls[0] for w in every.watches]
    for url in urls:
        assert f"resolves {urlsplit(url).hostname}" in found


def test_a_program_that_is_no_browser_fails_the_start_checks(tmp_path: Path) -> None:
    done = doctor("--browser", "/bin/true", "--data-dir", str(tmp_path), "--json")
    assert done.exit_code == 1
    found = checks(done)
    assert not found["browser starts headless"]["ok"]
    assert "ended as soon as it started" in found["browser starts headless"]["fix"]


def test_a_data_dir_others_can_read_fails_with_chmod_as_the_fix(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    done = doctor("--data-dir", str(folder), "--json")
    assert done.exit_code == 1
    data = checks(done)["data dir"]
    assert not data["ok"]
    assert data["fix"] == f"chmod 700 {folder}"
    folder.chmod(0o700)
    assert checks(doctor("--data-dir", str(folder), "--json"))["data dir"]["ok"]


def test_a_file_in_the_data_dir_others_can_read_fails_and_names_it(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    (folder / "evidence" / "00001-facebook").mkdir(parents=True, mode=0o700)
    for made in (folder, folder / "evidence", folder / "evidence" / "00001-facebook"):
        made.chmod(0o700)
    shown = folder / "evidence" / "00001-facebook" / "result.png"
    shown.write_bytes(b"\x89PNG")
    shown.chmod(0o600)
    assert checks(doctor("--data-dir", str(folder), "--json"))["data dir"]["ok"]
    shown.chmod(0o644)
    done = doctor("--data-dir", str(folder), "--json")
    assert done.exit_code == 1
    data = checks(done)["data dir"]
    assert not data["ok"]
    assert "evidence/00001-facebook/result.png" in data["detail"]
    assert data["fix"] == f"chmod -R go-rwx {folder}"


def test_a_ledger_from_a_newer_widerspruch_fails_and_says_so(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir(mode=0o700)
    with Ledger.open(folder):
        pass
    with sqlite3.connect(folder / LEDGER_FILE) as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    ledger = checks(doctor("--data-dir", str(folder), "--json"))["ledger"]
    assert not ledger["ok"]
    assert "newer" in ledger["detail"]


def test_the_ledger_is_checked_for_integrity_and_version(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir(mode=0o700)
    with Ledger.open(folder):
        pass
    ledger = checks(doctor("--data-dir", str(folder), "--json"))["ledger"]
    assert ledger["ok"]
    assert "intact, schema version" in ledger["detail"]
    (folder / LEDGER_FILE).write_bytes(b"not a ledger at all" * 100)
    ledger = checks(doctor("--data-dir", str(folder), "--json"))["ledger"]
    assert not ledger["ok"]


def test_a_host_that_resolves_passes_and_one_that_cannot_fails() -> None:
    assert _resolves("localhost").ok
    failed = _resolves("nowhere.invalid")  # .invalid never resolves (RFC 6761)
    assert not failed.ok
    assert failed.fix is not None
    assert "online" in failed.fix
