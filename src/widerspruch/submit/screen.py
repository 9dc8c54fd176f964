"""The page as the submit engine sees it: which state it shows, waiting for it to change,
whether it is still there, and what is kept of it as evidence.

Every new state the page shows is an event in the ledger. Waiting never sleeps: it
waits for the next change of the page (``DOM_ACTIVITY_JS`` resolves on the next change
to the document, or after a slice of time), and reads the page again.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from widerspruch import __version__
from widerspruch.ledger import utc_now
from widerspruch.page.scripts import DOM_ACTIVITY_JS, GROW_TEXT_BOXES_JS, RESTORE_TEXT_BOXES_JS
from widerspruch.proof.evidence import (
    DEMO_NOTE,
    FORM_FILLED,
    OBJECTION,
    RESULT_HTML,
    RESULT_PNG,
)
from widerspruch.states import PageState
from widerspruch.text import first_line

if TYPE_CHECKING:
    from playwright.sync_api import Page
    from structlog.typing import FilteringBoundLogger

    from widerspruch.ledger import Ledger, Objection
    from widerspruch.page.flow import Flow
    from widerspruch.proof.evidence import Evidence
    from widerspruch.submit.person import Person


class PageGone(Exception):
    """The tab, window or browser went away."""


class Screen:
    """One objection's page: read its state, wait for it to change, tell if it is gone,
    and keep it in the objection's evidence bundle."""

    def __init__(
        self,
        page: Page,
        flow: Flow,
        *,
        evidence: Evidence | None,
        ledger: Ledger,
        objection_id: int,
        person: Person,
        response_timeout: float,
        log: FilteringBoundLogger,
    ) -> None:
        self.page = page
        self.flow = flow
        self.evidence = evidence
        self.ledger = ledger
        self.objection_id = objection_id
        self.person = person
        self.response_timeout = response_timeout
        self.log = log
        self.last_state: PageState | None = None

    def detect(self) -> PageState:
        from playwright.sync_api import Error as PlaywrightError

        for _ in range(5):
            if not self.alive():
                raise PageGone("page closed")
            try:
                state = self.flow.detect(self.page)
                break
            except PlaywrightError:
                # Navigating: the old document went away mid-read. Read the new one.
                self.settle()
        else:
            state = PageState.UNKNOWN
        if state is not self.last_state:
            self.last_state = state
            self.log.info("page_state", state=state.value)
            self.ledger.record_page(self.objection_id, state.value)
        return state

    def wait_to_leave(
        self, state: PageState, timeout: float, waiting_for: str | None = None
    ) -> PageState | None:
        """Wait until the page shows another state; None if `timeout` passes first."""
        from playwright.sync_api import Error as PlaywrightError

        started = time.monotonic()
        while True:
            current = self.detect()
            if current is not state:
                return current
            elapsed = time.monotonic() - started
            if elapsed >= timeout:
                return None
            if waiting_for:
                self.person.waiting(waiting_for, elapsed, timeout)
            remaining_ms = max(50, int(min(1.0, timeout - elapsed) * 1000))
            try:
                self.page.evaluate(DOM_ACTIVITY_JS, remaining_ms)
            except PlaywrightError:
                self.settle()  # a navigation is activity too

    def settle(self) -> None:
        from playwright.sync_api import Error as PlaywrightError

        try:
            self.page.wait_for_load_state("domcontentloaded", timeout=self.response_timeout * 1000)
        except PlaywrightError:
            if not self.alive():
                raise PageGone("page closed") from None

    def alive(self) -> bool:
        return (
            not self.page.is_closed()
            and self.page.context.browser is not None
            and bool(self.page.context.browser.is_connected())
            if self.page.context.browser is not None
            else not self.page.is_closed()
        )

    def alert_text(self) -> str:
        alerts = self.page.get_by_role("alert").filter(visible=True)
        texts = [t.strip() for t in alerts.all_inner_texts() if t.strip()]
        return "; ".join(texts)[:300]

    # -- evidence -----------------------------------------------------------------

    def keep_filled_form(self) -> None:
        if self.evidence is None:
            return
        try:
            self.evidence.remember_cookies(self.page)
            # The whole text in the picture: boxes grown to it for the shot, then as Meta made them.
            heights = self.page.evaluate(GROW_TEXT_BOXES_JS)
            try:
                self.evidence.screenshot(self.page, FORM_FILLED)
            finally:
                self.page.evaluate(RESTORE_TEXT_BOXES_JS, heights)
        except Exception as error:  # noqa: BLE001 - missing evidence must not stop the objection
            self.log.warning("evidence_failed", step="form_filled", error=first_line(error))

    def seal(self, objection: Objection, *, picture: bool) -> Objection:
        """Keep the page as it ended (unless not `picture`), the circumstances, and seal
        it all with a manifest; the objection as the ledger has it then."""
        if self.evidence is None:
            return objection
        try:
            if self.alive() and picture:
                self.evidence.screenshot(self.page, RESULT_PNG)
                self.evidence.page_html(self.page, RESULT_HTML)
            browser = self.page.context.browser
            self.evidence.write_json(
                OBJECTION,
                {
                    **{
                        k: v
                        for k, v in vars(objection).items()
                        if k not in ("evidence_dir", "manifest_sha256")
                    },
                    **({"note": DEMO_NOTE} if objection.demo else {}),
                    "tool_version": __version__,
                    "browser_version": browser.version if browser else None,
                    "events": [vars(e) for e in self.ledger.events(objection.id)],
                },
            )
            digest = self.evidence.seal(utc_now())
            self.ledger.set_evidence(objection.id, str(self.evidence.folder), digest)
            return self.ledger.get(objection.id)
        except Exception as error:  # noqa: BLE001 - the outcome is recorded already
            self.log.warning("evidence_failed", step="seal", error=first_line(error))
            return objection

    @property
    def screenshot(self) -> str | None:
        if self.evidence is None or not (self.evidence.folder / RESULT_PNG).exists():
            return None
        return str(self.evidence.folder / RESULT_PNG)
