"""The ledger keeps a truthful, owner-only record, and refuses what it cannot read."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import pytest

from tests.claims import ended_process, live_process, other_owner
from widerspruch.errors import UsageError
from widerspruch.ledger import (
    LEDGER_FILE,
    MIGRATIONS,
    SCHEMA_VERSION,
    ClaimHeld,
    Ledger,
    LedgerError,
)
from widerspruch.settings import prepare_data_dir
from widerspruch.states import Status

CLAIM = {
    "service": "facebook",
    "account_email": "Jana@Example.org",
    "country": "DE",
    "language": "de",
    "template": "standard",
    "template_version": "1",
    "justification": "text",
    "form_url": "https://www.facebook.com/help/contact/712876720715583",
}


@pytest.fixture
def ledger(tmp_path: Path) -> Ledger:
    return Ledger.open(prepare_data_dir(tmp_path / "data"))


def test_new_ledger_records_its_migrations(ledger: Ledger) -> None:
    db = sqlite3.connect(ledger.path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    applied = [row[0] for row in db.execute("SELECT version FROM schema_migrations")]
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
    earlier, blocking = ledger.claim(**{**CLAIM, "account_email": "jana@example.org"}, force=False)
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


def test_a_first_version_ledger_is_migrated_without_loss(tmp_path: Path) -> None:
    data = prepare_data_dir(tmp_path / "data")
    db = sqlite3.connect(data / LEDGER_FILE)
    _, _, sql = MIGRATIONS[0]
    db.executescript(sql)
    db.execute(
        "INSERT INTO objections (service, account_email, country, language, template, "
        "template_version, justification, form_url, status, created_at, updated_at) "
        "VALUES ('facebook', 'a@b.de', 'DE', 'de', 'standard', '1', 't', 'u', 'confirmed', "
        "'2025-06-01T10:00:00+00:00', '2025-06-01T10:00:00+00:00')"
    )
    db.execute("PRAGMA user_version = 1")
    db.commit()
    db.close()
    with Ledger.open(data) as ledger:
        [kept] = ledger.objections()
    assert kept.status is Status.CONFIRMED
    assert kept.evidence_dir is None
