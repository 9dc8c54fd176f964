"""The form for people without an account: real confirmations, in wordings and markup
the label sets were not written from, are confirmed (and the form carried the objection
with its choice and details)."""

from __future__ import annotations

import pytest

from tests.adversarial.server import CONFIRMED, Answer, Site, expect
from tests.adversarial.without_account import assert_filled_as_asked, objection_without_account
from tests.conftest import Harness

RECEIVED_JSON = {
    "payload": {
        "title": "Objection recorded",
        "body": "Meta will no longer use information about you from third parties to develop "
        "AI at Meta.",
    }
}

CASES = [
    pytest.param("third_party/native.en", Answer("third_party/answers/confirmed.en"), id="en"),
    pytest.param("third_party/fetch.de", Answer("third_party/answers/confirmed.de"), id="de-fetch"),
    pytest.param("third_party/native.fr", Answer("third_party/answers/confirmed.fr"), id="fr"),
    pytest.param("third_party/xhr.fr", Answer("third_party/answers/confirmed.fr"), id="fr-xhr"),
    pytest.param("third_party/fetch.pl", Answer("third_party/answers/confirmed.pl"), id="pl-fetch"),
    pytest.param("third_party/native.it", Answer("third_party/answers/confirmed.it"), id="it"),
    pytest.param("third_party/fetch.en", Answer("third_party/answers/thanked.en"), id="en-thanks"),
    pytest.param("third_party/native.de", Answer("third_party/answers/thanked.de"), id="de-thanks"),
    pytest.param("third_party/fetch.en", Answer(json=RECEIVED_JSON), id="en-json-rendered"),
    pytest.param(
        "third_party/native.pl",
        Answer("third_party/answers/confirmed.pl", mode="redirect"),
        id="pl-post-redirect-get",
    ),
]


@pytest.mark.parametrize(("form", "answer"), CASES)
def test_real_confirmation_without_an_account_is_confirmed(
    harness: Harness, form: str, answer: Answer
) -> None:
    site = Site(form, answer)
    result = objection_without_account(harness, site)
    expect(harness, site, result, CONFIRMED, sent=1)
    [sent] = site.submissions
    assert_filled_as_asked(site, sent)
