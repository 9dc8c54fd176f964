"""The whole submit flow, end to end on the replays, as `widerspruch submit` runs it."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from urllib.parse import parse_qsl

import pytest
from playwright.sync_api import BrowserContext, Route

from tests.conftest import EMAIL, Harness
from widerspruch.services import company_of, registry
from widerspruch.states import PageState, Status
from widerspruch.testing.person import StandInPerson
from widerspruch.testing.replay import SUBMIT_PATH, SentForm

FORMS_WITH_AI_QUESTION = ("form_2025", "ai_question", "form_variant", "form_steps")
# Every service one logs in to, as the registry lists them.
WITH_LOGIN = tuple(flow.service for flow in registry().flows if flow.needs_login)


def replica_cases(service: str) -> tuple[tuple[str, PageState], ...]:
    """The flow's ``replica_cases`` (see tests/test_page_states.py)."""
    cases: tuple[tuple[str, PageState], ...] = getattr(
        registry().flows_by_name[service], "replica_cases", ()
    )
    return cases


def forms_of(service: str) -> list[str]:
    """The service's replicas that are its form (or the form's first question)."""
    return [
        name
        for name, state in replica_cases(service)
        if state in (PageState.FORM, PageState.AI_QUESTION)
    ]


def end_to_end_forms() -> list[object]:
    return [
        pytest.param(service, form, id=f"{service}-{form}")
        for service in WITH_LOGIN
        for form in forms_of(service)
    ]


def answering(outcome: str) -> list[str]:
    """The services with a replica of Meta's (or another company's) `outcome` answer."""
    return [service for service in WITH_LOGIN if outcome in dict(replica_cases(service))]


def ledger_rows(harness: Harness) -> list[sqlite3.Row]:
    db = sqlite3.connect(harness.data_dir / "ledger.sqlite3")
    db.row_factory = sqlite3.Row
    return list(db.execute("SELECT * FROM objections ORDER BY id"))


@pytest.mark.parametrize("language", ["de", "en"])
@pytest.mark.parametrize(("service", "form"), end_to_end_forms())
def test_objection_is_confirmed_end_to_end(
    harness: Harness, service: str, language: str, form: str
) -> None:
    harness.replay.scenario.language = language
    harness.replay.scenario.form = form

    outcome = harness.submit(service)

    [result] = outcome.results
    assert result.status is Status.CONFIRMED, result.message
    assert outcome.ok
    [sent] = harness.replay.submissions
    assert sent.fields["email"] == EMAIL
    assert sent.fields["country"] == "DE"
    [row] = ledger_rows(harness)
    assert sent.fields["description"] == row["justification"]
    assert "Art. 21" in sent.fields["description"]
    if form in FORMS_WITH_AI_QUESTION:
        assert sent.fields["ai_question"] == "yes"
    assert row["status"] == "confirmed"
    # Person steps happened in the browser, by the stand-in, never by the tool.
    expected_steps = ["login_wall", "code_step"] if form == "form_2024" else ["login_wall"]
    assert harness.person.actions == expected_steps


@pytest.mark.parametrize("service", WITH_LOGIN)
def test_declines_optional_cookies_before_filling(harness: Harness, service: str) -> None:
    harness.submit(service)
    assert harness.replay.consent_choices == ["essential"]
    served = harness.replay.served
    form = next(page for page in served if page.partition("/")[2] in forms_of(service))
    assert served.index(f"{service}/cookie_banner") < served.index(form)


@pytest.mark.parametrize("service", WITH_LOGIN)
def test_waits_for_the_person_through_a_checkpoint(harness: Harness, service: str) -> None:
    harness.replay.scenario.checkpoint = True
    outcome = harness.submit(service)
    assert outcome.results[0].status is Status.CONFIRMED
    assert harness.person.actions == ["login_wall", "checkpoint"]


@pytest.mark.parametrize("service", WITH_LOGIN)
def test_already_logged_in_goes_straight_to_the_form(harness: Harness, service: str) -> None:
    harness.replay.scenario.logged_in = True
    outcome = harness.submit(service)
    assert outcome.results[0].status is Status.CONFIRMED
    assert harness.person.actions == []
    assert f"{service}/login" not in harness.replay.served


@pytest.mark.parametrize("service", WITH_LOGIN)
def test_error_page_is_failed_never_confirmed(harness: Harness, service: str) -> None:
    harness.replay.scenario.outcome = "error"
    outcome = harness.submit(service)
    [result] = outcome.results
    assert result.status is Status.FAILED
    assert not outcome.ok
    assert result.screenshot
    assert result.screenshot.endswith(".png")
    assert ledger_rows(harness)[0]["status"] == "failed"


def test_error_after_the_email_code_is_failed(harness: Harness) -> None:
    harness.replay.scenario.form = "form_2024"
    harness.person.code = "000000"  # the replay answers a wrong code with its error page
    outcome = harness.submit("instagram")
    assert outcome.results[0].status is Status.FAILED


@pytest.mark.parametrize("service", answering("refusal"))
def test_a_polite_refusal_is_failed_never_confirmed(harness: Harness, service: str) -> None:
    harness.replay.scenario.outcome = "refusal"
    outcome = harness.submit(service)
    [result] = outcome.results
    assert result.status is Status.FAILED, result.message
    assert f"{company_of(service)} answered, and not with an acceptance" in result.message
    assert len(harness.replay.submissions) == 1
    assert ledger_rows(harness)[0]["status"] == "failed"
    # It reached the company: the next run does not send it again by itself.
    again = harness.submit(service)
    assert again.results[0].status is Status.SUBMITTED_UNCONFIRMED
    assert len(harness.replay.submissions) == 1


@pytest.mark.parametrize("service", answering("unclear"))
def test_an_unclear_answer_is_submitted_unconfirmed_and_never_sent_twice(
    harness: Harness, service: str
) -> None:
    harness.replay.scenario.outcome = "unclear"
    outcome = harness.submit(service)
    [result] = outcome.results
    assert result.status is Status.SUBMITTED_UNCONFIRMED, result.message
    assert f"check your email for {company_of(service)}'s confirmation" in result.message
    assert ledger_rows(harness)[0]["status"] == "submitted_unconfirmed"

    again = harness.submit(service)

    assert again.results[0].status is Status.SUBMITTED_UNCONFIRMED
    assert "not sent again" in again.results[0].message
    assert len(harness.replay.submissions) == 1
    assert len(ledger_rows(harness)) == 1


@pytest.mark.parametrize("service", WITH_LOGIN)
def test_unavailable_form_is_reported(harness: Harness, service: str) -> None:
    harness.replay.scenario.unavailable = True
    outcome = harness.submit(service)
    assert outcome.results[0].status is Status.UNAVAILABLE
    assert harness.replay.submissions == []


def test_second_run_for_a_confirmed_account_sends_nothing(harness: Harness) -> None:
    assert harness.submit(*WITH_LOGIN).ok
    assert len(harness.replay.submissions) == len(WITH_LOGIN)

    outcome = harness.submit(*WITH_LOGIN)

    assert [r.status for r in outcome.results] == [Status.ALREADY_CONFIRMED] * len(WITH_LOGIN)
    assert outcome.ok
    assert len(harness.replay.submissions) == len(WITH_LOGIN)
    assert len(ledger_rows(harness)) == len(WITH_LOGIN)


def test_force_objects_again(harness: Harness) -> None:
    harness.submit("facebook")
    outcome = harness.submit("facebook", force=True)
    assert outcome.results[0].status is Status.CONFIRMED
    assert len(harness.replay.submissions) == 2


class IdlePerson(StandInPerson):
    """Someone who never logs in."""

    def act(self, need, page, flow, email):
        self.actions.append(need.value)


def test_gives_up_waiting_for_the_person_after_the_timeout(harness: Harness) -> None:
    harness.person = IdlePerson()
    outcome = harness.submit("facebook", timeout=2)
    [result] = outcome.results
    assert result.status is Status.TIMED_OUT
    assert "your login" in result.message
    # Nothing was sent, so the next run may try again.
    harness.person = StandInPerson()
    assert harness.submit("facebook").results[0].status is Status.CONFIRMED


def test_review_mode_lets_the_person_click_send(harness: Harness) -> None:
    outcome = harness.submit("facebook", review=True)
    assert outcome.results[0].status is Status.CONFIRMED
    assert harness.person.actions == ["login_wall", "review"]


def test_prefilled_other_email_is_replaced_only_when_the_person_agrees(
    harness: Harness,
) -> None:
    harness.replay.scenario.account_email = "old@example.org"
    outcome = harness.submit("facebook")
    assert outcome.results[0].status is Status.CONFIRMED
    assert "confirm" in harness.person.actions
    assert harness.replay.submissions[0].fields["email"] == EMAIL


def test_prefilled_other_email_kept_by_the_person_sends_nothing(harness: Harness) -> None:
    harness.replay.scenario.account_email = "old@example.org"
    harness.person.approve_email_change = False
    outcome = harness.submit("facebook")
    assert outcome.results[0].status is Status.CANCELLED
    assert harness.replay.submissions == []


def test_given_justification_is_sent_verbatim(harness: Harness) -> None:
    text = "Ich widerspreche. " * 10
    harness.submit("facebook", justification=text)
    assert harness.replay.submissions[0].fields["description"] == text.strip()


@pytest.mark.parametrize("form", ["form_2025", "form_2024"])
def test_login_expired_at_send_is_failed(harness: Harness, form: str) -> None:
    harness.replay.scenario.form = form
    harness.replay.scenario.session_expires_at_send = True
    outcome = harness.submit("facebook")
    [result] = outcome.results
    assert result.status is Status.FAILED
    assert "expired" in result.message


def test_confirmation_that_never_arrives_is_submitted_unconfirmed(harness: Harness) -> None:
    def lose_the_answer(context: BrowserContext) -> None:
        # Meta gets the POST, but its answer never reaches the browser.
        def received_then_lost(route: Route) -> None:
            fields = dict(parse_qsl(route.request.post_data or ""))
            harness.replay.submissions.append(SentForm(route.request.url, fields))
            route.abort("connectionreset")

        context.route(f"**{SUBMIT_PATH}", received_then_lost)

    harness.context_hook = lose_the_answer
    outcome = harness.submit("facebook", timeout=5)
    [result] = outcome.results
    assert result.status is Status.SUBMITTED_UNCONFIRMED, result.message
    assert ledger_rows(harness)[0]["status"] == "submitted_unconfirmed"

    # The next run must not send it again blindly.
    harness.context_hook = None
    again = harness.submit("facebook")
    assert again.results[0].status is Status.SUBMITTED_UNCONFIRMED
    assert "--force" in again.results[0].message
    assert len(ledger_rows(harness)) == 1
    assert len(harness.replay.submissions) == 1


def test_form_without_an_email_field_is_form_changed_and_left_untouched(
    harness: Harness,
) -> None:
    html = harness.replay.render("facebook", "form_2025").replace('type="email"', 'type="hidden"')

    def remove_email_field(context: BrowserContext) -> None:
        context.route(
            "**/help/contact/712876720715583",
            lambda route: route.fulfill(content_type="text/html", body=html),
        )

    harness.replay.scenario.logged_in = True
    harness.context_hook = remove_email_field
    outcome = harness.submit("facebook")
    [result] = outcome.results
    assert result.status is Status.FAILED
    assert "changed" in result.message
    assert "email" in result.message
    assert harness.replay.submissions == []


def test_own_template_file_is_filled_and_sent(harness: Harness, tmp_path: Path) -> None:
    mine = tmp_path / "mine.txt"
    mine.write_text(
        "# version: 3\nI object under Art. 21(1) GDPR to AI training on my data. "
        "Account: {email}. Country: {country}. Please confirm within one month.",
        encoding="utf-8",
    )
    outcome = harness.submit("facebook", template=str(mine), language="en")
    assert outcome.results[0].status is Status.CONFIRMED, outcome.results[0].message
    sent = harness.replay.submissions[0].fields["description"]
    assert sent.startswith("I object under Art. 21(1) GDPR")
    assert f"Account: {EMAIL}" in sent
    assert "Country: Germany" in sent
    assert ledger_rows(harness)[0]["template_version"] == "3"
