"""Pages the flows have not been tuned to: other markup, other wording, other ways in."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext

from tests.conftest import EMAIL, Harness, in_own_thread
from widerspruch.browser import LAUNCH_ARGS, find_browser
from widerspruch.page.flow import Flow
from widerspruch.services import get_flow
from widerspruch.settings import Settings
from widerspruch.states import Status
from widerspruch.submit import submit_all
from widerspruch.testing.person import StandInPerson
from widerspruch.testing.replay import ReplayServer, Scenario, fixtures_dir


def rewritten_replicas(tmp_path: Path, rewrite: Callable[[str], str]) -> Path:
    root = tmp_path / "replicas"
    shutil.copytree(fixtures_dir(), root, ignore=shutil.ignore_patterns("*.py", "*.md"))
    for page in root.rglob("*.html"):
        page.write_text(rewrite(page.read_text("utf-8")), "utf-8")
    return root


def without_classes(html: str) -> str:
    return re.sub(r'\sclass="[^"]*"', "", html)


def other_wording(html: str) -> str:
    # Wording Meta has used elsewhere, or may use next.
    for old, new in [
        (">Send<", ">Submit request<"),
        ('"Send"', '"Submit request"'),
        (">Senden<", ">Anfrage senden<"),
        ('"Senden"', '"Anfrage senden"'),
        ("Email address", "Your email"),
        ("E-Mail-Adresse", "Deine E-Mail"),
        ("Where do you live?", "Country of residence"),
        ("Wo lebst du?", "Land, in dem du wohnst"),
    ]:
        html = html.replace(old, new)
    return html


@pytest.mark.parametrize("rewrite", [without_classes, other_wording])
@pytest.mark.parametrize("form", ["form_2025", "form_2024", "form_variant"])
@pytest.mark.parametrize("language", ["de", "en"])
def test_flow_survives_changed_markup_and_wording(
    harness: Harness,
    tmp_path: Path,
    rewrite: Callable[[str], str],
    form: str,
    language: str,
) -> None:
    harness.replay = ReplayServer(
        Scenario(language=language, form=form), root=rewritten_replicas(tmp_path, rewrite)
    )
    outcome = harness.submit("instagram")
    assert outcome.results[0].status is Status.CONFIRMED, outcome.results[0].message
    assert harness.replay.submissions[0].fields["email"] == EMAIL


def test_form_url_starts_at_another_form(harness: Harness) -> None:
    old_form = get_flow("facebook").form_urls[1]
    outcome = harness.submit("facebook", form_url=old_form)
    assert outcome.results[0].status is Status.CONFIRMED
    assert harness.replay.submissions


def test_two_step_login_is_a_login_wall(harness: Harness) -> None:
    # A login page that asks for the account first, and shows no password field yet.
    def account_first(context: BrowserContext) -> None:
        page = (
            "<html lang=en><body><h1>Log in to Facebook</h1><form method=post action=/login/>"
            "<input name=email aria-label='Email or phone number'>"
            "<button type=submit>Log in</button></form></body></html>"
        )
        context.route(
            "**/login/?next=*", lambda route: route.fulfill(content_type="text/html", body=page)
        )

    class AccountOnly(StandInPerson):
        def act(self, need, page, flow, email):
            self.actions.append(need.value)
            page.get_by_role("textbox").fill(email)
            page.get_by_role("button", name="Log in").click()

    harness.replay.scenario.cookie_banner = False
    harness.context_hook = account_first
    harness.person = AccountOnly()
    outcome = harness.submit("facebook")
    assert harness.person.actions[0] == "login_wall"
    assert outcome.results[0].status is Status.CONFIRMED


def test_unrecognised_page_fails_without_sending(harness: Harness) -> None:
    harness.replay.scenario.logged_in = True

    def odd_page(context: BrowserContext) -> None:
        context.route(
            "**/help/contact/*",
            lambda route: route.fulfill(
                content_type="text/html", body="<h1>Welcome to the new Help Center</h1>"
            ),
        )

    harness.context_hook = odd_page
    outcome = harness.submit("facebook")
    [result] = outcome.results
    assert result.status is Status.FAILED
    assert "unrecognised page" in result.message
    assert harness.replay.submissions == []


@pytest.fixture
def running_chromium(tmp_path: Path) -> Iterator[str]:
    """A browser the person already runs, with remote debugging on."""
    profile = tmp_path / "profile"
    profile.mkdir()
    args = [
        str(find_browser(None, None)),
        "--headless=new",
        "--remote-debugging-port=0",
        "--remote-debugging-address=127.0.0.1",
        f"--user-data-dir={profile}",
        *LAUNCH_ARGS,
        "about:blank",
    ]
    if os.geteuid() == 0:
        args.append("--no-sandbox")
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    assert process.stderr is not None
    port = None
    for line in process.stderr:  # Chromium announces its port on stderr
        found = re.search(r"DevTools listening on ws://127\.0\.0\.1:(\d+)/", line)
        if found:
            port = found.group(1)
            break
    assert port, "Chromium did not open its debugging port"
    # Keep reading stderr in the background so Chromium never blocks on a full pipe.
    reader = threading.Thread(target=process.stderr.read, daemon=True)
    reader.start()
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=10)
    reader.join(timeout=10)
    process.stderr.close()


def test_cdp_works_in_a_new_tab_and_leaves_the_browser_open(
    running_chromium: str, tmp_path: Path
) -> None:
    server = ReplayServer(Scenario(logged_in=True))

    def replay(context: BrowserContext, flow: Flow) -> None:
        server.attach(context)

    settings = Settings.from_options(
        services=["facebook"],
        email=EMAIL,
        country="DE",
        language=None,
        template="standard",
        justification=None,
        data_dir=tmp_path / "data",
        cdp_url=running_chromium,
        timeout=20,
    )
    outcome = in_own_thread(submit_all, settings, StandInPerson(), prepare_context=replay)
    assert outcome.results[0].status is Status.CONFIRMED
    assert len(server.submissions) == 1
    # The person's browser is still there, with its own first tab.
    import urllib.request

    with urllib.request.urlopen(f"{running_chromium}/json/list", timeout=5) as answer:  # noqa: S310
        tabs = answer.read().decode()
    assert "about:blank" in tabs


TYPE_AHEAD_FORM = """<!DOCTYPE html><html lang="de"><body><main>
<h1>Einspruch gegen die Verwendung deiner Informationen für KI bei Meta</h1>
<form method="post" action="/help/contact/submit/">
  <fieldset><legend>Bezieht sich deine Anfrage auf KI bei Meta?</legend>
    <label><input type="radio" name="ai_question" value="yes"> Ja</label>
    <label><input type="radio" name="ai_question" value="no"> Nein</label></fieldset>
  <label>Land <input name="country" autocomplete="off"
     oninput="document.getElementById('hits').hidden = !this.value"></label>
  <div id="hits" role="listbox" hidden>
    <div role="option" onclick="document.querySelector('[name=country]').value='DE';
       this.parentNode.hidden=true">Deutschland</div></div>
  <label>E-Mail <input type="email" name="email"></label>
  <label>Begründung <textarea name="description"></textarea></label>
  <button type="submit">Senden</button>
</form></main></body></html>"""

NESTED_LIST_FORM = """<!DOCTYPE html><html lang="en"><body><main>
<h1>Object to your information being used for AI at Meta</h1>
<form method="post" action="/help/contact/submit/">
  <input type="hidden" name="country" value="">
  <div role="combobox" aria-label="Country" tabindex="0"
       onclick="this.querySelector('[role=listbox]').hidden=false">
    <span>Choose</span>
    <div role="listbox" hidden>
      <div role="option" data-value="FR" onclick="pick(event, this)">France</div>
      <div role="option" data-value="DE" onclick="pick(event, this)">Germany</div>
    </div></div>
  <label>Email address <input type="email" name="email"></label>
  <label>Tell us how this processing impacts you <textarea name="description"></textarea>
  </label><button type="submit">Send</button>
</form>
<script>function pick(event, option) { event.stopPropagation();
  document.querySelector('[name=country]').value = option.dataset.value;
  option.closest('[role=combobox]').querySelector('span').textContent = option.textContent;
  option.parentNode.hidden = true; }</script></main></body></html>"""


@pytest.mark.parametrize("page", [TYPE_AHEAD_FORM, NESTED_LIST_FORM], ids=["type-ahead", "nested"])
def test_country_in_other_kinds_of_lists(harness: Harness, page: str) -> None:
    harness.replay.scenario.logged_in = True
    harness.context_hook = lambda context: context.route(
        "**/help/contact/712876720715583",
        lambda route: route.fulfill(content_type="text/html", body=page),
    )
    outcome = harness.submit("facebook")
    assert outcome.results[0].status is Status.CONFIRMED, outcome.results[0].message
    assert harness.replay.submissions[0].fields["country"] == "DE"
