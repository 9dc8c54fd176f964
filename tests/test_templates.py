"""Justification and follow-up templates: every one in every language, legally complete in
that language's citation style, long enough, placeholders checked up front."""

from __future__ import annotations

import json
import re
import string
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

import pytest

from tests.records import make_objection
from widerspruch.ledger import Ledger
from widerspruch.page.countries import country_name
from widerspruch.proof import followup
from widerspruch.services import get_flow, registry
from widerspruch.settings import Settings
from widerspruch.submit import justification_for
from widerspruch.submit.justification import (
    MIN_RECOMMENDED_CHARS,
    TemplateError,
    bundled,
    languages,
    load,
)

LANGUAGES = ("de", "en", "es", "fr", "it", "nl", "pl", "pt")
JUSTIFICATIONS = (
    "standard",
    "short",
    "third-party",
    "third-party-short",
    "ai-training",
    "ai-training-short",
)
# Every letter set an offered flow declares (``Flow.controller``), with the first service
# that uses it.
LETTER_SETS: dict[str, str] = {}
for _flow in registry().flows:
    LETTER_SETS.setdefault(_flow.controller.letters, _flow.service)
# Each (set, kind, language) a set has: the follow-up tests run over all of them.
LETTERS = [
    (letters, kind, language)
    for letters in LETTER_SETS
    for kind in followup.KINDS
    for language in followup.letter_languages(letters)
]

LETTER_IDS = ["/".join(case) for case in LETTERS]


def _cited(article: str, *rest: str) -> tuple[str, ...]:
    """Patterns for a citation that may spell out or abbreviate the word for "article"."""
    return tuple(article + part for part in rest)


# How a lawyer of each language cites Art. 21(1), 6(1)(f), 17(1)(c), 12(3) and 77 GDPR,
# and what that language calls the regulation. Written from each language's citation
# style (the EU's official translations and national practice), not from the files.
ANCHORS: dict[str, tuple[str, tuple[str, ...]]] = {
    "de": (
        "DSGVO",
        _cited(
            r"Art\. ",
            r"21 Abs\. 1\b",
            r"6 Abs\. 1 lit\. f\b",
            r"17 Abs\. 1 lit\. c\b",
            r"12 Abs\. 3\b",
            r"77\b",
        ),
    ),
    "en": (
        "GDPR",
        _cited(r"Art\. ", r"21\(1\)", r"6\(1\)\(f\)", r"17\(1\)\(c\)", r"12\(3\)", r"77\b"),
    ),
    "fr": (
        "RGPD",
        _cited(
            r"(?:[Aa]rticle|art\.) ",
            r"21, paragraphe 1,",
            r"6, paragraphe 1, point f\),",
            r"17, paragraphe 1, point c\),",
            r"12, paragraphe 3,",
            r"77\b",
        ),
    ),
    "it": (
        "RGPD",
        _cited(
            r"(?:articolo|art\.) ",
            r"21, paragrafo 1,",
            r"6, paragrafo 1, lettera f\),",
            r"17, paragrafo 1, lettera c\),",
            r"12, paragrafo 3,",
            r"77\b",
        ),
    ),
    "es": (
        "RGPD",
        _cited(
            r"(?:[Aa]rtículo|art\.) ",
            r"21, apartado 1,",
            r"6, apartado 1, letra f\),",
            r"17, apartado 1, letra c\),",
            r"12, apartado 3,",
            r"77\b",
        ),
    ),
    "nl": (
        "AVG",
        _cited(
            r"(?:artikel|art\.) ",
            r"21 lid 1\b",
            r"6 lid 1 (?:onder|sub) f\b",
            r"17 lid 1 (?:onder|sub) c\b",
            r"12 lid 3\b",
            r"77\b",
        ),
    ),
    "pl": (
        "RODO",
        _cited(
            r"art\. ",
            r"21 ust\. 1\b",
            r"6 ust\. 1 lit\. f\b",
            r"17 ust\. 1 lit\. c\b",
            r"12 ust\. 3\b",
            r"77\b",
        ),
    ),
    "pt": (
        "RGPD",
        _cited(
            r"(?:artigo|art\.) ",
            r"21\.º, n\.º 1,",
            r"6\.º, n\.º 1, alínea f\),",
            r"17\.º, n\.º 1, alínea c\),",
            r"12\.º, n\.º 3,",
            r"77\.º",
        ),
    ),
}
LAWS = {law for law, _ in ANCHORS.values()}
LATE = datetime(2026, 3, 12, 8, 0, tzinfo=UTC)  # past the deadline of an objection in tests


def assert_cites(text: str, language: str, *, complaint_article: bool) -> None:
    law, patterns = ANCHORS[language]
    wanted = patterns if complaint_article else patterns[:4]
    for pattern in wanted:
        assert re.search(pattern, text), f"{language}: no {pattern!r} in {text!r}"
    assert law in text
    for other in LAWS - {law}:
        assert not re.search(rf"\b{other}\b", text), f"{language}: names {other}"
    assert not re.search(r"[{}]", text), f"{language}: a placeholder is left in {text!r}"


def sample_values(language: str) -> dict[str, str]:
    return {
        "email": "jana@example.org",
        "country": country_name("DE", language),
        "country_code": "DE",
        "date": "2026-11-23",
        "service": "Facebook",
    }


def test_every_language_has_every_template() -> None:
    for name in JUSTIFICATIONS:
        assert {t.language for t in bundled() if t.name == name} == set(LANGUAGES), name
    assert languages() == list(LANGUAGES)
    assert tuple(sorted(followup.LANGUAGES)) == LANGUAGES
    for letters in LETTER_SETS:
        assert {"de", "en"} <= set(followup.letter_languages(letters)), letters
        for kind in followup.KINDS:
            for language in followup.letter_languages(letters):
                assert followup.load_template(kind, language, letters).body.strip()


def test_every_letter_set_is_a_whole_set_that_a_flow_declares() -> None:
    """A letter set has each kind in each of its languages, and no folder lies unused."""
    folder = resources.files("widerspruch.flows").joinpath(followup.LETTERS)
    assert {entry.name for entry in folder.iterdir() if entry.is_dir()} == set(LETTER_SETS)
    for letters in LETTER_SETS:
        names = {e.name for e in folder.joinpath(letters).iterdir() if e.name.endswith(".txt")}
        expected = {
            f"{kind}.{language}.txt"
            for kind in followup.KINDS
            for language in followup.letter_languages(letters)
        }
        assert names == expected, letters


@pytest.mark.parametrize("template", bundled(), ids=lambda t: f"{t.name}.{t.language}")
def test_bundled_justification_makes_every_legal_point_in_its_language(template) -> None:
    text = template.render(**sample_values(template.language))
    assert_cites(text, template.language, complaint_article=False)
    assert MIN_RECOMMENDED_CHARS <= len(text) <= 3000
    assert template.description
    if "{country}" in template.body:
        assert country_name("DE", template.language) in text


def _raw_header(letters: str, kind: str, language: str) -> dict[str, str]:
    entry = followup.letter_file(letters, kind, language)
    header = {}
    for line in entry.read_text("utf-8").splitlines():
        if not line.startswith("#"):
            break
        key, _, value = line.lstrip("# ").partition(":")
        header[key.strip().lower()] = value.strip()
    return header


@pytest.mark.parametrize(("letters", "kind", "language"), LETTERS, ids=LETTER_IDS)
def test_follow_up_carries_every_sentence_the_german_one_has(
    letters: str, kind: str, language: str
) -> None:
    german = _raw_header(letters, kind, "de")
    assert set(followup.VARIANTS) <= german.keys()  # the German set is what the code reads
    header = _raw_header(letters, kind, language)
    assert header.keys() == german.keys()
    for key in followup.VARIANTS:
        assert bool(header[key]) == bool(german[key]), f"{letters}/{kind}.{language}: {key}"
    assert header["description"]
    assert header["version"] == "1"


@pytest.mark.parametrize(("letters", "kind", "language"), LETTERS, ids=LETTER_IDS)
def test_follow_up_with_sample_values_leaves_no_placeholder(
    letters: str, kind: str, language: str
) -> None:
    template = followup.load_template(kind, language, letters)
    values = {name: f"<{name}>" for name in followup.PLACEHOLDERS}
    for text in (template.body, *template.variants.values()):
        filled = text.format(**values)
        assert not re.search(r"[{}]", filled), filled
    german = followup.load_template(kind, "de", letters)
    formatter = string.Formatter()
    used = {field for _, field, _, _ in formatter.parse(template.body) if field}
    assert used == {field for _, field, _, _ in formatter.parse(german.body) if field}


@pytest.mark.parametrize(("letters", "kind", "language"), LETTERS, ids=LETTER_IDS)
def test_follow_up_makes_every_legal_point_in_its_language(
    data_dir: Path, letters: str, kind: str, language: str
) -> None:
    service = LETTER_SETS[letters]
    objection = make_objection(data_dir, language=language, service=service)
    with Ledger.open(data_dir) as ledger:
        attachments = ledger.attachments(objection.id)
    written = followup.write_followup(objection, attachments, kind=kind, language=None, now=LATE)
    assert written.language == language
    # The quoted justification is the test's English text; the letter around it is not.
    letter = written.text.replace(objection.justification, "")
    assert_cites(letter, language, complaint_article=True)
    assert len(letter) >= MIN_RECOMMENDED_CHARS
    assert get_flow(service).controller.name in letter  # to the flow's controller


@pytest.mark.parametrize(
    ("country", "language", "name"),
    [
        ("DE", "de", "Deutschland"),
        ("AT", "de", "Österreich"),
        ("CH", "de", "Schweiz"),
        ("LI", "de", "Liechtenstein"),
        ("FR", "fr", "France"),
        ("LU", "fr", "Luxembourg"),
        ("BE", "nl", "België"),
        ("NL", "nl", "Nederland"),
        ("IT", "it", "Italia"),
        ("ES", "es", "España"),
        ("PL", "pl", "Polska"),
        ("PT", "pt", "Portugal"),
        ("IE", "en", "Ireland"),
        ("SE", "en", "Sweden"),
    ],
)
def test_language_defaults_from_the_country_and_names_it_in_that_language(
    tmp_path: Path, country: str, language: str, name: str
) -> None:
    settings = Settings.from_options(
        services=["facebook"],
        email="jana@example.org",
        country=country.lower(),
        language=None,
        template="standard",
        justification=None,
        data_dir=tmp_path / "d",
    )
    assert settings.language == language
    text = justification_for(settings, get_flow("facebook"))
    assert f": {name}." in text  # "Wohnsitzland: Deutschland.", "Kraj zamieszkania: Polska."
    assert_cites(text, language, complaint_article=False)


def test_an_explicit_language_wins_over_the_country(tmp_path: Path) -> None:
    settings = Settings.from_options(
        services=["facebook"],
        email="jana@example.org",
        country="BE",
        language="FR",
        template="short",
        justification=None,
        data_dir=tmp_path / "d",
    )
    assert settings.language == "fr"
    assert "article 21, paragraphe 1, du RGPD" in justification_for(settings, get_flow("facebook"))


def test_unknown_placeholder_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "mine.txt"
    path.write_text("I object. My name is {full_name}. " * 5, encoding="utf-8")
    with pytest.raises(TemplateError, match=r"unknown placeholder.*\{full_name\}"):
        load(str(path), "en")


def test_unknown_placeholder_is_refused_before_any_browser(tmp_path: Path) -> None:
    path = tmp_path / "mine.txt"
    path.write_text("Objection for {nickname}", encoding="utf-8")
    with pytest.raises(TemplateError):
        Settings.from_options(
            services=["facebook"],
            email="a@b.de",
            country="DE",
            language="en",
            template=str(path),
            justification=None,
            data_dir=tmp_path / "d",
        )
    assert not (tmp_path / "d").exists()


def test_template_file_must_be_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes("Widerspruch gemäß Art. 21".encode("latin-1"))
    with pytest.raises(TemplateError, match="not UTF-8"):
        load(str(path), "de")


def test_unknown_template_name_lists_the_known_ones() -> None:
    with pytest.raises(
        TemplateError, match="known: ai-training, ai-training-short, short, standard"
    ):
        load("nonexistent", "de")


@pytest.mark.parametrize("template", bundled(), ids=lambda t: f"{t.name}.{t.language}")
def test_templates_command_shows_the_text_filled_with_sample_values(template) -> None:
    """`templates NAME` promises "filled with sample values": no {placeholder} is left,
    in the text nor in --json, and the sample country is named in the text's language."""
    from typer.testing import CliRunner

    from widerspruch.cli import app

    runner = CliRunner()
    shown = runner.invoke(app, ["templates", template.name, "--language", template.language])
    as_json = runner.invoke(
        app, ["templates", template.name, "--language", template.language, "--json"]
    )
    assert shown.exit_code == 0, shown.output
    assert as_json.exit_code == 0, as_json.output
    for text in (shown.stdout, json.loads(as_json.stdout)["text"]):
        assert not re.search(r"\{[^{}]*\}", text), text
        if "country" in template.placeholders():
            assert country_name("DE", template.language) in text
