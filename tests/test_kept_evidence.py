"""Evidence travels with the record: a shared ledger keeps every evidence file of an
objection with its SHA-256 (the sealed bundle, the receipt, Meta's replies), so the
coordinator verifies and prints receipts from the shared ledger alone, on a machine that
has none of the desk's files; a byte changed in a kept copy is found. `ledger copy`
carries the files into the shared ledger and back."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
from typer.testing import CliRunner, Result

from tests.conftest import Harness, in_own_thread
from widerspruch.cli import app
from widerspruch.ledger import Ledger
from widerspruch.proof.evidence import MANIFEST, RESULT_PNG
from widerspruch.states import Status


def run(*args: str, url: str | None, data_dir: Path) -> Result:
    ledger = ("--ledger", url) if url else ()
    return CliRunner().invoke(app, [*args, *ledger, "--data-dir", str(data_dir)])


def sent_at_a_desk(harness: Harness, url: str) -> int:
    """One objection sent at the desk (the harness's data dir) into the shared ledger."""
    outcome = harness.submit("facebook", ledger=url)
    [result] = outcome.results
    assert result.status is Status.CONFIRMED
    assert len(harness.replay.submissions) == 1
    with Ledger.open(harness.data_dir, url=url, read_only=True) as ledger:
        [objection] = ledger.objections()
    return objection.id


def kept_names(url: str, data_dir: Path, objection_id: int) -> set[str]:
    with Ledger.open(data_dir, url=url, read_only=True) as ledger:
        return {Path(file.path).name for file in ledger.kept_files(objection_id)}


def change_a_byte(url: str, name: str, *, with_its_hash: bool = False) -> None:
    """As someone with the database's owner's rights could: one byte of the kept copy of
    `name` changed (and, `with_its_hash`, the SHA-256 kept with it made to match)."""
    with psycopg.connect(url) as db:
        db.execute(
            "UPDATE evidence_files SET content = set_byte(content, 10, "
            "(get_byte(content, 10) + 1) %% 256) WHERE path LIKE %s",
            (f"%/{name}",),
        )
        if with_its_hash:
            db.execute(
                "UPDATE evidence_files SET sha256 = encode(sha256(content), 'hex') "
                "WHERE path LIKE %s",
                (f"%/{name}",),
            )


def test_a_sealed_bundle_and_its_receipt_are_kept_in_the_shared_ledger(
    harness: Harness, postgres_url: str
) -> None:
    number = sent_at_a_desk(harness, postgres_url)
    folder = next((harness.data_dir / "evidence").iterdir())
    on_disk = {p.name for p in folder.iterdir() if p.is_file()}
    assert {MANIFEST, RESULT_PNG, "receipt.pdf"} <= on_disk
    assert kept_names(postgres_url, harness.data_dir, number) == on_disk
    with Ledger.open(harness.data_dir, url=postgres_url, read_only=True) as ledger:
        for file in ledger.kept_files(number):
            assert file.content == (folder / Path(file.path).name).read_bytes()
            assert file.intact


def test_the_data_dirs_own_ledger_keeps_no_copies(harness: Harness) -> None:
    harness.submit("facebook")
    with Ledger.open(harness.data_dir, read_only=True) as ledger:
        [objection] = ledger.objections()
        assert ledger.kept_files(objection.id) == []


def test_the_coordinator_verifies_and_prints_the_receipt_without_the_desks_files(
    harness: Harness, postgres_url: str, tmp_path: Path
) -> None:
    number = sent_at_a_desk(harness, postgres_url)
    coordinator = tmp_path / "coordinator"  # none of the desk's files, no ledger file
    verified = run("verify", str(number), "--json", url=postgres_url, data_dir=coordinator)
    assert verified.exit_code == 0, verified.output
    verdict = json.loads(verified.stdout)
    assert verdict["intact"] is True
    assert verdict["kept_in_ledger"] == verdict["files_checked"] >= 4
    assert not coordinator.exists()  # verify wrote nothing there

    printed = in_own_thread(
        run, "receipt", str(number), "--json", url=postgres_url, data_dir=coordinator
    )
    assert printed.exit_code == 0, printed.output
    receipt = Path(json.loads(printed.stdout)["receipt"])
    assert receipt.is_relative_to(coordinator)
    assert receipt.read_bytes().startswith(b"%PDF")
    assert receipt.parent.stat().st_mode & 0o077 == 0  # owner-only, as the desk's
    assert (receipt.parent / RESULT_PNG).read_bytes() == next(
        (harness.data_dir / "evidence").iterdir()
    ).joinpath(RESULT_PNG).read_bytes()

    # The new receipt is kept too: a third machine verifies it all, and so does the desk
    # (whose own receipt.pdf is now an older one: the newest recorded counts).
    third = run("verify", "--all", "--json", url=postgres_url, data_dir=tmp_path / "third")
    assert third.exit_code == 0, third.output
    [objection] = json.loads(third.stdout)["objections"]
    assert objection["intact"] is True
    with Ledger.open(coordinator, url=postgres_url, read_only=True) as ledger:
        [kept] = [f for f in ledger.kept_files(number) if f.path.endswith("receipt.pdf")]
    assert kept.content == receipt.read_bytes()


def test_a_byte_changed_in_a_kept_copy_is_reported(
    harness: Harness, postgres_url: str, tmp_path: Path
) -> None:
    number = sent_at_a_desk(harness, postgres_url)
    change_a_byte(postgres_url, RESULT_PNG)
    coordinator = tmp_path / "coordinator"
    for data_dir in (coordinator, harness.data_dir):  # the desk's own files are as sent
        verified = run("verify", str(number), url=postgres_url, data_dir=data_dir)
        assert verified.exit_code == 1, verified.output
        assert f"changed: {RESULT_PNG} (as kept in the ledger)" in verified.stdout
    every = run("verify", "--all", url=postgres_url, data_dir=coordinator)
    assert every.exit_code == 1
    assert "NOT INTACT" in every.stdout
    # Nothing is brought back from a changed copy, and no browser is started.
    refused = run("receipt", str(number), url=postgres_url, data_dir=coordinator)
    assert refused.exit_code == 2
    assert RESULT_PNG in refused.stderr
    assert "was changed" in refused.stderr
    assert not (coordinator / "evidence").exists()


def test_a_kept_copy_changed_with_its_hash_is_reported_by_the_manifest(
    harness: Harness, postgres_url: str, tmp_path: Path
) -> None:
    number = sent_at_a_desk(harness, postgres_url)
    change_a_byte(postgres_url, RESULT_PNG, with_its_hash=True)
    verified = run("verify", str(number), url=postgres_url, data_dir=tmp_path / "coordinator")
    assert verified.exit_code == 1, verified.output
    assert f"changed: {RESULT_PNG} (as kept in the ledger)" in verified.stdout
    change_a_byte(postgres_url, MANIFEST, with_its_hash=True)
    again = run("verify", str(number), url=postgres_url, data_dir=tmp_path / "coordinator")
    assert f"changed: {MANIFEST} (as kept in the ledger)" in again.stdout


def test_ledger_copy_carries_the_files_into_the_shared_ledger_and_back(
    harness: Harness, postgres_url: str, tmp_path: Path
) -> None:
    harness.submit("facebook")  # at a desk on its own SQLite ledger, before the campaign
    desk = harness.data_dir
    copied = run("ledger", "copy", "--to", postgres_url, "--json", url=None, data_dir=desk)
    assert copied.exit_code == 0, copied.output
    on_disk = {p.name for p in next((desk / "evidence").iterdir()).iterdir()}
    assert json.loads(copied.stdout)["rows"]["evidence_files"] == len(on_disk)
    coordinator = tmp_path / "coordinator"
    verified = run("verify", "--all", url=postgres_url, data_dir=coordinator)
    assert verified.exit_code == 0, verified.output
    assert "as kept in the ledger" in verified.stdout

    back = tmp_path / "back"  # a data dir with none of the files: its ledger keeps them
    returned = run("ledger", "copy", "--from", postgres_url, url=None, data_dir=back)
    assert returned.exit_code == 0, returned.output
    again = run("verify", "--all", url=None, data_dir=back)
    assert again.exit_code == 0, again.output
    assert "as kept in the ledger" in again.stdout
