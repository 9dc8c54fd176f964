"""Fault injection for `submit`: every failure ends in a truthful ledger state, a clear
message and the right exit code, and nothing is ever sent twice."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest
from playwright.sync_api import BrowserContext, Page, Route

from tests.conftest import Harness, assert_no_secret_leaked
from tests.faults.arranged import Vanishing, fill_the_disk
from widerspruch.errors import UsageError
from widerspruch.page.flow import Flow
from widerspruch.settings import prepare_data_dir
from widerspruch.states import PageState, Status
from widerspruch.testing.person import StandInPerson
from widerspruch.testing.replay import DONE_PATH, SUBMIT_PATH, SentForm

FORM_PATH = "**/help/contact/712876720715583"


def statuses(harness: Harness) -> list[str]:
    db = sqlite3.connect(harness.data_dir / "ledger.sqlite3")
    return [row[0] for row in db.execute("SELECT status FROM objections ORDER BY id")]


def on_context(harness: Harness, path: str, handler: Any) -> None:
    harness.context_hook = lambda context: context.route(path, handler)


def received_then(harness: Harness, error: str) -> Any:
    """Meta gets the POST; then the connection fails with `error` on the way back."""

    def handle(route: Route) -> None:
        fields = dict(parse_qsl(route.request.post_data or ""))
        harness.replay.submissions.append(SentForm(route.request.url, fields))
        route.abort(error)

    return handle


# -- the network --------------------------------------------------------------------


def test_network_abort_on_the_form_get_fails_cleanly(harness: Harness) -> None:
    on_context(harness, FORM_PATH, lambda route: route.abort("connectionreset"))
    [result] = harness.submit("facebook").results
    assert result.status is Status.FAILED
    assert "the connection to www.facebook.com failed" in result.message
    assert statuses(harness) == ["failed"]


def test_post_refused_before_reaching_meta_is_failed_and_may_be_retried(
    harness: Harness,
) -> None:
    on_context(harness, f"**{SUBMIT_PATH}", lambda route: route.abort("connectionrefused"))
    [result] = harness.submit("facebook").results
    assert result.status is Status.FAILED
    assert harness.replay.submissions == []
    harness.context_hook = None
    assert harness.submit("facebook").results[0].status is Status.CONFIRMED


@pytest.mark.parametrize("error", ["connectionreset", "connectionclosed", "timedout"])
def test_post_lost_after_reaching_meta_is_submitted_unconfirmed(
    harness: Harness, error: str
) -> None:
    on_context(harness, f"**{SUBMIT_PATH}", received_then(harness, error))
    [result] = harness.submit("facebook").results
    assert result.status is Status.SUBMITTED_UNCONFIRMED
    assert "check your email" in result.message
    harness.context_hook = None
    # A later run looks at the ledger first and does not resend.
    again = harness.submit("facebook").results[0]
    assert again.status is Status.SUBMITTED_UNCONFIRMED
    assert len(harness.replay.submissions) == 1


def test_confirmation_get_that_never_loads_is_submitted_unconfirmed(harness: Harness) -> None:
    harness.replay.scenario.form = "form_2024"
    harness.replay.scenario.confirm_by_redirect = True
    on_context(harness, f"**{DONE_PATH}", lambda route: route.abort("connectionreset"))
    [result] = harness.submit("facebook", response_timeout=3).results
    assert result.status is Status.SUBMITTED_UNCONFIRMED
    assert len(harness.replay.codes) == 1
    assert statuses(harness) == ["submitted_unconfirmed"]


def test_confirmation_by_redirect_is_confirmed_when_it_loads(harness: Harness) -> None:
    harness.replay.scenario.form = "form_2024"
    harness.replay.scenario.confirm_by_redirect = True
    assert harness.submit("facebook").results[0].status is Status.CONFIRMED


def test_slow_server_past_the_timeout_fails_without_sending(harness: Harness) -> None:
    # A route that is never answered: the server is silent.
    on_context(harness, FORM_PATH, lambda route: None)
    [result] = harness.submit("facebook", response_timeout=2).results
    assert result.status is Status.FAILED
    assert "did not finish loading within 2 seconds" in result.message
    assert harness.replay.submissions == []


def test_silent_server_after_send_is_submitted_unconfirmed(harness: Harness) -> None:
    def swallow(route: Route) -> None:
        harness.replay.submissions.append(SentForm(route.request.url, {}))

    on_context(harness, f"**{SUBMIT_PATH}", swallow)
    [result] = harness.submit("facebook", response_timeout=2).results
    assert result.status is Status.SUBMITTED_UNCONFIRMED


def test_session_expiring_between_form_and_send_is_failed(harness: Harness) -> None:
    harness.replay.scenario.session_expires_at_send = True
    [result] = harness.submit("instagram").results
    assert result.status is Status.FAILED
    assert "expired" in result.message


# -- the browser and the person -------------------------------------------------------


@pytest.mark.parametrize("what", ["tab", "window"])
def test_closed_before_send_is_cancelled(harness: Harness, what: str) -> None:
    harness.person = Vanishing(PageState.LOGIN_WALL, what)
    [result] = harness.submit("facebook").results
    assert result.status is Status.CANCELLED
    assert "closed" in result.message
    assert "nothing sent" in result.message
    assert statuses(harness) == ["cancelled"]


@pytest.mark.parametrize("what", ["tab", "window"])
def test_closed_after_send_is_submitted_unconfirmed(harness: Harness, what: str) -> None:
    harness.replay.scenario.form = "form_2024"  # the emailed code comes after Send
    harness.person = Vanishing(PageState.CODE_STEP, what)
    [result] = harness.submit("facebook").results
    assert result.status is Status.SUBMITTED_UNCONFIRMED
    assert statuses(harness) == ["submitted_unconfirmed"]


def test_browser_process_dying_mid_flow_is_recorded_truthfully(
    harness: Harness, browser_type: Any, browser_type_launch_args: dict[str, Any]
) -> None:
    # Its own browser, so the shared one survives: the person's step kills it.
    own = browser_type.launch(**browser_type_launch_args)
    harness.browser = own

    class Crash(StandInPerson):
        def act(self, need: PageState, page: Page, flow: Flow, email: str) -> None:
            self.actions.append(need.value)
            own.close()  # as abrupt as a crash, from Playwright's side

    harness.person = Crash()
    [result] = harness.submit("facebook").results
    assert result.status is Status.CANCELLED
    assert statuses(harness) == ["cancelled"]


# -- the form ---------------------------------------------------------------------


def test_form_changed_between_runs_fills_nothing_and_keeps_a_screenshot(
    harness: Harness,
) -> None:
    assert harness.submit("instagram").ok
    changed = harness.replay.render("instagram", "form_2025").replace(
        'type="email"', 'type="hidden"'
    )
    filled: list[str] = []

    def serve_changed(context: BrowserContext) -> None:
        context.route(
            "**/contact/767264225370182",
            lambda route: route.fulfill(content_type="text/html", body=changed),
        )
        context.on("request", lambda r: filled.append(r.url) if r.method == "POST" else None)

    harness.context_hook = serve_changed
    harness.replay.scenario.logged_in = True
    [result] = harness.submit("instagram", force=True).results
    assert result.status is Status.FAILED
    assert "form has changed" in result.message
    assert result.screenshot
    assert Path(result.screenshot).exists()
    assert not [url for url in filled if SUBMIT_PATH in url]


# -- the data dir and the ledger --------------------------------------------------------


def test_full_disk_is_a_clear_error_before_any_browser(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fill_the_disk(monkeypatch)
    with pytest.raises(UsageError, match="is full"):
        prepare_data_dir(tmp_path / "data")


# -- the guard itself ---------------------------------------------------------------------


def test_leak_guard_fails_a_test_that_leaks(harness: Harness) -> None:
    harness.data_dir.mkdir(parents=True)
    (harness.data_dir / "oops.txt").write_text(f"cookie xs={harness.replay.session_token}")
    with pytest.raises(AssertionError, match="session cookie"):
        assert_no_secret_leaked(harness, [])
    (harness.data_dir / "oops.txt").unlink()
    with pytest.raises(AssertionError, match="log event"):
        assert_no_secret_leaked(harness, [{"event": "x", "token": harness.replay.csrf_token}])
