"""The promise behind every status: "confirmed" only when the submission left the
browser, Meta answered it with success, and the text that appeared after that answer
(never before it, never before Send) reads as an acceptance. One test per guard; each
fails when its guard is removed (bench/mutations.py removes them one at a time)."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import parse_qsl

import pytest
from playwright.sync_api import BrowserContext, Route

from tests.conftest import EMAIL, Harness
from widerspruch.ledger import Ledger
from widerspruch.proof.export import records
from widerspruch.proof.receipt import TEXT, receipt_html
from widerspruch.states import Status

FORM_URL = "https://www.facebook.com/help/contact/712876720715583"
SUBMIT = "https://www.facebook.com/help/contact/submit/"
CONSENT = "https://www.facebook.com/cookie/consent/"

TITLE = "<h2>Object to your information being used for AI at Meta</h2>"
FIELDS = f"""
<label>Email address <input type="email" name="email" value="{EMAIL}"></label>
<label>Please tell us how this processing impacts you
  <textarea name="text"></textarea></label>"""
NATIVE_FORM = f"""{TITLE}
<form method="post" action="/help/contact/submit/">{FIELDS}
<button type="submit">Send</button></form>"""
# Send by fetch; `before_fetch` runs on the click, `after_answer` with the answer's text.
FETCH_FORM = """{title}<div id="region"><form id="f" onsubmit="return false">{fields}
<div role="button" tabindex="0" id="send">Send</div></form></div>
<script>
document.getElementById('send').onclick = () => {{
  {before_fetch}
  setTimeout(() => fetch('/help/contact/submit/', {{method: 'POST',
      body: new URLSearchParams(new FormData(document.getElementById('f')))}})
    .then(r => r.text()).then(t => {{ {after_answer} }}), 600);
}};
</script>"""
SHOW_RECEIVED = (
    "document.body.insertAdjacentHTML('beforeend', "
    "'<p role=status>We have received your objection.</p>');"
)
SHOW_ANSWER = "document.getElementById('region').innerHTML = t;"
RECEIVED = "<p>We have received your objection.</p>"


def page(body: str) -> str:
    return f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"></head><body>{body}'


@dataclass
class Meta:
    """The form at its real URL, and an answer to its submission (None: never)."""

    form: str
    answer: str | None = RECEIVED
    answer_status: int = 200
    submissions: list[dict[str, str]] = field(default_factory=list)
    consents: list[str] = field(default_factory=list)
    pending: list[Route] = field(default_factory=list)

    def attach(self, context: BrowserContext) -> None:
        context.route(FORM_URL, self._form)
        context.route(SUBMIT, self._submit)
        context.route(CONSENT, self._consent)

    def _form(self, route: Route) -> None:
        route.fulfill(content_type="text/html; charset=utf-8", body=page(self.form))

    def _submit(self, route: Route) -> None:
        self.submissions.append(dict(parse_qsl(route.request.post_data or "")))
        if self.answer is None:
            self.pending.append(route)  # Meta took it and never answers
            return
        route.fulfill(
            status=self.answer_status,
            content_type="text/html; charset=utf-8",
            body=self.answer if route.request.resource_type != "document" else page(self.answer),
        )

    def _consent(self, route: Route) -> None:
        self.consents.append(dict(parse_qsl(route.request.post_data or "")).get("consent", ""))
        route.fulfill(status=200, content_type="application/json", body="{}")


def submit(harness: Harness, meta: Meta, **options: object) -> Status:
    harness.replay.scenario.logged_in = True
    harness.replay.scenario.cookie_banner = False
    harness.context_hook = meta.attach
    options = {"response_timeout": 5, "timeout": 5, **options}
    return harness.submit("facebook", **options).results[0].status


def fetch_form(before_fetch: str = "", after_answer: str = SHOW_ANSWER) -> str:
    return FETCH_FORM.format(
        title=TITLE, fields=FIELDS, before_fetch=before_fetch, after_answer=after_answer
    )


def test_a_confirmation_shown_while_the_submission_is_unanswered_is_never_confirmed(
    harness: Harness,
) -> None:
    meta = Meta(fetch_form(before_fetch=SHOW_RECEIVED), answer=None)
    assert submit(harness, meta) is Status.SUBMITTED_UNCONFIRMED
    assert len(meta.submissions) == 1


def test_text_shown_after_the_click_but_before_metas_answer_is_not_the_answer(
    harness: Harness,
) -> None:
    # The page "confirms" at once, then sends; Meta's answer itself says nothing.
    meta = Meta(fetch_form(before_fetch=SHOW_RECEIVED, after_answer=""), answer="")
    assert submit(harness, meta) is Status.SUBMITTED_UNCONFIRMED
    assert len(meta.submissions) == 1


def test_an_error_answer_that_reads_like_a_confirmation_is_not_confirmed(
    harness: Harness,
) -> None:
    meta = Meta(NATIVE_FORM, answer=RECEIVED, answer_status=500)
    assert submit(harness, meta) is Status.SUBMITTED_UNCONFIRMED
    assert len(meta.submissions) == 1


def test_a_confirmation_that_was_on_the_page_before_send_never_counts(harness: Harness) -> None:
    faq = "<aside><h3>FAQ</h3><p>We have received your objection.</p></aside>"
    # Meta answers the POST with the same page, FAQ and all, and nothing new.
    meta = Meta(NATIVE_FORM + faq, answer=NATIVE_FORM + faq)
    assert submit(harness, meta) is Status.SUBMITTED_UNCONFIRMED
    assert len(meta.submissions) == 1


def test_metas_real_answer_in_place_is_confirmed(harness: Harness) -> None:
    meta = Meta(fetch_form(), answer=RECEIVED)
    assert submit(harness, meta) is Status.CONFIRMED
    assert len(meta.submissions) == 1


def test_a_cookie_button_that_also_allows_all_is_never_pressed(harness: Harness) -> None:
    banner = """<div role="dialog" aria-label="Cookies">
      <div role="button" tabindex="0" aria-label="Allow all cookies, or decline optional ones"
        onclick="fetch('/cookie/consent/', {method: 'POST', body: 'consent=all',
          headers: {'content-type': 'application/x-www-form-urlencoded'}})
          .then(() => this.closest('[role=dialog]').remove())">OK</div></div>"""
    meta = Meta(banner + NATIVE_FORM)
    status = submit(harness, meta)
    assert "all" not in meta.consents
    assert status is Status.FAILED
    assert meta.submissions == []


def test_a_click_on_send_that_sends_nothing_leaves_the_next_run_free(harness: Harness) -> None:
    dead = f'{TITLE}<form onsubmit="return false">{FIELDS}<div role="button">Send</div></form>'
    meta = Meta(dead)
    assert submit(harness, meta) is Status.FAILED
    assert meta.submissions == []
    meta.form = NATIVE_FORM
    assert submit(harness, meta) is Status.CONFIRMED
    assert len(meta.submissions) == 1


@pytest.mark.parametrize("judged_accepted", [True, False])
def test_an_unclear_answer_is_the_persons_to_judge_and_recorded_as_theirs(
    harness: Harness, judged_accepted: bool
) -> None:
    harness.person.judges_unclear_answer_accepted = judged_accepted
    meta = Meta(NATIVE_FORM, answer="<p>Thanks.</p>")
    status = submit(harness, meta)
    expected = Status.CONFIRMED_BY_PERSON if judged_accepted else Status.SUBMITTED_UNCONFIRMED
    assert status is expected
    with Ledger.open(harness.data_dir) as ledger:
        [objection] = ledger.objections()
    assert objection.status is expected
    assert objection.result_text is not None
    assert "Thanks" in objection.result_text
    assert len(meta.submissions) == 1
    [record] = records(harness.data_dir, redact=False, now=datetime.now(UTC))
    assert record["confirmed_by"] == ("person" if judged_accepted else None)
    if judged_accepted:
        receipt = receipt_html(objection)
        assert TEXT[objection.language][Status.CONFIRMED_BY_PERSON] in receipt
        assert "Thanks." in receipt


def test_a_look_alike_form_is_neither_filled_nor_sent(harness: Harness) -> None:
    look_alike = (
        '<h2>Report a login problem</h2><form method="post" action="/help/contact/submit/">'
        '<label>Email address <input type="email" name="email"></label>'
        '<label>Please describe the problem <textarea name="text"></textarea></label>'
        '<button type="submit">Send</button></form>'
        "<aside>You can also object to your information being used for AI at Meta.</aside>"
    )
    meta = Meta(look_alike, answer="<p>We've received your request.</p>")
    assert submit(harness, meta) is Status.FAILED
    assert meta.submissions == []
    with Ledger.open(harness.data_dir) as ledger:
        [objection] = ledger.objections()
    assert "not Meta's AI objection form" in (objection.detail or "")


def test_the_submission_request_and_its_answer_are_recorded(harness: Harness) -> None:
    import json

    meta = Meta(NATIVE_FORM)
    assert submit(harness, meta) is Status.CONFIRMED
    with Ledger.open(harness.data_dir) as ledger:
        [objection] = ledger.objections()
    assert objection.submission is not None
    record = json.loads(objection.submission)
    assert record["phase"] == "answered"
    assert record["status"] == 200
    assert record["url"] == SUBMIT
    assert record["method"] == "POST"
    assert len(record["answer_sha256"]) == 64
    assert objection.page_language == "en"
    assert html.unescape(objection.result_text or "").startswith("We have received")
