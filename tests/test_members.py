"""The members file of a batch: every bad row found at once, before any browser opens."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from widerspruch.batch import BatchSettings, ItemState, run_batch
from widerspruch.batch.members import load_members
from widerspruch.errors import UsageError
from widerspruch.ledger import Ledger
from widerspruch.states import Status
from widerspruch.testing.operator import ScriptedOperator
from widerspruch.testing.person import StandInPerson

HEADER = "member_id,email,country,language,services,template,mandate_ref\n"
GOOD = "0001,anna@example.org,DE,de,facebook,,M-0001\n"

# kind of bad row -> (the row, what the message says about it)
BAD_ROWS = {
    "bad email": (
        "0002,anna(at)example.org,DE,,facebook,,M-2\n",
        "bad email 'anna(at)example.org'",
    ),
    "unknown service": ("0003,ben@example.org,DE,,tiktok,,M-3\n", "unknown service 'tiktok'"),
    "unknown country": ("0004,cem@example.org,XY,,facebook,,M-4\n", "unknown country code 'XY'"),
    "duplicate member": ("0001,dana@example.org,AT,,facebook,,M-5\n", "duplicate member 0001"),
    "duplicate email": ("0006,ANNA@example.org,AT,,facebook,,M-6\n", "same email address"),
    "missing mandate": ("0007,emil@example.org,DE,,facebook,,\n", "missing mandate_ref"),
    "missing email": ("0008,,DE,,facebook,,M-8\n", "missing email"),
    "unknown language": ("0009,fay@example.org,DE,xx,facebook,,M-9\n", "language 'xx'"),
    "unknown template": ("0010,gus@example.org,DE,,facebook,polite,M-10\n", "unknown template"),
    "too many fields": ("0011,hal@example.org,DE,,facebook,,M-11,extra\n", "8 fields"),
}


def write(tmp_path: Path, text: str, name: str = "members.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return path


def load(path: Path, services: tuple[str, ...] = ()) -> list[str]:
    found = load_members(path, services=services, template="standard")
    return [bad.describe() for bad in found.bad_rows]


@pytest.mark.parametrize("kind", sorted(BAD_ROWS))
def test_each_kind_of_bad_row_is_named_with_its_line(tmp_path: Path, kind: str) -> None:
    row, message = BAD_ROWS[kind]
    path = write(tmp_path, HEADER + GOOD + row)
    found = load_members(path, services=(), template="standard")
    [bad] = found.bad_rows
    assert bad.line == 3
    assert message in bad.describe()
    assert [m.member_id for m in found.members] == ["0001"]
    with pytest.raises(UsageError) as refused:
        found.refuse_bad_rows()
    assert "line 3" in str(refused.value)
    assert "--skip-invalid" in str(refused.value)


def test_every_bad_row_is_reported_at_once(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + GOOD + "".join(row for row, _ in BAD_ROWS.values()))
    found = load_members(path, services=(), template="standard")
    with pytest.raises(UsageError) as refused:
        found.refuse_bad_rows()
    lines = str(refused.value).splitlines()
    assert lines[0].startswith(f"members.csv: {len(BAD_ROWS)} bad rows; nothing was started")
    assert [line.split(":")[0].strip() for line in lines[1:]] == [
        f"line {n} (member {row.split(',')[0]})" if row.split(",")[0] else f"line {n}"
        for n, (row, _) in enumerate(BAD_ROWS.values(), start=3)
    ]


def test_one_row_with_several_problems_lists_them_all(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "0001,jana@,ZZ,,tiktok,,\n")
    [described] = load(path)
    for problem in ("bad email", "unknown country", "unknown service", "missing mandate_ref"):
        assert problem in described


def test_services_come_from_the_row_or_the_default(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        HEADER + GOOD.replace(",facebook,", ",,") + "0002,ben@example.org,AT,,instagram,,M-2\n",
    )
    found = load_members(path, services=("facebook", "instagram"), template="standard")
    assert [m.services for m in found.members] == [("facebook", "instagram"), ("instagram",)]
    assert [m.language for m in found.members] == ["de", "de"]  # AT: German by default
    assert load(path) == [
        "line 2 (member 0001): no services: fill in the services column, or give --services"
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "member_id,email,country\n0001,a@example.org,DE\n",
            "line 1: missing column(s) mandate_ref",
        ),
        (HEADER.replace("language", "langauge") + GOOD, "unknown column(s) langauge"),
        ("", "is empty"),
        (HEADER, "lists no members"),
    ],
)
def test_a_broken_header_is_one_clear_error(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(UsageError, match=r"members\.csv") as refused:
        load(write(tmp_path, text))
    assert message in str(refused.value)


def test_a_file_that_is_not_utf8_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "members.csv"
    path.write_bytes((HEADER + "0001,jörg@example.org,DE,,facebook,,M-1\n").encode("cp1252"))
    with pytest.raises(UsageError) as refused:
        load(path)
    assert str(refused.value).startswith("members.csv is not UTF-8 text (line 2")
    assert len(str(refused.value).splitlines()) == 1


def test_semicolons_and_a_byte_order_mark_are_read(tmp_path: Path) -> None:
    text = "\ufeff" + (HEADER + GOOD).replace(",", ";")
    found = load_members(write(tmp_path, text), services=(), template="standard")
    assert [m.email for m in found.members] == ["anna@example.org"]


def test_json_members_with_line_numbers(tmp_path: Path) -> None:
    members = [
        {
            "member_id": 1,
            "email": "anna@example.org",
            "country": "de",
            "mandate_ref": "M-1",
            "services": ["facebook", "instagram"],
        },
        {"member_id": "2", "email": "nope", "country": "DE", "mandate_ref": "M-2"},
    ]
    path = write(tmp_path, json.dumps({"members": members}, indent=2), "members.json")
    found = load_members(path, services=("facebook",), template="short")
    [good] = found.members
    assert (good.member_id, good.country, good.services, good.template) == (
        "1",
        "DE",
        ("facebook", "instagram"),
        "short",
    )
    [bad] = found.bad_rows
    assert bad.describe() == "line 13 (member 2): bad email 'nope'"


def test_malformed_json_names_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, '[\n  {"member_id": "1",\n  "email" "x"}\n]', "members.json")
    with pytest.raises(UsageError, match=r"members.json line 3: not valid JSON"):
        load(path)


def confirmed_earlier(data_dir: Path, email: str) -> int:
    """An objection confirmed by an earlier run, so no browser is needed for it."""
    data_dir.mkdir(parents=True, exist_ok=True)
    with Ledger.open(data_dir) as ledger:
        objection, _ = ledger.claim(
            service="facebook",
            account_email=email,
            country="DE",
            language="de",
            template="standard",
            template_version="1",
            justification="Ich widerspreche.",
            form_url="https://www.facebook.com/help/contact/712876720715583",
            force=False,
        )
        ledger.set_status(objection.id, Status.SUBMITTING, "clicking Send")
        ledger.set_status(objection.id, Status.CONFIRMED, "Meta confirmed the objection")
        return objection.id


def test_skip_invalid_records_every_bad_row_and_goes_on(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    earlier = confirmed_earlier(data_dir, "anna@example.org")
    path = write(tmp_path, HEADER + GOOD + "".join(row for row, _ in BAD_ROWS.values()))
    settings = BatchSettings.from_options(
        file=path, services=None, template="standard", data_dir=data_dir, skip_invalid=True
    )
    operator = ScriptedOperator()

    outcome = run_batch(settings, person=StandInPerson(), operator=operator)

    states = [(item.member_id, item.state) for item in outcome.items]
    assert states[0] == ("0001", ItemState.SKIPPED)  # confirmed before: no browser needed
    assert outcome.items[0].objection_id == earlier
    assert [state for _, state in states[1:]] == [ItemState.INVALID] * len(BAD_ROWS)
    for item, (_, message) in zip(outcome.items[1:], BAD_ROWS.values(), strict=True):
        assert message in (item.reason or "")
    assert not outcome.ok
    assert len([line for line in operator.lines if line.startswith("invalid")]) == len(BAD_ROWS)


def test_without_skip_invalid_nothing_is_stored(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    path = write(tmp_path, HEADER + GOOD + BAD_ROWS["bad email"][0])
    settings = BatchSettings.from_options(
        file=path, services=None, template="standard", data_dir=data_dir
    )
    with pytest.raises(UsageError, match="line 3"):
        run_batch(settings, person=StandInPerson(), operator=ScriptedOperator())
    db = sqlite3.connect(data_dir / "ledger.sqlite3")
    assert db.execute("SELECT COUNT(*) FROM batch_items").fetchone() == (0,)


def widerspruch(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "widerspruch", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "HOME": str(home), "WIDERSPRUCH_HOME": str(home / "data")},
    )


def test_cli_lists_every_bad_row_and_exits_2(tmp_path: Path) -> None:
    path = write(
        tmp_path, HEADER + GOOD + BAD_ROWS["bad email"][0] + BAD_ROWS["unknown country"][0]
    )
    done = widerspruch("batch", str(path), "--yes", home=tmp_path)
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    assert done.stderr.splitlines() == [
        "widerspruch: error: members.csv: 2 bad rows; nothing was started. Fix the file, "
        "or go on without them with --skip-invalid:",
        "  line 3 (member 0002): bad email 'anna(at)example.org'",
        "  line 4 (member 0004): unknown country code 'XY' (use ISO 3166-1 alpha-2, e.g. DE)",
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (lambda t: ["batch", str(t / "none.csv"), "--yes"], "members file not found"),
        (
            lambda t: ["batch", str(write(t, HEADER + GOOD)), "--yes", "--services", "tiktok"],
            "unknown service 'tiktok'",
        ),
        (
            lambda t: ["batch", str(write(t, HEADER + GOOD)), "--yes", "--resume"],
            "no unfinished batch",
        ),
        (lambda t: ["batch", str(write(t, HEADER + GOOD))], "use --yes"),
        (lambda t: ["report", "--format", "pdf"], "--format: 'pdf'"),
        (lambda t: ["report"], "no ledger"),
    ],
)
def test_cli_bad_input_is_one_line_and_exit_2(tmp_path: Path, args, message: str) -> None:
    done = widerspruch(*args(tmp_path), home=tmp_path)
    assert done.returncode == 2, done.stderr
    assert message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert done.stdout == ""


def test_cli_non_utf8_members_file_is_one_line_and_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "members.csv"
    path.write_bytes((HEADER + "0001,jörg@example.org,DE,,facebook,,M-1\n").encode("latin-1"))
    done = widerspruch("batch", str(path), "--yes", home=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "widerspruch: error: members.csv is not UTF-8 text (line 2 has the byte 0xf6); "
        "save it as UTF-8 (in a spreadsheet: CSV UTF-8)"
    ]
