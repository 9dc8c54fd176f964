"""Bad input, as a user types it: one line naming the problem, exit code 2, no traceback,
and nothing recorded is touched. Runs the real `widerspruch` process."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.records import make_objection
from widerspruch.ledger import LEDGER_FILE, SCHEMA_VERSION, Ledger
from widerspruch.settings import prepare_data_dir
from widerspruch.states import Status

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


MEMBERS_HEADER = "member_id,email,country,language,services,mandate_ref\n"


def members(t: Path, *rows: str, header: str = MEMBERS_HEADER, name: str = "m.csv") -> str:
    """A members file with these rows."""
    return write(t / name, (header + "".join(row + "\n" for row in rows)).encode("utf-8"))


GOOD_MEMBER = "0001,anna@example.org,DE,,facebook,M-1"
BATCH = ["batch", "--yes", "--headless"]


def recorded(t: Path, *args: str) -> list[str]:
    """`args`, run on a ledger holding objection 1 (confirmed, with its evidence) and
    objection 2 (never sent)."""
    make_objection(t / "data")
    make_objection(t / "data", status=Status.FAILED, sent_at=None)
    return list(args)


def with_batch(t: Path, *args: str) -> list[str]:
    """`args`, run on a ledger holding batch 1."""
    with Ledger.open(prepare_data_dir(t / "data")) as ledger:
        ledger.create_batch(
            file=str(t / "m.csv"),
            file_sha256="0" * 64,
            services="facebook",
            template="standard",
            items=[],
        )
    return list(args)


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
        "--browser: ",
    ),
    "unreachable cdp": (
        lambda t: [*SUBMIT, "--cdp", "http://127.0.0.1:9"],
        "no browser answers at http://127.0.0.1:9",
    ),
    "malformed cdp url": (lambda t: [*SUBMIT, "--cdp", "9222"], "--cdp"),
    "data dir is a file": (lambda t: [*SUBMIT, "--data-dir", write(t / "f", b"x")], "not usable"),
    "unknown command": (lambda t: ["objection"], "No such command"),
    "unknown template to show": (lambda t: ["templates", "polite"], "unknown template"),
    "templates: unknown language": (
        lambda t: ["templates", "standard", "--language", "xx"],
        "has no 'xx' version",
    ),
    # -- check
    "check: unknown service": (lambda t: ["check", "tiktok"], "unknown service 'tiktok'"),
    "check: --alert-after 0": (lambda t: ["check", "--alert-after", "0"], "--alert-after"),
    "check: --alert-after not a number": (
        lambda t: ["check", "--alert-after", "two"],
        "--alert-after",
    ),
    "check: --timeout 0": (lambda t: ["check", "--timeout", "0"], "--timeout"),
    "check: --timeout not a number": (lambda t: ["check", "--timeout", "soon"], "--timeout"),
    "check: malformed --webhook": (
        lambda t: ["check", "--webhook", "hooks.example.org/widerspruch"],
        "--webhook: 'hooks.example.org/widerspruch' is not an http(s) URL",
    ),
    "check: --webhook not http": (
        lambda t: ["check", "--webhook", "ftp://hooks.example.org/"],
        "--webhook",
    ),
    "check: empty --notify-cmd": (
        lambda t: ["check", "--notify-cmd", " "],
        "--notify-cmd is empty",
    ),
    "check: unbalanced quote in --notify-cmd": (
        lambda t: ["check", "--notify-cmd", "notify-send 'widerspruch"],
        "--notify-cmd: No closing quotation",
    ),
    "check: --history of an unknown service": (
        lambda t: ["check", "tiktok", "--history"],
        "unknown service 'tiktok'",
    ),
    "check: --account not an email": (
        lambda t: ["check", "--account", "jana@"],
        "--account: 'jana@' is not an email address",
    ),
    "check: missing browser binary": (
        lambda t: ["check", "--browser", str(t / "chrome")],
        "--browser: ",
    ),
    "check: data dir is a file": (
        lambda t: ["check", "--data-dir", write(t / "f", b"x")],
        "not usable",
    ),
    # -- batch: the members file
    "batch: missing members file": (
        lambda t: [*BATCH, str(t / "none.csv")],
        "members file not found",
    ),
    "batch: members file not UTF-8": (
        lambda t: [
            *BATCH,
            write(
                t / "m.csv", (MEMBERS_HEADER + "0001,jörg@example.org,DE,,,M-1\n").encode("cp1252")
            ),
        ],
        "m.csv is not UTF-8 text (line 2 has the byte 0xf6)",
    ),
    "batch: members file with a bad email": (
        lambda t: [*BATCH, members(t, "0001,anna(at)example.org,DE,,facebook,M-1")],
        "line 2 (member 0001): bad email 'anna(at)example.org'",
    ),
    "batch: members file with an unknown service": (
        lambda t: [*BATCH, members(t, "0001,anna@example.org,DE,,tiktok,M-1")],
        "unknown service 'tiktok'",
    ),
    "batch: members file with an unknown country": (
        lambda t: [*BATCH, members(t, "0001,anna@example.org,XY,,facebook,M-1")],
        "unknown country code 'XY'",
    ),
    "batch: members file missing a column": (
        lambda t: [
            *BATCH,
            members(t, "0001,anna@example.org,DE", header="member_id,email,country\n"),
        ],
        "missing column(s) mandate_ref",
    ),
    "batch: members file with an unknown column": (
        lambda t: [*BATCH, members(t, GOOD_MEMBER + ",x", header=MEMBERS_HEADER[:-1] + ",notes\n")],
        "unknown column(s) notes",
    ),
    "batch: members file not valid JSON": (
        lambda t: [*BATCH, write(t / "m.json", b'[{"member_id": "0001",')],
        "m.json line 1: not valid JSON",
    ),
    "batch: empty members file": (lambda t: [*BATCH, write(t / "m.csv", b"")], "m.csv is empty"),
    "batch: members file without members": (lambda t: [*BATCH, members(t)], "lists no members"),
    # -- batch: the options
    "batch: unknown --services": (
        lambda t: [*BATCH, members(t, GOOD_MEMBER), "--services", "tiktok"],
        "unknown service 'tiktok'",
    ),
    "batch: empty --services": (
        lambda t: [*BATCH, members(t, GOOD_MEMBER), "--services", ","],
        "--services: name at least one service",
    ),
    "batch: unknown --template": (
        lambda t: [
            *BATCH,
            members(t, GOOD_MEMBER, "0002,ben@example.org,AT,,facebook,M-2"),
            "--template",
            "polite",
        ],
        "--template: unknown template 'polite'",
    ),
    "batch: missing --template file": (
        lambda t: [*BATCH, members(t, GOOD_MEMBER), "--template", str(t / "none.txt")],
        "--template: template file not found",
    ),
    "batch: --timeout 0": (
        lambda t: [*BATCH, members(t, GOOD_MEMBER), "--timeout", "0"],
        "--timeout",
    ),
    "batch: missing browser binary": (
        lambda t: [*BATCH, members(t, GOOD_MEMBER), "--browser", str(t / "chrome")],
        "--browser: ",
    ),
    "batch: --resume with nothing to resume": (
        lambda t: [*BATCH, members(t, GOOD_MEMBER), "--resume"],
        "no unfinished batch",
    ),
    "batch: no terminal and no --yes": (
        lambda t: ["batch", members(t, GOOD_MEMBER)],
        "run it in a terminal, or use --yes",
    ),
    "batch: data dir is a file": (
        lambda t: [*BATCH, members(t, GOOD_MEMBER), "--data-dir", write(t / "f", b"x")],
        "not usable",
    ),
    # -- report
    "report: unknown --format": (lambda t: ["report", "--format", "pdf"], "--format: 'pdf'"),
    "report: --batch not a number": (lambda t: ["report", "--batch", "last"], "--batch"),
    "report: no ledger": (lambda t: ["report"], "no ledger"),
    "report: unknown --batch": (lambda t: with_batch(t, "report", "--batch", "9"), "no batch #9"),
    "report: --output in a missing folder": (
        lambda t: with_batch(t, "report", "--output", str(t / "no" / "r.csv")),
        "--output: cannot write",
    ),
    # -- account
    "account add: bad email": (
        lambda t: ["account", "add", "jana@", "--service", "facebook"],
        "EMAIL: 'jana@' is not an email address",
    ),
    "account add: unknown service": (
        lambda t: ["account", "add", EMAIL, "--service", "tiktok"],
        "unknown service 'tiktok'",
    ),
    "account add: no service": (lambda t: ["account", "add", EMAIL], "Missing option '--service'"),
    "account remove: bad email": (
        lambda t: ["account", "remove", "jana@", "--service", "facebook"],
        "EMAIL: 'jana@' is not an email address",
    ),
    "account remove: unknown service": (
        lambda t: ["account", "remove", EMAIL, "--service", "tiktok"],
        "unknown service 'tiktok'",
    ),
    "account forget-session: bad email": (
        lambda t: ["account", "forget-session", "jana@", "--service", "facebook"],
        "EMAIL: 'jana@' is not an email address",
    ),
    "account forget-session: unknown service": (
        lambda t: ["account", "forget-session", EMAIL, "--service", "tiktok"],
        "unknown service 'tiktok'",
    ),
    "account list: data dir is a file": (
        lambda t: ["account", "list", "--data-dir", write(t / "f", b"x")],
        "not usable",
    ),
    # -- export
    "export: unknown --format": (lambda t: ["export", "--format", "xml"], "--format: 'xml'"),
    "export: no ledger": (lambda t: ["export"], "no ledger in"),
    "export: --output in a missing folder": (
        lambda t: recorded(t, "export", "--output", str(t / "no" / "x.csv")),
        "--output: cannot write",
    ),
    # -- receipt
    "receipt: not a number": (lambda t: ["receipt", "first"], "'first' is not an objection number"),
    "receipt: no ledger": (lambda t: ["receipt", "1"], "no ledger in"),
    "receipt: unknown objection": (lambda t: recorded(t, "receipt", "9"), "no objection with id 9"),
    "receipt: never sent": (lambda t: recorded(t, "receipt", "2"), "was not sent"),
    "receipt: missing browser binary": (
        lambda t: recorded(t, "receipt", "1", "--browser", str(t / "chrome")),
        "--browser: ",
    ),
    # -- confirm
    "confirm: no --eml": (lambda t: ["confirm", "1"], "Missing option '--eml'"),
    "confirm: missing --eml file": (
        lambda t: recorded(t, "confirm", "1", "--eml", str(t / "none.eml")),
        "--eml: cannot read",
    ),
    "confirm: --eml is a folder": (
        lambda t: recorded(t, "confirm", "1", "--eml", str(t)),
        "--eml: cannot read",
    ),
    "confirm: --eml not an email": (
        lambda t: recorded(t, "confirm", "1", "--eml", write(t / "x.eml", b"\x00garbage\xff")),
        "is it a saved email (.eml)?",
    ),
    "confirm: not a number": (
        lambda t: ["confirm", "#1", "--eml", write(t / "x.eml", b"x")],
        "not an objection number",
    ),
    "confirm: never sent": (
        lambda t: recorded(t, "confirm", "2", "--eml", write(t / "x.eml", b"x")),
        "was never sent",
    ),
    # -- verify
    "verify: no target": (lambda t: ["verify"], "name an objection's number"),
    "verify: a folder that is no bundle": (
        lambda t: ["verify", str(t)],
        "is not an evidence bundle",
    ),
    "verify: a target and --all": (lambda t: ["verify", "1", "--all"], "not both"),
    "verify: missing bundle folder": (
        lambda t: ["verify", str(t / "bundles" / "1")],
        "no evidence bundle folder at",
    ),
    "verify: a file, not a bundle folder": (
        lambda t: ["verify", write(t / "manifest.json", b"{}")],
        "is a file, not an evidence bundle folder",
    ),
    "verify: unknown objection": (lambda t: recorded(t, "verify", "9"), "no objection with id 9"),
    # -- followup
    "followup: no objection": (lambda t: ["followup"], "Missing argument 'ID'"),
    "followup: unknown --kind": (
        lambda t: recorded(t, "followup", "1", "--kind", "letter"),
        "--kind: 'letter' is not one of",
    ),
    "followup: unknown --language": (
        lambda t: recorded(t, "followup", "1", "--kind", "reminder", "--language", "xx"),
        "--language: no follow-up in 'xx'",
    ),
    "followup: --output in a missing folder": (
        lambda t: recorded(
            t, "followup", "1", "--kind", "reminder", "--output", str(t / "no" / "r.txt")
        ),
        "--output: cannot write",
    ),
    "followup: not a number": (
        lambda t: ["followup", "one", "--kind", "reminder"],
        "not an objection number",
    ),
    # -- status and log
    "status: unknown --service": (
        lambda t: ["status", "--service", "tiktok"],
        "unknown service 'tiktok'",
    ),
    "status: data dir is a file": (
        lambda t: ["status", "--data-dir", write(t / "f", b"x")],
        "not usable",
    ),
    "log: unknown --service": (
        lambda t: ["log", "--service", "tiktok"],
        "unknown service 'tiktok'",
    ),
    "log: data dir is a file": (
        lambda t: ["log", "--data-dir", write(t / "f", b"x")],
        "not usable",
    ),
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


def fake_browser(home: Path) -> str:
    """An executable that leaves a mark when anything launches it."""
    script = home / "chromium"
    script.write_text(f"#!/bin/sh\ntouch '{home / 'browser-was-started'}'\nexit 1\n")
    script.chmod(0o700)
    return str(script)


# Every command that reads or writes the ledger; those that may open a browser are
# given one that leaves a mark if it is started.
LEDGER_COMMANDS = {
    "submit": lambda t: [*SUBMIT, "--headless", "--browser", fake_browser(t)],
    "check": lambda t: ["check", "--browser", fake_browser(t)],
    "check --history": lambda t: ["check", "--history"],
    "batch": lambda t: [*BATCH, members(t, GOOD_MEMBER), "--browser", fake_browser(t)],
    "batch --resume": lambda t: [
        *BATCH,
        members(t, GOOD_MEMBER),
        "--resume",
        "--browser",
        fake_browser(t),
    ],
    "log": lambda t: ["log"],
    "status": lambda t: ["status"],
    "export": lambda t: ["export"],
    "report": lambda t: ["report"],
    "receipt": lambda t: ["receipt", "1", "--browser", fake_browser(t)],
    "confirm": lambda t: ["confirm", "1", "--eml", write(t / "x.eml", b"x")],
    "verify": lambda t: ["verify", "1"],
    "followup": lambda t: ["followup", "1", "--kind", "reminder"],
}


def refused_untouched(home: Path, command: str, message: str) -> None:
    ledger = home / "data" / LEDGER_FILE
    before = ledger.read_bytes()
    done = widerspruch(*LEDGER_COMMANDS[command](home), home=home)
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    [line] = done.stderr.splitlines()
    assert message in line
    assert "Keep a copy" in line  # the backup hint
    assert ledger.read_bytes() == before
    assert not (home / "browser-was-started").exists()


@pytest.mark.parametrize("command", sorted(LEDGER_COMMANDS))
def test_corrupt_ledger_is_refused_and_kept(tmp_path: Path, command: str) -> None:
    seeded_ledger(tmp_path).write_bytes(b"\x00garbage" * 512)
    refused_untouched(tmp_path, command, "is damaged and was left unchanged")


@pytest.mark.parametrize("command", sorted(LEDGER_COMMANDS))
def test_ledger_from_a_newer_version_is_refused_and_kept(tmp_path: Path, command: str) -> None:
    db = sqlite3.connect(seeded_ledger(tmp_path))
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    db.commit()
    db.close()
    refused_untouched(tmp_path, command, "written by a newer widerspruch")
