"""The form for people without an account: answers that are not an acceptance, written
apart from the label sets and in several languages, are never recorded confirmed; and a
confirmation that is not Meta's answer to the submission confirms nothing."""

from __future__ import annotations

import re

import pytest

from tests.adversarial.server import (
    FAILED,
    NOT_CONFIRMED,
    THIRD_PARTY,
    Answer,
    Site,
    expect,
)
from tests.adversarial.without_account import objection_without_account
from tests.conftest import Harness

ERROR_JSON = {"error": 1357004, "errorSummary": "Erreur 1357004", "errorDescription": "Rechargez."}
NOTHING_SENT = re.compile(r"nothing (was |has been )?(sent|submitted)|not (been )?sent", re.I)


def answer(name: str, **options: object) -> Answer:
    return Answer(f"third_party/answers/{name}", **options)  # type: ignore[arg-type]


CASES = [
    # Polite refusals: thanks first, then a refusal in words the label sets do not list.
    pytest.param("native.en", answer("refused.en"), id="refused-en"),
    pytest.param("fetch.de", answer("refused.de"), id="refused-de-fetch"),
    pytest.param("native.fr", answer("refused.fr"), id="refused-fr"),
    pytest.param("fetch.pl", answer("refused.pl"), id="refused-pl-fetch"),
    pytest.param("native.it", answer("refused.it"), id="refused-it"),
    # "We could not process it."
    pytest.param("fetch.en", answer("not_processed.en"), id="not-processed-en-fetch"),
    pytest.param("native.de", answer("not_processed.de"), id="not-processed-de"),
    pytest.param("xhr.fr", answer("not_processed.fr"), id="not-processed-fr-xhr"),
    pytest.param("native.pl", answer("not_processed.pl"), id="not-processed-pl"),
    pytest.param("fetch.it", answer("not_processed.it"), id="not-processed-it-fetch"),
    # The confirmation of another request: a copy of one's data, an account recovery.
    pytest.param("native.en", answer("data_copy.en"), id="data-copy-en"),
    pytest.param("fetch.de", answer("data_copy.de"), id="data-copy-de-fetch"),
    pytest.param("native.fr", answer("data_copy.fr"), id="data-copy-fr"),
    pytest.param("fetch.en", answer("recovery.en"), id="recovery-ticket-en-fetch"),
    pytest.param("native.pl", answer("recovery.pl"), id="recovery-ticket-pl"),
    pytest.param("native.it", answer("recovery.it"), id="recovery-ticket-it"),
    # A help-centre article about objections instead of an answer.
    pytest.param("native.en", answer("faq.en"), id="faq-en"),
    pytest.param("fetch.de", answer("faq.de"), id="faq-de-fetch"),
    pytest.param("native.fr", answer("faq.fr", mode="redirect"), id="faq-fr-redirect-get"),
    # Thanks, and an error notice beside them.
    pytest.param("fetch.en", answer("thanks_error.en"), id="thanks-with-error-en-fetch"),
    pytest.param("native.de", answer("thanks_error.de"), id="thanks-with-error-de"),
    pytest.param("fetch.pl", answer("thanks_error.pl"), id="thanks-with-error-pl-fetch"),
    pytest.param("native.it", answer("thanks_error.it"), id="thanks-with-error-it"),
    # A 200 answer whose body is an error.
    pytest.param("fetch.en", answer("error_body.en"), id="200-error-body-en"),
    pytest.param("fetch.de", answer("error_body.de"), id="200-error-body-de"),
    pytest.param("xhr.fr", answer("error_body.fr"), id="200-error-body-fr-xhr"),
    pytest.param("fetch.pl", answer("error_body.pl"), id="200-error-body-pl"),
    pytest.param("native.it", answer("error_body.it"), id="200-error-body-it-post"),
    pytest.param("xhr.fr", Answer(json=ERROR_JSON), id="200-json-error-fr"),
    # A confirmation in an answer that is not a success.
    pytest.param("fetch.pl", answer("confirmed.pl", status=500), id="500-says-accepted-pl"),
    pytest.param("native.de", answer("confirmed.de", status=403), id="403-says-accepted-de"),
    # The confirmation was on the page before Send; Meta's answer shows nothing new.
    pytest.param("stale_visible.en", Answer(mode="form"), id="shown-before-send-en"),
    pytest.param("stale_revealed.de", Answer(json={}), id="before-send-revealed-de"),
]


@pytest.mark.parametrize(("form", "answer"), CASES)
def test_answered_but_not_accepted_without_an_account_is_never_confirmed(
    harness: Harness, form: str, answer: Answer
) -> None:
    site = Site(f"third_party/{form}", answer)
    result = objection_without_account(harness, site)
    expect(harness, site, result, NOT_CONFIRMED, sent=1)


@pytest.mark.parametrize(
    "form",
    [
        pytest.param("pretend.it", id="it-send-only-shows-received"),
        pytest.param("optimistic_elsewhere.pl", id="pl-says-received-sends-elsewhere"),
        pytest.param("elsewhere.fr", id="fr-posts-to-another-host"),
    ],
)
def test_a_confirmation_without_the_submission_leaving_is_nothing_sent(
    harness: Harness, form: str
) -> None:
    site = Site(f"third_party/{form}", answer("confirmed.it"))
    result = objection_without_account(harness, site)
    expect(harness, site, result, FAILED, sent=0)
    assert NOTHING_SENT.search(result.message), result.message
    assert site.elsewhere == []


def test_a_look_alike_of_the_form_on_another_host_is_never_opened(harness: Harness) -> None:
    # The form's URL sends the browser on to a host that only starts like Meta's.
    path = THIRD_PARTY.form_url.split("facebook.com", 1)[1]
    look_alike = f"https://www.facebook.com.privacy-help.example{path}"
    assert not THIRD_PARTY.allows_url(look_alike)
    site = Site("third_party/native.en", answer("confirmed.en"), moved_to=look_alike)
    result = objection_without_account(harness, site)
    expect(harness, site, result, NOT_CONFIRMED, sent=0)
    assert site.elsewhere == [], "the browser reached the look-alike's host"
    assert site.typed() == []
