"""`submit` and an objection that may already have reached Meta: it shows what it knows
and sends again only on the person's explicit yes; another live run stops it at once."""

from __future__ import annotations

from urllib.parse import parse_qsl

from playwright.sync_api import BrowserContext, Route

from tests.claims import live_process, other_owner
from tests.conftest import Harness
from widerspruch.ledger import Ledger
from widerspruch.states import Status
from widerspruch.submit.person import PersonCannotAct
from widerspruch.testing.person import StandInPerson
from widerspruch.testing.replay import SUBMIT_PATH, SentForm


class Asked(StandInPerson):
    """A person who answers "Send it again?" with `answer`, and keeps the questions."""

    def __init__(self, answer: bool | None) -> None:
        super().__init__(send_again=bool(answer))
        self.answer = answer
        self.questions: list[str] = []

    def confirm(self, question: str) -> bool:
        self.questions.append(question)
        if self.answer is None:
            raise PersonCannotAct(f"{question} (a question needs an answer; --yes never asks)")
        return super().confirm(question)


def lose_the_answer(harness: Harness) -> None:
    """Meta gets the POST; its answer never reaches the browser."""

    def hook(context: BrowserContext) -> None:
        def received_then_lost(route: Route) -> None:
            fields = dict(parse_qsl(route.request.post_data or ""))
            harness.replay.submissions.append(SentForm(route.request.url, fields))
            route.abort("connectionreset")

        context.route(f"**{SUBMIT_PATH}", received_then_lost)

    harness.context_hook = hook


def maybe_sent(harness: Harness) -> int:
    lose_the_answer(harness)
    [result] = harness.submit("facebook", timeout=5).results
    assert result.status is Status.SUBMITTED_UNCONFIRMED, result.message
    harness.context_hook = None
    assert result.objection_id is not None
    return result.objection_id


def test_the_person_is_shown_what_is_known_and_a_no_sends_nothing(harness: Harness) -> None:
    first = maybe_sent(harness)
    harness.person = Asked(False)
    [result] = harness.submit("facebook").results

    assert result.status is Status.SUBMITTED_UNCONFIRMED
    assert "not sent again (you said no)" in result.message
    assert len(harness.replay.submissions) == 1
    [question] = harness.person.questions
    assert question.startswith(f"Objection #{first} for j***@example.org on facebook may")
    assert "submitted_unconfirmed" in question
    assert "Screenshot: " in question
    assert f"widerspruch confirm {first} --eml FILE" in question
    assert question.endswith("Send it again?")


def test_an_explicit_yes_sends_it_again_and_keeps_the_first_record(harness: Harness) -> None:
    first = maybe_sent(harness)
    harness.person = Asked(True)
    [result] = harness.submit("facebook").results

    assert result.status is Status.CONFIRMED, result.message
    assert result.objection_id != first
    assert len(harness.replay.submissions) == 2
    with Ledger.open(harness.data_dir) as ledger:
        assert ledger.get(first).status is Status.SUBMITTED_UNCONFIRMED
        [note] = [e for e in ledger.events(first) if e.kind == "batch"]
    assert note.state == "sent_again"
    assert f"as objection #{result.objection_id}" in (note.detail or "")


def test_with_nobody_to_ask_it_is_skipped_with_the_reason(harness: Harness) -> None:
    maybe_sent(harness)
    harness.person = Asked(None)  # --yes, or no terminal
    [result] = harness.submit("facebook").results

    assert result.status is Status.SUBMITTED_UNCONFIRMED
    assert "not sent again (nobody at a terminal to ask, or --yes)" in result.message
    assert "use --force" in result.message
    assert len(harness.replay.submissions) == 1


def test_force_sends_it_again_without_asking(harness: Harness) -> None:
    maybe_sent(harness)
    harness.person = Asked(None)
    [result] = harness.submit("facebook", force=True).results
    assert result.status is Status.CONFIRMED
    assert harness.person.questions == []
    assert len(harness.replay.submissions) == 2


def test_a_live_claim_stops_submit_before_any_browser_page(harness: Harness) -> None:
    harness.data_dir.mkdir(parents=True)
    with Ledger.open(harness.data_dir) as mine, other_owner(mine, live_process()) as other:
        other.claim(
            service="facebook",
            account_email="jana@example.org",
            country="DE",
            language="de",
            template="standard",
            template_version="1",
            justification="Ich widerspreche.",
            form_url="https://www.facebook.com/help/contact/712876720715583",
            force=False,
        )
    outcome = harness.submit("facebook", force=True)  # --force never takes a live claim
    [result] = outcome.results

    assert result.message.startswith(
        "another widerspruch run is objecting for j***@example.org on facebook since "
    )
    assert "on this machine); nothing sent" in result.message
    assert not outcome.ok
    assert harness.contexts == []  # no browser page was opened
    assert harness.replay.submissions == []
