"""Submitting objections for several services in one run: ledger first, browser second."""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from widerspruch.accounts import (
    Accounts,
    NoKeyring,
    SessionUnreadable,
    keyring_usable,
    tell_once_no_keyring,
)
from widerspruch.browser import BrowserSession, FlowPage, open_browser
from widerspruch.claims import Renewer
from widerspruch.countries import country_name
from widerspruch.engine import Result, Run, bind_context, result_for
from widerspruch.errors import UsageError
from widerspruch.evidence import FORM_FILLED, RESULT_PNG, Evidence, bundle_dir
from widerspruch.flow import ObjectionRequest
from widerspruch.flows import get_flow
from widerspruch.justification import load, today
from widerspruch.ledger import ClaimHeld, Ledger, Objection, TransitionRefused, utc_now
from widerspruch.logs import get_logger, mask_email
from widerspruch.person import PersonCannotAct
from widerspruch.receipt import ReceiptPrinter
from widerspruch.states import Status

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page

    from widerspruch.flow import Flow
    from widerspruch.person import Person
    from widerspruch.settings import Settings

log = get_logger("widerspruch.submit")


@dataclass
class Outcome:
    results: list[Result] = field(default_factory=list)
    interrupted: bool = False

    @property
    def ok(self) -> bool:
        return not self.interrupted and all(r.status.is_success for r in self.results)


def justification_for(settings: Settings, flow: Flow) -> str:
    """The text to send: --justification as given, or the template filled in."""
    if settings.justification:
        text = settings.justification
    else:
        text = load(settings.template, settings.language).render(
            email=settings.email,
            country=country_name(settings.country, settings.language),
            country_code=settings.country,
            date=today(),
            service=flow.display_name,
        )
    if len(text) > flow.justification_limit:
        raise UsageError(
            f"the justification has {len(text)} characters; the {flow.display_name} form "
            f"takes at most {flow.justification_limit}"
        )
    return text


def settled(objection: Objection) -> bool:
    """Confirmed on Meta's page (or by Meta's email since), or by the person's own word:
    nothing to ask, the objection stands."""
    return objection.status.was_confirmed or objection.status is Status.CONFIRMED_BY_PERSON


def earlier_result(earlier: Objection, ledger: Ledger, why: str | None = None) -> Result:
    """A service skipped because an earlier objection may already have reached Meta."""
    if settled(earlier):
        whose = " by you" if earlier.status is Status.CONFIRMED_BY_PERSON else ""
        return result_for(
            earlier,
            status=Status.ALREADY_CONFIRMED,
            message=f"already confirmed{whose} on {earlier.finished_at} (objection "
            f"#{earlier.id}, now {earlier.status.value}); nothing sent. Use --force to "
            "object again",
            ledger=ledger,
            screenshot=None,
            started_at=utc_now(),
        )
    return result_for(
        earlier,
        status=Status.SUBMITTED_UNCONFIRMED,
        message=f"objection #{earlier.id} may already have reached Meta "
        f"({earlier.status.value} since {earlier.updated_at}); not sent again"
        + (f" ({why})" if why else "")
        + ". Check your email for Meta's confirmation and import it with `widerspruch "
        f"confirm {earlier.id} --eml FILE`; to send it again, answer yes at a terminal "
        "or use --force",
        ledger=ledger,
        screenshot=None,
        started_at=utc_now(),
    )


def busy_result(live: Objection, ledger: Ledger) -> Result:
    """Another run, still alive, is objecting for this account and service: nothing sent."""
    return result_for(
        live,
        message=ledger.describe_claim(live) + "; nothing sent",
        ledger=ledger,
        screenshot=None,
        started_at=utc_now(),
    )


def evidence_shown(earlier: Objection, data_dir: Path) -> str | None:
    """The evidence bundle's picture of the page: after Meta's answer, else the filled form."""
    folder = Path(earlier.evidence_dir) if earlier.evidence_dir else None
    folder = folder or bundle_dir(data_dir, earlier.id, earlier.service)
    for name in (RESULT_PNG, FORM_FILLED):
        if (folder / name).is_file():
            return str(folder / name)
    return None


def what_is_known(earlier: Objection, data_dir: Path) -> list[str]:
    """Everything the ledger knows about an objection that may have reached Meta."""
    lines = [
        f"Objection #{earlier.id} for {mask_email(earlier.account_email)} on {earlier.service} may "
        f"already have reached Meta: it is {earlier.status.value} since {earlier.updated_at}"
        + (f" ({earlier.detail})" if earlier.detail else "")
        + "."
    ]
    if earlier.submission:
        try:
            request = json.loads(earlier.submission)
        except ValueError:
            request = {}
        if isinstance(request, dict):
            answer = (
                f"answered {request['status']}"
                if request.get("status") is not None
                else f"no answer ({request.get('failure') or request.get('phase')})"
            )
            lines.append(
                f"The submission: {request.get('method', 'POST')} {request.get('url', '?')} "
                f"at {request.get('sent_at', '?')}, {answer}."
            )
    else:
        lines.append("No submission request was recorded (the run may have ended first).")
    screenshot = evidence_shown(earlier, data_dir)
    if screenshot:
        lines.append(f"Screenshot: {screenshot}")
    lines.append(
        "Check your email for Meta's confirmation first (import it with `widerspruch "
        f"confirm {earlier.id} --eml FILE`), or look at Meta's form without sending "
        f"anything: `widerspruch check {earlier.service} --account {earlier.account_email}`."
    )
    return lines


def ask_to_send_again(earlier: Objection, person: Person, data_dir: Path) -> tuple[bool, str]:
    """Show what is known and ask the person; (send again?, why not)."""
    question = "\n".join([*what_is_known(earlier, data_dir), "Send it again?"])
    try:
        if person.confirm(question):
            return True, ""
    except PersonCannotAct:
        return False, "nobody at a terminal to ask, or --yes"
    return False, "you said no"


def saved_login(settings: Settings, flow: Flow) -> dict[str, Any] | None:
    """The account's saved login, if there is a usable one; a damaged one is set aside."""
    accounts = Accounts(settings.data_dir)
    try:
        return accounts.load_session(settings.email, flow.service)
    except SessionUnreadable as error:
        log.warning(
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
        tell_once_no_keyring(log.warning)
        return
    try:
        state = page.context.storage_state()
    except PlaywrightError:
        return  # the window is gone; nothing to keep
    Accounts(settings.data_dir).save_session(settings.email, flow.service, dict(state))


def submit_many(
    runs: list[Settings],
    person: Person,
    *,
    prepare_context: Callable[[BrowserContext, Flow], None] | None = None,
) -> Outcome:
    """Several accounts in turn (--all-accounts), one browser, a fresh context for each."""
    outcome = Outcome()
    first = runs[0]
    with open_browser(
        browser_path=first.browser_path,
        headless=first.headless,
        cdp_url=first.cdp_url,
        prepare_context=prepare_context,
    ) as session:
        for settings in runs:
            part = submit_all(settings, person, session=session)
            outcome.results += part.results
            if part.interrupted:
                outcome.interrupted = True
                break
    return outcome


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
) -> tuple[FlowPage, Run]:
    """A fresh page for `flow` and the engine's Run for `objection` on it (also used by
    `widerspruch batch`, which never uses saved logins: each member starts clean)."""
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
        ),
        person=person,
        ledger=ledger,
        objection=objection,
        start_url=start_url,
        person_timeout=settings.timeout,
        response_timeout=settings.response_timeout,
        review=settings.review,
        evidence=Evidence(bundle_dir(settings.data_dir, objection.id, flow.service)),
        password=Accounts(settings.data_dir).password(settings.email, flow.service),
    )
    return flow_page, run


def submit_all(
    settings: Settings,
    person: Person,
    *,
    prepare_context: Callable[[BrowserContext, Flow], None] | None = None,
    on_result: Callable[[Result], None] | None = None,
    session: BrowserSession | None = None,
) -> Outcome:
    """Object for every service in `settings`, in turn, and record everything.

    The ledger is asked first: a service already confirmed for this account is skipped
    without opening a browser, unless ``settings.force``; one that may have reached Meta
    is shown to the person, and sent again only on their explicit yes (or --force).
    Another live run objecting for the same account and service stops this one at once.
    Each objection is a claim that this run holds, its lease renewed while it runs. Pass
    a `session` to reuse an open browser; otherwise one is launched (or attached) here.
    """
    outcome = Outcome()
    bind_context(account=settings.email)

    def add(result: Result) -> None:
        outcome.results.append(result)
        if on_result is not None:
            on_result(result)

    with Ledger.open(settings.data_dir) as ledger, Renewer(settings.data_dir, ledger.owner):
        flows = [get_flow(service) for service in settings.services]
        texts = {flow.service: justification_for(settings, flow) for flow in flows}
        to_do = []
        resend_of: dict[str, int] = {}  # service -> the earlier objection the person resends
        for flow in flows:
            live = ledger.live_claim(flow.service, settings.email)
            if live is not None:
                add(busy_result(live, ledger))
                continue
            earlier = None if settings.force else ledger.latest_sent(flow.service, settings.email)
            if earlier is None:
                to_do.append(flow)
            elif settled(earlier):
                add(earlier_result(earlier, ledger))
            else:
                again, why = ask_to_send_again(earlier, person, settings.data_dir)
                if again:
                    resend_of[flow.service] = earlier.id
                    to_do.append(flow)
                else:
                    add(earlier_result(earlier, ledger, why))
        if not to_do:
            return outcome
        with ExitStack() as stack:
            if session is None:
                session = stack.enter_context(
                    open_browser(
                        browser_path=settings.browser_path,
                        headless=settings.headless,
                        cdp_url=settings.cdp_url,
                        prepare_context=prepare_context,
                    )
                )
            # A confirmed objection gets its PDF receipt at once (see widerspruch.receipt).
            receipts = ReceiptPrinter(
                session, headless=settings.headless, browser_path=settings.browser_path
            )
            stack.callback(receipts.close)
            for flow in to_do:
                start_url = settings.form_url or flow.form_url
                try:
                    objection, blocking = ledger.claim(
                        service=flow.service,
                        account_email=settings.email,
                        country=settings.country,
                        language=settings.language,
                        template="(given text)" if settings.justification else settings.template,
                        template_version=""
                        if settings.justification
                        else settings.template_version,
                        justification=texts[flow.service],
                        form_url=start_url,
                        force=settings.force,
                        allow_resend_of=resend_of.get(flow.service),
                    )
                except ClaimHeld as held:  # another run claimed it since we looked
                    add(busy_result(held.objection, ledger))
                    continue
                if blocking is not None:  # another run got there first
                    add(earlier_result(blocking, ledger))
                    continue
                if flow.service in resend_of:
                    ledger.note(
                        resend_of[flow.service],
                        "sent_again",
                        f"the person chose to send it again, as objection #{objection.id}",
                    )
                started = utc_now()
                try:
                    flow_page, run = open_run(
                        settings,
                        flow,
                        session=session,
                        person=person,
                        ledger=ledger,
                        objection=objection,
                        justification=texts[flow.service],
                        start_url=start_url,
                    )
                except BaseException:
                    ledger.release(objection.id)  # no page: nothing was sent
                    raise
                try:
                    objection = run.run()
                except KeyboardInterrupt:
                    outcome.interrupted = True
                    objection = ledger.get(objection.id)
                except TransitionRefused as refused:
                    # The claim was taken over (its lease ran out): this run stops here.
                    log.warning(str(refused), service=flow.service)
                    objection = ledger.get(objection.id)
                finally:
                    # A run that ended by an error, not an outcome, says so truthfully.
                    objection = ledger.release(objection.id)
                    if settings.keep_session and run.reached_form and not session.attached:
                        keep_login(settings, flow, flow_page.page)
                    flow_page.close()
                message = objection.detail or ""
                confirmed = (Status.CONFIRMED, Status.CONFIRMED_BY_PERSON)
                if objection.status in confirmed and not outcome.interrupted:
                    receipt = receipts.write(objection, ledger)  # never raises
                    if receipt is not None:
                        message += f"; receipt: {receipt}"
                add(
                    result_for(
                        objection,
                        message=message,
                        ledger=ledger,
                        screenshot=run.screenshot,
                        started_at=started,
                    )
                )
                if outcome.interrupted:
                    break
    return outcome
