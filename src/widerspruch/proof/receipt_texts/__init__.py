"""The receipt's words, one module per language of the templates.

Each module holds ``TEXT`` (every phrase of the receipt and its page footer, by key; the
status line keyed by `Status`), ``MONTHS`` (month names as a long date uses them),
``DATE`` (how a long date is written) and ``TIME_SUFFIX`` (after the clock time). Every
language has every key German has (tests/test_receipt_languages.py checks).
"""

from __future__ import annotations

from importlib import import_module

# The languages the templates are written in: a receipt speaks the objection's language.
LANGUAGES = ("de", "en", "fr", "it", "es", "nl", "pl", "pt")

_MODULES = {code: import_module(f"widerspruch.proof.receipt_texts.{code}") for code in LANGUAGES}

TEXT: dict[str, dict[str, str]] = {code: m.TEXT for code, m in _MODULES.items()}
MONTHS: dict[str, tuple[str, ...]] = {code: m.MONTHS for code, m in _MODULES.items()}
DATE: dict[str, str] = {code: m.DATE for code, m in _MODULES.items()}
TIME_SUFFIX: dict[str, str] = {code: m.TIME_SUFFIX for code, m in _MODULES.items()}
