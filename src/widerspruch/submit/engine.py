"""The submit engine: drives a flow from page state to page state and records the truth.

Rules it keeps:
- nothing is typed before the page shows itself as Meta's AI objection form;
- "sent" means the submission request left the browser (``widerspruch.submit.submission``),
  not that Send was clicked; a click that sent nothing leaves the ledger free;
- "confirmed" needs three things at once: the submission was answered with success,
  the text that appeared after that answer (never text already there before Send)
  reads as acceptance, and it holds no refusal, negation or error
  (``widerspruch.page.verdict``); an unclear answer is ``submitted_unconfirmed``, which the
  person may judge, and a yes is recorded as theirs (``confirmed_by_person``);
- the ledger says "submitting" (committed) before Send is clicked, so a crash after that
  point is never mistaken for "nothing sent", and the next run does not resend;
- every page state seen and every status change is an event in the ledger.

The page itself (its state, waiting for it to change) is ``widerspruch.submit.screen``;
what happens after Send (the submission, Meta's answer, its reading) is
``widerspruch.submit.answer``. A caller that needs to follow the run (``widerspruch
batch`` keeps its queue in step) passes ``RunHooks``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from widerspruch.accounts import Secret
from widerspruch.failures import Reason, explain
from widerspruch.ledger import Ledger, Objection
from widerspruch.logs import get_logger, tell
from widerspruch.page.flow import (
    EmailMismatch,
    FormError,
    NextMayHaveSent,
    ObjectionRequest,
)
from widerspruch.page.scripts import VISIBLE_TEXT_JS
from widerspruch.proof.evidence import Evidence
from widerspruch.states import PageState, Status
from widerspruch.submit.answer import Answer, awaits_answer
from widerspruch.submit.person import WAITING_FOR, Person, PersonCannotAct
from widerspruch.submit.screen import PageGone, Screen
from widerspruch.submit.submission import STAMP_CHANGES_JS
from widerspruch.text import first_line

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from widerspruch.page.flow import Flow

log = get_logger("widerspruch.submit.engine")

# How long the page may take to react to something the tool did (a click, a load).
RESPONSE_TIMEOUT_S = 30.0
# How long an unrecognised page may stay before the person is asked to help.
UNKNOWN_GRACE_S = 10.0
# How often an automatic step may repeat before we call it a loop.
MAX_REPEATS = 4


class Ending(Exception):
    """Stop driving the page with this status and message."""

    def __init__(self, status: Status, message: str) -> None:
        self.status = status
        self.message = message
        super().__init__(message)


class RunHooks(Protocol):
    """What a caller learns while the engine drives the page, each right before the step
    it names, on the engine's thread. A hook only records; it never changes the page or
    the objection, and it does not raise."""

    def person_needed(self, need: PageState) -> None:
        """The page needs the person (a login, a check, the emailed code, a page the
        engine does not know); they are about to be asked."""

    def filling(self) -> None:
        """The page is Meta's AI objection form; the engine is about to fill it in."""

    def sending(self) -> None:
        """The objection is committed as "submitting"; the engine is about to click Send
        (not in --review, where the person clicks it)."""


class NoHooks:
    """RunHooks for a caller that follows nothing."""

    def person_needed(self, need: PageState) -> None:
        pass

    def filling(self) -> None:
        pass

    def sending(self) -> None:
        pass


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
        hooks: RunHooks | None = None,
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
        self.password = password  # stored by the person; tried once, never in a loop
        self.password_refused = False
        self.reached_form = False  # logged in: the form (or beyond) was on screen
        self.sent = False  # Send was clicked (by us, or by the person in --review)
        self.page_language: str | None = None
        self.reason: Reason | None = None  # why it failed, when the browser or network said
        self.hooks: RunHooks = hooks or NoHooks()
        self.log = log.bind(service=flow.service, objection=objection.id)
        self.screen = Screen(
            page,
            flow,
            evidence=evidence,
            ledger=ledger,
            objection_id=objection.id,
            person=person,
            response_timeout=response_timeout,
            log=self.log,
        )
        self.answer = Answer(self.screen)

    # -- the loop -----------------------------------------------------------------

    def run(self) -> Objection:
        from playwright.sync_api import Error as PlaywrightError

        # A slow or silent server ends in a clear timeout, not an endless wait.
        self.page.set_default_navigation_timeout(self.response_timeout * 1000)
        self.page.set_default_timeout(self.response_timeout * 1000)
        self.answer.listen()
        with contextlib.suppress(PlaywrightError):  # a page gone already: the loop says so
            self.page.add_init_script(STAMP_CHANGES_JS)
        try:
            status, message = self._drive()
        except Ending as ending:
            status, message = ending.status, ending.message
        except (PageGone, PlaywrightError) as error:
            if not self.screen.alive():
                self.reason = Reason.BROWSER_CLOSED
                status, message = self.answer.interrupted("the browser window was closed")
            else:
                failure = explain(error, url=self.page.url)
                self.reason = failure.reason
                status, message = self.answer.unsent_or_unconfirmed(failure.message)
        except KeyboardInterrupt:
            status, message = self.answer.interrupted("stopped with Ctrl-C", clicked=self.sent)
            self._finish(status, message)
            raise
        finally:
            self.person.done_waiting()
        return self._finish(status, message)

    def _drive(self) -> tuple[Status, str]:
        self._goto(self.start_url)
        repeats: dict[PageState, int] = {}
        while True:
            state = self.screen.detect()
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
                return self.answer.give_up(
                    "the page shows a confirmation, but this run sent nothing; "
                    "not recorded as confirmed"
                )
            elif state is PageState.ERROR:
                return self.answer.give_up(
                    f'{self.flow.company} showed an error page ("Something went wrong")'
                )
            elif state is PageState.UNAVAILABLE:
                return Status.UNAVAILABLE, f"{self.flow.company} says the form is not available"
            else:
                self._unknown_page()

    def _automatic(
        self, state: PageState, repeats: dict[PageState, int], action: Callable[[Page], None]
    ) -> None:
        if repeats[state] > MAX_REPEATS:
            raise Ending(
                *self.answer.give_up(f"the {state.value.replace('_', ' ')} keeps coming back")
            )
        try:
            action(self.page)
        except FormError as error:
            raise Ending(*self.answer.give_up(str(error))) from None
        self.screen.wait_to_leave(state, self.response_timeout)

    def _hand_to_person(self, need: PageState) -> None:
        if self.sent and need is PageState.LOGIN_WALL:
            latest = self.answer.latest
            if latest is not None and latest.phase == "answered":
                self.answer.record(latest)
                raise Ending(
                    Status.FAILED,
                    f"the login expired while sending: {self.flow.company} answered with its "
                    "login page, so it did not take the form",
                )
            raise Ending(
                *self.answer.give_up(
                    f"the login expired while sending; {self.flow.company} did not take the form"
                )
            )
        if need is PageState.LOGIN_WALL and self.password is not None:
            if self._log_in_with_stored_password():
                return
            self.password_refused = True
        if need is PageState.CODE_STEP:
            self.answer.expect_code()  # before the person types it: the POST may go at once
        self.hooks.person_needed(need)
        try:
            self.person.act(need, self.page, self.flow, self.request.email)
        except PersonCannotAct as error:
            refused = "the stored password was refused; " if self.password_refused else ""
            raise Ending(*self.answer.give_up(refused + str(error))) from None
        waiting_for = WAITING_FOR[need]
        if self.screen.wait_to_leave(need, self.person_timeout, waiting_for) is None:
            raise Ending(
                Status.SUBMITTED_UNCONFIRMED if self.answer.maybe_sent else Status.TIMED_OUT,
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
            self.screen.settle()
        after = self.screen.wait_to_leave(PageState.UNKNOWN, self.response_timeout)
        if after is PageState.LOGIN_WALL:
            tell(
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
            self.hooks.filling()
            filled = self.flow.fill(self.page, self.request)
        except EmailMismatch as mismatch:
            try:
                replace = self.person.confirm(
                    f"{self.flow.company} prefilled {mismatch.prefilled}, but this objection is "
                    f"for {mismatch.wanted}. Replace it with {mismatch.wanted}?"
                )
            except PersonCannotAct as error:
                raise Ending(*self.answer.give_up(str(error))) from None
            if not replace:
                raise Ending(
                    Status.CANCELLED,
                    f"kept {self.flow.company}'s address {mismatch.prefilled}; nothing sent",
                ) from None
            filled = self._fill(replace_prefilled_email=True)
        except NextMayHaveSent as sent:
            # A button taken for "Next" posted the form: Meta may have it.
            self._status(Status.SUBMITTING, "a button taken for Next sent the form")
            raise Ending(
                Status.SUBMITTED_UNCONFIRMED,
                f"{sent}; {self.flow.company} may have the objection: check your email for "
                f"{self.flow.company}'s confirmation",
            ) from None
        except FormError as error:  # a changed form among them: nothing was filled
            raise Ending(*self.answer.give_up(str(error))) from None
        self.log.info(
            "form_filled",
            country=filled.country,
            chars=filled.justification_chars,
            ai_question=filled.answered_ai_question,
            language=self.page_language,
        )
        self.screen.keep_filled_form()
        self.answer.arm([self.request.email, self.request.justification])
        if self.review:
            self._status(Status.SUBMITTING, "filled; waiting for the person to click Send")
            try:
                self.person.review(self.page, self.flow)
            except PersonCannotAct as error:
                raise Ending(*self.answer.give_up(str(error))) from None
            self.sent = True
            self._await_answer(self.person_timeout, waiting_for="your click on Send")
            if not self.answer.maybe_sent:
                raise Ending(Status.TIMED_OUT, "Send was not clicked in time; nothing sent")
            return
        # Committed before the click: from here on, a crash means "maybe sent".
        self._status(Status.SUBMITTING, "clicking Send")
        try:
            self.hooks.sending()
            self.sent = True  # from here a stop may come after the click: "maybe sent"
            self.flow.send(self.page)
        except (FormError, PlaywrightError) as error:
            # A click that timed out waiting for its navigation may have sent all the
            # same: only a request that never left means nothing was sent.
            if not self.answer.maybe_sent:
                if isinstance(error, PlaywrightError):
                    failure = explain(error, url=self.page.url)
                    self.reason = failure.reason
                    raise Ending(*self._not_sent(failure.message)) from None
                raise Ending(*self._not_sent(first_line(error))) from None
            self.log.info("send_click_ended_early", error=first_line(error))
        self._await_answer(self.response_timeout)

    def _fill(self, *, replace_prefilled_email: bool) -> Any:
        try:
            self.hooks.filling()
            return self.flow.fill(
                self.page, self.request, replace_prefilled_email=replace_prefilled_email
            )
        except FormError as error:
            raise Ending(*self.answer.give_up(str(error))) from None

    def _await_answer(self, timeout: float, waiting_for: str | None = None) -> None:
        """After a click on Send (or the code step): wait for Meta's answer to settle."""
        if awaits_answer(self.answer.wait(timeout, waiting_for)):
            # The page waits for Meta's answer and runs nothing meanwhile: reading
            # it would wait as long. What is known is enough for the outcome.
            raise Ending(*self._outcome_after_send())

    def _outcome_after_send(self) -> tuple[Status, str]:
        """Send was clicked and the page has moved (or not): what did Meta say?"""
        submission = self.answer.latest
        if submission is None:
            alert = self.screen.alert_text()
            return self._not_sent(
                "Send was clicked, but no request left the browser"
                + (f" (the page says: {alert})" if alert else "")
            )
        return self.answer.outcome(submission, self.page_language)

    def _unknown_page(self) -> None:
        """Often a page still loading; otherwise something only the person can judge."""
        if self.screen.wait_to_leave(
            PageState.UNKNOWN, min(UNKNOWN_GRACE_S, self.response_timeout)
        ):
            return
        unrecognised = f"unrecognised page at {self.page.url}"
        if self.sent:
            # After Send, an unknown page must not lead anywhere near a second Send.
            raise Ending(*self._outcome_after_send())
        shows = " ".join(str(self.page.evaluate(VISIBLE_TEXT_JS)).split())[:160]
        self.log.info("unknown_page", url=self.page.url, shows=shows, waiting_s=self.person_timeout)
        self.person.tell(
            f"The page at {self.page.url} is not one widerspruch knows. It shows: "
            f"“{shows or '(nothing)'}”. Waiting up to {self.person_timeout:.0f} s for it "
            "to move on."
        )
        self.hooks.person_needed(PageState.UNKNOWN)
        try:
            self.person.act(PageState.UNKNOWN, self.page, self.flow, self.request.email)
        except PersonCannotAct:
            raise Ending(*self.answer.give_up(unrecognised)) from None
        waiting_for = WAITING_FOR[PageState.UNKNOWN]
        if self.screen.wait_to_leave(PageState.UNKNOWN, self.person_timeout, waiting_for) is None:
            raise Ending(*self.answer.give_up(unrecognised + "; it did not move on in time"))

    # -- outcomes -----------------------------------------------------------------

    def _not_sent(self, reason: str) -> tuple[Status, str]:
        """Send was clicked but nothing left: the ledger stays free for the next run."""
        self.sent = False
        return Status.FAILED, f"{reason}; nothing was sent"

    def _finish(self, status: Status, message: str) -> Objection:
        final_url = None if self.page.is_closed() else self.page.url
        self.log.info("objection_ended", status=status.value, detail=message)
        self.objection = self.ledger.set_status(
            self.objection.id, status, message, final_url=final_url, reason=self.reason
        )
        # A page still waiting for Meta's answer to its POST can be neither pictured nor
        # read; the filled form's picture and the submission record tell what happened.
        picture = not awaits_answer(self.answer.latest)
        self.objection = self.screen.seal(self.objection, picture=picture)
        return self.objection

    @property
    def screenshot(self) -> str | None:
        return self.screen.screenshot

    def _status(self, status: Status, detail: str) -> None:
        self.objection = self.ledger.set_status(self.objection.id, status, detail)

    # -- the page -----------------------------------------------------------------

    def _goto(self, url: str) -> None:
        from playwright.sync_api import Error as PlaywrightError

        self.log.info("opening_form", url=url)
        try:
            response = self.page.goto(url, wait_until="domcontentloaded")
        except PlaywrightError as error:
            failure = explain(error, url=url)
            self.reason = failure.reason
            raise Ending(Status.FAILED, f"{failure.message}; nothing was sent") from None
        if response is not None and response.status == 404:
            raise Ending(Status.UNAVAILABLE, f"the form is gone: {url} answers 404")
