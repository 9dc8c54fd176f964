"""Every command that prints data takes --json, and then prints exactly one JSON document
with the keys the README's "Output for scripts" names, run against a data dir holding
real records. The commands are taken from the app itself: a new command that prints data
without --json fails here until it gets one (or is listed below as printing none)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import typer.main

from tests.dovecot import PASSWORD, dovecot
from tests.records import EMAIL, SENT_AT, make_objection, meta_email
from tests.test_cli import ThreadedRunner, replayed_meta, submit_args  # noqa: F401 - fixture
from widerspruch.accounts import Accounts, Secret
from widerspruch.cli import app
from widerspruch.failures import Reason
from widerspruch.ledger import Ledger
from widerspruch.states import Status
from widerspruch.testing.tsa import TimeStampingAuthority

# Commands that print no data, only one line saying what they did: no --json for them.
PRINTS_NO_DATA = {
    "account add",  # "Stored: EMAIL on SERVICE"; asks for a password
    "account remove",  # "Removed: EMAIL on SERVICE"
    "account forget-session",  # "Forgot the saved login ..."
}
# Keys no document may use: the README's table names these things otherwise.
OTHER_NAMES = {"account_email", "email", "objection"}
README = Path(__file__).parent.parent / "README.md"


def documented_keys() -> set[str]:
    """The keys the README's "Output for scripts" table names, in its first column
    ("`created_at`, `submitted_at`, ..." names each of them)."""
    section = README.read_text("utf-8").split("### Output for scripts", 1)[1]
    table = section.split("| key | what it holds |", 1)[1].split("\n\n", 1)[0]
    keys: set[str] = set()
    for row in table.strip().splitlines()[1:]:  # below the | --- | line
        keys |= set(re.findall(r"`([a-z_0-9]+)`", row.split("|")[1]))
    return keys


def _optional(check: Callable[[object], bool]) -> Callable[[object], bool]:
    return lambda value: value is None or check(value)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_time(value: object) -> bool:
    return isinstance(value, str) and datetime.fromisoformat(value).tzinfo is not None


def _is_day(value: object) -> bool:
    return isinstance(value, str) and bool(date.fromisoformat(value))


def _is_sha256(value: object) -> bool:
    return isinstance(value, str) and re.fullmatch(r"[0-9a-f]{64}", value) is not None


def _is_text(value: object) -> bool:
    return isinstance(value, str)


# What each key the README documents holds, as the README says it (a time's keys end in
# _at); test_the_readme_documents_the_keys_checked_here keeps the two the same.
HOLDS: dict[str, Callable[[object], bool]] = {
    "id": _is_int,
    "objection_id": _optional(_is_int),
    "batch": _is_int,
    "line": _is_int,
    "service": _is_text,
    "account": _optional(_is_text),
    "status": _optional(lambda v: v in {s.value for s in Status}),
    "state": _optional(_is_text),
    "deadline": _optional(_is_day),
    "sha256": _optional(_is_sha256),
    "manifest_sha256": _optional(_is_sha256),
    "reason": _optional(lambda v: v in {r.value for r in Reason}),
    "message": _optional(_is_text),
    "detail": _optional(_is_text),
    "demo": lambda v: isinstance(v, bool),
}


def holds(key: str) -> Callable[[object], bool] | None:
    if key.endswith("_at"):
        return _optional(_is_time)
    return HOLDS.get(key)


def test_the_readme_documents_the_keys_checked_here() -> None:
    documented = documented_keys()
    assert {key for key in documented if not key.endswith("_at")} == set(HOLDS)
    assert {"created_at", "submitted_at", "finished_at", "checked_at"} <= documented


def commands(group: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Every command the app offers, by its full name ("account list")."""
    for name, command in group.commands.items():
        if hasattr(command, "commands"):  # a group: typer's own click
            yield from commands(command, f"{prefix}{name} ")
        else:
            yield f"{prefix}{name}", command


ALL = dict(commands(typer.main.get_command(app)))


def takes_json(command: Any) -> bool:
    return any("--json" in getattr(param, "opts", ()) for param in command.params)


# -- how each command is run, against what, and the keys of its document -----------------

Prepare = Callable[[Path, pytest.FixtureRequest], list[str]]


def _records(data_dir: Path) -> None:
    make_objection(data_dir)
    make_objection(data_dir, status=Status.SUBMITTED_UNCONFIRMED, service="instagram")


def _accounts(data_dir: Path, request: pytest.FixtureRequest) -> list[str]:
    # The keyring is the tests' in-memory one (conftest).
    Accounts(data_dir).add(EMAIL, "facebook", Secret("correct horse"))
    return ["account", "list"]


def _confirm(data_dir: Path, request: pytest.FixtureRequest) -> list[str]:
    eml = data_dir.parent / "reply.eml"
    eml.write_bytes(meta_email("We received your objection.", date=SENT_AT + timedelta(days=2)))
    return ["confirm", "1", "--eml", str(eml)]


def _timestamp(data_dir: Path, request: pytest.FixtureRequest) -> list[str]:
    authority = TimeStampingAuthority(data_dir.parent / "tsa").__enter__()
    request.addfinalizer(lambda: authority.__exit__(None, None, None))
    return ["timestamp", "1", "--url", authority.url, "--ca", str(authority.ca)]


def _inbox(data_dir: Path, request: pytest.FixtureRequest) -> list[str]:
    running = dovecot()
    server = running.__enter__()
    request.addfinalizer(lambda: running.__exit__(None, None, None))
    return ["inbox", "--imap", server.url, "--ca-file", str(server.ca_file), "--password-stdin"]


def _batch_members(data_dir: Path) -> Path:
    members = data_dir.parent / "members.csv"
    members.write_text("member_id,email,country,mandate_ref\n0001,not-an-email,DE,M-1\n")
    return members


def _batch(data_dir: Path, request: pytest.FixtureRequest) -> list[str]:
    return ["batch", str(_batch_members(data_dir)), "--skip-invalid", "--yes"]


def _report(data_dir: Path, request: pytest.FixtureRequest) -> list[str]:
    with Ledger.open(data_dir) as ledger:
        ledger.create_batch(
            file="members.csv",
            file_sha256="0" * 64,
            services="facebook",
            template="standard",
            items=[
                {
                    "position": 1,
                    "line": 2,
                    "member_id": "0001",
                    "email": "m1@example.org",
                    "service": "facebook",
                    "state": "invalid",
                    "country": "DE",
                    "language": "de",
                    "template": "standard",
                    "mandate_ref": "M-1",
                    "reason": "recorded by the test",
                }
            ],
        )
    return ["report"]


def _campaign_members(data_dir: Path) -> Path:
    members = data_dir.parent / "campaign.csv"
    members.write_text("member_id,email,country,mandate_ref\n0001,m1@example.org,DE,M-1\n")
    return members


def _campaign_create(data_dir: Path, request: pytest.FixtureRequest) -> list[str]:
    path = _campaign_members(data_dir)
    return ["campaign", "create", "day-1", "--members", str(path), "--services", "facebook"]


def _campaign(*args: str) -> Prepare:
    def prepare(data_dir: Path, request: pytest.FixtureRequest) -> list[str]:
        from widerspruch.batch.campaign import create

        path = _campaign_members(data_dir)
        create(
            data_dir, None, "day-1", members_file=path, services=("facebook",), template="standard"
        )
        return ["campaign", *args, "day-1"]

    return prepare


def _ledger_copy(data_dir: Path, request: pytest.FixtureRequest) -> list[str]:
    return ["ledger", "copy", "--to", str(request.getfixturevalue("postgres_url"))]


def _check_history(data_dir: Path, request: pytest.FixtureRequest) -> list[str]:
    return ["check", "--history"]


def _submit(data_dir: Path, request: pytest.FixtureRequest) -> list[str]:
    request.getfixturevalue("replayed_meta")
    return submit_args(data_dir)


def _demo(data_dir: Path, request: pytest.FixtureRequest) -> list[str]:
    # The demo never writes among real records: a folder of its own.
    return ["demo", "--data-dir", str(data_dir.parent / "demo")]


def fixed(*args: str) -> Prepare:
    return lambda data_dir, request: list(args)


# command: (how to run it, the keys of its document)
RUNS: dict[str, tuple[Prepare, set[str]]] = {
    "submit": (_submit, {"results", "interrupted"}),
    "demo": (_demo, {"results", "interrupted", "ledger", "objections", "kept"}),
    "check": (_check_history, {"history"}),
    "account list": (_accounts, {"accounts"}),
    "log": (fixed("log"), {"ledger", "objections"}),
    "verify": (
        fixed("verify", "1"),
        {
            "objection_id",
            "bundle",
            "intact",
            "sealed",
            "timestamped",
            "files_checked",
            "kept_in_ledger",
            "changed",
            "missing",
            "not_recorded",
            "problems",
        },
    ),
    "timestamp": (_timestamp, {"objection_id", "authority", "manifest_sha256", "stamped_at"}),
    "receipt": (fixed("receipt", "1"), {"objection_id", "service", "account", "receipt", "sha256"}),
    "confirm": (
        _confirm,
        {
            "objection_id",
            "status",
            "previous_status",
            "reply_says",
            "phrase",
            "date",
            "sender",
            "stored",
            "sha256",
            "message_id",
            "dkim",
            "meta_signed",
            "message",
        },
    ),
    "inbox": (_inbox, {"looked_at", "objections", "imported", "rejected", "already_imported"}),
    "status": (fixed("status"), {"ledger", "now", "objections"}),
    "followup": (
        fixed("followup", "2"),
        {
            "objection_id",
            "service",
            "account",
            "kind",
            "language",
            "authority",
            "output",
            "kept",
            "text",
            "hints",
        },
    ),
    "export": (fixed("export"), {"exported_at", "redacted", "objections"}),
    "batch": (_batch, {"batch", "file", "items", "counts", "interrupted", "stopped"}),
    "report": (
        _report,
        {"batch", "file", "created_at", "finished_at", "generated_at", "counts", "rows"},
    ),
    "templates": (fixed("templates"), {"templates"}),
    "ledger migrate": (fixed("ledger", "migrate"), {"ledger", "schema", "applied", "granted"}),
    "ledger copy": (_ledger_copy, {"ledger", "copied_from", "rows"}),
    "campaign create": (_campaign_create, {"campaign", "members"}),
    "campaign status": (_campaign("status"), {"campaign", "members", "items", "desks", "review"}),
    "campaign report": (
        _campaign("report"),
        {"batch", "file", "created_at", "finished_at", "generated_at", "counts", "rows"},
    ),
    "doctor": (fixed("doctor"), {"ok", "checks"}),
}


def test_every_command_that_prints_data_takes_json() -> None:
    without = {name for name, command in ALL.items() if not takes_json(command)}
    assert without == PRINTS_NO_DATA
    assert set(RUNS) == set(ALL) - PRINTS_NO_DATA


def _keys(document: object) -> Iterator[tuple[str, object]]:
    if isinstance(document, dict):
        for key, value in document.items():
            yield key, value
            yield from _keys(value)
    elif isinstance(document, list):
        for value in document:
            yield from _keys(value)


@pytest.mark.parametrize("name", sorted(RUNS))
def test_json_is_one_document_with_the_documented_keys(
    name: str, data_dir: Path, request: pytest.FixtureRequest
) -> None:
    _records(data_dir)
    prepare, keys = RUNS[name]
    args = prepare(data_dir, request)
    stdin = PASSWORD + "\n" if name == "inbox" else None
    if "--data-dir" not in args and any(p.name == "data_dir" for p in ALL[name].params):
        args = [*args, "--data-dir", str(data_dir)]
    result = ThreadedRunner().invoke(app, [*args, "--json"], input=stdin)
    assert result.exit_code in (0, 1), result.output
    document = json.loads(result.stdout)  # one document, nothing before or after
    assert isinstance(document, dict)
    assert set(document) == keys
    for key, value in _keys(document):
        assert key not in OTHER_NAMES, (name, key)
        check = holds(key)
        if check is not None:
            assert check(value), (name, key, value)


def test_report_and_batch_rows_keep_the_plain_words_in_detail(
    data_dir: Path, request: pytest.FixtureRequest
) -> None:
    """`reason` is the stable code in every document (as in submit and check); what a
    batch row says to a person is its `detail`."""
    _records(data_dir)
    report = ThreadedRunner().invoke(
        app, [*_report(data_dir, request), "--json", "--data-dir", str(data_dir)]
    )
    [row] = json.loads(report.stdout)["rows"]
    assert (row["reason"], row["detail"]) == (None, "recorded by the test")
    assert (row["batch"], row["line"], row["objection_id"], row["demo"]) == (1, 2, None, False)

    batch = ThreadedRunner().invoke(
        app, [*_batch(data_dir, request), "--json", "--data-dir", str(data_dir)]
    )
    [item] = json.loads(batch.stdout)["items"]
    assert item["reason"] is None
    assert "not-an-email" in item["detail"]
