"""What real forms ask for: accuracy boxes (never marketing ones), a second email field,
several steps, a form that comes late, a cookie banner that comes later still, and a Send
button that stays disabled for something the tool must not fill."""

from __future__ import annotations

import re

import pytest

from tests.adversarial.server import CONFIRMED, FAILED, Answer, Site, expect, objection
from tests.conftest import EMAIL, Harness

NOTHING_SENT = re.compile(
    r"nothing (was |has been )?(sent|submitted)|not (been )?sent|nothing left", re.I
)


@pytest.mark.parametrize(
    ("form", "answer"),
    [
        pytest.param("mechanics/accuracy.en", Answer("confirmed.en"), id="en-native"),
        pytest.param("mechanics/accuracy.de", Answer("confirmed.de"), id="de-aria-checkbox"),
        pytest.param("mechanics/accuracy.fr", Answer("confirmed.fr"), id="fr-label-for"),
    ],
)
def test_accuracy_box_is_ticked_and_marketing_box_is_not(
    harness: Harness, form: str, answer: Answer
) -> None:
    site = Site(form, answer)
    result = objection(harness, site)
    expect(harness, site, result, CONFIRMED, sent=1)
    [sent] = site.submissions
    assert sent.fields.get("accurate") == "on"
    assert sent.fields.get("marketing", "") == ""


@pytest.mark.parametrize(
    ("form", "answer"),
    [
        pytest.param("mechanics/reenter.en", Answer("confirmed.en"), id="en-native"),
        pytest.param("mechanics/reenter.de", Answer("confirmed.de"), id="de-fetch"),
    ],
)
def test_re_enter_email_field_gets_the_address(harness: Harness, form: str, answer: Answer) -> None:
    site = Site(form, answer)
    result = objection(harness, site)
    expect(harness, site, result, CONFIRMED, sent=1)
    assert site.submissions[0].fields["email"] == EMAIL
    assert site.submissions[0].fields["email_confirm"] == EMAIL


@pytest.mark.parametrize(
    ("form", "working_form", "answer"),
    [
        pytest.param("mechanics/id_upload.en", "native.en", Answer("confirmed.en"), id="en-id"),
        pytest.param("mechanics/birth_date.de", "fetch.de", Answer("confirmed.de"), id="de-dob"),
    ],
)
def test_send_kept_disabled_sends_nothing_and_leaves_the_next_run_free(
    harness: Harness, form: str, working_form: str, answer: Answer
) -> None:
    site = Site(form, answer)
    result = objection(harness, site)
    expect(harness, site, result, FAILED, sent=0)
    assert NOTHING_SENT.search(result.message), result.message

    site.form = working_form  # Meta fixed its form; the next run simply tries again
    again = objection(harness, site)
    expect(harness, site, again, CONFIRMED, sent=1)


@pytest.mark.parametrize(
    ("form", "answer"),
    [
        pytest.param("steps/steps.en", Answer("confirmed.en"), id="en-next"),
        pytest.param("steps/steps.de", Answer("confirmed.de"), id="de-weiter-fetch"),
        pytest.param("steps/steps.fr", Answer("confirmed.fr"), id="fr-suivant"),
    ],
)
def test_multi_step_form_is_followed_to_the_end(
    harness: Harness, form: str, answer: Answer
) -> None:
    site = Site(form, answer)
    result = objection(harness, site)
    expect(harness, site, result, CONFIRMED, sent=1)
    [sent] = site.submissions
    assert sent.fields["email"] == EMAIL
    assert sent.fields["country"] == site.country
    # The justification, in the language of the person's country: "Art. 21", "article 21".
    assert re.search(r"\b[Aa]rt(?:\.|icle) 21\b", sent.fields["description"])


def test_form_that_appears_seconds_after_load(harness: Harness) -> None:
    site = Site("late/form.en", Answer("confirmed.en"))
    result = objection(harness, site)
    expect(harness, site, result, CONFIRMED, sent=1)


@pytest.mark.parametrize(
    ("form", "answer"),
    [
        pytest.param("late/banner.de", Answer("confirmed.de"), id="de"),
        pytest.param("late/banner.it", Answer("confirmed.it"), id="it-without-article"),
        pytest.param("late/banner.pl", Answer("confirmed.pl"), id="pl"),
        pytest.param(
            "late/banner_on_pointer.sv", Answer("confirmed.sv"), id="sv-between-find-and-click"
        ),
    ],
)
def test_cookie_banner_after_the_form_is_declined_never_allowed(
    harness: Harness, form: str, answer: Answer
) -> None:
    site = Site(form, answer)
    result = objection(harness, site)
    assert site.clicked("allow_all") == 0
    assert "all" not in site.consent
    assert site.consent == ["essential"], result.message
    expect(harness, site, result, CONFIRMED, sent=1)
