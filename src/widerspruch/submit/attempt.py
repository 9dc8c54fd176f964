"""One try at one objection, the same for `widerspruch submit` and `widerspruch batch`:
claim it in the ledger, open a fresh page, let the engine run, end the claim truthfully,
and write the PDF receipt of a confirmed objection.

The claim comes first: another live run objecting for the same account and service
(``Busy``), or an earlier objection that may have reached Meta (``Blocked``), means
nothing is opened and nothing is sent. Once claimed, however the try ends (an outcome,
Ctrl-C or SIGTERM, an error, the claim taken over by another run), the claim is ended
the way a crash would be read: before Send "nothing sent", after it "Meta may have it".
What the caller does next (a result line, the batch's item) is the caller's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from widerspruch.accounts import (
    Accounts,
    NoKeyring,
    SessionUnreadable,
    keyring_usable,
    tell_once_no_keyring,
)
from widerspruch.ledger import ClaimHeld, Ledger, Objection, TransitionRefused, utc_now
from widerspruch.logs import get_logger, tell
from widerspruch.page.flow import ObjectionRequest
from widerspruch.proof.evidence import Evidence, bundle_dir
from widerspruch.states import Status
from widerspruch.submit.engine import NoHooks, Run, RunHooks
from widerspruch.submit.justification import template_for
from widerspruch.submit.setting import switch_setting_off

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from widerspruch.browser import BrowserSession, FlowPage
    from widerspruch.page.flow import Flow
    from widerspruch.settings import Settings
    from widerspruch.submit.person import Person

log = get_logger("widerspruch.submit")

# Objections that get their PDF receipt at once.
RECEIPTED = frozenset({Status.CONFIRMED, Status.CONFIRMED_BY_PERSON})


class AttemptHooks(RunHooks, Protocol):
    """RunHooks, and the moment the claim is committed."""

    def claimed(self, objection: Objection) -> None:
        """The objection is claimed for this run; no page is open yet."""


class NoAttemptHooks(NoHooks):
    def claimed(self, objection: Objection) -> None:
        pass


@dataclass(frozen=True)
class Resend:
    """The earlier objection that the person (or the batch's operator) decided to send
    again, and who decided, as the ledger's note on it says: "`decided`, as objection
    #N"."""

    of: int
    decided: str


@dataclass(frozen=True)
class Busy:
    """Another live run is objecting for this account and service: nothing sent."""

    live: Objection


@dataclass(frozen=True)
class Blocked:
    """An earlier objection may already have reached Meta: nothing sent."""

    earlier: Objection


@dataclass(frozen=True)
class Tried:
    """The try is over and its claim ended; `objection` is as the ledger has it now."""

    objection: Objection
    started_at: str
    screenshot: str | None = None
    receipt: Path | None = None
    # Ctrl-C or SIGTERM ended it (as the caller's own exception, to raise or to note).
    interrupt: KeyboardInterrupt | None = None
    engine_ran: bool = False  # False: stopped before the engine had the page
    # Another run took the claim over (its lease had run out): this one stopped there.
    taken_over: TransitionRefused | None = None


def attempt(
    settings: Settings,
    flow: Flow,
    *,
    ledger: Ledger,
    person: Person,
    justification: str,
    browser: Callable[[], BrowserSession],
    resend: Resend | None = None,
    hooks: AttemptHooks | None = None,
    receipt: Callable[[Objection], Path | None] | None = None,
    use_saved_login: bool = True,
) -> Busy | Blocked | Tried:
    """Claim, open, run, release, receipt: one objection for ``settings.email`` on `flow`.

    `browser` gives the open browser (a batch launches it on first use, inside the try,
    so that Ctrl-C then is a stop like any other). `receipt` writes the PDF receipt of
    a confirmed objection; it is not called when the try was stopped or taken over.
    """
    hooks = hooks or NoAttemptHooks()
    start_url = settings.form_url or flow.form_url
    template = template_for(settings, flow)
    try:
        objection, blocking = ledger.claim(
            service=flow.service,
            account_email=settings.email,
            country=settings.country,
            language=settings.language,
            # The text sent: a flow may have its own version of the template asked for.
            template=flow.template_name(settings.template) if template else "(given text)",
            template_version=template.version if template else "",
            justification=justification,
            form_url=start_url,
            force=settings.force,
            allow_resend_of=resend.of if resend is not None else None,
            demo=settings.demo,
        )
    except ClaimHeld as held:  # another run claimed it since the caller looked
        return Busy(held.objection)
    if blocking is not None:  # another run got there first
        return Blocked(blocking)
    if resend is not None:
        ledger.note(resend.of, "sent_again", f"{resend.decided}, as objection #{objection.id}")
    started = utc_now()
    run: Run | None = None
    interrupt: KeyboardInterrupt | None = None
    taken_over: TransitionRefused | None = None
    try:
        # Inside: Ctrl-C or SIGTERM right after the claim is recorded as a stop, not
        # left looking like an attempt still running.
        hooks.claimed(objection)
        session = browser()
        flow_page, run = open_run(
            settings,
            flow,
            session=session,
            person=person,
            ledger=ledger,
            objection=objection,
            justification=justification,
            start_url=start_url,
            use_saved_login=use_saved_login,
            hooks=hooks,
        )
        try:
            objection = run.run()
            evidence = run.screen.evidence
            if settings.also_setting and flow.setting is not None and evidence is not None:
                switch_setting_off(
                    flow,
                    flow_page.page,
                    ledger=ledger,
                    objection=objection,
                    person=person,
                    evidence=evidence,
                    timeout=settings.response_timeout,
                )
        finally:
            if settings.keep_session and run.reached_form and not session.attached:
                keep_login(settings, flow, flow_page.page)
            flow_page.close()
    except KeyboardInterrupt as stop:
        interrupt = stop
        if ledger.get(objection.id).status in (Status.PENDING, Status.IN_PROGRESS):
            # Stopped before the engine could record it (the page was opening).
            ledger.set_status(
                objection.id, Status.CANCELLED, "stopped before sending; nothing sent"
            )
    except TransitionRefused as refused:
        taken_over = refused
    finally:
        # A try that ended by an error, not an outcome, says so truthfully.
        objection = ledger.release(objection.id)
    written = None
    ended = interrupt is None and taken_over is None  # not stopped half-way
    if settings.timestamping is not None and ended and objection.manifest_sha256:
        from widerspruch.proof.timestamp import stamp_quietly

        # Never raises: a timestamp that did not come never changes the outcome.
        stamp_quietly(ledger, objection, settings.timestamping)
    if receipt is not None and ended and objection.status in RECEIPTED:
        written = receipt(objection)  # never raises: a receipt never changes the outcome
    return Tried(
        objection=objection,
        started_at=started,
        screenshot=run.screenshot if run is not None else None,
        receipt=written,
        interrupt=interrupt,
        engine_ran=run is not None,
        taken_over=taken_over,
    )


def open_run(
    settings: Settings,
    flow: Flow,
    *,
    session: BrowserSession,
    person: Person,
    ledger: Ledger,
    objection: Objection,
    justification: str,
    start_url: str,
    use_saved_login: bool = True,
    hooks: RunHooks | None = None,
) -> tuple[FlowPage, Run]:
    """A fresh page for `flow` and the engine's Run for `objection` on it (`widerspruch
    batch` never uses saved logins: each member starts clean)."""
    storage = None
    if use_saved_login and not session.attached:
        storage = saved_login(settings, flow)
    flow_page = session.open_page(flow, storage_state=storage)
    run = Run(
        page=flow_page.page,
        flow=flow,
        request=ObjectionRequest(
            email=settings.email,
            country=settings.country,
            justification=justification,
            details=settings.details_for(flow),
        ),
        person=person,
        ledger=ledger,
        objection=objection,
        start_url=start_url,
        person_timeout=settings.timeout,
        response_timeout=settings.response_timeout,
        review=settings.review,
        evidence=Evidence(
            bundle_dir(settings.data_dir, objection.id, flow.service), demo=settings.demo
        ),
        password=Accounts(settings.data_dir).password(settings.email, flow.service),
        hooks=hooks,
    )
    return flow_page, run


def saved_login(settings: Settings, flow: Flow) -> dict[str, Any] | None:
    """The account's saved login, if there is a usable one; a damaged one is set aside."""
    accounts = Accounts(settings.data_dir)
    try:
        return accounts.load_session(settings.email, flow.service)
    except SessionUnreadable as error:
        tell(
            f"The saved login for {flow.display_name} could not be used ({error}); "
            "logging in normally",
            service=flow.service,
        )
    except NoKeyring:
        pass  # no saved logins without a keyring; said once where one was asked for
    return None


def keep_login(settings: Settings, flow: Flow, page: Page) -> None:
    """Save the browser's login for next time, encrypted (--keep-session)."""
    from playwright.sync_api import Error as PlaywrightError

    if not keyring_usable():
        tell_once_no_keyring()
        return
    try:
        state = page.context.storage_state()
    except PlaywrightError:
        return  # the window is gone; nothing to keep
    Accounts(settings.data_dir).save_session(settings.email, flow.service, dict(state))
