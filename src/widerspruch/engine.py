"""The submit engine: drives a flow from page state to page state and records the truth.

Rules it keeps:
- "confirmed" only after this run sent the form and then saw the confirmation page;
- the ledger says "submitting" (committed) before Send is clicked, so a crash after that
  point is never mistaken for "nothing sent", and the next run does not resend;
- every page state seen and every status change is an event in the ledger.
"""

from __future__ import annotations

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
from widerspruch.flow import EmailMismatch, FormChanged, FormError, ObjectionRequest
from widerspruch.ledger import Ledger, Objection, utc_now
from widerspruch.logs import get_logger, mask_email
from widerspruch.person import WAITING_FOR, Person, PersonCannotAct
from widerspruch.states import PageState, Status

if TYPE_CHECKING:
    from playwright.sync_api import Page, Request

    from widerspruch.flow import Flow

log = get_logger("widerspruch.engine")

# How long the page may take to react to something the tool did (a click, a load).
RESPONSE_TIMEOUT_S = 30.0
# How long an unrecognised page may stay before the person is asked to help.
UNKNOWN_GRACE_S = 10.0
# Failures that prove a request never reached any server. Any other failure after
# the request left (a reset, a timeout) may mean Meta has it.
NEVER_LEFT = frozenset(
    {
        "net::ERR_CONNECTION_REFUSED",
        "net::ERR_NAME_NOT_RESOLVED",
        "net::ERR_ADDRESS_UNREACHABLE",
        "net::ERR_INTERNET_DISCONNECTED",
        "net::ERR_BLOCKED_BY_CLIENT",
    }
)
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
        # POSTs after Send: issued, answered by the server, or lost on the way back.
        self.posts_sent = 0
        self.posts_answered = 0
        self.posts_lost = 0
        self.last_state: PageState | None = None
        self.log = log.bind(service=flow.service, objection=objection.id)

    # -- the loop -----------------------------------------------------------------

    def run(self) -> Objection:
        from playwright.sync_api import Error as PlaywrightError

        # A slow or silent server ends in a clear timeout, not an endless wait.
        self.page.set_default_navigation_timeout(self.response_timeout * 1000)
        self.page.set_default_timeout(self.response_timeout * 1000)
        self.page.on("request", self._on_request)
        self.page.on("requestfinished", self._on_request_finished)
        self.page.on("requestfailed", self._on_request_failed)
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
            elif state is PageState.AI_QUESTION:
                self._automatic(state, repeats, self.flow.answer_ai_question)
            elif state is PageState.FORM:
                self.reached_form = True
                if self.sent:
                    return self._form_after_send()
                self._fill_and_send()
            elif state is PageState.CONFIRMATION:
                if not self.sent:
                    # Not our doing: perhaps an old tab or a page that looks alike.
                    return self._give_up(
                        "the page shows a confirmation, but this run sent nothing; "
                        "not recorded as confirmed"
                    )
                return Status.CONFIRMED, "Meta confirmed the objection"
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
            raise Ending(
                *self._give_up("the login expired while sending; Meta did not take the form")
            )
        if need is PageState.LOGIN_WALL and self.password is not None:
            if self._log_in_with_stored_password():
                return
            self.password_refused = True
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
        except FormChanged as changed:
            raise Ending(*self._give_up(str(changed))) from None
        except FormError as error:
            raise Ending(*self._give_up(str(error))) from None
        self.log.info(
            "form_filled",
            country=filled.country,
            chars=filled.justification_chars,
            ai_question=filled.answered_ai_question,
        )
        self._keep_filled_form()
        if self.review:
            self._status(Status.SUBMITTING, "filled; waiting for the person to click Send")
            try:
                self.person.review(self.page, self.flow)
            except PersonCannotAct as error:
                raise Ending(*self._give_up(str(error))) from None
            self.sent = True
            left = self._wait_to_leave(PageState.FORM, self.person_timeout, "your click on Send")
            if left is None and not self.posts_sent:
                raise Ending(Status.TIMED_OUT, "Send was not clicked in time; nothing sent")
            return
        # Committed before the click: from here on, a crash means "maybe sent".
        self._status(Status.SUBMITTING, "clicking Send")
        self.sent = True
        self.flow.send(self.page)
        self._wait_to_leave(PageState.FORM, self.response_timeout)

    def _fill(self, *, replace_prefilled_email: bool) -> Any:
        try:
            return self.flow.fill(
                self.page, self.request, replace_prefilled_email=replace_prefilled_email
            )
        except FormError as error:
            raise Ending(*self._give_up(str(error))) from None

    def _form_after_send(self) -> tuple[Status, str]:
        """Send was clicked but the form is still there."""
        alert = self._alert_text()
        if self.posts_sent:
            return self._give_up(
                "the form was sent but Meta showed no confirmation"
                + (f": {alert}" if alert else "")
            )
        self.sent = False  # the page kept the form: nothing left the browser
        return self._give_up("the form did not accept the input" + (f": {alert}" if alert else ""))

    def _unknown_page(self) -> None:
        """Often a page still loading; otherwise something only the person can judge."""
        if self._wait_to_leave(PageState.UNKNOWN, min(UNKNOWN_GRACE_S, self.response_timeout)):
            return
        unrecognised = f"unrecognised page at {self.page.url}"
        if self.sent:
            # After Send, an unknown page must not lead anywhere near a second Send.
            raise Ending(*self._give_up(unrecognised + " after Send"))
        try:
            self.person.act(PageState.UNKNOWN, self.page, self.flow, self.request.email)
        except PersonCannotAct:
            raise Ending(*self._give_up(unrecognised)) from None
        waiting_for = WAITING_FOR[PageState.UNKNOWN]
        if self._wait_to_leave(PageState.UNKNOWN, self.person_timeout, waiting_for) is None:
            raise Ending(*self._give_up(unrecognised + "; it did not move on in time"))

    # -- outcomes -----------------------------------------------------------------

    def _maybe_sent(self) -> bool:
        """Could Meta have the objection? When unsure, yes: a resend is worse than a wait."""
        return self.sent and (self.posts_sent > 0 or not self.review)

    def _give_up(self, reason: str) -> tuple[Status, str]:
        """A failure, unless the form may already have reached Meta: then say that."""
        if not self._maybe_sent() or self.posts_sent == 0:
            return Status.FAILED, reason  # nothing left the browser
        if self.posts_lost or self.posts_sent > self.posts_answered:
            return (
                Status.SUBMITTED_UNCONFIRMED,
                f"{reason}; the connection broke after sending, so Meta may have it: "
                "check your email for Meta's confirmation",
            )
        if self.last_state in (PageState.ERROR, PageState.LOGIN_WALL):
            return Status.FAILED, reason  # Meta answered, and not with a confirmation
        return Status.SUBMITTED_UNCONFIRMED, f"{reason}; it may have been sent: check your email"

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
        try:
            if self._page_alive():
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

    def _is_form_post(self, request: Request) -> bool:
        return (
            self.sent
            and request.method == "POST"
            and request.resource_type in ("document", "fetch", "xhr")
            and self.flow.allows_url(request.url)
        )

    def _on_request(self, request: Request) -> None:
        if self._is_form_post(request):
            self.posts_sent += 1

    def _on_request_finished(self, request: Request) -> None:
        if self._is_form_post(request):
            self.posts_answered += 1
            if self.evidence is not None:
                self.evidence.record_request(request, utc_now())

    def _on_request_failed(self, request: Request) -> None:
        if not self._is_form_post(request):
            return
        if request.failure in NEVER_LEFT:
            self.posts_sent -= 1  # it never reached a server: nothing was sent
        else:
            self.posts_lost += 1
        if self.evidence is not None:
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
