"""An answer that neither accepts nor refuses: unsure, never failed, and only the person
may call it accepted (recorded as theirs, never as Meta's)."""

from __future__ import annotations

import io
import sys

import pytest
from rich.console import Console
from rich.prompt import Confirm

from tests.adversarial.server import (
    NOT_CONFIRMED,
    UNCONFIRMED,
    Answer,
    Answers,
    Site,
    expect,
    objection,
)
from tests.conftest import Harness
from widerspruch.services import get_flow
from widerspruch.states import Status
from widerspruch.submit.person import ConsolePerson

UNCLEAR = [
    pytest.param("native.en", Answer("reference.en"), id="en-reference-number"),
    pytest.param("fetch.de", Answer("reference.de"), id="de-reference-number-fetch"),
    pytest.param("fetch.en", Answer(json={}), id="en-fetch-answer-shows-nothing"),
]


@pytest.mark.parametrize(("form", "answer"), UNCLEAR)
def test_unclear_answer_nobody_can_judge_is_submitted_unconfirmed(
    harness: Harness, form: str, answer: Answer
) -> None:
    site = Site(form, answer)
    result = objection(harness, site)
    expect(harness, site, result, UNCONFIRMED, sent=1)


@pytest.mark.parametrize(("form", "answer"), UNCLEAR)
def test_person_who_says_meta_accepted_it_is_recorded_as_the_person(
    harness: Harness, form: str, answer: Answer
) -> None:
    person = Answers(says=True)
    site = Site(form, answer)
    result = objection(harness, site, person=person)
    expect(harness, site, result, frozenset({Status.CONFIRMED_BY_PERSON}), sent=1)
    assert person.asked_whether_meta_accepted()
    assert person.companies == [get_flow("facebook").company]  # whose answer it was


def test_person_who_says_no_is_not_confirmed(harness: Harness) -> None:
    site = Site("native.en", Answer("reference.en"))
    result = objection(harness, site, person=Answers(says=False))
    expect(harness, site, result, NOT_CONFIRMED, sent=1)


def test_person_is_not_asked_about_a_clear_confirmation(harness: Harness) -> None:
    person = Answers(says=False)
    site = Site("native.en", Answer("confirmed.en"))
    result = objection(harness, site, person=person)
    expect(harness, site, result, frozenset({Status.CONFIRMED}), sent=1)
    assert not person.asked_whether_meta_accepted()


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("service", ["linkedin", "facebook"])
def test_the_person_is_asked_whether_the_flows_company_accepted(
    monkeypatch: pytest.MonkeyPatch, service: str
) -> None:
    company = get_flow(service).company
    asked: list[str] = []

    def ask(question: str, **_: object) -> bool:
        asked.append(question)
        return False

    monkeypatch.setattr(sys, "stdin", _Terminal())
    monkeypatch.setattr(Confirm, "ask", ask)
    shown = io.StringIO()
    person = ConsolePerson(headless=False, assume_yes=False, console=Console(file=shown))

    assert person.judge_answer("Thanks, case 123.", None, company) is False
    assert asked == [f"Did {company} accept your objection? (your answer is recorded as yours)"]
    assert f"{company} answered, but widerspruch cannot tell" in shown.getvalue()
    if company != "Meta":
        assert "Meta" not in asked[0] + shown.getvalue()
