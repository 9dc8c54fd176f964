"""`widerspruch campaign` and a desk of it: the coordinator creates the campaign in the
shared ledger, desks take its members (`batch --campaign NAME --desk NAME`), and the
coordinator follows it live and reports it from the shared ledger alone."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from playwright.sync_api import BrowserContext
from typer.testing import CliRunner, Result

from tests.conftest import Harness
from tests.test_batch import member, members
from widerspruch.batch import BatchSettings
from widerspruch.batch.campaign import create, run_desk, status
from widerspruch.browser import BrowserSession
from widerspruch.cli import app
from widerspruch.ledger import Ledger
from widerspruch.page.flow import Flow
from widerspruch.settings import prepare_data_dir
from widerspruch.testing.operator import ScriptedOperator


def coordinator(runner: CliRunner, data_dir: Path, url: str, *args: str) -> dict:
    result = runner.invoke(
        app, ["campaign", *args, "--ledger", url, "--data-dir", str(data_dir), "--json"]
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def create_refused(runner: CliRunner, path: Path, url: str, data_dir: Path) -> Result:
    """`campaign create day-1` of `path`, as the coordinator types it (no --json)."""
    args = ["campaign", "create", "day-1", "--members", str(path), "--services", "facebook"]
    return runner.invoke(app, [*args, "--ledger", url, "--data-dir", str(data_dir)])


def test_the_coordinator_creates_a_campaign_and_sees_every_member_queued(
    tmp_path: Path, postgres_url: str
) -> None:
    path = members(tmp_path, member(1), member(2), member(3))
    runner = CliRunner()
    data = tmp_path / "coordinator"
    made = coordinator(
        runner,
        data,
        postgres_url,
        "create",
        "day-1",
        "--members",
        str(path),
        "--services",
        "facebook,instagram",
    )
    assert made == {"campaign": "day-1", "members": 3}
    seen = coordinator(runner, data, postgres_url, "status", "day-1")
    assert seen["members"] == {"queued": 3, "at_desk": 0, "done": 0, "review": 0}
    assert seen["items"] == {"pending": 6}
    assert seen["desks"] == {}
    again = create_refused(runner, path, postgres_url, data)
    assert again.exit_code == 2
    assert "exists already" in again.output


def test_a_bad_row_refuses_the_whole_file_and_queues_nothing(
    tmp_path: Path, postgres_url: str
) -> None:
    path = members(tmp_path, member(1), "0002,not-an-email,DE,,,M-2")
    runner = CliRunner()
    result = create_refused(runner, path, postgres_url, tmp_path / "d")
    assert result.exit_code == 2
    with Ledger.open(prepare_data_dir(tmp_path / "d"), url=postgres_url) as ledger:
        assert ledger.campaigns() == []


def desk(harness: Harness, url: str, name: str, data_dir: Path) -> object:
    def prepare(context: BrowserContext, flow: Flow) -> None:
        harness.replay.attach(context)

    session = BrowserSession(
        harness.playwright, harness.browser, attached=False, prepare_context=prepare
    )
    settings = BatchSettings.for_desk(
        data_dir=data_dir, browser=None, ledger=url, headless=True, timeout=20, assume_yes=True
    )
    return run_desk(
        settings,
        campaign="day-1",
        desk=name,
        person=harness.person,
        operator=ScriptedOperator(),
        session=session,
    )


def test_a_desk_takes_the_members_from_the_shared_ledger_and_the_report_comes_from_it(
    harness: Harness, tmp_path: Path, postgres_url: str
) -> None:
    coordinator_dir = prepare_data_dir(tmp_path / "coordinator")
    path = members(tmp_path, member(1), member(2))
    create(
        coordinator_dir,
        postgres_url,
        "day-1",
        members_file=path,
        services=("facebook",),
        template="standard",
    )
    outcome = desk(harness, postgres_url, "desk-3", prepare_data_dir(tmp_path / "desk-3"))
    assert [item.state.value for item in outcome.items] == ["confirmed", "confirmed"]  # type: ignore[attr-defined]
    assert sorted(f.fields["email"] for f in harness.replay.submissions) == [
        "m1@example.org",
        "m2@example.org",
    ]
    # A second desk finds nothing left, and sends nothing.
    later = desk(harness, postgres_url, "desk-4", prepare_data_dir(tmp_path / "desk-4"))
    assert later.items == []  # type: ignore[attr-defined]
    assert len(harness.replay.submissions) == 2
    seen = status(coordinator_dir, postgres_url, "day-1")
    assert seen.members["done"] == 2
    assert seen.desks == {"desk-3": {"done": 2}}
    result = CliRunner().invoke(
        app,
        [
            "campaign",
            "report",
            "day-1",
            "--format",
            "csv",
            "--redact",
            "--ledger",
            postgres_url,
            "--data-dir",
            str(coordinator_dir),
        ],
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [row["state"] for row in rows] == ["confirmed", "confirmed"]
    assert "m1@example.org" not in result.stdout  # --redact


def test_submit_with_a_ledger_url_records_in_the_shared_ledger_only(
    harness: Harness, postgres_url: str
) -> None:
    from widerspruch.states import Status

    outcome = harness.submit("facebook", ledger=postgres_url)
    assert [result.status for result in outcome.results] == [Status.CONFIRMED]
    with Ledger.open(harness.data_dir, url=postgres_url) as ledger:
        [objection] = ledger.objections()
        assert objection.status is Status.CONFIRMED
        assert ledger.seals()[0].objection_id == objection.id
    assert not (harness.data_dir / "ledger.sqlite3").exists()
    again = harness.submit("facebook", ledger=postgres_url)  # never twice, across desks too
    assert len(harness.replay.submissions) == 1
    assert again.results[0].status is Status.ALREADY_CONFIRMED
    assert again.results[0].ledger == ledger.where  # the database, never a file here
    assert "host=" not in again.results[0].ledger
