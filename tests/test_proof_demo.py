"""Acceptance: the demo leaves proof that holds, marked as the demo's everywhere, never
mixed with real records, and nothing behind in the temporary folder unless kept."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from tests.conftest import Harness, in_own_thread
from tests.records import make_objection
from widerspruch.cli import app
from widerspruch.ledger import Ledger
from widerspruch.proof.evidence import sha256_file
from widerspruch.services import get_flow
from widerspruch.states import Status
from widerspruch.testing.demo import TEMP_PREFIX


class ThreadedRunner(CliRunner):
    """The demo starts its own Playwright: run it beside pytest-playwright's loop."""

    def invoke(self, *args: Any, **kwargs: Any) -> Any:
        return in_own_thread(super().invoke, *args, **kwargs)


def pages_of(pdf: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(pdf).pages]


def test_every_confirmed_demo_objection_has_an_intact_bundle_and_a_pdf_receipt(
    harness: Harness,
) -> None:
    runner = ThreadedRunner()
    data = ["--data-dir", str(harness.data_dir)]
    demo = runner.invoke(app, ["demo", "--json", *data])
    assert demo.exit_code == 0, demo.output
    document = json.loads(demo.stdout)
    objections = document["objections"]
    assert [o["status"] for o in objections] == ["confirmed", "confirmed"]
    assert [o["demo"] for o in objections] == [True, True]
    assert document["kept"] is True

    exported = json.loads(runner.invoke(app, ["export", "--format", "json", *data]).stdout)
    for objection, record in zip(objections, exported["objections"], strict=True):
        number = str(objection["id"])
        verified = runner.invoke(app, ["verify", number, *data])
        assert verified.exit_code == 0, verified.output
        assert verified.stdout.startswith("intact:")

        folder = Path(objection["evidence_dir"])
        receipt = folder / "receipt.pdf"
        assert receipt.read_bytes().startswith(b"%PDF-")
        [attachment] = record["attachments"]
        assert attachment["kind"] == "receipt"
        assert attachment["sha256"] == sha256_file(receipt)
        assert record["manifest_sha256"] == objection["manifest_sha256"]
        assert record["demo"] is True

        # The bundle says so, and the receipt on every page; never "confirmed by Meta".
        assert json.loads((folder / "manifest.json").read_text("utf-8"))["demo"] is True
        assert json.loads((folder / "objection.json").read_text("utf-8"))["demo"] is True
        pages = pages_of(receipt)
        for page in pages:
            assert "DEMO – nicht an Meta gesendet" in page
        text = "\n".join(pages)
        assert "Von Meta auf der Seite bestätigt" not in text
        assert get_flow(objection["service"]).form_url not in text.replace("\n", "")
        assert "Nachbildung" in text

    status = runner.invoke(app, ["status", "--json", *data])
    assert status.exit_code == 0, status.output
    standings = json.loads(status.stdout)["objections"]
    assert [(s["service"], s["status"], s["overdue"], s["demo"]) for s in standings] == [
        ("facebook", "confirmed", False, True),
        ("instagram", "confirmed", False, True),
    ]
    for objection in objections:
        for kind in ("reminder", "complaint"):
            written = runner.invoke(app, ["followup", str(objection["id"]), "--kind", kind, *data])
            assert written.exit_code == 0, written.output
            assert written.stdout.startswith("DEMO – nicht an Meta gesendet\n")
            assert objection["manifest_sha256"] in written.stdout
            sent = datetime.fromisoformat(objection["submitted_at"])
            assert f"{sent:%d.%m.%Y} um {sent:%H:%M} UTC" in written.stdout  # German: DE
        assert "Bundeslandes" in written.stdout  # the complaint, to the Land's authority

    # A real run for the same account in the same data dir: the demo is not there for it.
    [result] = harness.submit("facebook").results
    assert result.status is Status.CONFIRMED, result.message
    assert "nothing sent" not in result.message
    assert len(harness.replay.submissions) == 1
    with Ledger.open(harness.data_dir) as ledger:
        assert [(o.demo, o.status) for o in ledger.objections()] == [
            (True, Status.CONFIRMED),
            (True, Status.CONFIRMED),
            (False, Status.CONFIRMED),
        ]
    receipt = Path(result.message.rpartition("receipt: ")[2])
    assert "DEMO" not in "\n".join(pages_of(receipt))

    # Now it holds a real record: the demo never writes among real ones.
    again = runner.invoke(app, ["demo", *data])
    assert again.exit_code == 2
    assert again.stderr.strip().splitlines() == [
        f"widerspruch: error: --data-dir: {harness.data_dir} holds 1 real record; the demo "
        "never writes among them. Leave out --data-dir, or name a new folder"
    ]


def test_the_demo_refuses_a_data_dir_with_real_records_before_anything(data_dir: Path) -> None:
    make_objection(data_dir)
    before = sha256_file(data_dir / "ledger.sqlite3")
    result = CliRunner().invoke(app, ["demo", "--data-dir", str(data_dir)])
    assert result.exit_code == 2
    assert "holds 1 real record" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert sha256_file(data_dir / "ledger.sqlite3") == before


@pytest.fixture
def temp_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where the demo's temporary folder goes (tempfile's own root, for this test)."""
    root = tmp_path / "tmp"
    root.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(root))
    return root


def test_the_demo_in_english_keeps_its_folder_when_asked(temp_root: Path) -> None:
    demo = ThreadedRunner().invoke(app, ["demo", "--language", "en", "--keep", "--json"])
    assert demo.exit_code == 0, demo.output
    [folder] = temp_root.iterdir()
    assert folder.name.startswith(TEMP_PREFIX)
    document = json.loads(demo.stdout)
    assert document["kept"] is True
    assert Path(document["ledger"]).parent == folder
    for objection in document["objections"]:
        assert (objection["language"], objection["page_language"]) == ("en", "en")
        text = "\n".join(pages_of(Path(objection["evidence_dir"]) / "receipt.pdf"))
        assert "DEMO – not sent to Meta" in text
        assert "Objection to use for" in text
        assert "Confirmed by Meta on the page" not in text
        assert "Widerspruch" not in text.replace("widerspruch", "")


def test_the_demo_leaves_nothing_behind_unless_kept(temp_root: Path) -> None:
    demo = ThreadedRunner().invoke(app, ["demo", "--country", "IE", "--json"])
    assert demo.exit_code == 0, demo.output
    document = json.loads(demo.stdout)
    assert document["kept"] is False
    assert {(o["country"], o["language"]) for o in document["objections"]} == {("IE", "en")}
    assert list(temp_root.iterdir()) == []

    # Nor when it fails, or is told something it cannot do.
    for args, message in (
        (["--browser", "/bin/true"], "not a working Chromium"),
        (["--language", "xx"], "--language"),
        (["--country", "ZZ"], "unknown country"),
    ):
        failed = ThreadedRunner().invoke(app, ["demo", *args])
        assert failed.exit_code == 2, failed.output
        assert message in failed.stderr
        assert list(temp_root.iterdir()) == []


def test_the_demo_for_france_runs_in_english_and_says_so_in_one_line(temp_root: Path) -> None:
    """The replicas exist in German and English only: a country whose language they do
    not have gets the demo in English, told once, with no traceback and no failures."""
    demo = ThreadedRunner().invoke(app, ["demo", "--country", "FR", "--json"])
    assert demo.exit_code == 0, demo.output
    told = [line for line in demo.stderr.splitlines() if not line.startswith("→")]
    assert len(told) == 1, demo.stderr
    assert "runs in English" in told[0]
    assert "de, en" in told[0]
    document = json.loads(demo.stdout)
    assert {(o["country"], o["language"], o["status"]) for o in document["objections"]} == {
        ("FR", "en", "confirmed")
    }
    assert list(temp_root.iterdir()) == []


def test_the_demo_refuses_a_language_it_has_no_replicas_in_before_anything(
    temp_root: Path,
) -> None:
    refused = ThreadedRunner().invoke(app, ["demo", "--language", "fr"])
    assert refused.exit_code == 2, refused.output
    [line] = refused.stderr.strip().splitlines()
    assert "--language" in line
    assert "de, en" in line
    assert list(temp_root.iterdir()) == []


@pytest.fixture
def short_temp_root() -> Iterator[Path]:
    """A TMPDIR of the test's own, with a short path: Chromium puts its socket there, and
    a socket's path may not be longer than 107 bytes (pytest's tmp_path often is)."""
    root = Path(tempfile.mkdtemp(prefix="wd-", dir="/tmp"))
    yield root
    shutil.rmtree(root, ignore_errors=True)


def test_sigterm_stops_the_demo_in_one_line_and_removes_its_folder(
    short_temp_root: Path, tmp_path: Path
) -> None:
    """`kill` (SIGTERM) on a running demo, as submit takes it: exit 130, one line saying
    it stopped, and its temporary folder gone."""
    root = short_temp_root
    env = {**os.environ, "TMPDIR": str(root), "HOME": str(tmp_path)}
    demo = subprocess.Popen(
        [sys.executable, "-m", "widerspruch", "demo"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert demo.stderr is not None
        # The stand-in's first line: the browser is up and the demo's folder written.
        first = demo.stderr.readline()
        assert first.startswith("→"), first
        assert len([p for p in root.iterdir() if p.name.startswith(TEMP_PREFIX)]) == 1
        demo.send_signal(signal.SIGTERM)
        out, err = demo.communicate(timeout=60)
    finally:
        if demo.poll() is None:
            demo.kill()
            demo.wait()
    told = [line for line in err.splitlines() if not line.startswith("→")]
    assert demo.returncode == 130, err
    assert told == ["widerspruch: stopped"], err
    assert out == ""
    assert not any(p.name.startswith(TEMP_PREFIX) for p in root.iterdir())
