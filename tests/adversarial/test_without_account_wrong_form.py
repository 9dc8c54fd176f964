"""The form for people without an account: another form behind its URL, with the same
fields (name, email, country, where), or its first question without the objection about
third parties, is neither filled nor sent."""

from __future__ import annotations

import pytest

from tests.adversarial.server import FAILED, Answer, Site, expect
from tests.adversarial.without_account import objection_without_account
from tests.conftest import Harness

# Each would answer a submission with a friendly "received".
LIAR = Answer("third_party/answers/confirmed.en")

CASES = [
    # Another purpose: reporting an intellectual-property violation, a privacy question.
    pytest.param("ip_report.en", id="ip-report-en"),
    pytest.param("ip_report.de", id="ip-report-de-fetch"),
    pytest.param("privacy_question.fr", id="privacy-question-fr-points-to-the-ai-form"),
    pytest.param("privacy_question.pl", id="privacy-question-pl-fetch"),
    # The AI form's heading; its first question has no answer about third parties.
    pytest.param("no_third_party_choice.en", id="no-third-party-choice-en"),
    pytest.param("no_third_party_choice.de", id="no-third-party-choice-de-fetch"),
    pytest.param("no_third_party_choice.it", id="no-third-party-choice-it"),
    # An answer about third parties, but for ads, not for AI.
    pytest.param("third_party_ads_choice.en", id="third-party-choice-for-ads-en"),
]


@pytest.mark.parametrize("form", CASES)
def test_a_form_that_is_not_the_third_party_ai_objection_is_left_untouched(
    harness: Harness, form: str
) -> None:
    site = Site(f"third_party/wrong/{form}", LIAR)
    result = objection_without_account(harness, site)
    expect(harness, site, result, FAILED, sent=0)
    assert site.typed() == [], f"the tool typed into the wrong form: {site.typed()}"
    assert result.screenshot
