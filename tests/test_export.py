"""`widerspruch export`: every objection with its state and hashes, as CSV or JSON."""

from __future__ import annotations

import csv
import io
import json
import stat
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.records import EMAIL, SENT_AT, make_objection, meta_email, write_email
from widerspruch.cli import app
from widerspruch.proof.replies import import_reply
from widerspruch.states import Status


@pytest.fixture
def ledger_with_reply(data_dir: Path, tmp_path: Path) -> Path:
    objection = make_objection(data_dir)
    reply = meta_email("We'll honor your objection.", date=SENT_AT + timedelta(days=1))
    import_reply(data_dir, objection, write_email(tmp_path, "reply.eml", reply))
    make_objection(data_dir, service="instagram", status=Status.FAILED, sent_at=None)
    return data_dir


def export(data_dir: Path, *args: str) -> str:
    result = CliRunner().invoke(app, ["export", *args, "--data-dir", str(data_dir)])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_json_export_has_states_dates_and_every_hash(ledger_with_reply: Path) -> None:
    document = json.loads(export(ledger_with_reply, "--format", "json"))
    first, second = document["objections"]
    assert document["redacted"] is False
    assert (first["service"], first["status"], first["account"]) == (
        "facebook",
        "acknowledged",
        EMAIL,
    )
    assert first["submitted_at"] == SENT_AT.isoformat()
    assert first["deadline"] == "2026-02-28"
    assert len(first["manifest_sha256"]) == 64
    # Relative to the data dir: the export reads the same wherever the archive lies.
    assert first["evidence_dir"] == "evidence/00001-facebook"
    [reply] = first["attachments"]
    assert reply["path"] == "evidence/00001-facebook/reply-1.eml"
    assert (reply["kind"], reply["detail"]) == ("reply", "acknowledged")
    assert len(reply["sha256"]) == 64
    assert (second["service"], second["status"], second["submitted_at"]) == (
        "instagram",
        "failed",
        None,
    )


def test_csv_export_has_one_row_per_objection(ledger_with_reply: Path) -> None:
    rows = list(csv.DictReader(io.StringIO(export(ledger_with_reply))))
    assert [r["status"] for r in rows] == ["acknowledged", "failed"]
    assert rows[0]["account"] == EMAIL
    assert rows[0]["attachments"].startswith("reply:reply-1.eml:")
    assert rows[0]["manifest_sha256"] in export(ledger_with_reply, "--format", "json")


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_redacted_export_holds_no_email_address_and_no_home_path(
    ledger_with_reply: Path, fmt: str
) -> None:
    text = export(ledger_with_reply, "--format", fmt, "--redact")
    assert EMAIL not in text
    assert "j***@example.org" in text
    assert str(ledger_with_reply) not in text
    assert "evidence/00001-facebook" in text
    assert "I object under Art. 21(1) GDPR" in text  # the text stays, minus the address


def test_export_to_a_private_file(ledger_with_reply: Path, tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    export(ledger_with_reply, "--format", "json", "--output", str(target))
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert len(json.loads(target.read_text("utf-8"))["objections"]) == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [(["--format", "xml"], "--format"), ([], "no ledger in")],
)
def test_bad_export_input_is_one_line(tmp_path: Path, args: list[str], message: str) -> None:
    result = CliRunner().invoke(app, ["export", *args, "--data-dir", str(tmp_path)])
    assert result.exit_code == 2
    assert message in result.stderr


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_redacted_export_masks_addresses_in_any_letters(data_dir: Path, fmt: str) -> None:
    make_objection(data_dir, email="jürgen.müller@bäckerei-müller.de")
    make_objection(data_dir, service="instagram", email="jana@müller.de")
    text = export(data_dir, "--format", fmt, "--redact")
    for address in ("jürgen.müller@bäckerei-müller.de", "jana@müller.de"):
        assert address not in text
    assert "jürgen" not in text
    assert "j***@bäckerei-müller.de" in text
    assert "j***@müller.de" in text


def test_export_marks_demo_records(data_dir: Path) -> None:
    make_objection(data_dir)
    make_objection(data_dir, service="instagram", demo=True)
    document = json.loads(export(data_dir, "--format", "json"))
    assert [o["demo"] for o in document["objections"]] == [False, True]
    rows = list(csv.DictReader(io.StringIO(export(data_dir))))
    assert [r["demo"] for r in rows] == ["no", "yes"]
