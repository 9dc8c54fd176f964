"""One output convention: --json where several formats exist, times in the terminal local
with their zone, and piped tables as tab-separated rows that never split a word."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from tests.records import EMAIL, make_objection, meta_email, write_email
from widerspruch.states import Status

WIDERSPRUCH = str(Path(sys.executable).parent / "widerspruch")


def run(*args: str, tz: str = "Europe/Berlin") -> subprocess.CompletedProcess[str]:
    """The installed command, its stdout a pipe, as in cron mail or the journal."""
    env = {**os.environ, "TZ": tz, "COLUMNS": "80"}
    return subprocess.run(
        [WIDERSPRUCH, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_piped_log_is_tab_separated_rows_with_whole_words(tmp_path: Path) -> None:
    make_objection(tmp_path, status=Status.SUBMITTED_UNCONFIRMED, email="a" * 60 + "@example.org")
    done = run("log", "--data-dir", str(tmp_path))
    assert done.returncode == 0, done.stderr
    header, row = done.stdout.splitlines()
    columns = header.split("\t")
    assert columns == ["#", "service", "account", "status", "created", "finished", "detail"]
    cells = dict(zip(columns, row.split("\t"), strict=True))
    assert cells["status"] == "submitted_unconfirmed"
    assert cells["account"] == "a" * 60 + "@example.org"
    assert "[" not in row  # no rich markup left in a cell


def test_terminal_times_are_local_with_the_zone(tmp_path: Path) -> None:
    make_objection(tmp_path)  # sent 2026-01-31 09:14:05 UTC
    berlin = run("log", "--data-dir", str(tmp_path))
    assert "2026-01-31 10:14 CET" in berlin.stdout
    assert "2026-01-31 09:14 UTC" in run("log", "--data-dir", str(tmp_path), tz="UTC").stdout
    status = run("status", "--data-dir", str(tmp_path)).stdout
    assert "2026-01-31 10:14 CET" in status


def test_json_keeps_iso_8601_in_utc(tmp_path: Path) -> None:
    make_objection(tmp_path)
    [objection] = json.loads(run("log", "--json", "--data-dir", str(tmp_path)).stdout)["objections"]
    assert objection["created_at"] == "2026-01-31T09:14:05+00:00"
    assert objection["account"] == EMAIL


def test_export_json_is_format_json(tmp_path: Path) -> None:
    make_objection(tmp_path)
    by_flag = json.loads(run("export", "--json", "--data-dir", str(tmp_path)).stdout)
    by_format = json.loads(run("export", "--format", "json", "--data-dir", str(tmp_path)).stdout)
    by_flag.pop("exported_at"), by_format.pop("exported_at")
    assert by_flag == by_format
    assert by_flag["objections"][0]["account"] == EMAIL


def test_json_and_another_format_is_one_line_and_exit_2(tmp_path: Path) -> None:
    for command in ("export", "report"):
        done = run(command, "--json", "--format", "csv", "--data-dir", str(tmp_path))
        assert done.returncode == 2
        assert done.stdout == ""
        assert done.stderr.startswith("widerspruch: error: --json and --format csv")
        assert len(done.stderr.splitlines()) == 1


def test_already_confirmed_names_the_time_local_with_the_zone(tmp_path: Path) -> None:
    make_objection(tmp_path)  # confirmed, at 2026-01-31 09:14:05 UTC
    done = run(
        *("submit", "facebook", "--email", EMAIL, "--country", "DE", "--headless"),
        *("--data-dir", str(tmp_path)),
    )
    assert done.returncode == 0, done.stderr
    assert "already confirmed on 2026-01-31 10:14 CET (objection #1" in done.stdout
    assert "09:14" not in done.stdout
    assert "+00:00" not in done.stdout


def test_confirm_tells_the_emails_time_local_with_the_zone(tmp_path: Path) -> None:
    make_objection(tmp_path, status=Status.SUBMITTED_UNCONFIRMED)  # sent 09:14:05 UTC
    acknowledged = meta_email(
        "We'll honor your objection.", date=datetime(2026, 2, 1, 8, 30, tzinfo=UTC)
    )
    done = run(
        "confirm",
        "1",
        "--eml",
        str(write_email(tmp_path, "ack.eml", acknowledged)),
        *("--data-dir", str(tmp_path)),
    )
    assert done.returncode == 0, done.stderr
    assert "in its email of 2026-02-01 09:30 CET" in done.stdout
    assert "UTC" not in done.stdout

    # And when the email cannot be the answer, the times it names are local too.
    early = meta_email("We'll honor your objection.", date=datetime(2026, 1, 30, 7, 0, tzinfo=UTC))
    refused = run(
        "confirm",
        "1",
        "--eml",
        str(write_email(tmp_path, "early.eml", early)),
        *("--data-dir", str(tmp_path)),
    )
    assert refused.returncode == 2
    assert "dated 2026-01-30 08:00 CET, before objection #1 was sent (2026-01-31 10:14 CET)" in (
        refused.stderr
    )
