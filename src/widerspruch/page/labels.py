"""Label sets: the words of every language joined into one pattern per concept.

The words themselves live in ``widerspruch.page.wording`` (one module per language). A label
set (``Phrases``) joins one concept's fragments from every language into one pattern,
so a page in any language, or a mix of them as Meta sometimes serves, is recognised the
same way. The same pattern is matched in Python and, through Playwright's ``name=``
arguments, in the browser's JavaScript; ``\\b`` and ``\\w`` are rewritten into forms both
read alike for every alphabet of the EU (JavaScript's own ``\\b`` knows only ASCII).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from functools import cached_property

from widerspruch.page.wording import CONCEPTS, LANGUAGE_CODES, Vocabulary, all_vocabularies

LANGUAGES = LANGUAGE_CODES

# Letters of the Latin, Greek and Cyrillic alphabets, and digits: a "word" character.
_WORD = "0-9A-Za-z_ªµºÀ-ÖØ-öø-ɏͰ-ϿЀ-ӿḀ-῿"
_BOUNDARY = rf"(?:(?<![{_WORD}])(?=[{_WORD}])|(?<=[{_WORD}])(?![{_WORD}]))"
_NOT_BOUNDARY = rf"(?:(?<=[{_WORD}])(?=[{_WORD}])|(?<![{_WORD}])(?![{_WORD}]))"


def _boundary(pattern: str, index: int) -> str:
    """``\\b`` at `index` (just past it) in a form JavaScript reads as Python does."""
    after = pattern[index] if index < len(pattern) else ""
    before = pattern[index - 3] if index >= 3 else ""
    escaped_before = index >= 4 and pattern[index - 4] == "\\"
    if (after.isascii() and after.isalnum()) or (
        before.isascii() and before.isalnum() and not escaped_before
    ):
        return r"\b"  # beside an ASCII letter both languages agree
    if after.isalnum():
        return f"(?<![{_WORD}])"
    if before.isalnum() and not escaped_before:
        return f"(?![{_WORD}])"
    return _BOUNDARY


def portable(pattern: str) -> str:
    """`pattern` with ``\\b``, ``\\B``, ``\\w`` and ``\\W`` spelled out, so that Python and
    JavaScript (without its ``u`` flag) read it the same way for every EU alphabet."""
    out: list[str] = []
    in_class = False
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\" and index + 1 < len(pattern):
            escape = pattern[index + 1]
            index += 2
            if escape == "w":
                out.append(_WORD if in_class else f"[{_WORD}]")
            elif escape == "W" and not in_class:
                out.append(f"[^{_WORD}]")
            elif escape == "b" and not in_class:
                out.append(_boundary(pattern, index))
            elif escape == "B" and not in_class:
                out.append(_NOT_BOUNDARY)
            else:
                out.append("\\" + escape)
            continue
        if char == "[" and not in_class:
            in_class = True
            out.append(char)
            # A "]" right after "[" or "[^" is a literal, not the end of the class.
            if pattern[index + 1 : index + 2] == "^":
                out.append("^")
                index += 1
            if pattern[index + 1 : index + 2] == "]":
                out.append("\\]")
                index += 1
        elif char == "]" and in_class:
            in_class = False
            out.append(char)
        else:
            out.append(char)
        index += 1
    return "".join(out)


def normalise(text: str) -> str:
    """Text as the fragments expect it: lower case, white space collapsed."""
    return " ".join(text.lower().split())


@dataclass(frozen=True)
class Phrases:
    """Regex fragments per language; `anchored` makes them match a whole accessible name.

    ``pattern`` is for Playwright's ``name=`` (read by JavaScript as well as Python);
    ``rx`` is the same in Python's own Unicode-aware syntax, for reading text.
    """

    by_language: Mapping[str, tuple[str, ...]]
    anchored: bool = False

    def _compile(self, spell: Callable[[str], str]) -> re.Pattern[str]:
        alternatives = "|".join(
            f"(?:{spell(phrase)})" for phrases in self.by_language.values() for phrase in phrases
        )
        if not alternatives:
            alternatives = "(?!)"  # matches nothing
        if self.anchored:
            alternatives = rf"^\s*(?:{alternatives})\s*[.!…:?]?\s*$"
        return re.compile(alternatives, re.IGNORECASE)

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        return self._compile(portable)

    @cached_property
    def rx(self) -> re.Pattern[str]:
        return self._compile(str)

    @cached_property
    def patterns_by_language(self) -> dict[str, re.Pattern[str]]:
        return {
            language: replace(self, by_language={language: phrases}).rx
            for language, phrases in self.by_language.items()
        }

    def plus(self, **more: tuple[str, ...]) -> Phrases:
        """These phrases and `more`, e.g. a service's own wording."""
        merged = {lang: tuple(self.by_language.get(lang, ())) for lang in self.by_language}
        for lang, phrases in more.items():
            merged[lang] = merged.get(lang, ()) + phrases
        return replace(self, by_language=merged)

    def matches(self, text: str) -> bool:
        return bool(self.rx.search(normalise(text)))

    def languages_matching(self, text: str) -> list[str]:
        """The languages whose fragments occur in `text`."""
        plain = normalise(text)
        return [lang for lang, rx in self.patterns_by_language.items() if rx.search(plain)]


# Control names that must match whole, not inside a longer name.
ANCHORED = frozenset({"log_in", "send", "next", "yes"})


def _concept(name: str, vocabularies: tuple[Vocabulary, ...]) -> Phrases:
    return Phrases(
        by_language={v.code: tuple(getattr(v, name)) for v in vocabularies},
        anchored=name in ANCHORED,
    )


def _from_wording(name: str) -> Phrases:
    return _concept(name, all_vocabularies())


@dataclass(frozen=True)
class Labels:
    """Everything a flow recognises, one label set per concept of ``widerspruch.page.wording``.

    ``decline_cookies`` is the only cookie button ever pressed; ``allow_all_cookies``
    exists so that a flow can prove it never touches that one. ``ai_question`` is the
    AI wording a question must carry to be "Is your request related to AI at Meta?".
    """

    decline_cookies: Phrases = field(default_factory=lambda: _from_wording("decline_cookies"))
    allow_all_cookies: Phrases = field(default_factory=lambda: _from_wording("allow_all_cookies"))
    log_in: Phrases = field(default_factory=lambda: _from_wording("log_in"))
    send: Phrases = field(default_factory=lambda: _from_wording("send"))
    next: Phrases = field(default_factory=lambda: _from_wording("next"))
    yes: Phrases = field(default_factory=lambda: _from_wording("yes"))
    email: Phrases = field(default_factory=lambda: _from_wording("email"))
    email_again: Phrases = field(default_factory=lambda: _from_wording("email_again"))
    country: Phrases = field(default_factory=lambda: _from_wording("country"))
    justification: Phrases = field(default_factory=lambda: _from_wording("justification"))
    code_field: Phrases = field(default_factory=lambda: _from_wording("code_field"))
    accuracy: Phrases = field(default_factory=lambda: _from_wording("accuracy"))
    consent: Phrases = field(default_factory=lambda: _from_wording("consent"))
    ai: Phrases = field(default_factory=lambda: _from_wording("ai"))
    ai_question: Phrases = field(default_factory=lambda: _from_wording("ai"))
    objection: Phrases = field(default_factory=lambda: _from_wording("objection"))
    checkpoint: Phrases = field(default_factory=lambda: _from_wording("checkpoint"))
    code_step: Phrases = field(default_factory=lambda: _from_wording("code_step"))
    login_prompt: Phrases = field(default_factory=lambda: _from_wording("login_prompt"))
    request: Phrases = field(default_factory=lambda: _from_wording("request"))
    received: Phrases = field(default_factory=lambda: _from_wording("received"))
    thanks: Phrases = field(default_factory=lambda: _from_wording("thanks"))
    refusal: Phrases = field(default_factory=lambda: _from_wording("refusal"))
    negation: Phrases = field(default_factory=lambda: _from_wording("negation"))
    error: Phrases = field(default_factory=lambda: _from_wording("error"))
    unavailable: Phrases = field(default_factory=lambda: _from_wording("unavailable"))
    function_words: Phrases = field(default_factory=lambda: _from_wording("function_words"))
    conditional: Phrases = field(default_factory=lambda: _from_wording("conditional"))
    use: Phrases = field(default_factory=lambda: _from_wording("use"))
    no_need: Phrases = field(default_factory=lambda: _from_wording("no_need"))
    data: Phrases = field(default_factory=lambda: _from_wording("data"))
    other_request: Phrases = field(default_factory=lambda: _from_wording("other_request"))
    reply_accepted: Phrases = field(default_factory=lambda: _from_wording("reply_accepted"))
    reply_refused: Phrases = field(default_factory=lambda: _from_wording("reply_refused"))
    reply_info: Phrases = field(default_factory=lambda: _from_wording("reply_info"))
    mail_security: Phrases = field(default_factory=lambda: _from_wording("mail_security"))
    mail_code: Phrases = field(default_factory=lambda: _from_wording("mail_code"))
    mail_notice: Phrases = field(default_factory=lambda: _from_wording("mail_notice"))

    def with_service_wording(self, **extra: Mapping[str, tuple[str, ...]]) -> Labels:
        """These labels, with a service's own phrases added to the named sets."""
        unknown = set(extra) - {f.name for f in fields(self)}
        if unknown:
            raise ValueError(f"unknown label sets: {sorted(unknown)}")
        changes = {name: getattr(self, name).plus(**phrases) for name, phrases in extra.items()}
        return replace(self, **changes)


assert set(CONCEPTS) <= {f.name for f in fields(Labels)}, "a concept of wording has no label set"

META_LABELS = Labels()
