"""The submission left but Meta never answered it (or the connection broke), whatever the
page's own script shows: Meta may have it, and nothing confirms it."""

from __future__ import annotations

import pytest

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
from widerspruch.states import Status

NEVER_ANSWERED = Answer(mode="hang")
CONNECTION_RESET = Answer(mode="reset")
ERROR_JSON = {
    "error": 1357001,
    "errorSummary": "Unfortunately your objection could not be processed",
}

CASES = [
    pytest.param("optimistic_fetch.en", NEVER_ANSWERED, id="fetch-en-never-answered"),
    pytest.param("optimistic_fetch.en", CONNECTION_RESET, id="fetch-en-reset"),
    pytest.param("optimistic_native.de", NEVER_ANSWERED, id="post-de-never-answered"),
    pytest.param("optimistic_native.de", CONNECTION_RESET, id="post-de-reset"),
    pytest.param("optimistic_xhr.fr", NEVER_ANSWERED, id="xhr-fr-never-answered"),
    pytest.param("optimistic_xhr.fr", CONNECTION_RESET, id="xhr-fr-reset"),
    # No page script at all: a plain form whose POST is never answered, or breaks.
    pytest.param("native.en", NEVER_ANSWERED, id="plain-post-en-never-answered"),
    pytest.param("native.en", CONNECTION_RESET, id="plain-post-en-reset"),
    pytest.param("fetch.de", NEVER_ANSWERED, id="plain-fetch-de-never-answered"),
    # A logging POST is answered; the objection itself is not.
    pytest.param("telemetry.en", CONNECTION_RESET, id="telemetry-answered-objection-reset"),
    pytest.param("telemetry.en", NEVER_ANSWERED, id="telemetry-answered-objection-hangs"),
]


@pytest.mark.parametrize(("form", "answer"), CASES)
def test_received_without_an_answer_is_submitted_unconfirmed(
    harness: Harness, form: str, answer: Answer
) -> None:
    site = Site(form, answer)
    result = objection(harness, site)
    expect(harness, site, result, UNCONFIRMED, sent=1)


@pytest.mark.parametrize(
    "answer",
    [
        pytest.param(Answer("went_wrong.en", status=500), id="answered-500"),
        pytest.param(Answer(json=ERROR_JSON), id="answered-200-json-error"),
    ],
)
def test_received_shown_before_a_failed_answer_is_not_confirmed(
    harness: Harness, answer: Answer
) -> None:
    site = Site("optimistic_fetch.en", answer)
    result = objection(harness, site)
    expect(harness, site, result, NOT_CONFIRMED, sent=1)


def test_a_yes_from_the_person_does_not_make_an_unanswered_submission_confirmed(
    harness: Harness,
) -> None:
    site = Site("optimistic_fetch.en", NEVER_ANSWERED)
    result = objection(harness, site, person=Answers(says=True))
    expect(harness, site, result, UNCONFIRMED | {Status.CONFIRMED_BY_PERSON}, sent=1)


@pytest.mark.parametrize(
    ("form", "answer"),
    [
        pytest.param("optimistic_fetch.en", CONNECTION_RESET, id="fetch-reset"),
        pytest.param("native.en", NEVER_ANSWERED, id="post-never-answered"),
        pytest.param("optimistic_native.de", NEVER_ANSWERED, id="post-de-never-answered"),
    ],
)
def test_a_lost_answer_blocks_the_next_run(harness: Harness, form: str, answer: Answer) -> None:
    site = Site(form, answer)
    objection(harness, site)
    again = objection(harness, site)
    seen = f"{again.status.value}: {again.message}"
    assert len(site.submissions) == 1, f"{len(site.submissions)} submissions ({seen})"
    assert again.status is Status.SUBMITTED_UNCONFIRMED, seen
    assert "--force" in again.message
