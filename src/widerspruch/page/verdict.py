"""Reading Meta's answer the way a person would: accepted, refused, or unsure.

A verdict rests on the text that replaced the form after Meta answered the submission,
never on text that was on the page before (the engine decides which text that is).
It reads sentence by sentence, in any language of ``widerspruch.page.wording``:

- a sentence *accepts* when it names the request (``request``) and says it was
  received or will be applied (``received``), in any word order, or thanks for it;
- a sentence *refuses* when it carries a refusal (``refusal``: unfortunately, unable,
  could not), an error (``error``), or a negation (``negation``): "we have not
  received your objection", "this option is not available in your country". Two
  negations refuse nothing: one of using the data ("from now on your information
  won't be used for AI", which grants the objection) and one that asks nothing more
  ("you don't need to do anything else");
- a conditional sentence ("if you have questions, ...") speaks of what may happen,
  not of this answer, and is left out of both; so is a clause of time ("once your
  objection is received, ..."), as help articles speak, and the confirmation of another
  kind of request ("we've received your request to download your information"). Beside
  such a confirmation, only a sentence that names the objection still accepts.

Refusal wins over acceptance: thanks followed by "unfortunately" is a refusal. Only
acceptance with no refusal anywhere is ``accepted``; nothing clear either way is
``unsure``, which the engine records as ``submitted_unconfirmed``, never as failed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, fields, replace
from enum import StrEnum
from typing import TYPE_CHECKING

from widerspruch.page.labels import normalise

if TYPE_CHECKING:
    from widerspruch.page.labels import Labels, Phrases

# Sentence ends: full stops, question and exclamation marks (also Greek and Armenian
# forms), semicolons, bullets, and line breaks (headings and list items).
_SENTENCE_END = re.compile(r"(?<=[.!?;…·;])\s+|\s*[\n\r•]+\s*|(?<=[.!?])(?=[A-ZÀ-Þ])")


_ORDINAL_END = re.compile(r"(?<!\d)\d{1,2}\.$")


class Reading(StrEnum):
    ACCEPTED = "accepted"
    REFUSED = "refused"
    ERROR = "error"
    UNAVAILABLE = "unavailable"
    UNSURE = "unsure"


@dataclass(frozen=True)
class Verdict:
    reading: Reading
    # The sentences the reading rests on, for the record and for the person.
    because: tuple[str, ...] = ()

    @property
    def accepted(self) -> bool:
        return self.reading is Reading.ACCEPTED

    @property
    def refused(self) -> bool:
        return self.reading is Reading.REFUSED

    @property
    def error(self) -> bool:
        return self.reading is Reading.ERROR

    @property
    def unavailable(self) -> bool:
        return self.reading is Reading.UNAVAILABLE

    def summary(self) -> str:
        quoted = " / ".join(f"“{sentence[:160]}”" for sentence in self.because[:3])
        return f"{self.reading.value}: {quoted}" if quoted else self.reading.value


def sentences(text: str) -> list[str]:
    """The text's sentences, each with its white space collapsed. A full stop after a
    number of one or two digits is an ordinal or a date ("am 12. Mai"), not an end."""
    found: list[str] = []
    for part in _SENTENCE_END.split(text.replace("\u00a0", " ")):
        part = " ".join(part.split())
        if not part:
            continue
        if found and _ORDINAL_END.search(found[-1]):
            found[-1] += " " + part
        else:
            found.append(part)
    return found


def _spans(phrases: Phrases, sentence: str) -> list[tuple[int, int]]:
    return [match.span() for match in phrases.rx.finditer(sentence)]


def _outside(phrases: Phrases, sentence: str, inside: Phrases) -> list[tuple[int, int]]:
    """Where `phrases` occurs in `sentence` other than within a match of `inside`
    ("will no longer use" is an acceptance, not a negation)."""
    covered = _spans(inside, sentence)
    return [
        (start, end)
        for start, end in _spans(phrases, sentence)
        if not any(a <= start and end <= b for a, b in covered)
    ]


# How near a negation must stand to the verb it negates: before it ("have not
# received", "nicht übermittelt", "will no longer use") or, in verb-second clauses,
# just after it ("ontvingen je bezwaar niet", "vi bruker ikke").
_NEGATION_BEFORE = 40
_NEGATION_AFTER = 12


def _near(spans: list[tuple[int, int]], negation: tuple[int, int]) -> bool:
    n_start, n_end = negation
    return any(
        start - _NEGATION_BEFORE <= n_end <= start or end <= n_start <= end + _NEGATION_AFTER
        for start, end in spans
    )


def _read_negations(plain: str, labels: Labels) -> tuple[bool, bool]:
    """(stops using the data, refuses): what the sentence's negations say.

    A negation of using the data for AI ("we won't use your information for AI any
    more") is the objection granted; without AI in the sentence it is not ("your
    objection will not be processed"); one that asks nothing more ("you don't need to do
    anything else") is harmless; every other negation is read as a refusal ("your
    objection was not received", "this option is not available in your country")."""
    negations = _outside(labels.negation, plain, labels.received)
    if not negations:
        return False, False
    using = _spans(labels.use, plain)
    no_need = _spans(labels.no_need, plain)
    # The data no longer used for AI, not the request: "your request will not be used"
    # refuses, "your information will not be used for AI" grants.
    about_ai = bool(labels.ai.rx.search(plain)) and bool(labels.data.rx.search(plain))
    stops_using = False
    for negation in negations:
        if any(a <= negation[0] and negation[1] <= b for a, b in no_need):
            continue
        if using and about_ai and _near(using, negation):
            stops_using = True  # "... will no longer be used for AI"
            continue
        return False, True  # "your objection will not be processed"
    return stops_using, False


def in_languages(labels: Labels, languages: Iterable[str] | None) -> Labels:
    """`labels` narrowed to the page's languages: a word of one language is often an
    everyday word of another (Portuguese "no" is "in the", not English "no")."""
    wanted = frozenset(languages or ())
    if not wanted:
        return labels
    key = (id(labels), wanted)
    cached = _NARROWED.get(key)
    if cached is None or cached[0] is not labels:
        changes = {}
        for item in fields(labels):
            phrases: Phrases = getattr(labels, item.name)
            kept = {k: v for k, v in phrases.by_language.items() if k in wanted}
            changes[item.name] = replace(phrases, by_language=kept)
        cached = _NARROWED[key] = (labels, replace(labels, **changes))
    return cached[1]


# Narrowed label sets, compiled once per (labels, languages); the labels are kept so
# that their id is not reused.
_NARROWED: dict[tuple[int, frozenset[str]], tuple[Labels, Labels]] = {}


def text_languages(text: str, labels: Labels) -> list[str]:
    """The languages `text` is written in, by its most common small words: the leader,
    and any other with at least half its count."""
    plain = normalise(text)
    counts = {
        code: len(rx.findall(plain))
        for code, rx in labels.function_words.patterns_by_language.items()
    }
    best = max(counts.values(), default=0)
    if best == 0:
        return []
    return [code for code, count in counts.items() if count * 2 >= best]


def judge(text: str, labels: Labels, languages: Iterable[str] | None = None) -> Verdict:
    """What `text`, the answer that replaced the form, says about the objection.

    `languages`: the page's languages, when known; the text is read in those and in
    the languages its own small words show. Refusals and errors are looked for in every
    language: a refusal is never missed for being in an unexpected one."""
    every = labels
    if languages is not None:
        labels = in_languages(labels, {*languages, *text_languages(text, labels)})
    accepting: list[str] = []
    refusing: list[str] = []
    erring: list[str] = []
    missing: list[str] = []
    other: list[str] = []
    for sentence in sentences(text):
        plain = normalise(sentence)
        if labels.conditional.rx.search(plain):
            continue
        names_request = bool(labels.request.rx.search(plain))
        says_received = bool(labels.received.rx.search(plain))
        thanks = bool(labels.thanks.rx.search(plain))
        stops_using, negated = _read_negations(plain, labels)
        if _outside(every.refusal, plain, labels.received):
            refusing.append(sentence)
        elif labels.unavailable.rx.search(plain):
            missing.append(sentence)
        elif every.error.rx.search(plain):
            erring.append(sentence)
        elif negated:
            refusing.append(sentence)
        elif (names_request and says_received) or (thanks and names_request) or stops_using:
            if labels.other_request.rx.search(plain) and not labels.objection.rx.search(plain):
                # "We've received your request to download your information": another
                # request's confirmation, not this objection's.
                other.append(sentence)
                continue
            accepting.append(sentence)
    if other:
        # The answer is about another request: a bare "Request received" beside it is
        # that request's too. Only a sentence that names the objection still accepts.
        accepting = [s for s in accepting if labels.objection.rx.search(normalise(s))]
    if refusing:
        return Verdict(Reading.REFUSED, tuple(refusing))
    if erring:
        return Verdict(Reading.ERROR, tuple(erring))
    if missing:
        return Verdict(Reading.UNAVAILABLE, tuple(missing))
    if accepting:
        return Verdict(Reading.ACCEPTED, tuple(accepting))
    return Verdict(Reading.UNSURE)
