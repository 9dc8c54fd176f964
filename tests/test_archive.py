"""The archive kept for years: a data dir copied, moved, restored or handed over still
verifies; `verify` covers every file kept for an objection; the chain of seals finds a
changed, replaced or deleted bundle; an old ledger with absolute paths is converted."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import tarfile
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Playwright
from typer.testing import CliRunner, Result

from tests.conftest import Harness, in_own_thread
from tests.fake_keyring import MemoryKeyring
from tests.records import make_objection, meta_email, write_email
from widerspruch.cli import app
from widerspruch.ledger import LEDGER_FILE, SCHEMA_VERSION, Ledger
from widerspruch.ledger.chain import link
from widerspruch.ledger.paths import moved
from widerspruch.ledger.rows import utc_now
from widerspruch.proof.evidence import MANIFEST, RESULT_HTML, sha256_file
from widerspruch.settings import prepare_data_dir
from widerspruch.states import Status
from widerspruch.testing.person import StandInPerson
from widerspruch.testing.replay import ReplayServer, Scenario

HONOURED = (
    "Hi Jana,\n\nWe'll honor your objection. This means your request will be applied going "
    "forward to developing and improving AI at Meta.\n\nThanks,\nPrivacy Operations"
)


class ThreadedRunner(CliRunner):
    """Commands that start their own Playwright (receipt) run beside pytest-playwright."""

    def invoke(self, *args: Any, **kwargs: Any) -> Any:
        return in_own_thread(super().invoke, *args, **kwargs)


def widerspruch(*args: str) -> Result:
    return ThreadedRunner().invoke(app, list(args))


def reply_for(objection_id: int, data_dir: Path, folder: Path, sender: str) -> Path:
    """Meta's answer to an objection, dated a minute after it was sent."""
    with Ledger.open(data_dir, read_only=True) as ledger:
        sent = ledger.get(objection_id).submitted_at
    assert sent is not None
    from datetime import datetime

    date = datetime.fromisoformat(sent) + timedelta(minutes=1)
    return write_email(
        folder, f"reply-{objection_id}.eml", meta_email(HONOURED, date=date, sender=sender)
    )


@pytest.fixture(scope="module")
def archive(
    playwright: Playwright, browser: Browser, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Path]:
    """A real archive: two objections sent through the replay (bundle and receipt each),
    Meta's reply imported for the first, and one that was never sent."""
    import keyring

    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    try:
        yield build_archive(playwright, browser, tmp_path_factory.mktemp("archive"))
    finally:
        keyring.set_keyring(previous)


def build_archive(playwright: Playwright, browser: Browser, root: Path) -> Path:
    data = root / "data"
    harness = Harness(playwright, browser, ReplayServer(Scenario()), StandInPerson(), data)
    outcome = harness.submit("facebook", "instagram", language="en")
    assert [r.status for r in outcome.results] == [Status.CONFIRMED, Status.CONFIRMED]
    eml = reply_for(1, data, root / "mail", "Facebook <noreply@facebookmail.com>")
    done = widerspruch("confirm", "1", "--eml", str(eml), "--data-dir", str(data))
    assert done.exit_code == 0, done.output
    with Ledger.open(data) as ledger:  # stopped before anything was sealed
        never, _ = ledger.claim(
            service="instagram",
            account_email="jana@example.org",
            country="DE",
            language="en",
            template="standard",
            template_version="1",
            justification="-",
            form_url="https://help.instagram.com/contact/767264225370182",
            force=True,
        )
        ledger.set_status(never.id, Status.CANCELLED, "stopped before sending; nothing sent")
    return data


def copy_of(archive: Path, where: Path) -> Path:
    """`cp -a`, as a person copies a data dir."""
    subprocess.run(["cp", "-a", str(archive), str(where)], check=True)
    return where


def verify_all(data_dir: Path) -> tuple[int, dict[str, Any]]:
    done = widerspruch("verify", "--all", "--json", "--data-dir", str(data_dir))
    return done.exit_code, json.loads(done.stdout)


def assert_intact(data_dir: Path, seals: int = 5) -> None:
    """Every objection intact, and the chain of `seals` seals: the two bundles, and the
    three files added later (a receipt each, the reply to #1)."""
    done = widerspruch("verify", "--all", "--data-dir", str(data_dir))
    assert done.exit_code == 0, done.output
    lines = done.stdout.splitlines()
    assert lines[0].startswith("#1 intact (")
    assert lines[1].startswith("#2 intact (")
    assert lines[2].startswith("#3 nothing sealed")
    assert lines[3].startswith(f"3 objections: all intact; chain of {seals} seals ends in ")


def files_of(data_dir: Path) -> dict[str, list[Path]]:
    """Every file the archive holds for each objection with a bundle."""
    found: dict[str, list[Path]] = {}
    for folder in sorted((data_dir / "evidence").iterdir()):
        found[folder.name] = sorted(p for p in folder.iterdir() if p.is_file())
    return found


# -- copy, move, restore --------------------------------------------------------------


def test_a_copied_moved_and_restored_archive_verifies_intact(archive: Path, tmp_path: Path) -> None:
    assert_intact(archive)
    copy = copy_of(archive, tmp_path / "copy")
    assert_intact(copy)

    moved_to = tmp_path / "elsewhere" / "moved"
    moved_to.parent.mkdir()
    copy.rename(moved_to)
    assert_intact(moved_to)
    code, document = verify_all(moved_to)
    assert code == 0
    bundles = [o["bundle"] for o in document["objections"] if o["bundle"]]
    assert len(bundles) == 2
    assert all(b.startswith(str(moved_to)) for b in bundles)

    backup = tmp_path / "backup.tar.gz"
    with tarfile.open(backup, "w:gz") as tar:
        tar.add(moved_to, arcname="widerspruch")
    shutil.rmtree(moved_to)
    restored = tmp_path / "restored"
    with tarfile.open(backup) as tar:
        tar.extractall(restored, filter="tar")
    assert_intact(restored / "widerspruch")


def test_the_ledger_keeps_every_path_relative_to_the_data_dir(archive: Path) -> None:
    with sqlite3.connect(archive / LEDGER_FILE) as db:
        folders = [r[0] for r in db.execute("SELECT evidence_dir FROM objections")]
        paths = [r[0] for r in db.execute("SELECT path FROM attachments")]
    db.close()
    assert folders[:2] == ["evidence/00001-facebook", "evidence/00002-instagram"]
    assert sorted(paths) == [
        "evidence/00001-facebook/receipt.pdf",
        "evidence/00001-facebook/reply-1.eml",
        "evidence/00002-instagram/receipt.pdf",
    ]
    exported = widerspruch("export", "--format", "json", "--data-dir", str(archive))
    assert str(archive) not in exported.stdout
    assert '"evidence_dir": "evidence/00001-facebook"' in exported.stdout


# -- tampering ------------------------------------------------------------------------


def test_a_changed_byte_in_any_file_of_any_objection_is_reported_for_it_alone(
    archive: Path, tmp_path: Path
) -> None:
    original = {p: sha256_file(p) for paths in files_of(archive).values() for p in paths}
    checked = 0
    for number, (bundle, paths) in enumerate(files_of(archive).items(), start=1):
        for path in paths:
            copy = copy_of(archive, tmp_path / f"copy-{checked}")
            target = copy / path.relative_to(archive)
            data = bytearray(target.read_bytes())
            data[len(data) // 2] ^= 0x01
            target.write_bytes(bytes(data))

            code, document = verify_all(copy)
            assert code == 1, (bundle, path.name)
            assert document["not_intact"] == [number], (bundle, path.name)
            [broken] = [o for o in document["objections"] if not o["intact"]]
            assert path.name in broken["changed"], broken
            shutil.rmtree(copy)
            checked += 1
    assert checked >= 12  # six sealed files, a receipt each, a reply
    assert original == {p: sha256_file(p) for paths in files_of(archive).values() for p in paths}
    assert_intact(archive)


def test_junk_after_the_receipt_and_a_deleted_receipt_are_reported(
    archive: Path, tmp_path: Path
) -> None:
    copy = copy_of(archive, tmp_path / "copy")
    with (copy / "evidence/00001-facebook/receipt.pdf").open("ab") as receipt:
        receipt.write(b"\n% appended later\n")
    (copy / "evidence/00002-instagram/receipt.pdf").unlink()

    one = widerspruch("verify", "1", "--data-dir", str(copy))
    assert (one.exit_code, one.stdout) == (1, "changed: receipt.pdf\n")
    two = widerspruch("verify", "2", "--data-dir", str(copy))
    assert (two.exit_code, two.stdout) == (1, "missing: receipt.pdf\n")
    code, document = verify_all(copy)
    assert (code, document["not_intact"]) == (1, [1, 2])
    done = widerspruch("verify", "--all", "--data-dir", str(copy))
    assert done.stdout.splitlines()[-1] == "3 objections: 2 NOT INTACT" + (
        f"; chain of 5 seals ends in {document['chain_head']}"
    )


def test_a_file_planted_in_a_bundle_that_nothing_records_is_reported(
    archive: Path, tmp_path: Path
) -> None:
    """An email copied into #2's folder, and a file in a folder below #1's: neither the
    manifest nor the ledger knows them, so nothing vouches for them."""
    copy = copy_of(archive, tmp_path / "copy")
    shutil.copy(
        copy / "evidence/00001-facebook/reply-1.eml", copy / "evidence/00002-instagram/reply-1.eml"
    )
    (copy / "evidence/00001-facebook/later").mkdir()
    (copy / "evidence/00001-facebook/later/note.txt").write_text("added afterwards")

    two = widerspruch("verify", "2", "--data-dir", str(copy))
    assert (two.exit_code, two.stdout) == (1, "not recorded: reply-1.eml\n")
    one = widerspruch("verify", "1", "--data-dir", str(copy))
    assert (one.exit_code, one.stdout) == (1, "not recorded: later/note.txt\n")
    code, document = verify_all(copy)
    assert (code, document["not_intact"]) == (1, [1, 2])
    assert [o["not_recorded"] for o in document["objections"][:2]] == [
        ["later/note.txt"],
        ["reply-1.eml"],
    ]
    done = widerspruch("verify", "--all", "--data-dir", str(copy))
    assert done.exit_code == 1
    assert done.stdout.splitlines()[1] == "#2 NOT INTACT: not recorded: reply-1.eml"
    assert_intact(archive)


def test_a_replaced_bundle_is_found_by_the_chain(archive: Path, tmp_path: Path) -> None:
    """A bundle changed and sealed anew, its new manifest hash written into the ledger's
    objections row: the files agree with the manifest and the row, but not the chain."""
    copy = copy_of(archive, tmp_path / "copy")
    folder = copy / "evidence/00002-instagram"
    (folder / RESULT_HTML).write_text("<html>Something else entirely</html>")
    manifest = json.loads((folder / MANIFEST).read_text())
    manifest["files"][RESULT_HTML] = sha256_file(folder / RESULT_HTML)
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    with sqlite3.connect(copy / LEDGER_FILE) as db:
        db.execute(
            "UPDATE objections SET manifest_sha256 = ? WHERE id = 2",
            (sha256_file(folder / MANIFEST),),
        )
    db.close()

    code, document = verify_all(copy)
    assert (code, document["not_intact"]) == (1, [2])
    [broken] = [o for o in document["objections"] if not o["intact"]]
    assert broken["changed"] == []
    assert broken["problems"] == [
        "the ledger's hash of manifest.json is not the one sealed in the chain"
    ]

    # The seal rewritten too, without the chain: the link no longer fits.
    with sqlite3.connect(copy / LEDGER_FILE) as db:
        db.execute(
            "UPDATE seals SET sha256 = ? WHERE objection_id = 2 AND kind = 'bundle'",
            (sha256_file(folder / MANIFEST),),
        )
        [(seq,)] = db.execute("SELECT seq FROM seals WHERE objection_id = 2 AND kind = 'bundle'")
    db.close()
    code, document = verify_all(copy)
    assert (code, document["not_intact"]) == (1, [2])
    [broken] = [o for o in document["objections"] if not o["intact"]]
    assert f"the chain of seals breaks at seal {seq}" in broken["problems"][0]
    assert_intact(archive)


def test_a_deleted_bundle_or_seal_is_reported(archive: Path, tmp_path: Path) -> None:
    copy = copy_of(archive, tmp_path / "copy")
    shutil.rmtree(copy / "evidence/00001-facebook")
    code, document = verify_all(copy)
    assert (code, document["not_intact"]) == (1, [1])
    assert "manifest.json" in document["objections"][0]["missing"]

    copy = copy_of(archive, tmp_path / "copy-2")
    with sqlite3.connect(copy / LEDGER_FILE) as db:
        db.execute("DELETE FROM seals WHERE objection_id = 1 AND kind = 'bundle'")
        # The seal after the one deleted no longer links to it.
        after = db.execute("SELECT seq, objection_id FROM seals ORDER BY seq").fetchall()[0]
    db.close()
    code, document = verify_all(copy)
    assert code == 1
    first, second = document["objections"][:2]
    assert first["problems"][0] == "its seal is not in the ledger's chain of seals"
    assert (
        f"the chain of seals breaks at seal {after[0]}"
        in (first, second)[after[1] - 1]["problems"][-1]
    )


def broken_of(document: dict[str, Any], number: int) -> dict[str, Any]:
    [verdict] = [o for o in document["objections"] if o["objection_id"] == number]
    assert not verdict["intact"]
    return verdict


def test_a_deleted_replaced_or_planted_file_added_later_is_found_by_the_chain(
    archive: Path, tmp_path: Path
) -> None:
    """Files added after sealing are sealed too: their ledger rows alone cannot vouch."""
    copy = copy_of(archive, tmp_path / "copy")
    first, second = copy / "evidence/00001-facebook", copy / "evidence/00002-instagram"
    (second / "receipt.pdf").unlink()  # deleted with its row
    (first / "receipt.pdf").write_bytes(b"%PDF-1.7 another receipt")  # replaced, row to match
    shutil.copy(first / "reply-1.eml", second / "reply-1.eml")  # planted with a row
    with sqlite3.connect(copy / LEDGER_FILE) as db:
        db.execute("DELETE FROM attachments WHERE objection_id = 2 AND kind = 'receipt'")
        db.execute(
            "UPDATE attachments SET sha256 = ? WHERE objection_id = 1 AND kind = 'receipt'",
            (sha256_file(first / "receipt.pdf"),),
        )
        db.execute(
            "INSERT INTO attachments (objection_id, kind, path, sha256, added_at) "
            "VALUES (2, 'reply', 'evidence/00002-instagram/reply-1.eml', ?, ?)",
            (sha256_file(second / "reply-1.eml"), utc_now()),
        )
    db.close()

    code, document = verify_all(copy)
    assert (code, document["not_intact"]) == (1, [1, 2])
    one, two = broken_of(document, 1), broken_of(document, 2)
    assert (one["changed"], one["missing"], one["not_recorded"]) == ([], [], [])
    assert one["problems"] == [
        "the ledger's hash of receipt.pdf is not the one sealed in the chain"
    ]
    assert (two["changed"], two["missing"], two["not_recorded"]) == ([], ["receipt.pdf"], [])
    assert two["problems"] == [
        "reply-1.eml is not sealed in the ledger's chain of seals",
        "receipt.pdf was sealed, but the ledger no longer records it",
    ]
    done = widerspruch("verify", "2", "--data-dir", str(copy))
    assert done.exit_code == 1
    assert "receipt.pdf was sealed, but the ledger no longer records it" in done.stdout
    assert_intact(archive)


def test_a_file_added_later_whose_seal_is_gone_is_reported(archive: Path, tmp_path: Path) -> None:
    copy = copy_of(archive, tmp_path / "copy")
    with sqlite3.connect(copy / LEDGER_FILE) as db:
        [(seq,)] = db.execute("SELECT seq FROM seals WHERE objection_id = 2 AND kind = 'receipt'")
        db.execute("DELETE FROM seals WHERE seq = ?", (seq,))
        after = db.execute("SELECT objection_id FROM seals WHERE seq > ? ORDER BY seq", (seq,))
        follows = [row[0] for row in after.fetchall()]
    db.close()
    code, document = verify_all(copy)
    assert code == 1
    assert broken_of(document, 2)["problems"][0] == (
        "receipt.pdf is not sealed in the ledger's chain of seals"
    )
    if follows:  # the seal after it no longer links to the one before
        assert f"the chain of seals breaks at seal {seq + 1}" in " ".join(
            broken_of(document, follows[0])["problems"]
        )


def test_an_objection_row_gone_or_its_hash_lost_is_reported(archive: Path, tmp_path: Path) -> None:
    copy = copy_of(archive, tmp_path / "copy")
    with sqlite3.connect(copy / LEDGER_FILE) as db:
        db.execute("UPDATE objections SET manifest_sha256 = NULL WHERE id = 1")
        for table in ("events", "attachments"):
            db.execute(f"DELETE FROM {table} WHERE objection_id = 2")  # noqa: S608
        db.execute("DELETE FROM objections WHERE id = 2")
    db.close()
    code, document = verify_all(copy)
    assert (code, document["not_intact"]) == (1, [1, 2])
    assert broken_of(document, 1)["problems"] == ["the ledger lost the hash of its sealed bundle"]
    assert broken_of(document, 2)["problems"] == [
        "the objection was sealed, but its row is gone from the ledger"
    ]
    one = widerspruch("verify", "1", "--data-dir", str(copy))
    assert (one.exit_code, one.stdout) == (1, "the ledger lost the hash of its sealed bundle\n")


def test_a_file_added_later_kept_outside_the_data_dir_is_reported(
    archive: Path, tmp_path: Path
) -> None:
    copy = copy_of(archive, tmp_path / "copy")
    outside = tmp_path / "elsewhere" / "receipt.pdf"
    outside.parent.mkdir()
    shutil.move(copy / "evidence/00002-instagram/receipt.pdf", outside)
    with sqlite3.connect(copy / LEDGER_FILE) as db:
        db.execute(
            "UPDATE attachments SET path = ? WHERE objection_id = 2 AND kind = 'receipt'",
            (str(outside),),
        )
    db.close()
    code, document = verify_all(copy)
    assert (code, document["not_intact"]) == (1, [2])
    problems = broken_of(document, 2)["problems"]
    assert f"{outside} is kept outside the data dir" in problems
    assert (copy / "evidence/00002-instagram").is_dir()


def test_a_folder_that_is_no_bundle_is_a_usage_error(archive: Path, tmp_path: Path) -> None:
    done = widerspruch("verify", str(tmp_path), "--data-dir", str(archive))
    assert done.exit_code == 2
    assert "not an evidence bundle" in done.output
    both = widerspruch("verify", "1", "--all", "--data-dir", str(archive))
    assert both.exit_code == 2
    neither = widerspruch("verify", "--data-dir", str(archive))
    assert neither.exit_code == 2


# -- a copy reads and writes only itself ------------------------------------------------


def test_confirm_and_receipt_in_a_copy_stay_inside_the_copy(archive: Path, tmp_path: Path) -> None:
    before = {p: sha256_file(p) for p in archive.rglob("*") if p.is_file() and "log" not in p.name}
    copy = copy_of(archive, tmp_path / "copy")
    eml = reply_for(2, copy, tmp_path / "mail", "Instagram <no-reply@mail.instagram.com>")

    done = widerspruch("confirm", "2", "--eml", str(eml), "--json", "--data-dir", str(copy))
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["stored"] == str(copy / "evidence/00002-instagram/reply-1.eml")
    receipt = widerspruch("receipt", "2", "--data-dir", str(copy))
    assert receipt.exit_code == 0, receipt.output
    assert str(copy / "evidence/00002-instagram/receipt.pdf") in receipt.stdout
    assert_intact(copy, seals=7)  # and the reply to #2, and its new receipt

    assert not (archive / "evidence/00002-instagram/reply-1.eml").exists()
    with Ledger.open(archive, read_only=True) as ledger:
        assert [a.kind for a in ledger.attachments(2)] == ["receipt"]
    after = {p: sha256_file(p) for p in archive.rglob("*") if p.is_file() and "log" not in p.name}
    # The ledger (and SQLite's -wal and -shm beside it, which the read above may create)
    # was checked through its records; every other file must be as it was.
    assert {p: h for p, h in after.items() if not p.name.startswith(LEDGER_FILE)} == {
        p: h for p, h in before.items() if not p.name.startswith(LEDGER_FILE)
    }
    assert_intact(archive)


# -- old ledgers ----------------------------------------------------------------------


def as_before_migration_7(data_dir: Path, old_home: Path) -> None:
    """Turn the ledger back into one from before migration 7: absolute paths (here, of
    the data dir where it lay before it was moved), no chain of seals, and nothing of
    the migrations after it (the demo mark, reason codes, batch details, campaigns, kept
    evidence files)."""
    with sqlite3.connect(data_dir / LEDGER_FILE) as db:
        for table in ("evidence_files", "campaign_member_events", "campaign_members", "campaigns"):
            db.execute(f"DROP TABLE {table}")
        db.execute("ALTER TABLE batch_items DROP COLUMN details")
        db.execute("DROP TABLE seals")
        db.execute("DROP INDEX objections_one_claim")
        db.execute("ALTER TABLE objections DROP COLUMN demo")
        db.execute("ALTER TABLE objections DROP COLUMN reason")
        db.execute("ALTER TABLE checks DROP COLUMN reason")
        db.execute(
            "CREATE UNIQUE INDEX objections_one_claim ON objections (service, account_email) "
            "WHERE status IN ('in_progress', 'submitting')"
        )
        db.execute("DELETE FROM schema_migrations WHERE version >= 7")
        db.execute(
            "UPDATE objections SET evidence_dir = ? || '/' || evidence_dir "
            "WHERE evidence_dir IS NOT NULL",
            (str(old_home),),
        )
        # One path as it lies now, absolute, the rest from the old location.
        db.execute(
            "UPDATE attachments SET path = ? || '/' || path WHERE kind = 'receipt'",
            (str(data_dir.absolute()),),
        )
        db.execute(
            "UPDATE attachments SET path = ? || '/' || path WHERE kind != 'receipt'",
            (str(old_home),),
        )
        db.execute("PRAGMA user_version = 6")
    db.close()


def test_an_old_ledger_with_absolute_paths_is_converted_and_verifies(
    archive: Path, tmp_path: Path
) -> None:
    copy = copy_of(archive, tmp_path / "copy")
    as_before_migration_7(copy, Path("/home/jana/.local/share/widerspruch"))

    assert_intact(copy)
    with sqlite3.connect(copy / LEDGER_FILE) as db:
        version = db.execute("PRAGMA user_version").fetchone()[0]
        folders = [r[0] for r in db.execute("SELECT evidence_dir FROM objections")]
        paths = sorted(r[0] for r in db.execute("SELECT path FROM attachments"))
        seals = db.execute(
            "SELECT objection_id, sha256 FROM seals WHERE kind = 'bundle' ORDER BY seq"
        ).fetchall()
        hashes = db.execute("SELECT id, manifest_sha256 FROM objections WHERE id < 3").fetchall()
    db.close()
    assert version == SCHEMA_VERSION
    assert folders == ["evidence/00001-facebook", "evidence/00002-instagram", None]
    assert paths == [
        "evidence/00001-facebook/receipt.pdf",
        "evidence/00001-facebook/reply-1.eml",
        "evidence/00002-instagram/receipt.pdf",
    ]
    assert seals == hashes


def as_before_migration_12(data_dir: Path) -> None:
    """Turn the ledger back into one from before migration 12: only bundles sealed in the
    chain (linked as they were then), the files added later recorded but not sealed."""
    with sqlite3.connect(data_dir / LEDGER_FILE) as db:
        db.execute("DELETE FROM seals WHERE kind != 'bundle'")
        previous = None
        for seq, objection_id, digest in db.execute(
            "SELECT seq, objection_id, sha256 FROM seals ORDER BY seq"
        ).fetchall():
            previous = link(previous, digest, objection_id)
            db.execute("UPDATE seals SET chain_sha256 = ? WHERE seq = ?", (previous, seq))
        db.execute("ALTER TABLE seals DROP COLUMN path")
        db.execute("ALTER TABLE seals DROP COLUMN kind")
        db.execute("ALTER TABLE seals RENAME COLUMN sha256 TO manifest_sha256")
        db.execute("DROP TABLE evidence_files")  # migration 13's
        db.execute("DELETE FROM schema_migrations WHERE version >= 12")
        db.execute("PRAGMA user_version = 11")
    db.close()


def test_an_old_ledgers_files_added_later_are_sealed_by_the_migration(
    archive: Path, tmp_path: Path
) -> None:
    copy = copy_of(archive, tmp_path / "copy")
    as_before_migration_12(copy)
    assert_intact(copy)  # migrated: two bundles and three files added later, sealed
    with sqlite3.connect(copy / LEDGER_FILE) as db:
        sealed = db.execute("SELECT kind, path FROM seals ORDER BY seq").fetchall()
        version = db.execute("PRAGMA user_version").fetchone()[0]
    db.close()
    assert version == SCHEMA_VERSION
    assert sealed[:2] == [("bundle", None), ("bundle", None)]
    assert sorted(sealed[2:]) == [
        ("receipt", "evidence/00001-facebook/receipt.pdf"),
        ("receipt", "evidence/00002-instagram/receipt.pdf"),
        ("reply", "evidence/00001-facebook/reply-1.eml"),
    ]
    # From now on a receipt deleted with its ledger row is found.
    (copy / "evidence/00002-instagram/receipt.pdf").unlink()
    with sqlite3.connect(copy / LEDGER_FILE) as db:
        db.execute("DELETE FROM attachments WHERE objection_id = 2")
    db.close()
    code, document = verify_all(copy)
    assert (code, document["not_intact"]) == (1, [2])
    assert broken_of(document, 2)["missing"] == ["receipt.pdf"]


def test_an_old_path_becomes_relative_from_its_data_folder_on(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert moved(data, str(data / "evidence/00001-x/a.pdf")) == "evidence/00001-x/a.pdf"
    assert moved(data, "/old/evidence/home/evidence/00001-x/a.pdf") == "evidence/00001-x/a.pdf"
    assert moved(data, "/old/data/checks/x.png") == "checks/x.png"
    assert moved(data, "/elsewhere/file.txt") == "/elsewhere/file.txt"
    assert moved(data, "evidence/00001-x") == "evidence/00001-x"
    assert moved(data, None) is None


def test_a_data_dir_given_as_a_relative_path_is_kept_relative_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    make_objection(Path("relative"))
    with sqlite3.connect(tmp_path / "relative" / LEDGER_FILE) as db:
        [(folder,)] = db.execute("SELECT evidence_dir FROM objections").fetchall()
    db.close()
    assert folder == "evidence/00001-facebook"
    with Ledger.open(Path("relative"), read_only=True) as ledger:
        assert ledger.get(1).evidence_dir == str(tmp_path / "relative/evidence/00001-facebook")


def test_a_new_seal_continues_the_chain(tmp_path: Path) -> None:
    data = prepare_data_dir(tmp_path / "data")
    for _ in range(3):
        make_objection(data)
    with Ledger.open(data) as ledger:
        seals = ledger.seals()
        ledger.set_evidence(2, data / "evidence/00002-facebook", seals[1].sha256)
        again = ledger.seals()
    assert [s.objection_id for s in again] == [1, 2, 3, 2]
    assert again[-1].sealed_at <= utc_now()
    code, document = verify_all(data)
    assert code == 0, document
