"""The ledger keeps a truthful, owner-only record, and refuses what it cannot read."""

from __future__ import annotations

import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.claims import CLAIM, ended_process, live_process, other_owner, run_sql
from widerspruch.errors import UsageError
from widerspruch.ledger import (
    LEDGER_FILE,
    MIGRATIONS,
    SCHEMA_VERSION,
    BatchItemEventRow,
    BatchItemRow,
    BatchRow,
    CheckRow,
    ClaimHeld,
    Ledger,
    LedgerError,
    NoLedger,
    migrations,
    pending,
)
from widerspruch.settings import prepare_data_dir
from widerspruch.states import Status

# The migration that marks the demo's records.
DEMO_MARK = next(n for n, name, _ in MIGRATIONS if name == "demo records")


@pytest.fixture
def ledger(tmp_path: Path, ledger_url: str | None) -> Iterator[Ledger]:
    """A new ledger on each engine: the SQLite file, and a PostgreSQL database."""
    with Ledger.open(prepare_data_dir(tmp_path / "data"), url=ledger_url) as opened:
        yield opened


def test_new_ledger_records_its_migrations(ledger: Ledger) -> None:
    assert migrations.schema_version(ledger._db, ledger.engine) == SCHEMA_VERSION
    applied = [row[0] for row in run_sql(ledger, "SELECT version FROM schema_migrations")]
    assert applied == [number for number, _, _ in MIGRATIONS]


def test_reopening_does_not_migrate_twice(tmp_path: Path) -> None:
    data = prepare_data_dir(tmp_path / "data")
    Ledger.open(data).close()
    Ledger.open(data).close()
    db = sqlite3.connect(data / LEDGER_FILE)
    assert db.execute("SELECT count(*) FROM schema_migrations").fetchone()[0] == len(MIGRATIONS)


def test_every_status_change_is_an_event(ledger: Ledger) -> None:
    objection, blocking = ledger.claim(**CLAIM, force=False)
    assert blocking is None
    ledger.record_page(objection.id, "form")
    ledger.set_status(objection.id, Status.SUBMITTING, "clicking Send")
    done = ledger.set_status(objection.id, Status.CONFIRMED, "seen", final_url="https://x")
    assert done.submitted_at
    assert done.finished_at
    assert done.final_url == "https://x"
    assert [(e.kind, e.state) for e in ledger.events(objection.id)] == [
        ("status", "in_progress"),
        ("page", "form"),
        ("status", "submitting"),
        ("status", "confirmed"),
    ]


@pytest.mark.parametrize(
    "status", [Status.SUBMITTED_UNCONFIRMED, Status.CONFIRMED, Status.CONFIRMED_BY_PERSON]
)
def test_possibly_sent_objection_blocks_a_new_one(ledger: Ledger, status: Status) -> None:
    # (A run still "submitting" is a live claim: tests/test_claims.py.)
    first, _ = ledger.claim(**CLAIM, force=False)
    ledger.set_status(first.id, Status.SUBMITTING)
    ledger.set_status(first.id, status)
    earlier, blocking = ledger.claim(**(CLAIM | {"account_email": "jana@example.org"}), force=False)
    assert blocking is not None
    assert earlier.id == first.id
    assert len(ledger.objections()) == 1


@pytest.mark.parametrize(
    "status", [Status.FAILED, Status.TIMED_OUT, Status.CANCELLED, Status.UNAVAILABLE]
)
def test_unsent_objection_does_not_block(ledger: Ledger, status: Status) -> None:
    first, _ = ledger.claim(**CLAIM, force=False)
    ledger.set_status(first.id, status)
    _, blocking = ledger.claim(**CLAIM, force=False)
    assert blocking is None


def test_force_claims_despite_a_confirmed_one(ledger: Ledger) -> None:
    first, _ = ledger.claim(**CLAIM, force=False)
    ledger.set_status(first.id, Status.SUBMITTING)
    ledger.set_status(first.id, Status.CONFIRMED)
    second, blocking = ledger.claim(**CLAIM, force=True)
    assert blocking is None
    assert second.id != first.id


def test_run_that_died_before_send_is_closed_as_cancelled(ledger: Ledger) -> None:
    # Left in_progress by a run whose process is gone: taken over, truthfully.
    with other_owner(ledger, ended_process()) as crashed_run:
        crashed, _ = crashed_run.claim(**CLAIM, force=False)
    new, blocking = ledger.claim(**CLAIM, force=False)
    assert blocking is None
    assert ledger.get(crashed.id).status is Status.CANCELLED
    assert "the run ended before sending; nothing sent" in (ledger.get(crashed.id).detail or "")
    assert new.status is Status.IN_PROGRESS


def test_a_live_run_in_progress_is_never_cancelled_by_another(ledger: Ledger) -> None:
    # The bug this replaces: any in_progress row was taken for a crash's leftover.
    with other_owner(ledger, live_process()) as running:
        running_objection, _ = running.claim(**CLAIM, force=False)
    with pytest.raises(ClaimHeld, match="another widerspruch run is objecting"):
        ledger.claim(**CLAIM, force=False)
    assert ledger.get(running_objection.id).status is Status.IN_PROGRESS
    assert len(ledger.objections()) == 1


def test_files_are_owner_only(tmp_path: Path) -> None:
    data = prepare_data_dir(tmp_path / "data")
    Ledger.open(data).close()
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    assert stat.S_IMODE((data / LEDGER_FILE).stat().st_mode) == 0o600


def test_ledger_from_a_newer_version_is_refused_untouched(tmp_path: Path) -> None:
    data = prepare_data_dir(tmp_path / "data")
    Ledger.open(data).close()
    db = sqlite3.connect(data / LEDGER_FILE)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.commit()
    db.close()
    before = (data / LEDGER_FILE).read_bytes()
    with pytest.raises(LedgerError, match="newer widerspruch"):
        Ledger.open(data)
    assert (data / LEDGER_FILE).read_bytes() == before


def test_corrupt_ledger_is_refused_untouched(tmp_path: Path) -> None:
    data = prepare_data_dir(tmp_path / "data")
    (data / LEDGER_FILE).write_bytes(b"this is not a database" * 100)
    with pytest.raises(LedgerError, match="Keep a copy"):
        Ledger.open(data)
    assert (data / LEDGER_FILE).read_bytes() == b"this is not a database" * 100


def test_unwritable_data_dir_is_a_usage_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(UsageError, match="not usable"):
        prepare_data_dir(blocker / "data")


def first_version_ledger(data: Path) -> Path:
    path = data / LEDGER_FILE
    db = sqlite3.connect(path)
    migrations.run(db, data, until=1)
    db.commit()
    db.close()
    return path


def test_a_first_version_ledger_is_migrated_without_loss(tmp_path: Path) -> None:
    data = prepare_data_dir(tmp_path / "data")
    db = sqlite3.connect(first_version_ledger(data))
    db.execute(
        "INSERT INTO objections (service, account_email, country, language, template, "
        "template_version, justification, form_url, status, created_at, updated_at) "
        "VALUES ('facebook', 'a@b.de', 'DE', 'de', 'standard', '1', 't', 'u', 'confirmed', "
        "'2025-06-01T10:00:00+00:00', '2025-06-01T10:00:00+00:00')"
    )
    db.commit()
    db.close()
    with Ledger.open(data) as ledger:
        [kept] = ledger.objections()
    assert kept.status is Status.CONFIRMED
    assert kept.evidence_dir is None


def test_pending_names_the_migrations_an_older_ledger_needs_and_changes_nothing(
    tmp_path: Path,
) -> None:
    path = first_version_ledger(prepare_data_dir(tmp_path / "data"))
    before = path.read_bytes()
    assert pending(path) == [(number, name) for number, name, _ in MIGRATIONS[1:]]
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == [LEDGER_FILE]


def test_pending_is_empty_for_an_up_to_date_ledger(ledger: Ledger) -> None:
    assert pending(ledger.path, url=ledger.url) == []


def test_pending_creates_no_ledger_where_there_is_none(tmp_path: Path) -> None:
    with pytest.raises(NoLedger, match="nothing was created"):
        pending(tmp_path / LEDGER_FILE)
    assert not (tmp_path / LEDGER_FILE).exists()


def test_check_and_batch_rows_have_the_columns_their_types_name(ledger: Ledger) -> None:
    checked = {"service": "facebook", "checked_at": "2026-02-01T08:00:00+00:00"}
    ledger.add_check({**checked, "state": "form_ok", "expected": 1})
    member = {"position": 0, "line": 2, "member_id": "m1", "email": "a@b.de"}
    asked = {"service": "facebook", "country": "DE", "language": "de", "template": "standard"}
    item: dict[str, object] = {**member, **asked, "mandate_ref": "r1", "state": "pending"}
    batch_id = ledger.create_batch(
        file="m.csv", file_sha256="0" * 64, services="facebook", template="standard", items=[item]
    )
    [row] = ledger.batch_items(batch_id)
    assert set(ledger.checks()[0]) == set(CheckRow.__annotations__)
    assert set(ledger.batches()[0]) == set(BatchRow.__annotations__)
    assert set(row) == set(BatchItemRow.__annotations__)
    assert set(ledger.batch_item_events(row["id"])[0]) == set(BatchItemEventRow.__annotations__)


def test_demo_records_and_real_ones_never_meet(ledger: Ledger) -> None:
    demo, blocked = ledger.claim(**CLAIM, force=False, demo=True)
    assert blocked is None
    assert demo.demo is True
    # The demo's open claim is not a real run's: a real claim for the same account goes on.
    real, blocked = ledger.claim(**CLAIM, force=False)
    assert blocked is None
    assert real.demo is False
    for objection in (demo, real):
        ledger.set_status(objection.id, Status.SUBMITTING)
        ledger.set_status(objection.id, Status.CONFIRMED)
    assert ledger.latest_sent("facebook", "jana@example.org") == ledger.get(real.id)
    assert ledger.latest_sent("facebook", "jana@example.org", demo=True) == ledger.get(demo.id)


def test_an_older_ledgers_objections_are_real_after_the_demo_mark(tmp_path: Path) -> None:
    from widerspruch.ledger.demo import real_records

    data_dir = prepare_data_dir(tmp_path / "data")
    db = sqlite3.connect(data_dir / LEDGER_FILE)
    migrations.run(db, data_dir, until=DEMO_MARK - 1)
    db.execute(
        "INSERT INTO objections (service, account_email, country, language, template, "
        "template_version, justification, form_url, status, created_at, updated_at) "
        "VALUES ('facebook', 'jana@example.org', 'DE', 'de', 'standard', '1', 't', 'u', "
        "'confirmed', '2026-01-01', '2026-01-01')"
    )
    db.commit()
    db.close()
    assert real_records(data_dir) == 1  # read-only: before the mark, every record is real
    assert [number for number, _ in pending(data_dir / LEDGER_FILE)] == [
        number for number, _, _ in MIGRATIONS if number >= DEMO_MARK
    ]
    with Ledger.open(data_dir) as ledger:
        [objection] = ledger.objections()
        assert objection.demo is False
        assert ledger.latest_sent("facebook", "jana@example.org", demo=True) is None
    assert real_records(data_dir) == 1
