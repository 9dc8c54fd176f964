"""The ledger survives its faults: damage anywhere in the file, a lock held by another
process, a full disk, and ids that are not ordinary numbers. Each ends in one clear line
and exit code 2, and what was recorded before is kept. Real `widerspruch` processes, a
real second process holding SQLite's locks, and a real (tmpfs or loop) full disk."""

from __future__ import annotations

import errno
import os
import queue
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import IO, Any

import pytest
from typer.testing import CliRunner

from tests.records import EMAIL, SENT_AT, make_objection, meta_email, write_email
from widerspruch.cli import app
from widerspruch.ledger import (
    LEDGER_BUSY,
    LEDGER_FILE,
    SCHEMA_VERSION,
    Ledger,
    LedgerBusy,
    LedgerDamaged,
    LedgerError,
    NoLedger,
    fault,
    migrations,
)
from widerspruch.proof.evidence import bundle_dir
from widerspruch.settings import prepare_data_dir
from widerspruch.states import Status

HONOURED = (
    "Hi Jana,\n\nWe'll honor your objection. This means your request will be applied going "
    "forward to developing and improving AI at Meta.\n\nThanks,\nPrivacy Operations"
)
LATER = SENT_AT + timedelta(hours=3)
NEVER_ADVISED = ("aside", "a new one", "start over", "delete")


def widerspruch(*args: str, home: Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "widerspruch", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env=environment(home),
    )


def environment(home: Path) -> dict[str, str]:
    return {**os.environ, "HOME": str(home), "WIDERSPRUCH_HOME": str(home / "data")}


def one_clear_line(done: subprocess.CompletedProcess[str]) -> str:
    """The run ended with exit code 2 and one line on stderr, without a traceback."""
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    for advice in NEVER_ADVISED:
        assert advice not in lines[0], lines[0]
    return lines[0]


def fake_browser(home: Path) -> str:
    """An executable that leaves a mark when anything launches it."""
    script = home / "chromium"
    script.write_text(f"#!/bin/sh\ntouch '{home / 'browser-was-started'}'\nexit 1\n")
    script.chmod(0o700)
    return str(script)


def many_objections(data_dir: Path, count: int = 150) -> list[tuple[int, str, str]]:
    """A ledger with `count` confirmed objections (and their events); returns them."""
    with Ledger.open(prepare_data_dir(data_dir)) as ledger:
        for number in range(count):
            objection, _ = ledger.claim(
                service="facebook",
                account_email=f"member{number}@example.org",
                country="DE",
                language="de",
                template="standard",
                template_version="1",
                justification="Ich widerspreche. " * 40,
                form_url="https://www.facebook.com/help/contact/712876720715583",
                force=True,
            )
            ledger.record_page(objection.id, "form")
            ledger.set_status(objection.id, Status.SUBMITTING, "clicking Send")
            ledger.set_status(objection.id, Status.CONFIRMED, "Meta confirmed it")
    return recorded(data_dir)


def recorded(data_dir: Path) -> list[tuple[int, str, str]]:
    db = sqlite3.connect(data_dir / LEDGER_FILE)
    try:
        rows = db.execute("SELECT id, account_email, status FROM objections ORDER BY id")
        return [(int(a), str(b), str(c)) for a, b, c in rows]
    finally:
        db.close()


def integrity(path: Path) -> list[str]:
    db = sqlite3.connect(path)
    try:
        return [str(row[0]) for row in db.execute("PRAGMA integrity_check")]
    except sqlite3.DatabaseError as error:
        return [str(error)]
    finally:
        db.close()


def damage_one_page_in_the_middle(path: Path) -> None:
    """Overwrite one whole page in the middle of the file with noise, as a bad sector or
    a half-finished copy would; the header stays intact."""
    db = sqlite3.connect(path)
    size, count = (
        int(db.execute(f"PRAGMA {p}").fetchone()[0]) for p in ("page_size", "page_count")
    )
    db.close()
    assert count > 20, "the ledger is too small to have a middle"
    with path.open("r+b") as stream:
        stream.seek((count // 2) * size)
        stream.write(b"\xde\xad\xbe\xef" * (size // 4))
    assert integrity(path) != ["ok"], "the damage must be real"


# -- damage ---------------------------------------------------------------------------

MEMBERS = "member_id,email,country,language,services,mandate_ref\n"
DAMAGED_COMMANDS = {
    "log": lambda t: ["log"],
    "status": lambda t: ["status"],
    "export": lambda t: ["export"],
    "submit": lambda t: [
        *("submit", "facebook", "--email", EMAIL, "--country", "DE", "--headless"),
        *("--browser", fake_browser(t)),
    ],
    "batch": lambda t: [
        *("batch", "--yes", "--headless", "--browser", fake_browser(t)),
        write_members(t, 1),
    ],
    "check": lambda t: ["check", "--browser", fake_browser(t)],
    "check --history": lambda t: ["check", "--history"],
    "report": lambda t: ["report"],
    "verify": lambda t: ["verify", "1"],
    "receipt": lambda t: ["receipt", "1", "--browser", fake_browser(t)],
    "followup": lambda t: ["followup", "1", "--kind", "reminder"],
    "confirm": lambda t: [
        *("confirm", "1", "--eml"),
        str(write_email(t, "reply.eml", meta_email(HONOURED, date=LATER))),
    ],
}


def write_members(home: Path, count: int) -> str:
    rows = "".join(f"{n:05d},member{n}@example.net,DE,,facebook,M-{n}\n" for n in range(count))
    path = home / "members.csv"
    path.write_text(MEMBERS + rows, "utf-8")
    return str(path)


@pytest.mark.parametrize("command", sorted(DAMAGED_COMMANDS))
def test_a_ledger_damaged_in_the_middle_is_one_clear_line_and_left_unchanged(
    tmp_path: Path, command: str
) -> None:
    many_objections(tmp_path / "data")
    ledger = tmp_path / "data" / LEDGER_FILE
    damage_one_page_in_the_middle(ledger)
    before = ledger.read_bytes()

    done = widerspruch(*DAMAGED_COMMANDS[command](tmp_path), home=tmp_path)

    line = one_clear_line(done)
    assert f"the ledger {ledger} is damaged and was left unchanged" in line
    assert "Keep a copy of it as it is" in line
    assert "restore it from a backup, or ask for help" in line
    assert done.stdout == ""
    assert ledger.read_bytes() == before
    assert not (tmp_path / "browser-was-started").exists()


def test_a_database_error_is_looked_into_with_quick_check(tmp_path: Path) -> None:
    many_objections(tmp_path / "data")
    ledger = tmp_path / "data" / LEDGER_FILE
    error = sqlite3.DatabaseError("database disk image is malformed")
    assert not isinstance(fault(ledger, error), LedgerDamaged)  # intact: not called damaged
    damage_one_page_in_the_middle(ledger)
    found = fault(ledger, error)
    assert isinstance(found, LedgerDamaged)
    assert "is damaged and was left unchanged" in str(found)


# -- another process holding the lock ------------------------------------------------

HOLDER = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
if sys.argv[2] == "write":
    db.execute("BEGIN IMMEDIATE")
    db.execute("UPDATE objections SET detail = 'being written' WHERE id = 1")
else:
    db.execute("BEGIN")
    db.execute("SELECT count(*) FROM objections").fetchone()
print("holding", flush=True)
sys.stdin.readline()
db.execute("COMMIT")
db.close()
"""


@pytest.fixture
def holder(tmp_path: Path) -> Iterator[Holder]:
    held = Holder(tmp_path / "data" / LEDGER_FILE)
    yield held
    held.release()


class Holder:
    """Another process holding the ledger's write lock (or a read transaction)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.process: subprocess.Popen[str] | None = None

    def hold(self, what: str = "write") -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", HOLDER, str(self.path), what],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        assert next_line(self.process.stdout, within=20) == "holding"

    def release(self) -> None:
        if self.process is None:
            return
        assert self.process.stdin is not None
        if self.process.poll() is None:
            self.process.stdin.write("\n")
            self.process.stdin.flush()
        self.process.wait(timeout=20)
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                stream.close()
        self.process = None


def next_line(stream: IO[str], *, within: float) -> str:
    """The next line `stream` gives, waiting at most `within` seconds for it."""
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: lines.put(stream.readline()), daemon=True).start()
    try:
        return lines.get(timeout=within).rstrip("\n")
    except queue.Empty:
        pytest.fail(f"nothing was said within {within} s")


def with_history(home: Path) -> None:
    """A ledger with objection 1 (confirmed, sealed bundle), a check and a batch."""
    data = home / "data"
    make_objection(data)
    with Ledger.open(data) as ledger:
        ledger.add_check(
            {"service": "facebook", "checked_at": "2026-02-01T08:00:00+00:00"}
            | {"state": "form_ok", "expected": 1}
        )
        ledger.create_batch(
            file=str(home / "m.csv"),
            file_sha256="0" * 64,
            services="facebook",
            template="standard",
            items=[],
        )


READING_COMMANDS = {
    "log": ["log"],
    "status": ["status"],
    "export": ["export"],
    "verify": ["verify", "1"],
    # Not followup: it keeps each text it writes in the archive, recorded in the ledger.
    "check --history": ["check", "--history"],
    "report": ["report"],
}


@pytest.mark.parametrize("command", sorted(READING_COMMANDS))
def test_reading_answers_at_once_while_another_process_holds_a_write_transaction(
    tmp_path: Path, holder: Holder, command: str
) -> None:
    with_history(tmp_path)
    holder.hold("write")  # as a running submit does, between its claim and its commit
    done = widerspruch(*READING_COMMANDS[command], home=tmp_path, timeout=30)
    # A reader that waited for the writer would say the ledger is busy after a second,
    # and go on waiting (for minutes) past the 30 s this allows.
    assert done.returncode == 0, done.stderr
    assert "busy" not in done.stderr


@pytest.mark.parametrize("command", sorted(READING_COMMANDS))
def test_reading_commands_open_the_ledger_read_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    with_history(tmp_path)
    opened: list[bool] = []
    original = Ledger.open.__func__  # type: ignore[attr-defined]

    def spy(cls: type[Ledger], /, data_dir: Path, **options: Any) -> Ledger:
        opened.append(bool(options.get("read_only")))
        return original(cls, data_dir, **options)

    monkeypatch.setattr(Ledger, "open", classmethod(spy))
    args = [*READING_COMMANDS[command], "--data-dir", str(tmp_path / "data")]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert opened
    assert all(opened), f"{command} opened the ledger for writing"


def test_a_write_waits_visibly_while_another_process_holds_the_lock_then_goes_on(
    tmp_path: Path, holder: Holder
) -> None:
    make_objection(tmp_path / "data")
    eml = write_email(tmp_path, "reply.eml", meta_email(HONOURED, date=LATER))
    holder.hold("write")
    run = subprocess.Popen(
        [sys.executable, "-m", "widerspruch", "confirm", "1", "--eml", str(eml)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment(tmp_path),
    )
    try:
        assert run.stderr is not None
        said = next_line(run.stderr, within=30)
        assert said.startswith(f"widerspruch: {LEDGER_BUSY} (at most 5 minutes)"), said
        assert run.poll() is None  # still waiting, not given up
        holder.release()
        out, err = run.communicate(timeout=30)
    finally:
        if run.poll() is None:
            run.kill()
            run.communicate()
    assert run.returncode == 0, err
    assert "the ledger is free again; going on" in err
    assert "aside" not in said + err
    assert "acknowledged" in out
    with Ledger.open(tmp_path / "data", read_only=True) as ledger:
        assert ledger.get(1).status is Status.ACKNOWLEDGED


def test_a_lock_that_never_frees_ends_in_one_clear_line(tmp_path: Path, holder: Holder) -> None:
    make_objection(tmp_path / "data")
    holder.hold("write")
    said: list[str] = []
    with (
        pytest.raises(LedgerBusy) as refused,
        Ledger.open(tmp_path / "data", busy_wait=0.5, waiting=said.append) as ledger,
    ):
        ledger.note(1, "test", "a write that has to wait")
    message = str(refused.value)
    assert said == [f"{LEDGER_BUSY} (at most 0.5 seconds)"]
    assert "stayed busy for" in message
    assert "another widerspruch run is still writing to it; nothing was changed" in message
    assert "\n" not in message
    assert not any(advice in message for advice in NEVER_ADVISED)
    holder.release()
    with Ledger.open(tmp_path / "data", read_only=True) as ledger:
        assert [e.kind for e in ledger.events(1)].count("batch") == 0  # the note was not kept


def test_opening_an_up_to_date_ledger_to_write_takes_no_lock(
    tmp_path: Path, holder: Holder
) -> None:
    make_objection(tmp_path / "data")
    holder.hold("write")
    said: list[str] = []  # a migration would wait here, and say so, then give up
    with Ledger.open(tmp_path / "data", busy_wait=0.5, waiting=said.append) as ledger:
        assert ledger.get(1).status is Status.CONFIRMED
    assert said == []


def test_a_write_goes_through_while_another_process_is_reading(
    tmp_path: Path, holder: Holder
) -> None:
    make_objection(tmp_path / "data")
    eml = write_email(tmp_path, "reply.eml", meta_email(HONOURED, date=LATER))
    holder.hold("read")  # a `log` or `export` in the middle of reading
    done = widerspruch("confirm", "1", "--eml", str(eml), home=tmp_path, timeout=30)
    assert done.returncode == 0, done.stderr
    assert "busy" not in done.stderr


def test_the_ledger_is_in_wal_mode_with_full_synchronous_commits(tmp_path: Path) -> None:
    data = prepare_data_dir(tmp_path / "data")
    with Ledger.open(data) as ledger:
        assert ledger._db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    db = sqlite3.connect(data / LEDGER_FILE)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    db.close()


# -- reading never creates -------------------------------------------------------------


def test_reading_a_ledger_that_does_not_exist_creates_nothing(tmp_path: Path) -> None:
    data = prepare_data_dir(tmp_path / "data")
    with pytest.raises(NoLedger, match="no ledger yet in"):
        Ledger.open(data, read_only=True)
    assert list(data.iterdir()) == []
    for args in READING_COMMANDS.values():
        widerspruch(*args, home=tmp_path)
    assert not (data / LEDGER_FILE).exists()


def test_reading_an_older_ledger_brings_it_up_to_date_first(tmp_path: Path) -> None:
    data = prepare_data_dir(tmp_path / "data")
    db = sqlite3.connect(data / LEDGER_FILE)
    migrations.run(db, data, until=1)
    db.commit()
    db.close()
    done = widerspruch("log", "--json", home=tmp_path)
    assert done.returncode == 0, done.stderr
    with Ledger.open(data, read_only=True) as ledger:
        assert ledger._version() == SCHEMA_VERSION


def test_a_ledger_opened_for_reading_cannot_be_written(tmp_path: Path) -> None:
    make_objection(tmp_path / "data")
    before = recorded(tmp_path / "data")
    with (
        pytest.raises(LedgerError, match="readonly"),
        Ledger.open(tmp_path / "data", read_only=True) as ledger,
    ):
        ledger.note(1, "reader", "a reader must not write")
    assert recorded(tmp_path / "data") == before
    with Ledger.open(tmp_path / "data", read_only=True) as ledger:
        assert "reader" not in [event.state for event in ledger.events(1)]


# -- a full disk ------------------------------------------------------------------------

ROOM = 64 << 10  # room for the start-up checks (a 4 KiB probe, SQLite's index), no more


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real, small file system of its own: a tmpfs, else a loop-mounted ext4 image.
    Needs root (as in CI); if neither can be mounted, the test fails and says why."""
    where = tmp_path / "disk"
    where.mkdir()
    tried = [mount("-t", "tmpfs", "-o", "size=4m,mode=0700", "tmpfs", str(where))]
    if tried[-1]:
        image = tmp_path / "disk.img"
        with image.open("wb") as stream:
            stream.truncate(8 << 20)
        made = subprocess.run(
            ["mkfs.ext4", "-q", "-F", str(image)], capture_output=True, text=True, check=False
        )
        tried.append(
            mount("-o", "loop", str(image), str(where))
            if made.returncode == 0
            else f"mkfs.ext4: {made.stderr.strip()}"
        )
    if tried[-1]:
        pytest.fail(
            "this test needs a small file system of its own, mounted as root (a tmpfs, or "
            "an ext4 image on a loop device); neither could be mounted: " + "; ".join(tried)
        )
    try:
        yield where
    finally:
        subprocess.run(["umount", str(where)], capture_output=True, check=False)


def mount(*args: str) -> str:
    """Run mount; the empty string if it worked, else why not."""
    try:
        done = subprocess.run(["mount", *args], capture_output=True, text=True, check=False)
    except OSError as error:
        return f"mount: {error}"
    return "" if done.returncode == 0 else f"mount {' '.join(args)}: {done.stderr.strip()}"


def fill(disk: Path, *, leave: int) -> None:
    """Write until the disk is full, then give back `leave` bytes."""
    filler = disk / "filler"
    descriptor = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        for block in (1 << 20, 1 << 16, 1 << 12, 1 << 9, 1):
            with pytest.raises(OSError, match="No space left") as full:  # noqa: PT012 - until full
                while True:
                    os.write(descriptor, b"\0" * block)
            assert full.value.errno == errno.ENOSPC
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    if leave:
        os.truncate(filler, max(0, filler.stat().st_size - leave))
    free = os.statvfs(disk)
    assert free.f_bavail * free.f_frsize <= leave + (16 << 10)


def nothing_lost(data: Path, before: list[tuple[int, str, str]]) -> None:
    (data.parent / "filler").unlink()
    assert recorded(data) == before
    assert integrity(data / LEDGER_FILE) == ["ok"]


def test_a_full_disk_during_a_ledger_write_loses_nothing_and_says_so(
    tmp_path: Path, small_disk: Path
) -> None:
    home, data = tmp_path, small_disk / "data"
    before = many_objections(data, count=20)
    members = write_members(home, 3000)  # a queue far larger than the room left
    fill(small_disk, leave=ROOM)

    done = subprocess.run(
        [
            *(sys.executable, "-m", "widerspruch", "batch", "--yes", "--headless", members),
            *("--browser", fake_browser(home), "--data-dir", str(data)),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=environment(home),
    )

    line = one_clear_line(done)
    assert "is full" in line
    assert "everything recorded before is kept" in line
    assert not (home / "browser-was-started").exists()
    nothing_lost(data, before)
    with Ledger.open(data, read_only=True) as ledger:
        assert ledger.batches() == []  # the batch that did not fit was not half-recorded


def test_a_full_disk_during_an_evidence_write_loses_nothing_and_says_so(
    tmp_path: Path, small_disk: Path
) -> None:
    home, data = tmp_path, small_disk / "data"
    make_objection(data)
    before = recorded(data)
    big = meta_email(HONOURED + "\n\n" + "Privacy Operations. " * 60_000, date=LATER)
    eml = write_email(home, "reply.eml", big)  # about 1 MiB, on another disk
    fill(small_disk, leave=ROOM)

    done = widerspruch("confirm", "1", "--eml", str(eml), "--data-dir", str(data), home=home)

    line = one_clear_line(done)
    assert "is full" in line
    assert "everything recorded before is kept" in line
    nothing_lost(data, before)
    bundle = bundle_dir(data, 1, "facebook")
    assert not list(bundle.glob("reply-*.eml"))  # no half-written copy of the email
    with Ledger.open(data, read_only=True) as ledger:
        assert ledger.attachments(1) == []
    assert widerspruch("verify", "1", "--data-dir", str(data), home=home).returncode == 0


def test_after_a_write_that_did_not_fit_the_next_write_is_kept(small_disk: Path) -> None:
    data = small_disk / "data"
    many_objections(data, count=5)
    queue_items: list[dict[str, object]] = [
        {"position": n, "line": n + 2, "member_id": f"{n:05d}", "email": f"m{n}@example.net"}
        | {"service": "facebook", "country": "DE", "language": "de", "template": "standard"}
        | {"mandate_ref": f"M-{n}", "state": "pending", "reason": None}
        for n in range(3000)
    ]
    with Ledger.open(data) as ledger:
        fill(small_disk, leave=ROOM)
        with pytest.raises(sqlite3.OperationalError, match="full"):
            ledger.create_batch(
                file="m.csv",
                file_sha256="0" * 64,
                services="facebook",
                template="standard",
                items=queue_items,
            )
        (small_disk / "filler").unlink()
        ledger.note(1, "after", "the disk has room again")  # not swallowed by the failed one
    with Ledger.open(data, read_only=True) as ledger:
        assert "after" in [event.state for event in ledger.events(1)]
        assert ledger.batches() == []


@pytest.mark.parametrize("command", ["log", "submit"])
def test_a_disk_already_full_is_named_before_anything_starts(
    tmp_path: Path, small_disk: Path, command: str
) -> None:
    home, data = tmp_path, small_disk / "data"
    before = many_objections(data, count=20)
    fill(small_disk, leave=0)
    args = {
        "log": ["log"],
        "submit": [
            *("submit", "facebook", "--email", EMAIL, "--country", "DE", "--headless"),
            *("--browser", fake_browser(home)),
        ],
    }[command]

    done = widerspruch(*args, "--data-dir", str(data), home=home)

    assert "is full" in one_clear_line(done)
    assert not (home / "browser-was-started").exists()
    nothing_lost(data, before)


# -- ids --------------------------------------------------------------------------------

ID_COMMANDS = {
    "receipt": lambda t, n: ["receipt", n, "--browser", fake_browser(t)],
    "followup": lambda t, n: ["followup", n, "--kind", "reminder"],
    "verify": lambda t, n: ["verify", n],
    "confirm": lambda t, n: [
        *("confirm", n, "--eml"),
        str(write_email(t, "reply.eml", meta_email(HONOURED, date=LATER))),
    ],
}


@pytest.mark.parametrize("number", ["99999999999999999999999", "-1", "0", "abc"])
@pytest.mark.parametrize("command", sorted(ID_COMMANDS))
def test_an_id_that_is_not_an_ordinary_number_is_one_clear_line(
    tmp_path: Path, command: str, number: str
) -> None:
    make_objection(tmp_path / "data")
    before = (tmp_path / "data" / LEDGER_FILE).read_bytes()
    done = widerspruch(*ID_COMMANDS[command](tmp_path, number), home=tmp_path)
    line = one_clear_line(done)
    assert number in line
    assert (tmp_path / "data" / LEDGER_FILE).read_bytes() == before
    assert not (tmp_path / "browser-was-started").exists()
