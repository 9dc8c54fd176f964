"""Bad input, as a user types it: one line naming the problem, exit code 2, no traceback,
and nothing recorded is touched. Runs the real `widerspruch` process."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from widerspruch.ledger import LEDGER_FILE, SCHEMA_VERSION

EMAIL = "jana@example.org"
SUBMIT = ["submit", "facebook", "--email", EMAIL, "--country", "DE"]


def widerspruch(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "widerspruch", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "HOME": str(home), "WIDERSPRUCH_HOME": str(home / "data")},
    )


def write(path: Path, data: bytes) -> str:
    path.write_bytes(data)
    return str(path)


CASES = {
    "missing email": (lambda t: ["submit", "facebook", "--country", "DE"], "--email"),
    "no service": (
        lambda t: ["submit", "--email", EMAIL, "--country", "DE"],
        "Missing argument 'services'",
    ),
    "invalid email": (
        lambda t: ["submit", "facebook", "--email", "jana@", "--country", "DE"],
        "not an email address",
    ),
    "unknown service": (
        lambda t: ["submit", "tiktok", "--email", EMAIL, "--country", "DE"],
        "unknown service 'tiktok'",
    ),
    "unknown country": (
        lambda t: ["submit", "facebook", "--email", EMAIL, "--country", "XY"],
        "unknown country code 'XY'",
    ),
    "country name, not code": (lambda t: [*SUBMIT[:-1], "Germany"], "unknown country code"),
    "unknown language": (lambda t: [*SUBMIT, "--language", "xx"], "--language"),
    "empty justification": (lambda t: [*SUBMIT, "--justification", ""], "empty"),
    "too long justification": (lambda t: [*SUBMIT, "--justification", "x" * 3001], "at most 3000"),
    "unknown template": (lambda t: [*SUBMIT, "--template", "polite"], "unknown template"),
    "template with unknown placeholder": (
        lambda t: [*SUBMIT, "--template", write(t / "t.txt", b"I object, {name}. " * 9)],
        "unknown placeholder(s) {name}",
    ),
    "template not UTF-8": (
        lambda t: [*SUBMIT, "--template", write(t / "t.txt", "Widerspruch gemäß".encode("cp1252"))],
        "not UTF-8",
    ),
    "missing template file": (
        lambda t: [*SUBMIT, "--template", str(t / "none.txt")],
        "template file not found",
    ),
    "timeout below one second": (lambda t: [*SUBMIT, "--timeout", "0"], "--timeout"),
    "timeout not a number": (lambda t: [*SUBMIT, "--timeout", "soon"], "--timeout"),
    "malformed form url": (
        lambda t: [*SUBMIT, "--form-url", "www.facebook.com/help"],
        "--form-url",
    ),
    "form url with two services": (
        lambda t: [
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
    "missing browser binary": (
        lambda t: [*SUBMIT, "--browser", str(t / "chrome")],
        "no executable browser",
    ),
    "unreachable cdp": (
        lambda t: [*SUBMIT, "--cdp", "http://127.0.0.1:9"],
        "cannot reach a browser",
    ),
    "malformed cdp url": (lambda t: [*SUBMIT, "--cdp", "9222"], "--cdp"),
    "data dir is a file": (lambda t: [*SUBMIT, "--data-dir", write(t / "f", b"x")], "not usable"),
    "unknown command": (lambda t: ["objection"], "No such command"),
    "unknown template to show": (lambda t: ["templates", "polite"], "unknown template"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_is_one_clear_line_and_exit_2(tmp_path: Path, case: str) -> None:
    args, message = CASES[case]
    done = widerspruch(*args(tmp_path), home=tmp_path)
    assert done.returncode == 2, done.stderr
    assert message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout == ""


def seeded_ledger(home: Path) -> Path:
    data = home / "data"
    data.mkdir(mode=0o700, parents=True)
    return data / LEDGER_FILE


def test_corrupt_ledger_is_refused_and_kept(tmp_path: Path) -> None:
    ledger = seeded_ledger(tmp_path)
    ledger.write_bytes(b"\x00garbage" * 512)
    done = widerspruch(*SUBMIT, home=tmp_path)
    assert done.returncode == 2
    assert "unreadable" in done.stderr
    assert "Keep a copy" in done.stderr
    assert ledger.read_bytes() == b"\x00garbage" * 512


def test_ledger_from_a_newer_version_is_refused_and_kept(tmp_path: Path) -> None:
    ledger = seeded_ledger(tmp_path)
    db = sqlite3.connect(ledger)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    db.commit()
    db.close()
    before = ledger.read_bytes()
    for command in (SUBMIT, ["log"]):
        done = widerspruch(*command, home=tmp_path)
        assert done.returncode == 2
        assert "newer widerspruch" in done.stderr
    assert ledger.read_bytes() == before
