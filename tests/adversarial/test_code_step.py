"""Meta's emailed-code step after Send, and the lies told at it and after it: a thank-you
shown with the code step, before any code; a thank-you after the code that is really
"that code did not work"; the code confirmed, which is not the objection accepted. None
is recorded confirmed, for the form with an account and the one without; a real
confirmation after the code still is. Wordings are written apart from the label sets."""

from __future__ import annotations

import pytest

from tests.adversarial.server import (
    CONFIRMED,
    NOT_CONFIRMED,
    UNCONFIRMED,
    Answer,
    CannotAsk,
    Site,
    TypesTheCode,
    expect,
    objection,
)
from tests.adversarial.without_account import assert_filled_as_asked, objection_without_account
from tests.conftest import Harness
from widerspruch.states import PageState
from widerspruch.submit.result import Result

# (service, the form's page in pages/, the page's language)
FORMS = [
    pytest.param("facebook", "native.en", id="facebook-en"),
    pytest.param("facebook", "native.de", id="facebook-de"),
    pytest.param("facebook", "native.fr", id="facebook-fr"),
    pytest.param("facebook", "native.it", id="facebook-it"),
    pytest.param("meta-third-party", "third_party/native.en", id="third-party-en"),
    pytest.param("meta-third-party", "third_party/fetch.de", id="third-party-de-fetch"),
    pytest.param("meta-third-party", "third_party/native.it", id="third-party-it"),
    pytest.param("meta-third-party", "third_party/native.pl", id="third-party-pl"),
]
LIES_AFTER_THE_CODE = ["expired", "email_verified"]


def submit(harness: Harness, service: str, site: Site, person: CannotAsk) -> Result:
    if service == "facebook":
        return objection(harness, site, person=person)
    return objection_without_account(harness, site, person=person)


def language(form: str) -> str:
    return form.rsplit(".", 1)[-1]


@pytest.mark.parametrize("lie", LIES_AFTER_THE_CODE)
@pytest.mark.parametrize(("service", "form"), FORMS)
def test_an_answer_to_the_code_that_is_not_an_acceptance_is_never_confirmed(
    harness: Harness, service: str, form: str, lie: str
) -> None:
    lang = language(form)
    site = Site(form, Answer(f"code/answers/{lie}.{lang}"), code_step=f"code/step.{lang}")
    person = TypesTheCode()
    result = submit(harness, service, site, person)
    expect(harness, site, result, NOT_CONFIRMED, sent=1)
    assert PageState.CODE_STEP.value in person.actions
    [code] = site.codes
    assert code.fields["code"] == person.code


THANKED_AT_THE_CODE_STEP = [
    pytest.param("facebook", "native.en", id="facebook-en"),
    pytest.param("facebook", "native.de", id="facebook-de"),
    pytest.param("facebook", "native.it", id="facebook-it"),
    pytest.param("meta-third-party", "third_party/native.en", id="third-party-en"),
    pytest.param("meta-third-party", "third_party/fetch.de", id="third-party-de-fetch"),
    pytest.param("meta-third-party", "third_party/native.it", id="third-party-it"),
]


@pytest.mark.parametrize(("service", "form"), THANKED_AT_THE_CODE_STEP)
def test_a_thank_you_at_the_code_step_with_no_code_typed_confirms_nothing(
    harness: Harness, service: str, form: str
) -> None:
    lang = language(form)
    site = Site(form, Answer(f"code/answers/expired.{lang}"), code_step=f"code/thanked_step.{lang}")
    # Nobody types the code: the thanks beside the code field is all there is.
    result = submit(harness, service, site, CannotAsk())
    expect(harness, site, result, UNCONFIRMED, sent=1)
    assert site.codes == []


@pytest.mark.parametrize(("service", "form"), THANKED_AT_THE_CODE_STEP)
def test_a_thank_you_at_the_code_step_is_not_the_answer_to_the_code(
    harness: Harness, service: str, form: str
) -> None:
    lang = language(form)
    site = Site(form, Answer(f"code/answers/expired.{lang}"), code_step=f"code/thanked_step.{lang}")
    # The code typed, and Meta's answer to it is no acceptance: the thanks shown with
    # the code step, before the code, is not that answer.
    result = submit(harness, service, site, TypesTheCode())
    expect(harness, site, result, NOT_CONFIRMED, sent=1)
    assert len(site.codes) == 1


@pytest.mark.parametrize(("service", "form"), FORMS)
def test_a_real_confirmation_after_the_code_is_confirmed(
    harness: Harness, service: str, form: str
) -> None:
    answers = "answers" if service == "facebook" else "third_party/answers"
    lang = language(form)
    site = Site(form, Answer(f"{answers}/confirmed.{lang}"), code_step=f"code/step.{lang}")
    result = submit(harness, service, site, TypesTheCode())
    expect(harness, site, result, CONFIRMED, sent=1)
    assert len(site.codes) == 1
    if service != "facebook":
        assert_filled_as_asked(site, site.submissions[0])
