"""Another form behind the form's URL: nothing is typed, nothing is sent."""

from __future__ import annotations

import re

import pytest

from tests.adversarial.server import FAILED, Answer, Site, expect, objection
from tests.conftest import Harness
from widerspruch.services import registry

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
    # LinkedIn's form speaks of no AI, only of objecting to processing: look-alikes that
    # speak of neither, or of something else, behind its URL.
    pytest.param("linkedin", "wrong/login_problem.en", id="linkedin-login-problem-en"),
    pytest.param("linkedin", "wrong/data_copy.en", id="linkedin-data-copy-en"),
    pytest.param("linkedin", "wrong/login_problem.de", id="linkedin-login-problem-de"),
    pytest.param("linkedin", "wrong/ask_meta_ai.fr", id="linkedin-ask-ai-fr"),
]


@pytest.mark.parametrize(("service", "form"), CASES)
def test_a_look_alike_form_is_left_untouched(harness: Harness, service: str, form: str) -> None:
    site = Site(form, LIAR)
    result = objection(harness, site, service)
    expect(harness, site, result, FAILED, sent=0)
    company = registry().flow(service).company
    said = rf"not {re.escape(company)}['’]s (ai|data processing) objection form"
    assert re.search(said, result.message, re.IGNORECASE), result.message
    assert site.typed() == [], f"the tool typed into the look-alike: {site.typed()}"
    assert result.screenshot
