"""Fault injection for `batch`: a fault hits one member; that member ends in one truthful
state (never "confirmed" without Meta's confirmation), the others go on, and the next
run sends each objection once."""

from __future__ import annotations

import os
import signal
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest
from playwright.sync_api import BrowserContext, Page, Route
from typer.testing import CliRunner

from tests.conftest import Harness
from tests.faults.arranged import Vanishing, fill_the_disk
from tests.test_batch import member, members, run, sent_emails, states
from widerspruch import browser as browser_module
from widerspruch.batch import BatchOutcome, ItemState, Review
from widerspruch.cli import app
from widerspruch.ledger import Ledger
from widerspruch.page.flow import Flow
from widerspruch.states import PageState, Status
from widerspruch.testing.operator import ScriptedOperator
from widerspruch.testing.person import StandInPerson
from widerspruch.testing.replay import DONE_PATH, SUBMIT_PATH, SentForm

FORM_PATH = "**/help/contact/712876720715583"
FIRST = "m1@example.org"


def for_the_first_member(harness: Harness, arrange: Callable[[BrowserContext], object]) -> None:
    """Apply `arrange` to member 1's browser context only (each member gets a new one)."""
    contexts: list[BrowserContext] = []

    def hook(context: BrowserContext) -> None:
        contexts.append(context)
        if len(contexts) == 1:
            arrange(context)

    harness.context_hook = hook


def route_first(path: str, handler: Callable[[Route], Any]) -> Callable[[Harness], None]:
    return lambda harness: for_the_first_member(
        harness, lambda context: context.route(path, handler)
    )


def received_then(error: str | None) -> Callable[[Harness], None]:
    """Meta gets member 1's POST and takes it; the answer is lost (`error`) or never comes."""

    def arrange(harness: Harness) -> None:
        def handle(route: Route) -> None:
            fields = dict(parse_qsl(route.request.post_data or ""))
            harness.replay.submissions.append(SentForm(route.request.url, fields))
            harness.replay.objected[("facebook", fields["email"])] = "2026-05-04"
            if error is not None:
                route.abort(error)

        for_the_first_member(harness, lambda context: context.route(f"**{SUBMIT_PATH}", handle))

    return arrange


def session_expires_for_the_first_member(harness: Harness) -> None:
    contexts: list[BrowserContext] = []

    def hook(context: BrowserContext) -> None:
        contexts.append(context)
        harness.replay.scenario.session_expires_at_send = len(contexts) == 1

    harness.context_hook = hook


def confirmation_never_loads(harness: Harness) -> None:
    # The 2024 form: Meta has the objection once the emailed code is in; the page that
    # would say so (a redirect) never loads.
    harness.replay.scenario.form = "form_2024"
    harness.replay.scenario.confirm_by_redirect = True
    route_first(f"**{DONE_PATH}", lambda route: route.abort("connectionreset"))(harness)


def vanishing(at: PageState, what: str, form: str = "form_2025") -> Callable[[Harness], None]:
    def arrange(harness: Harness) -> None:
        harness.replay.scenario.form = form
        harness.person = Vanishing(at, what, only=FIRST)

    return arrange


@dataclass(frozen=True)
class Fault:
    arrange: Callable[[Harness], None]
    status: Status  # member 1's objection afterwards
    reason: str  # what member 1's item says
    response_timeout: float = 20


def run_with_the_first_member_faulted(
    arranged: Fault, harness: Harness, tmp_path: Path
) -> tuple[Path, BatchOutcome]:
    """A batch of two members, the fault arranged for the first: its item and objection
    say what the fault says, and the second member is confirmed all the same."""
    path = members(tmp_path, member(1), member(2))
    arranged.arrange(harness)
    outcome = run(harness, path, response_timeout=arranged.response_timeout)
    first = outcome.items[0]
    assert arranged.reason in (first.reason or "")
    assert outcome.objections[first.objection_id or 0].status is arranged.status
    assert states(outcome)[1:] == [("0002", "facebook", ItemState.CONFIRMED)]
    return path, outcome


# Nothing left the browser: member 1 failed, and a new run of the file sends it once.
BEFORE_SEND = {
    "form GET reset": Fault(
        route_first(FORM_PATH, lambda route: route.abort("connectionreset")),
        Status.FAILED,
        "the connection to www.facebook.com failed",
    ),
    "form GET silent past the timeout": Fault(
        route_first(FORM_PATH, lambda route: None), Status.FAILED, "did not finish loading", 2
    ),
    "POST refused": Fault(
        route_first(f"**{SUBMIT_PATH}", lambda route: route.abort("connectionrefused")),
        Status.FAILED,
        "nothing was sent",
    ),
    "tab closed before send": Fault(
        vanishing(PageState.LOGIN_WALL, "tab"), Status.CANCELLED, "nothing sent"
    ),
    "window closed before send": Fault(
        vanishing(PageState.LOGIN_WALL, "window"), Status.CANCELLED, "nothing sent"
    ),
}


@pytest.mark.parametrize("fault", sorted(BEFORE_SEND))
def test_a_fault_before_send_fails_that_member_and_the_next_run_sends_it_once(
    harness: Harness, tmp_path: Path, fault: str
) -> None:
    path, outcome = run_with_the_first_member_faulted(BEFORE_SEND[fault], harness, tmp_path)
    assert states(outcome)[0] == ("0001", "facebook", ItemState.FAILED)
    assert sent_emails(harness) == ["m2@example.org"]
    assert not outcome.ok

    harness.context_hook = None  # the fault is gone; the same file again
    harness.person = StandInPerson()
    harness.replay.scenario.session_expires_at_send = False
    again = run(harness, path)
    assert states(again) == [
        ("0001", "facebook", ItemState.CONFIRMED),
        ("0002", "facebook", ItemState.SKIPPED),
    ]
    assert sent_emails(harness) == ["m2@example.org", FIRST]
    assert again.ok


def test_a_session_expired_at_send_is_failed_and_left_for_the_operator(
    harness: Harness, tmp_path: Path
) -> None:
    # Meta answered the POST with its login page: it did not take the form, but it has
    # seen the request, so nothing sends it again without the operator's word.
    fault = Fault(session_expires_for_the_first_member, Status.FAILED, "expired")
    _, outcome = run_with_the_first_member_faulted(fault, harness, tmp_path)
    assert states(outcome)[0] == ("0001", "facebook", ItemState.SUBMITTED)
    assert sent_emails(harness) == ["m2@example.org"]
    assert not outcome.ok


# It may have reached Meta: "submitted", never "confirmed"; a resume never sends it again
# by itself: it goes to the review list, for the operator to decide.
AFTER_SEND = {
    "POST answer lost": Fault(
        received_then("connectionreset"), Status.SUBMITTED_UNCONFIRMED, "Meta may have it"
    ),
    "POST answer never comes": Fault(
        received_then(None), Status.SUBMITTED_UNCONFIRMED, "Meta may have it", 2
    ),
    "confirmation GET never loads": Fault(
        confirmation_never_loads,
        Status.SUBMITTED_UNCONFIRMED,
        "check your email for Meta's confirmation",
        3,
    ),
}


@pytest.mark.parametrize("fault", sorted(AFTER_SEND))
def test_a_fault_after_send_is_submitted_and_a_resume_does_not_resend(
    harness: Harness, tmp_path: Path, fault: str
) -> None:
    path, outcome = run_with_the_first_member_faulted(AFTER_SEND[fault], harness, tmp_path)
    assert states(outcome)[0] == ("0001", "facebook", ItemState.SUBMITTED)
    first = outcome.items[0]
    assert sent_emails(harness) == [FIRST, "m2@example.org"]
    assert not outcome.ok

    harness.context_hook = None
    operator = ScriptedOperator()
    again = run(harness, path, operator, resume=True)  # --yes: nobody decides
    assert states(again) == [
        ("0001", "facebook", ItemState.SUBMITTED),
        ("0002", "facebook", ItemState.CONFIRMED),
    ]
    assert sent_emails(harness) == [FIRST, "m2@example.org"]  # nothing sent twice
    assert again.items[0].objection_id == first.objection_id
    assert any(line.startswith("To review: member 0001, facebook") for line in operator.lines)
    assert not again.ok
    with Ledger.open(harness.data_dir) as ledger:
        kept = ledger.get(first.objection_id or 0)
        assert len(ledger.objections()) == 2  # no new objection for member 1
    assert kept.status is Status.SUBMITTED_UNCONFIRMED  # never confirmed without Meta


@pytest.mark.parametrize("what", ["tab", "window"])
def test_closed_at_the_emailed_code_is_submitted_and_sent_again_only_on_the_operators_word(
    harness: Harness, tmp_path: Path, what: str
) -> None:
    # The 2024 form takes the objection only with the emailed code: Meta does not have it.
    path = members(tmp_path, member(1), member(2))
    vanishing(PageState.CODE_STEP, what, form="form_2024")(harness)
    outcome = run(harness, path)
    assert states(outcome) == [
        ("0001", "facebook", ItemState.SUBMITTED),
        ("0002", "facebook", ItemState.CONFIRMED),
    ]
    earlier = outcome.items[0].objection_id or 0
    assert outcome.objections[earlier].status is Status.SUBMITTED_UNCONFIRMED

    harness.person = StandInPerson()
    operator = ScriptedOperator(reviews=[Review.SEND_AGAIN])
    again = run(harness, path, operator, resume=True, assume_yes=False)
    assert [state for *_, state in states(again)] == [ItemState.CONFIRMED] * 2
    assert operator.asked == ["0001/facebook: review"]
    assert sent_emails(harness) == [FIRST, "m2@example.org", FIRST]
    with Ledger.open(harness.data_dir) as ledger:
        assert ledger.get(earlier).status is Status.SUBMITTED_UNCONFIRMED  # kept as it was
        assert [e.state for e in ledger.events(earlier) if e.kind == "batch"] == ["sent_again"]


def test_a_browser_killed_mid_member_stops_the_batch_and_resume_finishes_it(
    harness: Harness,
    tmp_path: Path,
    browser_type: Any,
    browser_type_launch_args: dict[str, Any],
) -> None:
    # Its own browser, so the shared one survives; the process itself tells its pid.
    own = browser_type.launch(**browser_type_launch_args)
    processes = own.new_browser_cdp_session().send("SystemInfo.getProcessInfo")
    [pid] = [p["id"] for p in processes["processInfo"] if p["type"] == "browser"]

    class Crash(StandInPerson):
        def act(self, need: PageState, page: Page, flow: Flow, email: str) -> None:
            if email == FIRST:
                os.kill(pid, signal.SIGKILL)
            super().act(need, page, flow, email)

    harness.browser = own
    harness.person = Crash()
    path = members(tmp_path, member(1), member(2))
    outcome = run(harness, path)
    assert outcome.stopped == "the browser closed or crashed"
    assert not outcome.interrupted
    assert states(outcome) == [
        ("0001", "facebook", ItemState.PENDING),
        ("0002", "facebook", ItemState.PENDING),
    ]
    assert "nothing sent" in (outcome.items[0].reason or "")
    assert harness.replay.submissions == []

    harness.browser = harness.playwright.chromium.launch(**browser_type_launch_args)
    harness.person = StandInPerson()
    try:
        again = run(harness, path, resume=True)
    finally:
        harness.browser.close()
    assert [state for *_, state in states(again)] == [ItemState.CONFIRMED] * 2
    assert sent_emails(harness) == [FIRST, "m2@example.org"]


def test_a_form_changed_between_runs_fills_nothing_and_keeps_a_screenshot(
    harness: Harness, tmp_path: Path
) -> None:
    assert run(harness, members(tmp_path, member(1), name="first.csv")).ok
    changed = harness.replay.render("facebook", "form_2025").replace(
        'type="email"', 'type="hidden"'
    )
    posts: list[str] = []

    def serve_changed(context: BrowserContext) -> None:
        context.route(
            FORM_PATH, lambda route: route.fulfill(content_type="text/html", body=changed)
        )
        context.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)

    harness.context_hook = serve_changed
    harness.replay.scenario.logged_in = True
    outcome = run(harness, members(tmp_path, member(2), name="second.csv"))
    [item] = outcome.items
    assert item.state is ItemState.FAILED
    assert "form has changed" in (item.reason or "")
    objection = outcome.objections[item.objection_id or 0]
    assert objection.status is Status.FAILED
    assert list((harness.data_dir).rglob("*.png"))  # the changed form, as it looked
    assert not [url for url in posts if SUBMIT_PATH in url]
    assert sent_emails(harness) == [FIRST]


UNUSABLE = {
    "full disk": ("the disk holding {data_dir} is full", "Free some space"),
    "data dir is a file": ("the data dir {data_dir} is not usable", "it is a file, not a folder"),
}


@pytest.mark.parametrize("how", sorted(UNUSABLE))
def test_an_unusable_data_dir_is_one_line_and_exit_2_before_any_browser(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, how: str
) -> None:
    path = members(tmp_path, member(1))
    data_dir = tmp_path / "data"
    opened: list[Any] = []
    monkeypatch.setattr(browser_module, "open_browser", lambda **options: opened.append(options))
    if how == "full disk":
        fill_the_disk(monkeypatch)
    else:
        data_dir.write_text("not a folder")
    done = CliRunner().invoke(
        app, ["batch", str(path), "--yes", "--headless", "--json", "--data-dir", str(data_dir)]
    )
    assert done.exit_code == 2
    assert done.stdout == ""
    [line] = done.stderr.splitlines()
    start, reason = UNUSABLE[how]
    assert line.startswith("widerspruch: error: " + start.format(data_dir=data_dir))
    assert reason in line
    assert opened == []
