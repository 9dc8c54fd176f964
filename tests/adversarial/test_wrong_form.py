"""Another form behind the form's URL: nothing is typed, nothing is sent."""

from __future__ import annotations

import re

import pytest

from tests.adversarial.server import FAILED, Answer, Site, expect, objection
from tests.conftest import Harness

# Each look-alike would answer a submission with a friendly "received".
LIAR = Answer("confirmed_other.en")

CASES = [
    pytest.param("facebook", "wrong/login_problem.en", id="login-problem-en"),
    pytest.param("facebook", "wrong/ads_objection.en", id="ads-objection-en"),
    pytest.param("facebook", "wrong/ask_meta_ai.en", id="ask-meta-ai-en"),
    pytest.param("facebook", "wrong/data_copy.en", id="data-copy-en"),
    pytest.param("facebook", "wrong/processing_objection.en", id="objection-without-ai-en"),
    pytest.param("facebook", "wrong/login_problem_ai_links.en", id="login-problem-ai-links"),
    pytest.param("facebook", "wrong/login_problem.de", id="login-problem-de"),
    pytest.param("facebook", "wrong/ads_objection.de", id="ads-objection-de"),
    pytest.param("facebook", "wrong/ask_meta_ai.fr", id="ask-meta-ai-fr"),
    pytest.param("facebook", "wrong/ai_problem.es", id="ai-problem-es"),
    pytest.param("facebook", "wrong/ads_objection.nl", id="ads-objection-nl"),
    pytest.param("facebook", "wrong/login_problem.pl", id="login-problem-pl"),
    pytest.param("instagram", "wrong/instagram_hacked.en", id="instagram-hacked-account"),
]


@pytest.mark.parametrize(("service", "form"), CASES)
def test_a_look_alike_form_is_left_untouched(harness: Harness, service: str, form: str) -> None:
    site = Site(form, LIAR)
    result = objection(harness, site, service)
    expect(harness, site, result, FAILED, sent=0)
    assert re.search(r"not meta['’]s ai objection form", result.message, re.IGNORECASE), (
        result.message
    )
    assert site.typed() == [], f"the tool typed into the look-alike: {site.typed()}"
    assert result.screenshot
