"""The PDF receipt: written after a confirmed submission, rewritten by `widerspruch receipt`."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta, timezone
from html import escape
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from structlog.testing import capture_logs
from typer.testing import CliRunner

from tests.conftest import EMAIL, Harness, in_own_thread
from tests.records import make_objection, meta_email, write_email
from widerspruch import receipt as receipt_module
from widerspruch.cli import app
from widerspruch.evidence import RESULT_PNG, sha256_file, verify
from widerspruch.ledger import Ledger, Objection
from widerspruch.replies import import_reply
from widerspruch.states import Status

# A one-pixel PNG, for receipts built without a browser.
PIXEL = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


class ThreadedRunner(CliRunner):
    """The CLI starts its own Playwright: run it beside pytest-playwright's loop."""

    def invoke(self, *args: Any, **kwargs: Any) -> Any:
        return in_own_thread(super().invoke, *args, **kwargs)


def pdf_text(path: Path) -> str:
    data = path.read_bytes()
    assert data.startswith(b"%PDF-")
    assert data.rstrip().endswith(b"%%EOF")
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def the_objection(harness: Harness) -> tuple[Objection, list[Any]]:
    with Ledger.open(harness.data_dir) as ledger:
        [objection] = ledger.objections()
        return objection, ledger.attachments(objection.id)


def test_a_confirmed_objection_gets_a_pdf_receipt_recorded_in_the_ledger(
    harness: Harness,
) -> None:
    outcome = harness.submit("facebook", language="en")

    [result] = outcome.results
    assert result.status is Status.CONFIRMED
    objection, [attachment] = the_objection(harness)
    folder = Path(objection.evidence_dir or "")
    receipt = folder / "receipt.pdf"
    assert f"receipt: {receipt}" in result.message
    assert (attachment.kind, attachment.path) == ("receipt", str(receipt))
    assert attachment.sha256 == sha256_file(receipt)
    # Written after sealing: the manifest does not know it, and the bundle is intact.
    assert verify(folder, objection.manifest_sha256).intact
    assert "receipt.pdf" not in (folder / "manifest.json").read_text()

    text = pdf_text(receipt)
    assert "Facebook" in text
    assert f"{objection.submitted_at or '':.19}".replace("T", " ") + " UTC" in text
    assert "j***@example.org" in text
    assert EMAIL in text
    assert "Art. 21(1) GDPR" in text
    assert "Art. 6(1)(f) GDPR" in text
    assert "Art. 12(3) GDPR" in text
    assert str(objection.manifest_sha256) in text.replace("\n", "")
    assert "widerspruch verify 1" in text


def test_the_receipt_is_in_the_objections_language(harness: Harness) -> None:
    harness.submit("facebook", language="de")
    objection, _ = the_objection(harness)
    text = pdf_text(Path(objection.evidence_dir or "") / "receipt.pdf")
    assert "Widerspruch gegen die Nutzung für" in text
    assert "Von Meta auf der Seite bestätigt" in text
    assert "Art. 21 Abs. 1 DSGVO" in text


def test_an_error_run_gets_no_receipt(harness: Harness) -> None:
    harness.replay.scenario.outcome = "error"
    assert harness.submit("facebook").results[0].status is Status.FAILED
    objection, attachments = the_objection(harness)
    assert attachments == []
    assert not (Path(objection.evidence_dir or "") / "receipt.pdf").exists()


def test_a_failed_receipt_is_logged_and_the_objection_stays_confirmed(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object) -> bytes:
        raise RuntimeError("the printer is on fire")

    monkeypatch.setattr(receipt_module, "render_pdf", broken)
    with capture_logs() as events:
        [result] = harness.submit("facebook").results
    assert result.status is Status.CONFIRMED
    assert "receipt" not in result.message
    assert any(e["event"] == "receipt_failed" and e["log_level"] == "warning" for e in events)
    objection, attachments = the_objection(harness)
    assert objection.status is Status.CONFIRMED
    assert attachments == []


def test_a_headed_run_prints_in_a_short_headless_browser_of_its_own(harness: Harness) -> None:
    # The run's browser counts as headed: it cannot print, so the printer launches one.
    [result] = harness.submit("facebook", headless=False).results
    assert result.status is Status.CONFIRMED
    _, [attachment] = the_objection(harness)
    assert attachment.kind == "receipt"
    assert "Facebook" in pdf_text(Path(attachment.path))


def test_receipt_html_is_self_contained_and_holds_every_fact(data_dir: Path) -> None:
    objection = make_objection(data_dir, language="en")
    (Path(objection.evidence_dir or "") / RESULT_PNG).write_bytes(PIXEL)

    html = receipt_module.receipt_html(objection, zone=timezone(timedelta(hours=1)))

    assert '31 January 2026, 10:14 <span class="small">local time, UTC+01:00</span>' in html
    assert "2026-01-31 09:14:05 UTC" in html
    assert "28 February 2026" in html
    assert "j***@example.org" in html
    assert EMAIL in html
    assert escape(objection.justification) in html
    assert str(objection.manifest_sha256) in html
    assert f"data:image/png;base64,{base64.b64encode(PIXEL).decode()}" in html
    # Nothing to fetch: no external stylesheet, font, image or script.
    for pattern in ('src="http', "href=", "<script", "@import", "url("):
        assert pattern not in html


def test_receipt_command_rewrites_it_with_metas_reply(harness: Harness, tmp_path: Path) -> None:
    harness.submit("facebook", language="en")
    objection, _ = the_objection(harness)
    reply = meta_email(
        "We'll honor your objection.",
        date=datetime.now(UTC) + timedelta(minutes=1),
    )
    import_reply(harness.data_dir, objection, write_email(tmp_path, "reply.eml", reply))

    result = ThreadedRunner().invoke(
        app, ["receipt", "1", "--json", "--data-dir", str(harness.data_dir)]
    )

    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    path = Path(document["receipt"])
    assert document["sha256"] == sha256_file(path)
    text = pdf_text(path)
    assert "Acknowledged by Meta by email" in text
    assert "META'S REPLIES" in text  # headings are set in capitals
    assert "reply-1.eml" in text
    _, attachments = the_objection(harness)
    assert [a.kind for a in attachments] == ["receipt", "reply", "receipt"]
    assert attachments[-1].sha256 == document["sha256"]


def test_receipt_holds_no_cookie_token_or_password(harness: Harness) -> None:
    harness.replay.scenario.form = "form_2024"
    harness.replay.scenario.checkpoint = True
    harness.submit("instagram")
    objection, [attachment] = the_objection(harness)
    text = pdf_text(Path(attachment.path))
    html = receipt_module.receipt_html(objection)
    for secret in (
        harness.replay.session_token,
        harness.replay.csrf_token,
        harness.person.password,
    ):
        assert secret not in text
        assert secret not in html


def test_no_receipt_for_an_objection_never_sent(data_dir: Path) -> None:
    make_objection(data_dir, status=Status.FAILED, sent_at=None)
    result = CliRunner().invoke(app, ["receipt", "1", "--data-dir", str(data_dir)])
    assert result.exit_code == 2
    assert "was not sent (failed)" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
