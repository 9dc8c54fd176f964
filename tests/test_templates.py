"""Justification templates: legally complete, long enough, placeholders checked up front."""

from __future__ import annotations

from pathlib import Path

import pytest

from widerspruch.justification import MIN_RECOMMENDED_CHARS, TemplateError, bundled, load
from widerspruch.settings import Settings

LEGAL_POINTS = {
    "de": ("Art. 21 Abs. 1", "Art. 6 Abs. 1 lit. f", "Art. 17 Abs. 1 lit. c", "Art. 12 Abs. 3"),
    "en": ("Art. 21(1)", "Art. 6(1)(f)", "Art. 17(1)(c)", "Art. 12(3)"),
}
VALUES = {
    "email": "jana@example.org",
    "country": "Deutschland",
    "country_code": "DE",
    "date": "2026-11-23",
    "service": "Facebook",
}


@pytest.mark.parametrize("template", bundled(), ids=lambda t: f"{t.name}.{t.language}")
def test_bundled_template_makes_every_legal_point(template) -> None:  # type: ignore[no-untyped-def]
    text = template.render(**VALUES)
    for point in LEGAL_POINTS[template.language]:
        assert point in text
    assert MIN_RECOMMENDED_CHARS <= len(text) <= 3000


def test_both_languages_exist_for_every_template() -> None:
    names = {t.name for t in bundled()}
    for name in names:
        assert {t.language for t in bundled() if t.name == name} >= {"de", "en"}


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
    with pytest.raises(TemplateError, match="known: short, standard"):
        load("nonexistent", "de")
