"""Meta answered the submission, and the answer is not an acceptance: never "confirmed"."""

from __future__ import annotations

import pytest

from tests.adversarial.server import NOT_CONFIRMED, Answer, Site, expect, objection, on_every_form
from tests.conftest import Harness

ERROR_JSON = {
    "error": 1357001,
    "errorSummary": "Unfortunately your objection could not be processed",
    "errorDescription": "Please try again later.",
}

CASES = [
    # An FAQ beside the form speaks of receiving requests; the POST brings the form back
    # with an inline alert.
    pytest.param(
        "native_faq.en",
        Answer(mode="form", alert="Your objection could not be submitted. Please try again."),
        id="faq-en-alert",
    ),
    pytest.param(
        "native_faq.de",
        Answer(mode="form", alert="Dein Einspruch konnte nicht übermittelt werden."),
        id="faq-de-alert",
    ),
    pytest.param("fetch_faq.fr", Answer("could_not_submit.fr"), id="faq-fr-fetch-alert"),
    pytest.param("native_faq.en", Answer("faq_only.en"), id="faq-en-faq-again"),
    # Polite refusals: thanks first, then "unfortunately".
    pytest.param("native.en", Answer("refused_region.en"), id="refused-en"),
    pytest.param("fetch.de", Answer("refused_region.de"), id="refused-de-fetch"),
    pytest.param("native.fr", Answer("refused_region.fr"), id="refused-fr"),
    pytest.param("fetch.nl", Answer("refused_region.nl"), id="refused-nl-fetch"),
    pytest.param("native.pl", Answer("refused_region.pl"), id="refused-pl"),
    pytest.param("native.it", Answer("refused_region.it"), id="refused-it"),
    pytest.param("fetch.es", Answer("refused_region.es"), id="refused-es-fetch"),
    pytest.param("native.sv", Answer("refused_region.sv"), id="refused-sv"),
    pytest.param("native.de", Answer("refused_now.de"), id="refused-de-verb-final"),
    pytest.param(
        "native.de", Answer("refused_region.de", mode="redirect"), id="refused-de-redirect-get"
    ),
    pytest.param("xhr.fr", Answer("refused_region.fr"), id="refused-fr-xhr"),
    # Confirmations with a negation or a refusal in them.
    pytest.param("native.en", Answer("not_received.en"), id="negated-en"),
    pytest.param("native.de", Answer("not_sent.de"), id="negated-de"),
    pytest.param("xhr.fr", Answer("not_recorded.fr"), id="negated-fr-xhr"),
    pytest.param("fetch.nl", Answer("not_received.nl"), id="negated-nl-fetch"),
    pytest.param("native.pl", Answer("not_sent.pl"), id="negated-pl"),
    pytest.param("native.it", Answer("not_received.it"), id="negated-it"),
    pytest.param("fetch.es", Answer("not_received.es"), id="negated-es-fetch"),
    pytest.param("native.sv", Answer("not_received.sv"), id="negated-sv"),
    pytest.param("fetch.en", Answer("received_but.en"), id="received-but-en-fetch"),
    pytest.param("native.de", Answer("received_but.de"), id="received-but-de"),
    # Refusals without a negation: "rejected" is built like "received".
    pytest.param("native.en", Answer("rejected.en"), id="rejected-en"),
    pytest.param("fetch.de", Answer("rejected.de"), id="rejected-de-fetch"),
    pytest.param("native.fr", Answer("rejected.fr"), id="rejected-fr"),
    pytest.param("fetch.nl", Answer("rejected.nl"), id="rejected-nl-fetch"),
    pytest.param("native.pl", Answer("rejected.pl"), id="rejected-pl"),
    pytest.param("native.it", Answer("rejected.it"), id="rejected-it"),
    pytest.param("fetch.es", Answer("rejected.es"), id="rejected-es-fetch"),
    pytest.param("native.sv", Answer("rejected.sv"), id="rejected-sv"),
    # "Received", but something else than this objection.
    pytest.param("native.en", Answer("received_other_request.en"), id="received-other-request"),
    pytest.param("fetch.de", Answer("received_report.de"), id="received-other-report-de"),
    # The confirmation is in the answer, but not shown.
    pytest.param("fetch.en", Answer("hidden_confirmation.en"), id="answer-hides-confirmation"),
    pytest.param("native.en", Answer("hidden_confirmation.en"), id="page-hides-confirmation"),
    # Answers in place that are errors.
    pytest.param("fetch.en", Answer("went_wrong.en", status=500), id="fetch-500"),
    pytest.param("fetch.en", Answer(json=ERROR_JSON), id="fetch-200-json-error"),
    pytest.param("fetch.nl", Answer("could_not_process.nl"), id="fetch-200-nl-not-processed"),
    # A confirmation in an answer that is not a success.
    pytest.param("fetch.en", Answer("confirmed.en", status=500), id="fetch-500-says-received"),
    pytest.param("native.en", Answer("confirmed.en", status=500), id="post-500-says-received"),
    pytest.param("native.de", Answer("confirmed.de", status=403), id="post-403-says-received"),
    # The confirmation text was on the page before Send; the answer changes nothing.
    pytest.param("stale_hidden.en", Answer(mode="form"), id="stale-hidden"),
    pytest.param("stale_visible.en", Answer(mode="form"), id="stale-visible"),
    pytest.param("stale_revealed.de", Answer(json={}), id="stale-revealed-by-script"),
]


@pytest.mark.parametrize(("service", "form", "answer"), on_every_form(CASES))
def test_answered_but_not_accepted_is_never_confirmed(
    harness: Harness, service: str, form: str, answer: Answer
) -> None:
    site = Site(form, answer)
    result = objection(harness, site, service)
    expect(harness, site, result, NOT_CONFIRMED, sent=1)
