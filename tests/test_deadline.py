"""The one-month clock (Art. 12(3) GDPR) and `widerspruch status`, on an injected clock."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.records import SENT_AT, make_objection
from widerspruch.cli import app
from widerspruch.ledger import Ledger
from widerspruch.proof.deadline import add_one_month, standing, standings
from widerspruch.states import Status


@pytest.mark.parametrize(
    ("sent", "due"),
    [
        (date(2026, 11, 23), date(2026, 12, 23)),
        (date(2026, 12, 15), date(2027, 1, 15)),
        (date(2026, 1, 31), date(2026, 2, 28)),  # February has no 31st
        (date(2028, 1, 30), date(2028, 2, 29)),  # a leap year
        (date(2026, 3, 31), date(2026, 4, 30)),
    ],
)
def test_one_month_is_a_calendar_month(sent: date, due: date) -> None:
    assert add_one_month(sent) == due


def test_overdue_only_after_the_whole_last_day(data_dir: Path) -> None:
    objection = make_objection(data_dir)  # sent 2026-01-31: due 2026-02-28
    last_day = datetime(2026, 2, 28, 23, 59, tzinfo=UTC)
    on_time = standing(objection, last_day)
    assert on_time.deadline == date(2026, 2, 28)
    assert not on_time.overdue
    assert on_time.days_left == 0
    assert "widerspruch inbox" in on_time.next_step  # Meta's email, fetched or saved
    assert "widerspruch confirm 1 --eml FILE" in on_time.next_step

    late = standing(objection, datetime(2026, 3, 12, 8, 0, tzinfo=UTC))
    assert late.overdue
    assert late.flag == "overdue"
    assert late.days_overdue == 12
    assert late.age_days == 39
    assert "followup 1 --kind reminder" in late.next_step


@pytest.mark.parametrize(
    ("status", "overdue"),
    [
        (Status.CONFIRMED, True),
        (Status.SUBMITTED_UNCONFIRMED, True),
        (Status.ACKNOWLEDGED, False),
        (Status.REJECTED, False),
        (Status.INFO_REQUESTED, False),
    ],
)
def test_only_unanswered_sent_objections_become_overdue(
    data_dir: Path, status: Status, overdue: bool
) -> None:
    objection = make_objection(data_dir, status=status)
    assert standing(objection, SENT_AT + timedelta(days=60)).overdue is overdue


def test_an_objection_never_sent_has_no_deadline(data_dir: Path) -> None:
    objection = make_objection(data_dir, status=Status.FAILED, sent_at=None)
    where = standing(objection, datetime(2030, 1, 1, tzinfo=UTC))
    assert where.deadline is None
    assert not where.overdue


def test_standings_cover_every_objection(data_dir: Path) -> None:
    make_objection(data_dir)
    make_objection(data_dir, service="instagram", status=Status.ACKNOWLEDGED)
    with Ledger.open(data_dir) as ledger:
        found = standings(ledger, SENT_AT + timedelta(days=45))
    assert [(s.objection.service, s.overdue) for s in found] == [
        ("facebook", True),
        ("instagram", False),
    ]


def test_status_command_lists_age_state_and_the_overdue_flag(data_dir: Path) -> None:
    make_objection(data_dir)  # sent 2026-01-31, long before the machine's today
    make_objection(data_dir, service="instagram", sent_at=datetime.now(UTC))
    runner = CliRunner()

    result = runner.invoke(app, ["status", "--json", "--data-dir", str(data_dir)])

    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    old, new = document["objections"]
    assert (old["service"], old["status"], old["overdue"]) == ("facebook", "confirmed", True)
    assert old["deadline"] == "2026-02-28"
    assert old["age_days"] >= 30
    assert (new["service"], new["overdue"], new["age_days"]) == ("instagram", False, 0)

    table = runner.invoke(app, ["status", "--data-dir", str(data_dir)], env={"COLUMNS": "200"})
    assert table.exit_code == 0
    assert "overdue" in table.stdout
    assert "2026-02-28" in table.stdout


def test_status_on_an_empty_data_dir(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["status", "--json", "--data-dir", str(tmp_path)])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["objections"] == []
