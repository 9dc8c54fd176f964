"""The submit engine: drives a flow from page state to page state and records the truth.

Rules it keeps:
- nothing is typed before the page shows itself as Meta's AI objection form;
- "sent" means the submission request left the browser (``widerspruch.submission``),
  not that Send was clicked; a click that sent nothing leaves the ledger free;
- "confirmed" needs three things at once: the submission was answered with success,
  the text that appeared after that answer (never text already there before Send)
  reads as acceptance, and it holds no refusal, negation or error
  (``widerspruch.verdict``); an unclear answer is ``submitted_unconfirmed``, which the
  person may judge, and a yes is recorded as theirs (``confirmed_by_person``);
- the ledger says "submitting" (committed) before Send is clicked, so a crash after that
  point is never mistaken for "nothing sent", and the next run does not resend;
- every page state seen and every status change is an event in the ledger.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import structlog

from widerspruch import __version__
from widerspruch.accounts import Secret
from widerspruch.evidence import (
    FORM_FILLED,
    OBJECTION,
    RESULT_HTML,
    RESULT_PNG,
    Evidence,
)
from widerspruch.flow import (
    VISIBLE_TEXT_JS,
    EmailMismatch,
    FormError,
    NextMayHaveSent,
    ObjectionRequest,
)
from widerspruch.ledger import Ledger, Objection, utc_now
from widerspruch.logs import get_logger, mask_email
from widerspruch.person import WAITING_FOR, Person, PersonCannotAct
from widerspruch.states import PageState, Status
from widerspruch.submission import (
    MARK_BEFORE_SEND_JS,
    STAMP_CHANGES_JS,
    Submission,
    SubmissionWatch,
    answer_text,
    page_sentences,
)
from widerspruch.verdict import Reading, Verdict, judge

if TYPE_CHECKING:
    from playwright.sync_api import Page, Request

    from widerspruch.flow import Flow

log = get_logger("widerspruch.engine")

# How long the page may take to react to something the tool did (a click, a load).
RESPONSE_TIMEOUT_S = 30.0
# How long an unrecognised page may stay before the person is asked to help.
UNKNOWN_GRACE_S = 10.0
# After Send, a page that shows an inline message and no request for this long has
# stopped at its own check: nothing will leave.
STOPPED_AT_OWN_CHECK_S = 2.0
# How long the page may keep changing after Meta's answer before it is read.
SETTLE_S = 3.0
# How long an unclear answer is watched for the text that makes it clear.
ANSWER_WAIT_S = 10.0
# How often an automatic step may repeat before we call it a loop.
MAX_REPEATS = 4

# Resolves on the next change to the page, or after `ms`: waiting without sleeping.
PAGE_ACTIVITY_JS = """(ms) => new Promise(resolve => {
  let timer;
  const observer = new MutationObserver(() => { clearTimeout(timer); observer.disconnect();
                                                resolve(true); });
  observer.observe(document, {subtree: true, childList: true, attributes: true,
                              characterData: true});
  timer = setTimeout(() => { observer.disconnect(); resolve(false); }, ms);
})"""


@dataclass
class Result:
    """One service's outcome, as shown in the summary and in --json."""

    service: str
    status: Status
    message: str
    account: str
    objection_id: int | None = None
    started_at: str = ""
    finished_at: str = ""
    final_url: str | None = None
    ledger: str | None = None
    screenshot: str | None = None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["status"] = self.status.value
        return data


class PageGone(Exception):
    """The tab, window or browser went away."""


class Ending(Exception):
    """Stop driving the page with this status and message."""

    def __init__(self, status: Status, message: str) -> None:
        self.status = status
        self.message = message
        super().__init__(message)


class Run:
    """One objection on one page. Create, then call ``run()`` once."""

    def __init__(
        self,
        *,
        page: Page,
        flow: Flow,
        request: ObjectionRequest,
        person: Person,
        ledger: Ledger,
        objection: Objection,
        start_url: str,
        person_timeout: float,
        review: bool = False,
        response_timeout: float = RESPONSE_TIMEOUT_S,
        evidence: Evidence | None = None,
        password: Secret | None = None,
    ) -> None:
        self.page = page
        self.flow = flow
        self.request = request
        self.person = person
        self.ledger = ledger
        self.objection = objection
        self.start_url = start_url
        self.person_timeout = person_timeout
        self.review = review
        self.response_timeout = response_timeout
        self.evidence = evidence
        self.password = password  # stored by the person; tried once, never in a loop
        self.password_refused = False
        self.reached_form = False  # logged in: the form (or beyond) was on screen
        self.sent = False  # Send was clicked (by us, or by the person in --review)
        self.watch: SubmissionWatch | None = None
        self._recorded_submission: dict[str, Any] | None = None
        # Every sentence on the page right before Send: none of it can be Meta's answer.
        self.before_send: set[str] = set()
        self.page_language: str | None = None
        self.last_state: PageState | None = None
        self.log = log.bind(service=flow.service, objection=objection.id)

    # -- the loop -----------------------------------------------------------------

    def run(self) -> Objection:
        from playwright.sync_api import Error as PlaywrightError

        # A slow or silent server ends in a clear timeout, not an endless wait.
        self.page.set_default_navigation_timeout(self.response_timeout * 1000)
        self.page.set_default_timeout(self.response_timeout * 1000)
        self.watch = SubmissionWatch(self.page, self.flow)
        self.page.on("requestfinished", self._on_request_finished)
        with contextlib.suppress(PlaywrightError):  # a page gone already: the loop says so
            self.page.add_init_script(STAMP_CHANGES_JS)
        try:
            status, message = self._drive()
        except Ending as ending:
            status, message = ending.status, ending.message
        except (PageGone, PlaywrightError) as error:
            if not self._page_alive():
                status, message = self._interrupted("the browser window was closed")
            else:
                status, message = self._unsent_or_unconfirmed(
                    f"the page stopped responding: {_first_line(error)}"
                )
        except KeyboardInterrupt:
            status, message = self._interrupted("stopped with Ctrl-C")
            self._finish(status, message)
            raise
        finally:
            self.person.done_waiting()
        return self._finish(status, message)

    def _drive(self) -> tuple[Status, str]:
        self._goto(self.start_url)
        repeats: dict[PageState, int] = {}
        while True:
            state = self._detect()
            repeats[state] = repeats.get(state, 0) + 1
            if state is PageState.COOKIE_BANNER:
                self._automatic(state, repeats, self.flow.decline_cookies)
            elif state.needs_person:
                self._hand_to_person(state)
            elif self.sent:
                return self._outcome_after_send()
            elif state is PageState.AI_QUESTION:
                self._automatic(state, repeats, self.flow.answer_ai_question)
            elif state is PageState.FORM:
                self.reached_form = True
                self._fill_and_send()
            elif state is PageState.CONFIRMATION:
                # Not our doing: perhaps an old tab or a page that looks alike.
                return self._give_up(
                    "the page shows a confirmation, but this run sent nothing; "
                    "not recorded as confirmed"
                )
            elif state is PageState.ERROR:
                return self._give_up('Meta showed an error page ("Something went wrong")')
            elif state is PageState.UNAVAILABLE:
                return Status.UNAVAILABLE, "Meta says the form is not available"
            else:
                self._unknown_page()

    def _automatic(
        self, state: PageState, repeats: dict[PageState, int], action: Callable[[Page], None]
    ) -> None:
        if repeats[state] > MAX_REPEATS:
            raise Ending(*self._give_up(f"the {state.value.replace('_', ' ')} keeps coming back"))
        try:
            action(self.page)
        except FormError as error:
            raise Ending(*self._give_up(str(error))) from None
        self._wait_to_leave(state, self.response_timeout)

    def _hand_to_person(self, need: PageState) -> None:
        if self.sent and need is PageState.LOGIN_WALL:
            latest = self.watch.latest if self.watch is not None else None
            if latest is not None and latest.phase == "answered":
                self._record_submission(latest)
                raise Ending(
                    Status.FAILED,
                    "the login expired while sending: Meta answered with its login page, "
                    "so it did not take the form",
                )
            raise Ending(
                *self._give_up("the login expired while sending; Meta did not take the form")
            )
        if need is PageState.LOGIN_WALL and self.password is not None:
            if self._log_in_with_stored_password():
                return
            self.password_refused = True
        if need is PageState.CODE_STEP and self.watch is not None:
            self.watch.expect_code()  # before the person types it: the POST may go at once
            self.before_send |= page_sentences(self.page)
            self.page.evaluate(MARK_BEFORE_SEND_JS)
        try:
            self.person.act(need, self.page, self.flow, self.request.email)
        except PersonCannotAct as error:
            refused = "the stored password was refused; " if self.password_refused else ""
            raise Ending(*self._give_up(refused + str(error))) from None
        if self._wait_to_leave(need, self.person_timeout, waiting_for=WAITING_FOR[need]) is None:
            raise Ending(
                Status.SUBMITTED_UNCONFIRMED if self._maybe_sent() else Status.TIMED_OUT,
                f"gave up waiting for {WAITING_FOR[need]} after {self.person_timeout:.0f} s",
            )
        if self.sent:
            self._await_answer(self.response_timeout)

    def _log_in_with_stored_password(self) -> bool:
        """One attempt with the stored password. False if Meta kept the login wall."""
        from playwright.sync_api import Error as PlaywrightError

        password, self.password = self.password, None  # never a second try
        assert password is not None
        self.log.info("logging_in", how="stored password")
        self.page.evaluate("() => { window.__widerspruchLoginAttempt = true; }")
        try:
            self.flow.log_in(self.page, self.request.email, password)
        except FormError as error:
            self.log.warning("login_form_not_filled", error=str(error))
            return False
        try:
            # Wait for the page to go (a navigation) or to answer in place.
            self.page.wait_for_function(
                "() => !window.__widerspruchLoginAttempt || "
                "document.querySelector('[role=alert]') !== null",
                timeout=self.response_timeout * 1000,
            )
        except PlaywrightError:
            self._settle()
        after = self._wait_to_leave(PageState.UNKNOWN, self.response_timeout)
        if after is PageState.LOGIN_WALL:
            self.log.warning(
                "The stored password was refused; please log in yourself, and update it "
                "with `widerspruch account add`",
                service=self.flow.service,
            )
            return False
        return True

    def _fill_and_send(self) -> None:
        from playwright.sync_api import Error as PlaywrightError

        not_the_form = self.flow.not_objection_form(self.page)
        if not_the_form is not None:
            # Nothing typed, nothing sent: this is some other page with a Send button.
            raise Ending(Status.FAILED, not_the_form + "; nothing was filled in or sent")
        self.page_language = self.flow.page_language(self.page)
        self.ledger.record_reading(
            self.objection.id, page_language=self.page_language, result_text=None
        )
        try:
            filled = self.flow.fill(self.page, self.request)
        except EmailMismatch as mismatch:
            try:
                replace = self.person.confirm(
                    f"Meta prefilled {mismatch.prefilled}, but this objection is for "
                    f"{mismatch.wanted}. Replace it with {mismatch.wanted}?"
                )
            except PersonCannotAct as error:
                raise Ending(*self._give_up(str(error))) from None
            if not replace:
                raise Ending(
                    Status.CANCELLED, f"kept Meta's address {mismatch.prefilled}; nothing sent"
                ) from None
            filled = self._fill(replace_prefilled_email=True)
        except NextMayHaveSent as sent:
            # A button taken for "Next" posted the form: Meta may have it.
            self._status(Status.SUBMITTING, "a button taken for Next sent the form")
            raise Ending(
                Status.SUBMITTED_UNCONFIRMED,
                f"{sent}; Meta may have the objection: check your email for Meta's confirmation",
            ) from None
        except FormError as error:  # a changed form among them: nothing was filled
            raise Ending(*self._give_up(str(error))) from None
        self.log.info(
            "form_filled",
            country=filled.country,
            chars=filled.justification_chars,
            ai_question=filled.answered_ai_question,
            language=self.page_language,
        )
        self._keep_filled_form()
        self.before_send = page_sentences(self.page)
        self.page.evaluate(MARK_BEFORE_SEND_JS)
        assert self.watch is not None
        self.watch.arm([self.request.email, self.request.justification])
        if self.review:
            self._status(Status.SUBMITTING, "filled; waiting for the person to click Send")
            try:
                self.person.review(self.page, self.flow)
            except PersonCannotAct as error:
                raise Ending(*self._give_up(str(error))) from None
            self.sent = True
            self._await_answer(self.person_timeout, waiting_for="your click on Send")
            if not self.watch.left_browser:
                raise Ending(Status.TIMED_OUT, "Send was not clicked in time; nothing sent")
            return
        # Committed before the click: from here on, a crash means "maybe sent".
        self._status(Status.SUBMITTING, "clicking Send")
        self.sent = True
        try:
            self.flow.send(self.page)
        except (FormError, PlaywrightError) as error:
            # A click that timed out waiting for its navigation may have sent all the
            # same: only a request that never left means nothing was sent.
            if not self.watch.left_browser:
                raise Ending(*self._not_sent(_first_line(error))) from None
            self.log.info("send_click_ended_early", error=_first_line(error))
        self._await_answer(self.response_timeout)

    def _fill(self, *, replace_prefilled_email: bool) -> Any:
        try:
            return self.flow.fill(
                self.page, self.request, replace_prefilled_email=replace_prefilled_email
            )
        except FormError as error:
            raise Ending(*self._give_up(str(error))) from None

    def _await_answer(self, timeout: float, waiting_for: str | None = None) -> None:
        """After a click on Send (or the code step): wait until the submission left the
        browser and was answered or lost, then until the page stops changing."""
        from playwright.sync_api import Error as PlaywrightError

        assert self.watch is not None
        watch = self.watch
        started = time.monotonic()

        def waiting() -> bool:
            latest = watch.latest
            if latest is None or watch.code_awaited:
                # Nothing left yet. A page that stopped at its own check says so inline.
                elapsed = time.monotonic() - started
                return not (elapsed >= STOPPED_AT_OWN_CHECK_S and self._alert_text())
            return latest.phase == "sent"

        while waiting():
            elapsed = time.monotonic() - started
            if elapsed >= timeout:
                break
            if waiting_for:
                self.person.waiting(waiting_for, elapsed, timeout)
            if not self._page_alive():
                raise PageGone("page closed")
            # Wait on the network, not on the page's script: while a form POST is
            # pending, the page may not run anything at all.
            pending = watch.latest is not None and not watch.code_awaited
            with contextlib.suppress(PlaywrightError):  # nothing happened in this slice
                self.page.wait_for_event("requestfinished" if pending else "request", timeout=250)
        latest = watch.latest
        if latest is not None:
            self._record_submission(latest)
            if latest.phase == "answered":
                self._settle_after_answer()
            elif latest.phase == "sent" and latest.kind == "document":
                # The page waits for Meta's answer and runs nothing meanwhile: reading
                # it would wait as long. What is known is enough for the outcome.
                raise Ending(*self._outcome_after_send())

    def _settle_after_answer(self) -> None:
        """Let the answer arrive on screen: a new page loads, or the form's region is
        replaced; read it once it has been quiet for a moment."""
        from playwright.sync_api import Error as PlaywrightError

        deadline = time.monotonic() + SETTLE_S
        while time.monotonic() < deadline:
            try:
                self.page.wait_for_load_state("domcontentloaded")
                if not self.page.evaluate(PAGE_ACTIVITY_JS, 500):
                    return  # quiet for half a second
            except PlaywrightError:
                if not self._page_alive():
                    raise PageGone("page closed") from None

    def _record_submission(self, submission: Submission) -> None:
        assert self.watch is not None
        if submission.phase == "answered":
            self.watch.digest_answer(submission)
        record = submission.record()
        if record == self._recorded_submission:
            return
        self._recorded_submission = record
        self.ledger.record_submission(self.objection.id, record)
        self.log.info(
            "submission",
            phase=submission.phase,
            step=submission.step,
            url=submission.url,
            status=submission.status,
            recognised_by=submission.recognised_by,
        )

    def _outcome_after_send(self) -> tuple[Status, str]:
        """Send was clicked and the page has moved (or not): what did Meta say?"""
        assert self.watch is not None
        submission = self.watch.latest
        if submission is None:
            alert = self._alert_text()
            return self._not_sent(
                "Send was clicked, but no request left the browser"
                + (f" (the page says: {alert})" if alert else "")
            )
        self._record_submission(submission)
        if submission.phase != "answered":
            why = f" ({submission.failure})" if submission.failure else ""
            return (
                Status.SUBMITTED_UNCONFIRMED,
                f"the form left the browser at {submission.sent_at}, but Meta's answer never "
                f"arrived{why}; Meta may have it: check your email for Meta's confirmation",
            )
        text, verdict = self._read_answer(submission)
        self.ledger.record_reading(
            self.objection.id, page_language=self.page_language, result_text=text[:2000]
        )
        self.log.info("answer_read", reading=verdict.reading.value, status=submission.status)
        if verdict.accepted and submission.answered_ok:
            return Status.CONFIRMED, f"Meta confirmed the objection: {_quote(verdict)}"
        if verdict.refused or verdict.error:
            return (
                Status.FAILED,
                f"Meta answered, and not with an acceptance: {_quote(verdict)}. Meta has seen "
                "this request, so widerspruch will not send it again by itself",
            )
        if verdict.unavailable:
            return (
                Status.UNAVAILABLE,
                f"Meta answered: the form is not available: {_quote(verdict)}",
            )
        return self._ask_person(submission, text)

    def _read_answer(self, submission: Submission) -> tuple[str, Verdict]:
        """Read what appeared after Meta's answer. A page may take a while to show it
        (a spinner, an animation): while the reading is unclear, read again at each
        change of the page, for a bounded time."""
        from playwright.sync_api import Error as PlaywrightError

        languages = [self.page_language] if self.page_language else []
        deadline = time.monotonic() + min(self.response_timeout, ANSWER_WAIT_S)
        while True:
            try:
                text = answer_text(self.page, submission, self.before_send)
            except PlaywrightError:
                if not self._page_alive() or time.monotonic() >= deadline:
                    raise
                self._settle()  # a navigation under way: read the new document
                continue
            verdict = judge(text, self.flow.labels, languages)
            if verdict.reading is not Reading.UNSURE or time.monotonic() >= deadline:
                return text, verdict
            try:
                self.page.evaluate(PAGE_ACTIVITY_JS, 1000)
            except PlaywrightError:
                self._settle()

    def _ask_person(self, submission: Submission, text: str) -> tuple[Status, str]:
        """An answered submission with no clear reading: the person may judge it."""
        status_note = f" (HTTP {submission.status})" if not submission.answered_ok else ""
        unclear = (
            f"Meta answered{status_note}, but the page does not clearly say the objection "
            "was accepted; check your email for Meta's confirmation"
        )
        screenshot = None
        if self.evidence is not None and self._page_alive():
            try:
                screenshot = str(self.evidence.screenshot(self.page, RESULT_PNG))
            except Exception as error:  # noqa: BLE001 - the question matters more
                self.log.warning("evidence_failed", step="result", error=_first_line(error))
        try:
            accepted = self.person.judge_answer(text, screenshot)
        except PersonCannotAct:
            return Status.SUBMITTED_UNCONFIRMED, unclear
        if accepted:
            shown = " ".join(text.split())[:300] or "(no new text)"
            return (
                Status.CONFIRMED_BY_PERSON,
                f"you judged that Meta accepted the objection; the page said: “{shown}”",
            )
        return Status.SUBMITTED_UNCONFIRMED, unclear + "; you did not judge it accepted"

    def _unknown_page(self) -> None:
        """Often a page still loading; otherwise something only the person can judge."""
        if self._wait_to_leave(PageState.UNKNOWN, min(UNKNOWN_GRACE_S, self.response_timeout)):
            return
        unrecognised = f"unrecognised page at {self.page.url}"
        if self.sent:
            # After Send, an unknown page must not lead anywhere near a second Send.
            raise Ending(*self._outcome_after_send())
        shows = " ".join(str(self.page.evaluate(VISIBLE_TEXT_JS)).split())[:160]
        self.log.info(
            "unknown_page",
            url=self.page.url,
            shows=shows,
            waiting_s=self.person_timeout,
        )
        self.person.tell(
            f"The page at {self.page.url} is not one widerspruch knows. It shows: "
            f"“{shows or '(nothing)'}”. Waiting up to {self.person_timeout:.0f} s for it "
            "to move on."
        )
        try:
            self.person.act(PageState.UNKNOWN, self.page, self.flow, self.request.email)
        except PersonCannotAct:
            raise Ending(*self._give_up(unrecognised)) from None
        waiting_for = WAITING_FOR[PageState.UNKNOWN]
        if self._wait_to_leave(PageState.UNKNOWN, self.person_timeout, waiting_for) is None:
            raise Ending(*self._give_up(unrecognised + "; it did not move on in time"))

    # -- outcomes -----------------------------------------------------------------

    def _maybe_sent(self) -> bool:
        """Could Meta have the objection? Only if a submission request left the browser."""
        return self.watch is not None and self.watch.left_browser

    def _not_sent(self, reason: str) -> tuple[Status, str]:
        """Send was clicked but nothing left: the ledger stays free for the next run."""
        self.sent = False
        return Status.FAILED, f"{reason}; nothing was sent"

    def _give_up(self, reason: str) -> tuple[Status, str]:
        """A failure, unless the form may already have reached Meta: then say that."""
        if not self._maybe_sent():
            return Status.FAILED, reason  # nothing left the browser
        return (
            Status.SUBMITTED_UNCONFIRMED,
            f"{reason}; the form had left the browser, so Meta may have it: "
            "check your email for Meta's confirmation",
        )

    def _unsent_or_unconfirmed(self, reason: str) -> tuple[Status, str]:
        if self._maybe_sent():
            return Status.SUBMITTED_UNCONFIRMED, f"{reason}; it may have been sent"
        return Status.FAILED, reason

    def _interrupted(self, reason: str) -> tuple[Status, str]:
        if self._maybe_sent():
            return Status.SUBMITTED_UNCONFIRMED, f"{reason} after Send; it may have been sent"
        return Status.CANCELLED, f"{reason}; nothing sent"

    def _finish(self, status: Status, message: str) -> Objection:
        final_url = None if self.page.is_closed() else self.page.url
        self.log.info("objection_ended", status=status.value, detail=message)
        self.objection = self.ledger.set_status(
            self.objection.id, status, message, final_url=final_url
        )
        self._seal_evidence()
        return self.objection

    # -- evidence -----------------------------------------------------------------

    def _keep_filled_form(self) -> None:
        if self.evidence is None:
            return
        try:
            self.evidence.remember_cookies(self.page)
            self.evidence.screenshot(self.page, FORM_FILLED)
        except Exception as error:  # noqa: BLE001 - missing evidence must not stop the objection
            self.log.warning("evidence_failed", step="form_filled", error=_first_line(error))

    def _seal_evidence(self) -> None:
        """Keep the page as it ended, the circumstances, and seal it all with a manifest."""
        if self.evidence is None:
            return
        latest = self.watch.latest if self.watch is not None else None
        # A page still waiting for Meta's answer to its POST can be neither pictured nor
        # read; the filled form's picture and the submission record tell what happened.
        waiting = latest is not None and latest.phase == "sent" and latest.kind == "document"
        try:
            if self._page_alive() and not waiting:
                self.evidence.screenshot(self.page, RESULT_PNG)
                self.evidence.page_html(self.page, RESULT_HTML)
            browser = self.page.context.browser
            self.evidence.write_json(
                OBJECTION,
                {
                    **{
                        k: v
                        for k, v in vars(self.objection).items()
                        if k not in ("evidence_dir", "manifest_sha256")
                    },
                    "tool_version": __version__,
                    "browser_version": browser.version if browser else None,
                    "events": [vars(e) for e in self.ledger.events(self.objection.id)],
                },
            )
            digest = self.evidence.seal(utc_now())
            self.ledger.set_evidence(self.objection.id, str(self.evidence.folder), digest)
            self.objection = self.ledger.get(self.objection.id)
        except Exception as error:  # noqa: BLE001 - the outcome is recorded already
            self.log.warning("evidence_failed", step="seal", error=_first_line(error))

    @property
    def screenshot(self) -> str | None:
        if self.evidence is None or not (self.evidence.folder / RESULT_PNG).exists():
            return None
        return str(self.evidence.folder / RESULT_PNG)

    def _status(self, status: Status, detail: str) -> None:
        self.objection = self.ledger.set_status(self.objection.id, status, detail)

    # -- the page -----------------------------------------------------------------

    def _on_request_finished(self, request: Request) -> None:
        if self.evidence is None or self.watch is None or not self.watch.armed:
            return
        if request.method == "POST" and self.flow.allows_url(request.url):
            self.evidence.record_request(request, utc_now())

    def _goto(self, url: str) -> None:
        from playwright.sync_api import Error as PlaywrightError

        self.log.info("opening_form", url=url)
        try:
            response = self.page.goto(url, wait_until="domcontentloaded")
        except PlaywrightError as error:
            raise Ending(Status.FAILED, f"could not load {url}: {_first_line(error)}") from None
        if response is not None and response.status == 404:
            raise Ending(Status.UNAVAILABLE, f"the form is gone: {url} answers 404")

    def _detect(self) -> PageState:
        from playwright.sync_api import Error as PlaywrightError

        for _ in range(5):
            if not self._page_alive():
                raise PageGone("page closed")
            try:
                state = self.flow.detect(self.page)
                break
            except PlaywrightError:
                # Navigating: the old document went away mid-read. Read the new one.
                self._settle()
        else:
            state = PageState.UNKNOWN
        if state is not self.last_state:
            self.last_state = state
            self.log.info("page_state", state=state.value)
            self.ledger.record_page(self.objection.id, state.value)
        return state

    def _settle(self) -> None:
        from playwright.sync_api import Error as PlaywrightError

        try:
            self.page.wait_for_load_state("domcontentloaded", timeout=self.response_timeout * 1000)
        except PlaywrightError:
            if not self._page_alive():
                raise PageGone("page closed") from None

    def _wait_to_leave(
        self, state: PageState, timeout: float, waiting_for: str | None = None
    ) -> PageState | None:
        """Wait until the page shows another state; None if `timeout` passes first."""
        from playwright.sync_api import Error as PlaywrightError

        started = time.monotonic()
        while True:
            current = self._detect()
            if current is not state:
                return current
            elapsed = time.monotonic() - started
            if elapsed >= timeout:
                return None
            if waiting_for:
                self.person.waiting(waiting_for, elapsed, timeout)
            remaining_ms = max(50, int(min(1.0, timeout - elapsed) * 1000))
            try:
                self.page.evaluate(PAGE_ACTIVITY_JS, remaining_ms)
            except PlaywrightError:
                self._settle()  # a navigation is activity too

    def _page_alive(self) -> bool:
        return (
            not self.page.is_closed()
            and self.page.context.browser is not None
            and bool(self.page.context.browser.is_connected())
            if self.page.context.browser is not None
            else not self.page.is_closed()
        )

    def _alert_text(self) -> str:
        alerts = self.page.get_by_role("alert").filter(visible=True)
        texts = [t.strip() for t in alerts.all_inner_texts() if t.strip()]
        return "; ".join(texts)[:300]


def _quote(verdict: Verdict) -> str:
    """The sentence a reading rests on, short enough for a table cell."""
    if not verdict.because:
        return "(no text)"
    sentence = verdict.because[0]
    return f"“{sentence[:120]}{'…' if len(sentence) > 120 else ''}”"


def _first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


def result_for(
    objection: Objection,
    *,
    message: str,
    ledger: Ledger,
    screenshot: str | None,
    status: Status | None = None,
    started_at: str = "",
) -> Result:
    return Result(
        service=objection.service,
        status=status or objection.status,
        message=message,
        account=objection.account_email,
        objection_id=objection.id,
        started_at=started_at or objection.created_at,
        finished_at=objection.finished_at or utc_now(),
        final_url=objection.final_url,
        ledger=str(ledger.path),
        screenshot=screenshot,
    )


def bind_context(**values: str) -> None:
    structlog.contextvars.bind_contextvars(**{k: mask_email(v) for k, v in values.items()})
