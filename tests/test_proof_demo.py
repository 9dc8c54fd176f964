"""Acceptance: the demo leaves proof that holds, and the proof commands work on its ledger."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from tests.conftest import in_own_thread
from widerspruch.cli import app
from widerspruch.evidence import sha256_file


class ThreadedRunner(CliRunner):
    """The demo starts its own Playwright: run it beside pytest-playwright's loop."""

    def invoke(self, *args: Any, **kwargs: Any) -> Any:
        return in_own_thread(super().invoke, *args, **kwargs)


def test_every_confirmed_demo_objection_has_an_intact_bundle_and_a_pdf_receipt(
    tmp_path: Path,
) -> None:
    runner = ThreadedRunner()
    data = ["--data-dir", str(tmp_path)]
    demo = runner.invoke(app, ["demo", "--json", *data])
    assert demo.exit_code == 0, demo.output
    objections = json.loads(demo.stdout)["objections"]
    assert [o["status"] for o in objections] == ["confirmed", "confirmed"]

    exported = json.loads(runner.invoke(app, ["export", "--format", "json", *data]).stdout)
    for objection, record in zip(objections, exported["objections"], strict=True):
        number = str(objection["id"])
        verified = runner.invoke(app, ["verify", number, *data])
        assert verified.exit_code == 0, verified.output
        assert verified.stdout.startswith("intact:")

        receipt = Path(objection["evidence_dir"]) / "receipt.pdf"
        assert receipt.read_bytes().startswith(b"%PDF-")
        [attachment] = record["attachments"]
        assert attachment["kind"] == "receipt"
        assert attachment["sha256"] == sha256_file(receipt)
        assert record["manifest_sha256"] == objection["manifest_sha256"]

    status = runner.invoke(app, ["status", "--json", *data])
    assert status.exit_code == 0, status.output
    standings = json.loads(status.stdout)["objections"]
    assert [(s["service"], s["status"], s["overdue"]) for s in standings] == [
        ("facebook", "confirmed", False),
        ("instagram", "confirmed", False),
    ]
    for objection in objections:
        for kind in ("reminder", "complaint"):
            written = runner.invoke(app, ["followup", str(objection["id"]), "--kind", kind, *data])
            assert written.exit_code == 0, written.output
            assert objection["manifest_sha256"] in written.stdout
            sent = datetime.fromisoformat(objection["submitted_at"])
            assert f"{sent:%d.%m.%Y} um {sent:%H:%M} UTC" in written.stdout  # German: DE
        assert "Bundeslandes" in written.stdout  # the complaint, to the Land's authority
