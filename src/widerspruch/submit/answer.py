"""After Send: whether the form left the browser, whether Meta answered it, what the page
said after that answer, and what that means for the objection.

- "sent" means the submission request left the browser (``widerspruch.submit.submission``
  watches for it), not that Send was clicked;
- "confirmed" needs the submission answered with success and the text that appeared
  after that answer (never text already there before Send) reading as acceptance, with
  no refusal, negation or error in it (``widerspruch.page.verdict``);
- an answer that is not clear is the person's to judge; their yes is recorded as theirs
  (``confirmed_by_person``), anything else leaves it ``submitted_unconfirmed``.
"""

from __future__ import annotations

import contextlib
import time
from typing import TYPE_CHECKING, Any

from widerspruch.ledger import utc_now
from widerspruch.page.scripts import DOM_ACTIVITY_JS
from widerspruch.page.verdict import Reading, Verdict, judge
from widerspruch.proof.evidence import RESULT_PNG
from widerspruch.states import Status
from widerspruch.submit.person import PersonCannotAct
from widerspruch.submit.screen import PageGone
from widerspruch.submit.submission import (
    MARK_BEFORE_SEND_JS,
    Submission,
    SubmissionWatch,
    answer_text,
    page_sentences,
)
from widerspruch.text import first_line, local_time

if TYPE_CHECKING:
    from playwright.sync_api import Request

    from widerspruch.ledger import Ledger
    from widerspruch.page.flow import Flow
    from widerspruch.proof.evidence import Evidence
    from widerspruch.submit.person import Person
    from widerspruch.submit.screen import Screen

# After Send, a page that shows an inline message and no request for this long has
# stopped at its own check: nothing will leave.
STOPPED_AT_OWN_CHECK_S = 2.0
# How long the page may keep changing after Meta's answer before it is read.
SETTLE_S = 3.0
# How long an unclear answer is watched for the text that makes it clear.
ANSWER_WAIT_S = 10.0


class Answer:
    """One objection's submission: watched from just before Send, then read and judged."""

    def __init__(self, screen: Screen) -> None:
        self.screen = screen
        self.page = screen.page
        self.flow: Flow = screen.flow
        self.ledger: Ledger = screen.ledger
        self.objection_id = screen.objection_id
        self.person: Person = screen.person
        self.evidence: Evidence | None = screen.evidence
        self.response_timeout = screen.response_timeout
        self.log = screen.log
        # Every sentence on the page right before Send: none of it can be Meta's answer.
        self.before_send: set[str] = set()
        self._watch: SubmissionWatch | None = None
        self._recorded: dict[str, Any] | None = None

    def listen(self) -> None:
        """Follow the page's requests from now on (before the form is opened)."""
        self._watch = SubmissionWatch(self.page, self.flow)
        self.page.on("requestfinished", self._keep_request)

    @property
    def watch(self) -> SubmissionWatch:
        assert self._watch is not None, "listen() first"
        return self._watch

    @property
    def latest(self) -> Submission | None:
        return self._watch.latest if self._watch is not None else None

    @property
    def maybe_sent(self) -> bool:
        """Could Meta have the objection? Only if a submission request left the browser."""
        return self._watch is not None and self._watch.left_browser

    def arm(self, filled_values: list[str]) -> None:
        """Right before Send: what is on the page now was there before, and a POST that
        carries one of `filled_values` is the submission."""
        self.before_send = page_sentences(self.page)
        self.page.evaluate(MARK_BEFORE_SEND_JS)
        self.watch.arm(filled_values)

    def expect_code(self) -> None:
        """An emailed-code step: the next POST carries the code (the person may type it
        at once), and what is on the page now is not Meta's answer either."""
        self.watch.expect_code()
        self.before_send |= page_sentences(self.page)
        self.page.evaluate(MARK_BEFORE_SEND_JS)

    # -- waiting for it ---------------------------------------------------------------

    def wait(self, timeout: float, waiting_for: str | None = None) -> Submission | None:
        """After a click on Send (or the code step): wait until the submission left the
        browser and was answered or lost, then until the page stops changing. The
        submission, recorded; None if nothing left."""
        from playwright.sync_api import Error as PlaywrightError

        watch = self.watch
        started = time.monotonic()

        def waiting() -> bool:
            latest = watch.latest
            if latest is None or watch.code_awaited:
                # Nothing left yet. A page that stopped at its own check says so inline.
                elapsed = time.monotonic() - started
                return not (elapsed >= STOPPED_AT_OWN_CHECK_S and self.screen.alert_text())
            return latest.phase == "sent"

        while waiting():
            elapsed = time.monotonic() - started
            if elapsed >= timeout:
                break
            if waiting_for:
                self.person.waiting(waiting_for, elapsed, timeout)
            if not self.screen.alive():
                raise PageGone("page closed")
            # Wait on the network, not on the page's script: while a form POST is
            # pending, the page may not run anything at all.
            pending = watch.latest is not None and not watch.code_awaited
            with contextlib.suppress(PlaywrightError):  # nothing happened in this slice
                self.page.wait_for_event("requestfinished" if pending else "request", timeout=250)
        latest = watch.latest
        if latest is not None:
            self.record(latest)
            if latest.phase == "answered":
                self._settle_after_answer()
        return latest

    def _settle_after_answer(self) -> None:
        """Let the answer arrive on screen: a new page loads, or the form's region is
        replaced; read it once it has been quiet for a moment."""
        from playwright.sync_api import Error as PlaywrightError

        deadline = time.monotonic() + SETTLE_S
        while time.monotonic() < deadline:
            try:
                self.page.wait_for_load_state("domcontentloaded")
                if not self.page.evaluate(DOM_ACTIVITY_JS, 500):
                    return  # quiet for half a second
            except PlaywrightError:
                if not self.screen.alive():
                    raise PageGone("page closed") from None

    def record(self, submission: Submission) -> None:
        """The submission, as far as it got, in the ledger (once per change)."""
        if submission.phase == "answered":
            self.watch.digest_answer(submission)
        record = submission.record()
        if record == self._recorded:
            return
        self._recorded = record
        self.ledger.record_submission(self.objection_id, record)
        self.log.info(
            "submission",
            phase=submission.phase,
            step=submission.step,
            url=submission.url,
            status=submission.status,
            recognised_by=submission.recognised_by,
        )

    # -- reading and judging it --------------------------------------------------------

    def outcome(self, submission: Submission, page_language: str | None) -> tuple[Status, str]:
        """A submission left the browser: what did Meta say?"""
        self.record(submission)
        company = self.flow.company
        if submission.phase != "answered":
            why = f" ({submission.failure})" if submission.failure else ""
            return (
                Status.SUBMITTED_UNCONFIRMED,
                f"the form left the browser at {local_time(submission.sent_at)}, but "
                f"{company}'s answer never arrived{why}; {company} may have it: check your "
                f"email for {company}'s "
                "confirmation",
            )
        text, verdict = self._read(submission, page_language)
        self.ledger.record_reading(
            self.objection_id, page_language=page_language, result_text=text[:2000]
        )
        self.log.info("answer_read", reading=verdict.reading.value, status=submission.status)
        if verdict.accepted and submission.answered_ok:
            return Status.CONFIRMED, f"{company} confirmed the objection: {quote(verdict)}"
        if verdict.refused or verdict.error:
            return (
                Status.FAILED,
                f"{company} answered, and not with an acceptance: {quote(verdict)}. "
                f"{company} has seen this request, so widerspruch will not send it again by "
                "itself",
            )
        if verdict.unavailable:
            return (
                Status.UNAVAILABLE,
                f"{company} answered: the form is not available: {quote(verdict)}",
            )
        return self._ask_person(submission, text)

    def _read(self, submission: Submission, page_language: str | None) -> tuple[str, Verdict]:
        """Read what appeared after Meta's answer. A page may take a while to show it
        (a spinner, an animation): while the reading is unclear, read again at each
        change of the page, for a bounded time."""
        from playwright.sync_api import Error as PlaywrightError

        languages = [page_language] if page_language else []
        deadline = time.monotonic() + min(self.response_timeout, ANSWER_WAIT_S)
        while True:
            try:
                text = answer_text(self.page, submission, self.before_send)
            except PlaywrightError:
                if not self.screen.alive() or time.monotonic() >= deadline:
                    raise
                self.screen.settle()  # a navigation under way: read the new document
                continue
            verdict = judge(text, self.flow.labels, languages)
            if verdict.reading is not Reading.UNSURE or time.monotonic() >= deadline:
                return text, verdict
            try:
                self.page.evaluate(DOM_ACTIVITY_JS, 1000)
            except PlaywrightError:
                self.screen.settle()

    def _ask_person(self, submission: Submission, text: str) -> tuple[Status, str]:
        """An answered submission with no clear reading: the person may judge it."""
        status_note = f" (HTTP {submission.status})" if not submission.answered_ok else ""
        company = self.flow.company
        unclear = (
            f"{company} answered{status_note}, but the page does not clearly say the "
            f"objection was accepted; check your email for {company}'s confirmation"
        )
        screenshot = None
        if self.evidence is not None and self.screen.alive():
            try:
                screenshot = str(self.evidence.screenshot(self.page, RESULT_PNG))
            except Exception as error:  # noqa: BLE001 - the question matters more
                self.log.warning("evidence_failed", step="result", error=first_line(error))
        try:
            accepted = self.person.judge_answer(text, screenshot, company)
        except PersonCannotAct:
            return Status.SUBMITTED_UNCONFIRMED, unclear
        if accepted:
            shown = " ".join(text.split())[:300] or "(no new text)"
            return (
                Status.CONFIRMED_BY_PERSON,
                f"you judged that {company} accepted the objection; the page said: “{shown}”",
            )
        return Status.SUBMITTED_UNCONFIRMED, unclear + "; you did not judge it accepted"

    # -- what may have reached Meta ------------------------------------------------------

    def give_up(self, reason: str) -> tuple[Status, str]:
        """A failure, unless the form may already have reached Meta: then say that."""
        if not self.maybe_sent:
            return Status.FAILED, reason  # nothing left the browser
        return (
            Status.SUBMITTED_UNCONFIRMED,
            f"{reason}; the form had left the browser, so {self.flow.company} may have it: "
            f"check your email for {self.flow.company}'s confirmation",
        )

    def unsent_or_unconfirmed(self, reason: str) -> tuple[Status, str]:
        if self.maybe_sent:
            return Status.SUBMITTED_UNCONFIRMED, f"{reason}; it may have been sent"
        return Status.FAILED, reason

    def interrupted(self, reason: str, *, clicked: bool = False) -> tuple[Status, str]:
        if self.maybe_sent:
            return Status.SUBMITTED_UNCONFIRMED, f"{reason} after Send; it may have been sent"
        if clicked:
            # Stopped right after the click: the request may be on its way before the
            # browser has told us, and "nothing sent" would free a second Send.
            return (
                Status.SUBMITTED_UNCONFIRMED,
                f"{reason} right after Send was clicked; it may have been sent",
            )
        return Status.CANCELLED, f"{reason}; nothing sent"

    def _keep_request(self, request: Request) -> None:
        """Once armed, every POST to the flow's hosts goes into the evidence bundle."""
        if self.evidence is None or self._watch is None or not self._watch.armed:
            return
        if request.method == "POST" and self.flow.allows_url(request.url):
            self.evidence.record_request(request, utc_now())


def awaits_answer(submission: Submission | None) -> bool:
    """The page itself posted the form (a navigation) and Meta has not answered yet."""
    return submission is not None and submission.phase == "sent" and submission.kind == "document"


def quote(verdict: Verdict) -> str:
    """The sentence a reading rests on, short enough for a table cell."""
    if not verdict.because:
        return "(no text)"
    sentence = verdict.because[0]
    return f"“{sentence[:120]}{'…' if len(sentence) > 120 else ''}”"
