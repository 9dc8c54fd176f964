"""The PDF receipt: written after a confirmed submission, rewritten by `widerspruch receipt`."""

from __future__ import annotations

import base64
import json
import re
from datetime import UTC, datetime, timedelta, timezone
from html import escape
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from structlog.testing import capture_logs
from typer.testing import CliRunner

from tests.conftest import EMAIL, Harness, in_own_thread
from tests.records import SENT_AT, make_objection, meta_email, write_email
from widerspruch.cli import app
from widerspruch.ledger import Ledger, Objection
from widerspruch.proof import receipt as receipt_module
from widerspruch.proof.evidence import FORM_FILLED, RESULT_PNG, sha256_file, verify
from widerspruch.proof.replies import import_reply, stored_replies
from widerspruch.services import get_flow, registry
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


# -- what the receipt says, to a person and to an authority ----------------------------------


def body_and_help(html: str) -> tuple[str, str]:
    """The receipt proper, and its help section (the one place for widerspruch's commands)."""
    body, marker, rest = html.partition('<section class="help">')
    assert marker, "the receipt has a help section"
    return body, rest


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_receipt_is_prose_with_the_commands_only_in_its_marked_help_section(
    data_dir: Path, language: str
) -> None:
    objection = make_objection(data_dir, language=language)
    body, help_section = body_and_help(receipt_module.receipt_html(objection))
    for command in ("widerspruch verify", "widerspruch confirm", "widerspruch followup", "--eml"):
        assert command not in body
    assert "intact" not in body
    assert "<code>widerspruch verify 1</code>" in help_section
    assert "widerspruch confirm 1 --eml" in help_section
    t = receipt_module.TEXT[language]
    assert t["help"] in help_section
    assert t["help_note"] in help_section
    # No reply yet: said so, plainly.
    assert t["no_reply"] in body


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_receipt_tells_the_reply_once_one_was_imported(
    data_dir: Path, tmp_path: Path, language: str
) -> None:
    objection = make_objection(data_dir, language=language)
    reply = meta_email("We'll honor your objection.", date=SENT_AT + timedelta(days=2))
    import_reply(data_dir, objection, write_email(tmp_path, "reply.eml", reply))
    with Ledger.open(data_dir) as ledger:
        objection = ledger.get(objection.id)
        replies = stored_replies(ledger.attachments(objection.id))

    body, help_section = body_and_help(receipt_module.receipt_html(objection, replies=replies))

    t = receipt_module.TEXT[language]
    day = receipt_module.long_date((SENT_AT + timedelta(days=2)).date(), language)
    assert t["replied_acknowledged"].format(date=day) in body
    for waiting in (t["no_reply"], t["no_reply_unconfirmed"], t["what_deadline"][:40]):
        assert waiting not in body
    assert "will confirm by email" not in body
    assert "kündigt eine Bestätigung" not in body
    assert "widerspruch confirm" not in help_section  # nothing left to import


@pytest.mark.parametrize(
    ("language", "marker", "real"),
    [
        ("de", "DEMO – nicht an Meta gesendet", "Von Meta auf der Seite bestätigt"),
        ("en", "DEMO – not sent to Meta", "Confirmed by Meta on the page"),
    ],
)
def test_a_demo_receipt_is_marked_and_never_passes_for_a_real_one(
    data_dir: Path, language: str, marker: str, real: str
) -> None:
    objection = make_objection(data_dir, language=language, demo=True)
    html = receipt_module.receipt_html(objection)
    assert f'<div class="watermark">{marker}</div>' in html  # fixed: on every printed page
    assert f'<span class="badge demo">{marker}</span>' in html
    assert marker in receipt_module.footer_html(objection, datetime.now(UTC))
    assert real not in html
    assert objection.form_url not in html
    assert escape(receipt_module.TEXT[language]["demo_form"]) in html
    assert receipt_module.TEXT[language]["deadline"] not in html  # Meta owes no answer

    real_html = receipt_module.receipt_html(make_objection(data_dir, language=language))
    assert marker not in real_html
    assert "watermark" not in real_html.split("</style>")[1]
    assert real in real_html


def png_height(data: bytes) -> int:
    assert data.startswith(b"\x89PNG")
    return int.from_bytes(data[20:24], "big")


def test_the_filled_form_picture_shows_the_whole_text(harness: Harness) -> None:
    text = " ".join(f"Satz {n}: Ich widerspreche der Verarbeitung für KI." for n in range(50))
    assert harness.submit("facebook", justification=text).results[0].status is Status.CONFIRMED
    objection, _ = the_objection(harness)
    kept = png_height((Path(objection.evidence_dir or "") / FORM_FILLED).read_bytes())

    # The same form and text in a plain full-page shot: the box scrolls, lines are hidden.
    context = harness.browser.new_context(no_viewport=True)
    try:
        harness.replay.log_in(context)
        harness.replay.attach(context)
        page = context.new_page()
        page.goto(get_flow("facebook").form_url)
        box = page.locator("textarea")
        box.fill(text)
        hidden = int(box.evaluate("t => t.scrollHeight - t.clientHeight"))
        plain = png_height(page.screenshot(full_page=True))
    finally:
        context.close()
    assert hidden > 100
    assert kept >= plain + hidden - 4


@pytest.mark.parametrize(
    "service", [flow.service for flow in registry().flows if flow.company != "Meta"]
)
@pytest.mark.parametrize("language", ["de", "en"])
def test_another_companys_receipt_names_that_company_not_meta(
    data_dir: Path, service: str, language: str
) -> None:
    objection = make_objection(data_dir, service=service, language=language)
    html = receipt_module.receipt_html(objection)
    company = registry().flows_by_name[service].company
    assert company in html
    # The text sent is the test record's own; the receipt's words around it are checked.
    words = html.replace(escape(objection.justification), "")
    assert not re.search(r"\bMeta", words), "the receipt names Meta"


def test_receipt_on_a_read_only_data_dir_is_one_line_naming_the_folder(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A data dir on a read-only file system (a mounted backup): one plain line, exit 2.
    The test runs as root, whom chmod does not stop, so the file system is arranged."""
    import errno
    import os

    objection = make_objection(data_dir, status=Status.CONFIRMED)
    evidence = str(data_dir / "evidence")
    real_open = os.open

    def read_only(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if str(path).startswith(evidence) and flags & (os.O_WRONLY | os.O_RDWR):
            raise OSError(errno.EROFS, "Read-only file system", str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", read_only)
    result = ThreadedRunner().invoke(
        app, ["receipt", str(objection.id), "--data-dir", str(data_dir)]
    )

    assert result.exit_code == 2, result.output
    [line] = result.stderr.strip().splitlines()
    assert "read-only" in line
    assert "Traceback" not in result.output
    folder = Path(line.split("the folder ", 1)[1].split(" is read-only", 1)[0])
    assert folder.is_relative_to(data_dir / "evidence")
