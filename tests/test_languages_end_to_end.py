"""Every EU and EEA language, end to end: a form built from the recognition corpus
(tests/corpus/<lang>.json, written apart from the label sets), under the real URL,
through the real `submit`. Its cookie banner is declined, never allowed; the accuracy
box is ticked and the marketing box is not; both email fields get the address; one
submission leaves; Meta's confirmation is recorded as confirmed, a refusal never is."""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest
from playwright.sync_api import BrowserContext, Route

from tests.conftest import EMAIL, Harness
from widerspruch.page.labels import LANGUAGES
from widerspruch.states import Status

FORM_URL = "https://www.facebook.com/help/contact/712876720715583"
SUBMIT_PATH = "/help/contact/submit/"
CORPUS = Path(__file__).parent / "corpus"


def corpus(language: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((CORPUS / f"{language}.json").read_text("utf-8"))
    return data


def form_page(language: str, pick: int) -> str:
    c = corpus(language)
    controls, forms = c["controls"], c["forms"]

    def one(items: list[str]) -> str:
        return html.escape(items[pick % len(items)])

    return f"""<!DOCTYPE html><html lang="{language}"><head><meta charset="utf-8">
<title>Meta</title></head><body>
<div id="cookies" role="dialog" aria-modal="true" style="position:fixed;inset:0;background:#fff">
  <p>Cookies</p>
  <div role="button" tabindex="0" onclick="fetch('/cookie/allow',{{method:'POST'}})">
    {one(controls["cookie_allow"])}</div>
  <div role="button" tabindex="0" onclick="document.getElementById('cookies').remove()">
    {one(controls["cookie_decline"])}</div>
</div>
<h2>{one(forms["objection_title"])}</h2>
<form method="post" action="{SUBMIT_PATH}">
  <fieldset><legend>{one(forms["ai_question"])}</legend>
    <label><input type="radio" name="ai" value="yes" required> {one(controls["yes"])}</label>
  </fieldset>
  <label>{one(controls["country_label"])}
    <select name="country" required><option value=""></option>
      <option value="DE">Deutschland</option><option value="PL">Polska</option></select></label>
  <label>{one(controls["email_label"])}
    <input type="email" name="email" value="{EMAIL}" required></label>
  <label>{one(controls["email_again_label"])}
    <input type="email" name="email_again" required></label>
  <label>{one(controls["justification_label"])}
    <textarea name="text"></textarea></label>
  <label><input type="checkbox" name="accurate" required>
    {one(controls["accuracy_checkbox"])}</label>
  <label><input type="checkbox" name="marketing"> {one(controls["consent_checkbox"])}</label>
  <button type="submit">{one(controls["send"])}</button>
</form></body></html>"""


@dataclass
class LanguageMeta:
    """Meta in one language: the corpus form, and an answer to its submission."""

    language: str
    answer: str
    pick: int = 0
    submissions: list[dict[str, str]] = field(default_factory=list)
    cookie_allowed: int = 0

    def attach(self, context: BrowserContext) -> None:
        context.route(FORM_URL, self._form)
        context.route(f"https://www.facebook.com{SUBMIT_PATH}", self._submit)
        context.route("https://www.facebook.com/cookie/allow", self._allow)

    def _form(self, route: Route) -> None:
        body = form_page(self.language, self.pick)
        route.fulfill(status=200, content_type="text/html; charset=utf-8", body=body)

    def _submit(self, route: Route) -> None:
        self.submissions.append(dict(parse_qsl(route.request.post_data or "")))
        page = f'<!DOCTYPE html><html lang="{self.language}"><body><div role="main">'
        page += f"<p>{html.escape(self.answer)}</p></div></body></html>"
        route.fulfill(status=200, content_type="text/html; charset=utf-8", body=page)

    def _allow(self, route: Route) -> None:
        self.cookie_allowed += 1
        route.fulfill(status=204, body="")


def run(harness: Harness, meta: LanguageMeta) -> Any:
    harness.replay.scenario.logged_in = True
    harness.replay.scenario.cookie_banner = False
    harness.context_hook = meta.attach
    return harness.submit("facebook", response_timeout=8, timeout=8).results[0]


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_confirmation_in_every_language_is_confirmed_after_one_submission(
    harness: Harness, language: str
) -> None:
    confirmations = corpus(language)["states"]["confirmation"]
    meta = LanguageMeta(language, answer=confirmations[0], pick=0)
    result = run(harness, meta)
    assert result.status is Status.CONFIRMED, result.message
    assert len(meta.submissions) == 1
    sent = meta.submissions[0]
    assert sent["email"] == EMAIL
    assert sent["email_again"] == EMAIL
    assert sent.get("accurate") == "on"
    assert "marketing" not in sent
    assert meta.cookie_allowed == 0


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_refusal_in_every_language_is_never_confirmed(harness: Harness, language: str) -> None:
    refusals = corpus(language)["states"]["refusal"]
    meta = LanguageMeta(language, answer=refusals[-1], pick=1)
    result = run(harness, meta)
    assert result.status is not Status.CONFIRMED, result.message
    assert result.status in (Status.FAILED, Status.SUBMITTED_UNCONFIRMED)
    assert len(meta.submissions) == 1
    assert meta.cookie_allowed == 0
