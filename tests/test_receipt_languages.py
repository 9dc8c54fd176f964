"""The receipt speaks the objection's language: every phrase in every language, every
placeholder filled, and a printed receipt without a word of English."""

from __future__ import annotations

import re
import subprocess
from datetime import timedelta
from html import unescape
from pathlib import Path
from string import Formatter

import pytest

from tests.conftest import in_own_thread
from tests.records import SENT_AT, make_objection, meta_email, write_email
from tests.test_receipt import body_and_help, pdf_text
from widerspruch.ledger import Ledger
from widerspruch.proof import receipt as receipt_module
from widerspruch.proof.receipt_texts import LANGUAGES
from widerspruch.proof.replies import import_reply, stored_replies
from widerspruch.states import Status

TEXT = receipt_module.TEXT
OTHERS = [code for code in LANGUAGES if code != "de"]
PLACEHOLDER = re.compile(r"\{\w*\}")


def _fields(phrase: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(phrase) if name is not None}


def _visible(html: str) -> str:
    """The page's text, without its style sheet and tags."""
    return unescape(re.sub(r"<[^>]+>", " ", html.split("</style>", 1)[1]))


def test_every_template_language_has_a_receipt() -> None:
    templates = Path(receipt_module.__file__).parent.parent / "templates"
    written = {path.name.split(".")[1] for path in templates.glob("short.*.txt")}
    assert written <= set(TEXT) == set(LANGUAGES)


@pytest.mark.parametrize("language", OTHERS)
def test_every_language_has_every_phrase_with_the_same_placeholders(language: str) -> None:
    german, other = TEXT["de"], TEXT[language]
    assert set(other) == set(german)
    for key, phrase in german.items():
        assert _fields(other[key]) == _fields(phrase), key
        assert other[key].strip(), key
        if language != "en" and len(phrase) > 12:
            assert other[key] != TEXT["en"][key], f"{key} is still English"
    assert len(receipt_module.MONTHS[language]) == 12
    assert "--eml" in other["help_confirm"]
    assert "widerspruch inbox" in other["help_confirm"]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("state", ["waiting", "answered", "demo", "by_person"])
def test_no_placeholder_is_left_in_any_receipt(
    data_dir: Path, tmp_path: Path, language: str, state: str
) -> None:
    status = Status.CONFIRMED_BY_PERSON if state == "by_person" else Status.CONFIRMED
    objection = make_objection(data_dir, language=language, demo=state == "demo", status=status)
    replies = []
    if state == "answered":
        reply = meta_email("We'll honor your objection.", date=SENT_AT + timedelta(days=2))
        import_reply(data_dir, objection, write_email(tmp_path, "reply.eml", reply))
        with Ledger.open(data_dir) as ledger:
            objection = ledger.get(objection.id)
            replies = stored_replies(ledger.attachments(objection.id))
    html = receipt_module.receipt_html(objection, replies=replies)
    page = _visible(html)
    assert not PLACEHOLDER.search(page), PLACEHOLDER.findall(page)
    assert f'<html lang="{language}">' in html
    footer = receipt_module.footer_html(objection, SENT_AT)
    assert not PLACEHOLDER.search(re.sub(r"<[^>]+>", "", footer))


def _english_left(page: str) -> list[str]:
    """English phrases of the receipt (their first words) that show on the page."""
    found = []
    for key, phrase in TEXT["en"].items():
        if phrase == TEXT["de"][key] or len(phrase) < 12:
            continue  # the same in every language (a name, a number)
        start = re.sub(r"<[^>]+>", "", phrase.split("{")[0]).strip()[:30]
        if len(start) >= 12 and start.casefold() in page:
            found.append(start)
    return found


@pytest.mark.parametrize("language", ["fr", "pl"])
def test_a_receipt_in_the_objections_language_has_no_english_in_it(
    data_dir: Path, tmp_path: Path, language: str
) -> None:
    objection = make_objection(data_dir, language=language)
    t = TEXT[language]
    body, help_section = body_and_help(receipt_module.receipt_html(objection))
    for command in ("widerspruch verify", "widerspruch confirm", "widerspruch inbox", "--eml"):
        assert command not in body  # prose: the commands are in the help section only
    assert "widerspruch inbox" in help_section
    assert "confirm 1 --eml" in help_section
    assert t["help"] in help_section
    assert t["help_note"] in help_section

    path = in_own_thread(receipt_module.receipt_for, data_dir, objection, None)
    # Headings print in capitals (CSS): compare without case.
    printed = " ".join(pdf_text(path).split()).casefold()
    html_page = " ".join(_visible(receipt_module.receipt_html(objection)).split()).casefold()
    for page in (printed, html_page):
        for phrase in (t["what"], t["verify"], t[Status.CONFIRMED], t["no_reply"]):
            assert phrase.casefold() in page
        assert receipt_module.long_date(SENT_AT.date(), language).casefold() in page
        assert not _english_left(page)
    png = tmp_path / "page"
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(path), str(png)], check=True
    )
    assert next(tmp_path.glob("page*.png")).read_bytes().startswith(b"\x89PNG")


@pytest.mark.parametrize(
    ("language", "date"),
    [
        ("de", "31. Januar 2026"),
        ("fr", "31 janvier 2026"),
        ("es", "31 de enero de 2026"),
        ("pt", "31 de janeiro de 2026"),
        ("pl", "31 stycznia 2026"),
        ("nl", "31 januari 2026"),
    ],
)
def test_long_dates_are_written_as_the_language_writes_them(language: str, date: str) -> None:
    assert receipt_module.long_date(SENT_AT.date(), language) == date


@pytest.mark.parametrize(("language", "marker"), [("fr", "DÉMO"), ("pl", "DEMO – nie wysłano")])
def test_the_demo_watermark_is_in_the_objections_language(
    data_dir: Path, language: str, marker: str
) -> None:
    html = receipt_module.receipt_html(make_objection(data_dir, language=language, demo=True))
    assert f'<div class="watermark">{TEXT[language]["demo_badge"]}</div>' in html
    assert marker in TEXT[language]["demo_badge"]
    assert "not sent to Meta" not in html
