"""Real confirmations, in other words, other languages and other markup: confirmed."""

from __future__ import annotations

import pytest

from tests.adversarial.server import (
    CONFIRMED,
    INSTAGRAM_OTHER_FORM,
    Answer,
    Site,
    expect,
    ledger_statuses,
    objection,
    on_every_form,
)
from tests.conftest import EMAIL, Harness
from widerspruch.states import Status

RECEIVED_JSON = {
    "payload": {
        "title": "We've received your objection",
        "body": "Your request will be applied going forward to developing and improving AI "
        "at Meta.",
    }
}

CASES = [
    pytest.param("native.de", Answer("confirmed.de"), id="de-post"),
    pytest.param("fetch.de", Answer("confirmed.de"), id="de-fetch-in-place"),
    pytest.param("native.fr", Answer("confirmed.fr"), id="fr-post"),
    pytest.param("xhr.fr", Answer("confirmed.fr"), id="fr-xhr-in-place"),
    pytest.param("fetch.nl", Answer("confirmed.nl"), id="nl-fetch-in-place"),
    pytest.param("native.pl", Answer("confirmed.pl"), id="pl-post"),
    pytest.param("native.it", Answer("confirmed.it"), id="it-post"),
    pytest.param("fetch.es", Answer("confirmed.es"), id="es-fetch-in-place"),
    pytest.param("native.sv", Answer("confirmed.sv"), id="sv-post"),
    pytest.param("native.en", Answer("confirmed_other.en"), id="en-other-wording"),
    pytest.param("fetch.en", Answer("confirmed.en"), id="en-fetch-in-place"),
    pytest.param("fetch.en", Answer(json=RECEIVED_JSON), id="en-fetch-json-rendered"),
    pytest.param("fetch_slow.en", Answer("confirmed.en"), id="en-fetch-shown-2s-later"),
    pytest.param("native_faq.en", Answer("confirmed.en"), id="en-beside-an-faq"),
    pytest.param("native.de", Answer("confirmed_verb_final.de"), id="de-verb-final"),
    pytest.param("native.en", Answer("confirmed_conditional.en"), id="en-with-a-condition"),
    pytest.param("fetch.en", Answer("success_alert.en"), id="en-success-shown-as-alert"),
    pytest.param("native.en", Answer("confirmed.en", mode="redirect"), id="en-post-redirect-get"),
    pytest.param("native.fr", Answer("confirmed.fr", mode="redirect"), id="fr-post-redirect-get"),
    # A "Was this page helpful? Yes/No" widget with its own "Send feedback" beside the form.
    pytest.param("helpful.en", Answer("confirmed.en"), id="en-beside-a-feedback-widget"),
]


@pytest.mark.parametrize(("service", "form", "answer"), on_every_form(CASES))
def test_real_confirmation_is_confirmed(
    harness: Harness, service: str, form: str, answer: Answer
) -> None:
    site = Site(form, answer)
    result = objection(harness, site, service)
    expect(harness, site, result, CONFIRMED, sent=1)
    [sent] = site.submissions
    assert sent.fields["email"] == EMAIL
    if 'name="ai_question"' in site.page(form):  # the form asks "Is it about AI?"
        assert sent.fields.get("ai_question") == "yes"
    assert sent.fields["country"] == site.country


@pytest.mark.parametrize(
    ("form", "answer"),
    [
        pytest.param("native.en", Answer("confirmed_help.en"), id="en"),
        pytest.param("fetch.de", Answer("confirmed_help.de"), id="de-fetch"),
    ],
)
def test_confirmation_that_mentions_trying_again_is_confirmed_and_not_resent(
    harness: Harness, form: str, answer: Answer
) -> None:
    site = Site(form, answer)
    result = objection(harness, site)
    expect(harness, site, result, CONFIRMED, sent=1)

    again = objection(harness, site)
    seen = f"{again.status.value}: {again.message}"
    assert len(site.submissions) == 1, f"{len(site.submissions)} submissions ({seen})"
    assert again.status is Status.ALREADY_CONFIRMED, seen
    assert ledger_statuses(harness.data_dir) == ["confirmed"]


def test_instagram_form_moved_to_its_other_id(harness: Harness) -> None:
    site = Site("instagram.en", Answer("confirmed.en"), moved_to=INSTAGRAM_OTHER_FORM)
    result = objection(harness, site, "instagram")
    expect(harness, site, result, CONFIRMED, sent=1)
    assert site.submissions[0].url.startswith("https://help.instagram.com/")


def test_instagram_other_form_id_given_as_form_url(harness: Harness) -> None:
    site = Site("instagram.en", Answer("confirmed.en"))
    result = objection(harness, site, "instagram", form_url=INSTAGRAM_OTHER_FORM)
    expect(harness, site, result, CONFIRMED, sent=1)
