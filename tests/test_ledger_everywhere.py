"""--ledger URL (and WIDERSPRUCH_LEDGER) on every command that reads or writes the ledger,
each run against a real PostgreSQL ledger that holds records: a desk's archive moved
there with `ledger copy`. After the copy the desk's own SQLite file gets a record the
shared ledger lacks, so a command that read the file instead would be caught; what a
command writes must land in the shared ledger, never in the file. The coordinator's
data dir ("elsewhere") holds no ledger file and no evidence: the commands that need
the evidence files use the copies the shared ledger keeps (`ledger copy` carried
them), and say so in one line where it keeps none."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import typer.main
from typer.testing import CliRunner, Result

from tests.conftest import in_own_thread
from tests.postgres import Postgres
from tests.records import SENT_AT, make_objection, meta_email
from widerspruch.cli import app
from widerspruch.ledger import LEDGER_FILE, SCHEMA_VERSION, Ledger
from widerspruch.ledger.engine import shown
from widerspruch.settings import ENV_LEDGER, resolve_ledger
from widerspruch.states import Status

ONLY_IN_THE_FILE = "only-in-the-file@example.org"
ACCEPTED = meta_email(
    "Hi Jana, we'll honor your objection to the use of your information for AI at Meta.",
    date=SENT_AT + timedelta(days=2),
)
# Commands that never open the ledger (the demo writes only into its own folder), and
# `ledger copy`, which names both of its ledgers with --from and --to.
WITHOUT_LEDGER = {
    "account add",
    "account list",
    "account remove",
    "account forget-session",
    "templates",
    "demo",
    "ledger copy",
}


@dataclass(frozen=True)
class Shared:
    url: str
    desk: Path  # the data dir the objections were sent from: their evidence is here
    elsewhere: Path  # the coordinator's data dir: no ledger file, no evidence

    def run(self, *args: str, data_dir: Path | None = None, **kwargs: Any) -> Result:
        where = data_dir or self.elsewhere
        return CliRunner().invoke(
            app, [*args, "--ledger", self.url, "--data-dir", str(where)], **kwargs
        )

    def shared_ledger(self) -> Ledger:
        return Ledger.open(self.desk, url=self.url)

    def file_ledger(self) -> Ledger:
        return Ledger.open(self.desk, read_only=True)


def _batch(data_dir: Path) -> None:
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


@pytest.fixture
def shared(tmp_path: Path, postgres_url: str) -> Shared:
    desk = tmp_path / "desk"
    make_objection(desk)
    make_objection(desk, status=Status.SUBMITTED_UNCONFIRMED, service="instagram")
    _batch(desk)
    copied = CliRunner().invoke(
        app, ["ledger", "copy", "--to", postgres_url, "--data-dir", str(desk)]
    )
    assert copied.exit_code == 0, copied.output
    make_objection(desk, service="instagram", email=ONLY_IN_THE_FILE)  # #3, in the file only
    return Shared(postgres_url, desk, tmp_path / "elsewhere")


def one_line_error(result: Result, *words: str) -> None:
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith("widerspruch: error: ")
    for word in words:
        assert word in line


def no_ledger_file(folder: Path) -> bool:
    return not (folder / LEDGER_FILE).exists()


# -- one option, on every command -------------------------------------------------------


def _commands(group: Any, prefix: str = "") -> dict[str, Any]:
    found: dict[str, Any] = {}
    for name, command in group.commands.items():
        if hasattr(command, "commands"):
            found |= _commands(command, f"{prefix}{name} ")
        else:
            found[f"{prefix}{name}"] = command
    return found


def test_every_command_that_reads_or_writes_the_ledger_takes_the_one_ledger_option() -> None:
    every = _commands(typer.main.get_command(app))
    options = {
        name: param
        for name, command in every.items()
        for param in command.params
        if "--ledger" in getattr(param, "opts", ())
    }
    assert set(options) == set(every) - WITHOUT_LEDGER
    # Declared once (cli/options.py): the same help and value everywhere.
    assert len({(p.help, p.metavar, p.default) for p in options.values()}) == 1


# -- reading: log, status, export, report, followup, check --history, verify ------------


def test_log_lists_the_shared_ledger_and_not_the_data_dirs_file(shared: Shared) -> None:
    done = shared.run("log", "--json", data_dir=shared.desk)
    assert done.exit_code == 0, done.output
    document = json.loads(done.stdout)
    assert [o["id"] for o in document["objections"]] == [1, 2]
    assert ONLY_IN_THE_FILE not in done.stdout
    assert document["ledger"] == shown(shared.url)
    assert "host=" not in document["ledger"]  # no socket path, no query
    # Without --ledger, the same data dir's own file: three records.
    own = CliRunner().invoke(app, ["log", "--json", "--data-dir", str(shared.desk)])
    assert [o["id"] for o in json.loads(own.stdout)["objections"]] == [1, 2, 3]


def test_status_reads_the_ledger_the_environment_names(
    shared: Shared, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_LEDGER, shared.url)
    done = CliRunner().invoke(app, ["status", "--json", "--data-dir", str(shared.elsewhere)])
    assert done.exit_code == 0, done.output
    document = json.loads(done.stdout)
    assert [s["id"] for s in document["objections"]] == [1, 2]
    assert document["ledger"] == shown(shared.url)
    assert no_ledger_file(shared.elsewhere)


def test_export_is_made_from_the_shared_ledger_alone(shared: Shared) -> None:
    done = shared.run("export", "--json")
    assert done.exit_code == 0, done.output
    rows = json.loads(done.stdout)["objections"]
    with shared.file_ledger() as ledger:
        sealed = {o.id: o.manifest_sha256 for o in ledger.objections()}
    assert {row["id"]: row["manifest_sha256"] for row in rows} == {1: sealed[1], 2: sealed[2]}
    assert no_ledger_file(shared.elsewhere)


def test_report_of_a_batch_comes_from_the_shared_ledger(shared: Shared) -> None:
    done = shared.run("report", "--json")
    assert done.exit_code == 0, done.output
    document = json.loads(done.stdout)
    assert [row["member_id"] for row in document["rows"]] == ["0001"]
    assert no_ledger_file(shared.elsewhere)
    without = CliRunner().invoke(app, ["report", "--data-dir", str(shared.elsewhere)])
    one_line_error(without, "no ledger")


def test_followup_is_written_from_the_shared_ledger(shared: Shared) -> None:
    done = shared.run("followup", "2", "--json")
    assert done.exit_code == 0, done.output
    document = json.loads(done.stdout)
    assert document["objection_id"] == 2
    with shared.file_ledger() as ledger:
        assert str(ledger.get(2).manifest_sha256) in document["text"]
    one_line_error(shared.run("followup", "3"), "no objection")  # the file's only
    assert no_ledger_file(shared.elsewhere)


def test_check_results_are_recorded_in_and_read_from_the_shared_ledger(shared: Shared) -> None:
    from widerspruch.check.results import CheckResult, CheckSettings, CheckState
    from widerspruch.check.run import record

    settings = CheckSettings.from_options(
        services=["facebook"], data_dir=shared.elsewhere, ledger=shared.url
    )
    assert settings.ledger == resolve_ledger(shared.url)
    result = CheckResult(
        service="facebook",
        state=CheckState.FORM_OK,
        detail="the form is there",
        url="https://www.facebook.com/help/contact/712876720715583",
        checked_at=datetime.now(UTC).isoformat(timespec="seconds"),
        expected=True,
    )
    report = record(settings, [result])
    assert report.ledger == shown(shared.url)
    done = shared.run("check", "--history", "--json")
    assert done.exit_code == 0, done.output
    [timeline] = json.loads(done.stdout)["history"]
    assert (timeline["service"], timeline["state"]) == ("facebook", "form_ok")
    assert no_ledger_file(shared.elsewhere)
    own = CliRunner().invoke(app, ["check", "--history", "--json", "--data-dir", str(shared.desk)])
    assert json.loads(own.stdout)["history"] == []


def test_verify_of_one_objection_checks_its_files_here_against_the_shared_ledger(
    shared: Shared,
) -> None:
    done = shared.run("verify", "1", "--json", data_dir=shared.desk)
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["intact"] is True
    # Its record is the shared ledger's: the file's own objection is not there.
    one_line_error(shared.run("verify", "3", data_dir=shared.desk), "no objection")


def test_verify_where_the_evidence_is_not_checks_the_copies_the_shared_ledger_keeps(
    shared: Shared,
) -> None:
    done = shared.run("verify", "2", "--json")
    assert done.exit_code == 0, done.output
    verdict = json.loads(done.stdout)
    assert verdict["intact"] is True
    assert verdict["kept_in_ledger"] == verdict["files_checked"] > 0
    assert not (shared.elsewhere / "evidence").exists()  # verify writes nothing here
    assert no_ledger_file(shared.elsewhere)
    every = shared.run("verify", "--all", "--json")
    assert every.exit_code == 0, every.output
    assert len(json.loads(every.stdout)["objections"]) == 2


def forget_kept_files(shared: Shared, objection_id: int) -> None:
    """The shared ledger as one that kept no copy of this objection's files (sealed
    before it kept files), made by the database's owner."""
    import psycopg

    with psycopg.connect(shared.url) as db:
        db.execute("DELETE FROM evidence_files WHERE objection_id = %s", (objection_id,))


def test_verify_where_the_evidence_is_not_and_no_copy_is_kept_says_so_in_one_line(
    shared: Shared,
) -> None:
    forget_kept_files(shared, 2)
    done = shared.run("verify", "2")
    one_line_error(done, "objection #2", "not on this machine", "--data-dir")
    assert no_ledger_file(shared.elsewhere)
    every = shared.run("verify", "--all", "--json", data_dir=shared.desk)
    assert every.exit_code == 0, every.output
    assert len(json.loads(every.stdout)["objections"]) == 2


# -- writing: confirm, inbox, timestamp, receipt ----------------------------------------


def test_confirm_records_the_reply_in_the_shared_ledger_only(
    shared: Shared, tmp_path: Path
) -> None:
    eml = tmp_path / "reply.eml"
    eml.write_bytes(ACCEPTED)
    done = shared.run("confirm", "1", "--eml", str(eml), "--json", data_dir=shared.desk)
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["status"] == "acknowledged"
    with shared.shared_ledger() as ledger:
        assert ledger.get(1).status is Status.ACKNOWLEDGED
        assert [a.kind for a in ledger.attachments(1)] == ["reply"]
    with shared.file_ledger() as ledger:
        assert ledger.get(1).status is Status.CONFIRMED
        assert ledger.attachments(1) == []


def test_a_reply_confirmed_elsewhere_is_kept_there_owner_only(
    shared: Shared, tmp_path: Path
) -> None:
    eml = tmp_path / "reply.eml"
    eml.write_bytes(ACCEPTED)
    before = os.umask(0o022)  # as a command starts, before widerspruch tightens it
    try:
        done = shared.run("confirm", "1", "--eml", str(eml), "--json")
    finally:
        os.umask(before)
    assert done.exit_code == 0, done.output
    stored = Path(json.loads(done.stdout)["stored"])
    assert stored.is_relative_to(shared.elsewhere)
    for folder in (shared.elsewhere, stored.parent):
        assert folder.stat().st_mode & 0o077 == 0
    assert stored.stat().st_mode & 0o077 == 0
    with shared.shared_ledger() as ledger:
        assert ledger.get(1).status is Status.ACKNOWLEDGED
    assert no_ledger_file(shared.elsewhere)


def test_inbox_imports_into_the_shared_ledger(shared: Shared) -> None:
    from tests.dovecot import PASSWORD, dovecot

    with dovecot() as server:
        server.deliver(ACCEPTED)
        done = shared.run(
            "inbox",
            "--imap",
            server.url,
            "--ca-file",
            str(server.ca_file),
            "--password-stdin",
            "--json",
            data_dir=shared.desk,
            input=PASSWORD + "\n",
        )
    assert done.exit_code == 0, done.output
    [imported] = json.loads(done.stdout)["imported"]
    assert (imported["objection_id"], imported["status"]) == (1, "acknowledged")
    with shared.shared_ledger() as ledger:
        assert ledger.get(1).status is Status.ACKNOWLEDGED
    with shared.file_ledger() as ledger:
        assert ledger.get(1).status is Status.CONFIRMED


def test_timestamp_is_recorded_in_the_shared_ledger_and_refused_without_the_files(
    shared: Shared,
) -> None:
    from widerspruch.testing.tsa import TimeStampingAuthority

    forget_kept_files(shared, 1)
    with TimeStampingAuthority(shared.desk.parent / "tsa") as tsa:
        authority = ("--url", tsa.url, "--ca", str(tsa.ca))
        refused = shared.run("timestamp", "1", *authority)
        one_line_error(refused, "objection #1", "not on this machine")
        assert tsa.queries == 0  # nothing was sent for a bundle that is not here
        done = shared.run("timestamp", "1", *authority, "--json", data_dir=shared.desk)
        assert done.exit_code == 0, done.output
    with shared.shared_ledger() as ledger:
        assert {a.kind for a in ledger.attachments(1)} == {"timestamp", "timestamp-ca"}
    with shared.file_ledger() as ledger:
        assert ledger.attachments(1) == []
    verified = shared.run("verify", "1", data_dir=shared.desk)
    assert verified.exit_code == 0, verified.output
    assert "with a trusted timestamp" in verified.stdout


def test_timestamp_at_the_coordinators_uses_the_bundle_the_shared_ledger_keeps(
    shared: Shared,
) -> None:
    from widerspruch.testing.tsa import TimeStampingAuthority

    with TimeStampingAuthority(shared.desk.parent / "tsa") as tsa:
        done = shared.run("timestamp", "2", "--url", tsa.url, "--ca", str(tsa.ca), "--json")
        assert done.exit_code == 0, done.output
        assert tsa.queries == 1
    assert no_ledger_file(shared.elsewhere)
    # The token is kept in the shared ledger too: the desk's data dir never saw it, and a
    # third machine, with no files at all, finds it holding.
    third = shared.desk.parent / "third"
    verified = shared.run("verify", "2", data_dir=third)
    assert verified.exit_code == 0, verified.output
    assert "with a trusted timestamp" in verified.stdout
    assert not (shared.desk / "evidence/00002-instagram/manifest.tsr").exists()


def test_receipt_is_recorded_in_the_shared_ledger_and_refused_without_the_files(
    shared: Shared,
) -> None:
    forget_kept_files(shared, 1)
    refused = shared.run("receipt", "1")  # before any browser is started
    one_line_error(refused, "objection #1", "not on this machine")
    done = in_own_thread(shared.run, "receipt", "1", "--json", data_dir=shared.desk)
    assert done.exit_code == 0, done.output
    assert Path(json.loads(done.stdout)["receipt"]).is_file()
    with shared.shared_ledger() as ledger:
        assert [a.kind for a in ledger.attachments(1)] == ["receipt"]
    with shared.file_ledger() as ledger:
        assert ledger.attachments(1) == []


# -- doctor, and a database that holds no ledger yet ------------------------------------


def test_doctor_checks_the_shared_ledger(shared: Shared, postgres_server: Postgres) -> None:
    def ledger_finding(url: str) -> dict[str, Any]:
        done = in_own_thread(
            CliRunner().invoke,
            app,
            ["doctor", "--json", "--browser", "/bin/true", "--ledger", url, "--data-dir",
             str(shared.elsewhere)],
        )  # fmt: skip
        found = {c["check"]: c for c in json.loads(done.stdout)["checks"]}
        return dict(found["ledger"])

    found = ledger_finding(shared.url)
    assert found["ok"], found
    assert found["detail"] == f"{shown(shared.url)}: reachable, schema version {SCHEMA_VERSION}"
    empty = ledger_finding(postgres_server.url(postgres_server.new_schema()))
    assert not empty["ok"]
    assert "ledger migrate" in empty["fix"]
    assert no_ledger_file(shared.elsewhere)


def test_a_database_without_a_ledger_yet_has_no_objections(
    tmp_path: Path, postgres_url: str
) -> None:
    args = ["--ledger", postgres_url, "--data-dir", str(tmp_path)]
    done = CliRunner().invoke(app, ["log", *args])
    assert done.exit_code == 0, done.output
    assert done.stdout == f"No objections recorded yet in {shown(postgres_url)}.\n"
    status = CliRunner().invoke(app, ["status", "--json", *args])
    assert json.loads(status.stdout)["ledger"] is None
    one_line_error(CliRunner().invoke(app, ["export", *args]), "no ledger yet", "migrate")
    assert no_ledger_file(tmp_path)
