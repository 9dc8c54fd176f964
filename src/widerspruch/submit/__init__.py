"""Submitting objections for several services in one run: ledger first, browser second.

One try at one objection (claim, page, engine, release, receipt) is
``widerspruch.submit.attempt``, shared with `widerspruch batch`; the engine that drives
the page is ``widerspruch.submit.engine``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from widerspruch.browser import BrowserSession, open_browser
from widerspruch.errors import UsageError
from widerspruch.ledger import Ledger, Objection, utc_now
from widerspruch.ledger.claims import Renewer
from widerspruch.logs import get_logger, mask_email, tell
from widerspruch.page.countries import country_name
from widerspruch.proof.evidence import FORM_FILLED, RESULT_PNG, bundle_dir
from widerspruch.proof.receipt import ReceiptPrinter
from widerspruch.services import company_of, get_flow
from widerspruch.states import Status
from widerspruch.submit.attempt import Blocked, Busy, Resend, attempt, open_run
from widerspruch.submit.justification import template_for, today
from widerspruch.submit.person import PersonCannotAct
from widerspruch.submit.result import Result, bind_context, result_for
from widerspruch.text import local_time

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext

    from widerspruch.page.flow import Flow
    from widerspruch.settings import Settings
    from widerspruch.submit.person import Person

__all__ = [
    "Outcome",
    "ask_to_send_again",
    "busy_result",
    "earlier_result",
    "evidence_shown",
    "justification_for",
    "open_run",
    "settled",
    "submit_all",
    "submit_many",
    "what_is_known",
]

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
    template = template_for(settings, flow)
    if template is None:
        text = settings.justification
    else:
        text = template.render(
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
            message=f"already confirmed{whose} on {local_time(earlier.finished_at)} (objection "
            f"#{earlier.id}, now {earlier.status.value}); nothing sent. Use --force to "
            "object again",
            ledger=ledger,
            screenshot=None,
            started_at=utc_now(),
        )
    company = company_of(earlier.service)
    return result_for(
        earlier,
        status=Status.SUBMITTED_UNCONFIRMED,
        message=f"objection #{earlier.id} may already have reached {company} "
        f"({earlier.status.value} since {local_time(earlier.updated_at)}); not sent again"
        + (f" ({why})" if why else "")
        + f". Check your email for {company}'s confirmation and import it with `widerspruch "
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
    company = company_of(earlier.service)
    lines = [
        f"Objection #{earlier.id} for {mask_email(earlier.account_email)} on {earlier.service} may "
        f"already have reached {company}: it is {earlier.status.value} since "
        f"{local_time(earlier.updated_at)}"
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
        f"Check your email for {company}'s confirmation first (import it with `widerspruch "
        f"confirm {earlier.id} --eml FILE`), or look at {company}'s form without sending "
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

    with (
        Ledger.open(settings.data_dir, url=settings.ledger) as ledger,
        Renewer(settings.data_dir, ledger.owner, url=settings.ledger),
    ):
        flows = [get_flow(service) for service in settings.services]
        texts = {flow.service: justification_for(settings, flow) for flow in flows}
        to_do = []
        resend: dict[str, Resend] = {}  # service -> the earlier objection the person resends
        for flow in flows:
            live = ledger.live_claim(flow.service, settings.email, demo=settings.demo)
            if live is not None:
                add(busy_result(live, ledger))
                continue
            earlier = (
                None
                if settings.force
                else ledger.latest_sent(flow.service, settings.email, demo=settings.demo)
            )
            if earlier is None:
                to_do.append(flow)
            elif settled(earlier):
                add(earlier_result(earlier, ledger))
            else:
                again, why = ask_to_send_again(earlier, person, settings.data_dir)
                if again:
                    resend[flow.service] = Resend(earlier.id, "the person chose to send it again")
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
            opened = session  # as the lambda below sees it: never None
            # A confirmed objection gets its PDF receipt at once (see widerspruch.proof.receipt).
            receipts = ReceiptPrinter(
                session, headless=settings.headless, browser_path=settings.browser_path
            )
            stack.callback(receipts.close)
            for flow in to_do:
                tried = attempt(
                    settings,
                    flow,
                    ledger=ledger,
                    person=person,
                    justification=texts[flow.service],
                    browser=lambda: opened,
                    resend=resend.get(flow.service),
                    receipt=lambda objection: receipts.write(objection, ledger),
                )
                if isinstance(tried, Busy):  # another run claimed it since we looked
                    add(busy_result(tried.live, ledger))
                    continue
                if isinstance(tried, Blocked):  # another run got there first
                    add(earlier_result(tried.earlier, ledger))
                    continue
                if tried.taken_over is not None:
                    # The claim was taken over (its lease ran out): this run stops here.
                    tell(str(tried.taken_over), service=flow.service)
                if tried.interrupt is not None:
                    if not tried.engine_ran:
                        raise tried.interrupt  # stopped while its page opened: nothing to show
                    outcome.interrupted = True
                message = tried.objection.detail or ""
                if tried.receipt is not None:
                    message += f"; receipt: {tried.receipt}"
                add(
                    result_for(
                        tried.objection,
                        message=message,
                        ledger=ledger,
                        screenshot=tried.screenshot,
                        started_at=tried.started_at,
                    )
                )
                if outcome.interrupted:
                    break
    return outcome
