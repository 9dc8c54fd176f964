"""The recognition corpus: for every language and page state, wordings written apart
from the label sets (tests/corpus/<lang>.json). Each is read as a person would read it,
and no confirmation survives a refusal or a negation added to it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from widerspruch.page.labels import LANGUAGES, META_LABELS
from widerspruch.page.verdict import judge

CORPUS = Path(__file__).parent / "corpus"
L = META_LABELS


def corpus(language: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((CORPUS / f"{language}.json").read_text("utf-8"))
    return data


def cases(group: str, key: str) -> list[Any]:
    return [
        pytest.param(language, text, id=f"{language}-{index}")
        for language in LANGUAGES
        for index, text in enumerate(corpus(language)[group][key])
    ]


def test_every_language_has_a_corpus_with_every_state() -> None:
    for language in LANGUAGES:
        data = corpus(language)
        assert data["language"] == language
        for group, minimum in (("states", 3), ("controls", 2), ("forms", 3)):
            for key, texts in data[group].items():
                assert len(texts) >= minimum, f"{language}: {group}.{key} has {len(texts)}"


@pytest.mark.parametrize(("language", "text"), cases("states", "confirmation"))
def test_a_confirmation_reads_as_accepted(language: str, text: str) -> None:
    assert judge(text, L, [language]).accepted, judge(text, L, [language]).summary()


@pytest.mark.parametrize(("language", "text"), cases("states", "confirmation"))
def test_a_confirmation_with_a_refusal_added_is_never_accepted(language: str, text: str) -> None:
    for addition in corpus(language)["states"]["refusal_addition"]:
        for joined in (f"{text} {addition}", f"{addition} {text}"):
            assert not judge(joined, L, [language]).accepted, joined


@pytest.mark.parametrize(("language", "text"), cases("states", "negated_confirmation"))
def test_a_negated_confirmation_is_never_accepted(language: str, text: str) -> None:
    assert not judge(text, L, [language]).accepted, judge(text, L, [language]).summary()


@pytest.mark.parametrize(("language", "text"), cases("states", "refusal"))
def test_a_polite_refusal_is_never_accepted(language: str, text: str) -> None:
    verdict = judge(text, L, [language])
    assert verdict.refused or verdict.error or verdict.unavailable, verdict.summary()


@pytest.mark.parametrize(("language", "text"), cases("states", "error"))
def test_an_error_is_read_as_a_failure(language: str, text: str) -> None:
    verdict = judge(text, L, [language])
    assert verdict.refused or verdict.error, verdict.summary()


@pytest.mark.parametrize(("language", "text"), cases("states", "unavailable"))
def test_an_unavailable_page_is_read_as_unavailable(language: str, text: str) -> None:
    assert L.unavailable.matches(text), text
    assert not judge(text, L, [language]).accepted


@pytest.mark.parametrize(
    ("state", "labels"),
    [
        ("checkpoint", L.checkpoint),
        ("code_step", L.code_step),
        ("login_prompt", L.login_prompt),
    ],
)
def test_person_pages_are_recognised_in_every_language(state: str, labels: Any) -> None:
    missed = [
        f"{language}: {text}"
        for language in LANGUAGES
        for text in corpus(language)["states"][state]
        if not labels.matches(text)
    ]
    assert not missed, "\n".join(missed)


CONTROLS = {
    "cookie_decline": (L.decline_cookies, L.allow_all_cookies),
    "cookie_allow": (L.allow_all_cookies, L.decline_cookies),
    "log_in": (L.log_in, None),
    "send": (L.send, None),
    "next": (L.next, None),
    "yes": (L.yes, None),
    "email_label": (L.email, None),
    "email_again_label": (L.email_again, None),
    "country_label": (L.country, None),
    "justification_label": (L.justification, None),
    "code_label": (L.code_field, None),
    "accuracy_checkbox": (L.accuracy, L.consent),
    "consent_checkbox": (L.consent, None),
}


@pytest.mark.parametrize("control", sorted(CONTROLS))
def test_controls_are_recognised_by_their_names_in_every_language(control: str) -> None:
    wanted, never = CONTROLS[control]
    missed = []
    for language in LANGUAGES:
        for name in corpus(language)["controls"][control]:
            if not wanted.matches(name):
                missed.append(f"{language}: {name!r} not recognised")
            elif never is not None and never.matches(name):
                missed.append(f"{language}: {name!r} also reads as the opposite")
    assert not missed, "\n".join(missed)


def test_the_ai_objection_form_is_told_from_its_look_alikes() -> None:
    missed = []
    for language in LANGUAGES:
        forms = corpus(language)["forms"]
        for title in forms["objection_title"]:
            if not (L.ai.matches(title) and L.objection.matches(title)):
                missed.append(f"{language}: objection form not recognised: {title}")
        for question in forms["ai_question"]:
            if not L.ai_question.matches(question):
                missed.append(f"{language}: AI question not recognised: {question}")
        for title in forms["lookalike_title"]:
            if L.ai.matches(title) and L.objection.matches(title):
                missed.append(f"{language}: look-alike taken for the objection form: {title}")
    assert not missed, "\n".join(missed)


def test_each_corpus_language_is_told_by_its_function_words() -> None:
    wrong = []
    for language in LANGUAGES:
        text = " ".join(corpus(language)["states"]["confirmation"])
        counts = {
            code: len(rx.findall(text.lower()))
            for code, rx in L.function_words.patterns_by_language.items()
        }
        best = max(counts, key=lambda code: counts[code])
        if best != language:
            wrong.append(f"{language} read as {best} ({counts[best]} vs {counts[language]})")
    assert not wrong, "\n".join(wrong)


# Languages whose clauses of time ("once we have checked your details, your objection
# will be processed") are read as what happens to any request, not as this answer.
TIME_CLAUSE_LANGUAGES = (
    "en", "de", "fr", "it", "pl", "es", "nl", "pt", "sv", "da", "nb", "cs", "sk", "hr",
    "hu", "ro", "fi",
)  # fmt: skip


def test_every_language_that_reads_clauses_of_time_has_them_in_its_corpus() -> None:
    for language in TIME_CLAUSE_LANGUAGES:
        assert corpus(language).get("time_clauses"), f"{language}: no time_clauses"


@pytest.mark.parametrize(
    ("language", "text"),
    [
        pytest.param(language, text, id=f"{language}-{index}")
        for language in TIME_CLAUSE_LANGUAGES
        for index, text in enumerate(corpus(language)["time_clauses"])
    ],
)
def test_a_clause_of_time_is_not_a_confirmation_and_leaves_a_real_one_alone(
    language: str, text: str
) -> None:
    assert not judge(text, L, [language]).accepted, judge(text, L, [language]).summary()
    for confirmation in corpus(language)["states"]["confirmation"][:3]:
        joined = f"{text} {confirmation}"
        assert judge(joined, L, [language]).accepted, joined
