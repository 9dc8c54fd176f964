"""Scheduled rechecks: is each service's objection form still there, and unchanged?

`widerspruch check` opens every service's official form URL headless, all services at
once in one browser, each in a context of its own, and says what it found:

``form_ok``         the form, with every control the flow needs (the AI question if
                    the form asks it, country if shown, email, justification, Send);
``login_required``  Meta's login wall: what a browser without a saved session meets;
``form_changed``    the form, but a control the flow needs is missing or renamed;
``moved``           redirected to a page that is not the form, or to another site;
``unavailable``     Meta's "This content isn't available", or HTTP 404 / 410;
``error``           no network, no answer in time, or Meta's error page;
``no_form``         (watched services such as WhatsApp) no objection offered yet;
``form_found``      (watched services) a page now offers an objection: the link.

Pages are read by the flows' own ``detect`` and ``locate_form``, the code `submit` uses,
run on async pages through ``widerspruch.syncbridge``. A check never sends anything: it
only declines optional cookies (the one POST it lets through) and answers the AI
question with yes to reveal the form; every other POST is blocked.

Every result is recorded in the ledger's check history, with the final URL, the page's
language and the HTTP status; for an anomaly also a screenshot and the page's HTML
(scripts and hidden values removed) in ``<data dir>/checks/<service>/``. A change of
state is announced once, after it has held for ``alert_after`` consecutive checks, on
the terminal and by ``--notify-cmd`` / ``--webhook``, both with one JSON document, and
by ``--apprise`` (the optional apprise package) as a short text to any service it knows.
"""

from __future__ import annotations

import asyncio
import json
import os
import shlex
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

from widerspruch import __version__
from widerspruch.errors import UsageError
from widerspruch.flow import VISIBLE_TEXT_JS, Flow, FormError
from widerspruch.ledger import LEDGER_FILE, Ledger, utc_now
from widerspruch.logs import get_logger
from widerspruch.states import PageState
from widerspruch.syncbridge import SyncView, run_sync
from widerspruch.watch import Watch

if TYPE_CHECKING:
    from playwright.async_api import Browser, BrowserContext, Page, Request, Response, Route
    from playwright.sync_api import BrowserContext as SyncBrowserContext
    from playwright.sync_api import Page as SyncPage

log = get_logger("widerspruch.check")
T = TypeVar("T")

DEFAULT_TIMEOUT_S = 30.0
DEFAULT_ALERT_AFTER = 2
# A page has settled when no navigation or POST is in flight and its DOM has not
# changed for this long; a page that keeps changing is read after SETTLE_CAP_S anyway.
QUIET_MS = 250
SETTLE_CAP_S = 5.0
# Declining cookies again if the dialog is still there (a slow reload, not a refusal).
MAX_DECLINES = 3
# How long the last reads of a page (language, screenshot, HTML) may take.
READ_TIMEOUT_S = 5.0
# How long a check may still take once its browser has gone away.
CLOSED_GRACE_S = 1.0
NOTIFY_TIMEOUT_S = 30.0
WEBHOOK_TIMEOUT_S = 10.0
UPTIME_DAYS = 30
CHANGES_SHOWN = 10
CHECKS_DIR = "checks"

# Resolves true on the next change to the document, false after `ms` without one.
DOM_ACTIVITY_JS = """(ms) => new Promise(resolve => {
  let timer;
  const observer = new MutationObserver(() => { clearTimeout(timer); observer.disconnect();
                                                resolve(true); });
  observer.observe(document, {subtree: true, childList: true, attributes: true,
                              characterData: true});
  timer = setTimeout(() => { observer.disconnect(); resolve(false); }, ms);
})"""
# The same, watched while the page is read: the observer is in place once this returns,
# and the answer is awaited afterwards (as `changed`), so no change can slip in between.
QUIET_WINDOW_JS = f"(ms) => ({{changed: ({DOM_ACTIVITY_JS})(ms)}})"
# The page's HTML as saved for an anomaly: no scripts, no hidden values (form tokens).
CLEAN_HTML_JS = """() => {
  const root = document.documentElement.cloneNode(true);
  root.querySelectorAll('script, noscript, iframe, object, embed').forEach(e => e.remove());
  root.querySelectorAll('input[type=hidden], input[type=password]')
      .forEach(e => e.removeAttribute('value'));
  for (const e of root.querySelectorAll('*'))
    for (const a of [...e.attributes]) if (/^on/i.test(a.name)) e.removeAttribute(a.name);
  return '<!DOCTYPE html>\\n' + root.outerHTML;
}"""


class CheckState(StrEnum):
    """What a check found for one service."""

    FORM_OK = "form_ok"
    LOGIN_REQUIRED = "login_required"
    NO_FORM = "no_form"
    FORM_CHANGED = "form_changed"
    MOVED = "moved"
    UNAVAILABLE = "unavailable"
    ERROR = "error"
    FORM_FOUND = "form_found"


# As expected: exit code 0, no alert. form_found is good news, but it needs someone to
# write a flow, so it alerts (and exits 1) like a failure.
EXPECTED = frozenset({CheckState.FORM_OK, CheckState.LOGIN_REQUIRED, CheckState.NO_FORM})
CONTROL_NAMES = {
    "ai_question": "AI question",
    "country": "country",
    "email": "email",
    "justification": "justification",
    "send": "send button",
}

# A hook that prepares each service's context before its page opens, with sync-API code
# (tests and the benchmark attach the replay here). It gets a sync view of the context.
PrepareContext = Callable[["SyncBrowserContext", Flow], None]
# A saved login: Playwright's storage state, as a dict or a JSON file.
StorageState = Path | Mapping[str, Any]


@dataclass
class CheckResult:
    """One service's check, as printed, recorded and sent in alerts."""

    service: str
    state: CheckState
    detail: str
    url: str  # the URL opened (the current form, or the first watched page)
    checked_at: str
    expected: bool
    final_url: str | None = None
    http_status: int | None = None
    language: str | None = None
    link: str | None = None  # form_found: where the objection is offered
    missing: list[str] = field(default_factory=list)  # form_changed: controls not found
    screenshot: str | None = None
    html: str | None = None
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {**vars(self), "state": self.state.value, "missing": list(self.missing)}


@dataclass(frozen=True)
class Alert:
    """A change of state, announced once."""

    service: str
    kind: str  # "failing", "form_found", "changed" (to another failure) or "recovered"
    state: str
    previous: str | None
    since: str  # when the state began (the first check of the streak)
    detail: str
    final_url: str | None
    link: str | None
    screenshot: str | None

    def to_json(self) -> dict[str, Any]:
        return dict(vars(self))

    def line(self) -> str:
        was = f" (was {self.previous})" if self.previous else ""
        return f"{self.service}: {self.state}{was} since {self.since}: {self.detail}"


@dataclass(frozen=True)
class Delivery:
    """Whether one notification target took the alert document."""

    target: str  # never the full command or URL: those may hold tokens
    ok: bool
    error: str | None = None


@dataclass
class CheckReport:
    checked_at: str
    results: list[CheckResult]
    alerts: list[Alert]
    deliveries: list[Delivery]
    ledger: str

    @property
    def ok(self) -> bool:
        """Exit code 0: every service as expected and every alert delivered."""
        return all(r.expected for r in self.results) and all(d.ok for d in self.deliveries)

    def to_json(self) -> dict[str, Any]:
        return {
            "checked_at": self.checked_at,
            "ok": self.ok,
            "results": [r.to_json() for r in self.results],
            "alerts": [a.to_json() for a in self.alerts],
            "notified": [vars(d) for d in self.deliveries],
            "ledger": self.ledger,
        }


# -- settings -------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckSettings:
    """One check run's options, checked once."""

    services: tuple[str, ...]
    data_dir: Path
    timeout: float = DEFAULT_TIMEOUT_S
    alert_after: int = DEFAULT_ALERT_AFTER
    notify_cmd: tuple[str, ...] = ()
    webhook: str | None = None
    apprise_urls: tuple[str, ...] = ()
    browser_path: Path | None = None
    accounts: tuple[str, ...] = ()  # whose saved logins to check with (--account)

    @classmethod
    def from_options(
        cls,
        *,
        services: Sequence[str] | None,
        data_dir: Path | None,
        timeout: float = DEFAULT_TIMEOUT_S,
        alert_after: int = DEFAULT_ALERT_AFTER,
        notify_cmd: str | None = None,
        webhook: str | None = None,
        apprise_urls: Sequence[str] | None = None,
        browser: str | None = None,
        accounts: Sequence[str] | None = None,
    ) -> CheckSettings:
        from widerspruch.settings import (
            check_browser_path,
            check_email,
            check_url,
            prepare_data_dir,
            resolve_data_dir,
        )

        if timeout <= 0:
            raise UsageError("--timeout must be more than 0 seconds")
        if alert_after < 1:
            raise UsageError("--alert-after must be 1 or more")
        command: tuple[str, ...] = ()
        if notify_cmd is not None:
            try:
                command = tuple(shlex.split(notify_cmd))
            except ValueError as error:
                raise UsageError(f"--notify-cmd: {error}") from None
            if not command:
                raise UsageError("--notify-cmd is empty")
        if webhook is not None:
            check_url("--webhook", webhook)
        return cls(
            services=check_services_named(services),
            data_dir=prepare_data_dir(resolve_data_dir(data_dir)),
            timeout=timeout,
            alert_after=alert_after,
            notify_cmd=command,
            webhook=webhook,
            apprise_urls=_check_apprise_urls(apprise_urls or ()),
            browser_path=check_browser_path(browser),
            accounts=tuple(check_email(email, "--account") for email in accounts or ()),
        )


def _check_apprise_urls(urls: Sequence[str]) -> tuple[str, ...]:
    """--apprise URLs Apprise can send to, or a UsageError; never echoes a whole URL,
    which usually holds a token."""
    if not urls:
        return ()
    try:
        import apprise
    except ImportError:
        raise UsageError(
            "--apprise needs the optional apprise package: pip install 'widerspruch[apprise]' "
            "(with pipx: pipx inject widerspruch apprise)"
        ) from None
    for url in urls:
        if "://" not in url:
            raise UsageError("--apprise: not a URL; Apprise URLs look like ntfy://TOPIC")
        if not apprise.Apprise().add(url):
            scheme = url.split("://", 1)[0]
            raise UsageError(f"--apprise: Apprise cannot send to this {scheme}:// URL")
    return tuple(urls)


def all_services() -> tuple[str, ...]:
    from widerspruch.flows import FLOWS, WATCHES

    return (*FLOWS, *WATCHES)


def check_services_named(services: Sequence[str] | None) -> tuple[str, ...]:
    """The services to check (all when none are named), or a UsageError naming the unknown."""
    known = all_services()
    if not services:
        return known
    names = tuple(dict.fromkeys(s.strip().lower() for s in services))
    unknown = [name for name in names if name not in known]
    if unknown:
        raise UsageError(f"unknown service {unknown[0]!r}; known: {', '.join(known)}")
    return names


def target_for(service: str) -> Flow:
    """The flow, or the watch, that knows how to read this service's pages."""
    from widerspruch.flows import FLOWS, WATCHES

    if service in WATCHES:
        return WATCHES[service]()
    return FLOWS[service]()


# -- the run --------------------------------------------------------------------------


def run_check(
    settings: CheckSettings,
    *,
    prepare_context: PrepareContext | None = None,
    sessions: Mapping[str, StorageState] | None = None,
) -> CheckReport:
    """Check every service, then record the results and announce what changed.

    Without `sessions`, the saved logins of ``settings.accounts`` are used."""
    # A ledger that cannot take the results (corrupt, newer) is refused before any browser.
    Ledger.open(settings.data_dir).close()
    checked_at = utc_now()
    results = check_services(
        [target_for(service) for service in settings.services],
        timeout=settings.timeout,
        browser_path=settings.browser_path,
        evidence_dir=settings.data_dir / CHECKS_DIR,
        prepare_context=prepare_context,
        sessions=saved_sessions(settings) if sessions is None else sessions,
    )
    return record(settings, results, checked_at=checked_at)


def saved_sessions(settings: CheckSettings) -> dict[str, StorageState]:
    """Per service, the first of ``settings.accounts`` with a usable saved login.

    A service none of them has a saved login for is checked without one (the login wall
    is then expected); a damaged saved login is passed over with a warning."""
    from widerspruch.accounts import (
        Accounts,
        NoKeyring,
        SessionUnreadable,
        keyring_usable,
        tell_once_no_keyring,
    )
    from widerspruch.flows import FLOWS
    from widerspruch.logs import mask_email

    if not settings.accounts:
        return {}
    if not keyring_usable():
        tell_once_no_keyring(log.warning)
        return {}
    accounts = Accounts(settings.data_dir)
    sessions: dict[str, StorageState] = {}
    for service in (s for s in settings.services if s in FLOWS):
        for email in settings.accounts:
            try:
                state = accounts.load_session(email, service)
            except SessionUnreadable as error:
                log.warning(
                    f"The saved login of {mask_email(email)} for {FLOWS[service].display_name} "
                    f"could not be used ({error})",
                    service=service,
                )
                continue
            except NoKeyring:
                return {}
            if state is not None:
                sessions[service] = state
                break
        else:
            log.warning(
                f"No saved login for {FLOWS[service].display_name} of "
                f"{', '.join(map(mask_email, settings.accounts))}: checking without one "
                "(save one with: widerspruch submit --keep-session)",
                service=service,
            )
    return sessions


def record(
    settings: CheckSettings, results: Sequence[CheckResult], *, checked_at: str | None = None
) -> CheckReport:
    """Add `results` to the check history, decide which changes to announce (see
    `decide`), and send one alert document to every notification target."""
    checked_at = checked_at or utc_now()
    with Ledger.open(settings.data_dir) as ledger:
        decisions = [(result, *decide(ledger, result, settings.alert_after)) for result in results]
        alerts = [alert for _, _, _, alert in decisions if alert is not None]
        deliveries: list[Delivery] = []
        if alerts:
            deliveries = notify(checked_at, alerts, results, settings)
        delivered = all(d.ok for d in deliveries)
        with ledger.atomic():  # a run is recorded whole or not at all (Ctrl-C, SIGTERM)
            for result, before, after, alert in decisions:
                # An alert that did not get through is tried again on the next run.
                reported = after if alert is None or delivered else before
                ledger.add_check(_row(result, reported, alerted=alert is not None and delivered))
        path = str(ledger.path)
    for alert in alerts:
        log.info("check_alert", service=alert.service, kind=alert.kind, state=alert.state)
    return CheckReport(checked_at, list(results), alerts, deliveries, path)


def check_services(
    targets: Sequence[Flow],
    *,
    timeout: float = DEFAULT_TIMEOUT_S,
    browser_path: Path | None = None,
    evidence_dir: Path | None = None,
    prepare_context: PrepareContext | None = None,
    sessions: Mapping[str, StorageState] | None = None,
) -> list[CheckResult]:
    """Check every target at once, in one headless browser, each in a context of its own.

    `sessions` is the seam for saved logins: per service, a Playwright storage state (a
    dict, such as ``Accounts.load_session`` returns, or a file). With one, the check sees
    behind the login wall, and ``login_required`` means the session expired, so it is no
    longer expected. `widerspruch check` passes none yet: login_required is fine.
    """
    from widerspruch.stoppable import run_stoppable

    return run_stoppable(  # SIGTERM closes the browser in order, as Ctrl-C does
        _check_all(
            targets,
            timeout=timeout,
            browser_path=browser_path,
            evidence_dir=evidence_dir,
            prepare_context=prepare_context,
            sessions=sessions or {},
        )
    )


async def _check_all(
    targets: Sequence[Flow],
    *,
    timeout: float,
    browser_path: Path | None,
    evidence_dir: Path | None,
    prepare_context: PrepareContext | None,
    sessions: Mapping[str, StorageState],
) -> list[CheckResult]:
    from playwright.async_api import Error, async_playwright

    from widerspruch.browser import LAUNCH_ARGS, find_browser

    async with async_playwright() as playwright:
        try:
            own: str | None = playwright.chromium.executable_path
        except Exception:  # noqa: BLE001 - any failure just means "not installed"
            own = None
        # Nothing is shown: a headless shell, if installed, starts pages on half the CPU.
        executable = find_browser(browser_path, own, headless_shell=True)
        try:
            browser = await playwright.chromium.launch(
                executable_path=str(executable), headless=True, args=list(LAUNCH_ARGS)
            )
        except Error as error:
            raise UsageError(
                f"the browser {executable} did not start: {_first_line(error)}"
            ) from None
        closed = asyncio.Event()
        browser.on("disconnected", lambda _: closed.set())
        try:
            checks = [
                _unless_browser_closes(
                    _check_one(
                        browser,
                        target,
                        timeout=timeout,
                        evidence_dir=evidence_dir,
                        prepare_context=prepare_context,
                        session=sessions.get(target.service),
                    ),
                    target,
                    closed,
                )
                for target in targets
            ]
            return list(await asyncio.gather(*checks))
        finally:
            await _bounded(browser.close())


async def _unless_browser_closes(
    check: Coroutine[Any, Any, CheckResult], target: Flow, closed: asyncio.Event
) -> CheckResult:
    """The check's result, or an error result if the browser goes away under it: once
    it is gone, a call in flight (opening a page, say) may never be answered."""
    started, checked_at = time.monotonic(), utc_now()
    running = asyncio.ensure_future(check)
    gone = asyncio.ensure_future(closed.wait())
    try:
        await asyncio.wait({running, gone}, return_when=asyncio.FIRST_COMPLETED)
        if not running.done():
            # Calls that do fail on a closed browser get a moment to, for their own detail.
            await asyncio.wait({running}, timeout=CLOSED_GRACE_S)
        if running.done():
            return running.result()
    finally:
        gone.cancel()
        if not running.done():
            running.cancel()
            await asyncio.wait({running}, timeout=CLOSED_GRACE_S)
    log.info("check_browser_closed", service=target.service)
    return CheckResult(
        service=target.service,
        state=CheckState.ERROR,
        detail="the browser closed during the check",
        url=_opened_url(target),
        checked_at=checked_at,
        expected=False,
        seconds=round(time.monotonic() - started, 3),
    )


async def _check_one(
    browser: Browser,
    target: Flow,
    *,
    timeout: float,
    evidence_dir: Path | None,
    prepare_context: PrepareContext | None,
    session: StorageState | None,
) -> CheckResult:
    started = time.monotonic()
    checked_at = utc_now()
    state = str(session) if isinstance(session, Path) else session
    context = await browser.new_context(storage_state=state)  # type: ignore[arg-type]
    try:
        if prepare_context is not None:
            await run_sync(prepare_context, SyncView(context), target)
        deadline = started + timeout
        if isinstance(target, Watch):
            finding, probe = await _check_watch(context, target, deadline, timeout)
        else:
            finding, probe = await _check_form(context, target, deadline, timeout)
        result = await _result(target, finding, probe, checked_at, has_session=session is not None)
        if not result.expected and evidence_dir is not None:
            await _save_evidence(result, probe.page, evidence_dir / target.service)
    finally:
        await _bounded(context.close())  # on a browser that died, it may never answer
    result.seconds = round(time.monotonic() - started, 3)
    log.info(
        "check_result",
        service=result.service,
        state=result.state.value,
        final_url=result.final_url,
        http_status=result.http_status,
        seconds=result.seconds,
    )
    return result


@dataclass
class Finding:
    """What one page showed."""

    state: CheckState
    detail: str
    final_url: str | None = None  # when not the page's own URL (a blocked redirect)
    link: str | None = None
    missing: list[str] = field(default_factory=list)


class Probe:
    """One page of a check: opens a URL, follows it until it settles, watches its traffic,
    and keeps it to Meta's declared hosts and to reading (no POSTs unless allowed)."""

    def __init__(self, page: Page, target: Flow, deadline: float, timeout: float) -> None:
        self.page = page
        self.target = target
        self.deadline = deadline
        self.timeout = timeout
        self.status: int | None = None  # of the last main-frame document
        self.blocked_navigation: str | None = None
        self.posts_allowed = False
        self.blocked_posts: list[str] = []
        self._in_flight: set[Request] = set()
        self._activity = asyncio.Event()

    @classmethod
    async def open(
        cls, context: BrowserContext, target: Flow, deadline: float, timeout: float
    ) -> Probe:
        page = await context.new_page()
        probe = cls(page, target, deadline, timeout)
        page.set_default_timeout(probe.remaining_ms())
        await page.route("**/*", probe._route)
        page.on("request", probe._request_started)
        page.on("requestfinished", probe._request_ended)
        page.on("requestfailed", probe._request_ended)
        page.on("response", probe._response)
        return probe

    @property
    def view(self) -> SyncPage:
        """The page as the flows' sync code sees it."""
        view: SyncPage = SyncView(self.page)  # type: ignore[assignment]
        return view

    def remaining_ms(self) -> float:
        return max(1.0, (self.deadline - time.monotonic()) * 1000)

    async def goto(self, url: str) -> None:
        await self.page.goto(url, wait_until="domcontentloaded", timeout=self.remaining_ms())

    async def settle(self) -> None:
        """Wait until no navigation or POST is in flight and the DOM has gone quiet."""
        await self._settle(None)

    async def settled_read(self, function: Callable[[SyncPage], T]) -> T:
        """`settle`, then `read`, without waiting out the quiet window before reading: the
        read runs inside it, and its answer counts only if the window stays quiet and no
        navigation or POST starts. Otherwise the page is read once it is quiet, as usual.
        For code that only looks (counts, evaluations), never waits for an element: on a
        page still changing, that wait could last until the deadline."""
        answer: T = await self._settle(function)
        return answer

    async def _settle(self, function: Callable[[SyncPage], Any] | None) -> Any:
        from playwright.async_api import Error

        overlap = function is not None
        cap = min(self.deadline, time.monotonic() + SETTLE_CAP_S)
        while (left := cap - time.monotonic()) > 0 and not self.page.is_closed():
            if self._in_flight:
                self._activity.clear()
                with suppress(TimeoutError):
                    await asyncio.wait_for(self._activity.wait(), left)
                continue
            answer: list[Any] = []
            try:
                await self.page.wait_for_load_state("load", timeout=left * 1000)
                if overlap and function is not None:
                    window = await self.page.evaluate_handle(QUIET_WINDOW_JS, QUIET_MS)
                    # A read that fails is done again below, on the quiet page.
                    with suppress(Exception):
                        answer.append(await run_sync(function, self.view))
                    busy = await window.evaluate("window => window.changed")
                    await window.dispose()
                else:
                    busy = await self.page.evaluate(DOM_ACTIVITY_JS, QUIET_MS)
            except Error:
                continue  # a navigation replaced the document: wait for the new one
            if busy or self._in_flight:
                # A page that keeps changing is read once it is quiet, not on every change.
                overlap = False
                continue
            if answer:
                return answer[0]
            break
        return None if function is None else await self.read(function)

    async def read(self, function: Callable[[SyncPage], Any]) -> Any:
        """Run a flow's sync reading code on the page; a document replaced mid-read is
        read again once the new one has settled."""
        from playwright.async_api import Error

        for attempt in range(4):
            try:
                return await run_sync(function, self.view)
            except Error:
                if attempt == 3 or self.page.is_closed():
                    raise
                await self.settle()
        raise AssertionError("unreachable")

    async def language(self) -> str | None:
        if not _has_document(self.page):
            return None
        lang = await _bounded(self.page.evaluate("() => document.documentElement.lang || ''"))
        return str(lang) if lang else None

    # -- traffic ------------------------------------------------------------------

    def _tracked(self, request: Request) -> bool:
        return request.method == "POST" or _main_frame_navigation(request)

    def _request_started(self, request: Request) -> None:
        if self._tracked(request):
            self._in_flight.add(request)
            self._activity.set()

    def _request_ended(self, request: Request) -> None:
        if request in self._in_flight:
            self._in_flight.discard(request)
            self._activity.set()

    def _response(self, response: Response) -> None:
        if _main_frame_navigation(response.request):
            self.status = response.status

    async def _route(self, route: Route) -> None:
        request = route.request
        if not self.target.allows_url(request.url):
            if _main_frame_navigation(request):
                self.blocked_navigation = request.url
            log.info("blocked_host", host=urlsplit(request.url).hostname, flow=self.target.service)
            await route.abort("blockedbyclient")
        elif request.method not in ("GET", "HEAD", "OPTIONS") and not self.posts_allowed:
            # A check only reads: nothing it clicks may send a form.
            self.blocked_posts.append(request.url)
            await route.abort("blockedbyclient")
        else:
            await route.fallback()


def _has_document(page: Page) -> bool:
    """Did a page ever get past about:blank? (Until a navigation answers, it has not.)"""
    return not page.is_closed() and not page.url.startswith("about:")


def _main_frame_navigation(request: Request) -> bool:
    from playwright.async_api import Error

    try:
        return request.is_navigation_request() and request.frame.parent_frame is None
    except Error:  # a request without a frame (a service worker's)
        return False


# -- reading a form -------------------------------------------------------------------


async def _check_form(
    context: BrowserContext, flow: Flow, deadline: float, timeout: float
) -> tuple[Finding, Probe]:
    probe = await Probe.open(context, flow, deadline, timeout)
    url = flow.form_urls[0]
    finding = await _read_form(probe, flow, url)
    if finding.state in (CheckState.FORM_CHANGED, CheckState.MOVED, CheckState.UNAVAILABLE):
        # Older form URLs are kept for rechecks: say if one of them still leads to the form.
        for older in flow.form_urls[1:]:
            other = await Probe.open(context, flow, deadline, timeout)
            seen = await _read_form(other, flow, older)
            await other.page.close()
            if seen.state in (CheckState.FORM_OK, CheckState.LOGIN_REQUIRED):
                finding.detail += f"; the older form URL {older} still answers ({seen.state})"
                break
    return finding, probe


async def _read_form(probe: Probe, flow: Flow, url: str) -> Finding:
    from playwright.async_api import Error

    try:
        await probe.goto(url)
    except Error as error:
        return _load_failure(url, error, probe.timeout)
    declines, answered = 0, False
    while True:
        try:
            # Read inside the page's last quiet window rather than after it.
            seen: PageState | Exception = await probe.settled_read(flow.detect)
        except (FormError, Error) as error:
            seen = error  # a redirect away or a 404 explains it better: said first
        probe.posts_allowed = False
        if probe.blocked_navigation:
            return Finding(
                CheckState.MOVED,
                f"redirected to {probe.blocked_navigation}, outside the hosts "
                f"{flow.display_name}'s flow may visit",
                final_url=probe.blocked_navigation,
            )
        if probe.status in (404, 410):
            return Finding(CheckState.UNAVAILABLE, f"{probe.page.url} answers HTTP {probe.status}")
        try:
            if isinstance(seen, Exception):
                raise seen
            state: PageState = seen
            if state is PageState.COOKIE_BANNER and declines < MAX_DECLINES:
                declines += 1
                probe.posts_allowed = True  # declining optional cookies is a POST
                await probe.read(flow.decline_cookies)
                continue
            if state is PageState.AI_QUESTION and not answered:
                answered = True
                await probe.read(flow.answer_ai_question)  # reveals the rest of the form
                continue
            if probe.blocked_posts:
                # "Next" was a renamed Send: the check blocked it, so nothing left.
                finding = await _judge_form(probe, flow)
                finding.state = CheckState.FORM_CHANGED
                finding.detail = (
                    "a button taken for 'Next' tried to send the form (blocked: nothing was "
                    f"sent); {finding.detail}"
                )
                return finding
            return await _judge(probe, flow, url, state)
        except FormError as error:
            return Finding(CheckState.FORM_CHANGED, str(error))
        except Error as error:
            return Finding(CheckState.ERROR, f"the page stopped responding: {_first_line(error)}")


async def _judge(probe: Probe, flow: Flow, url: str, state: PageState) -> Finding:
    if state in (PageState.FORM, PageState.AI_QUESTION):
        return await _judge_form(probe, flow)
    if state in (PageState.LOGIN_WALL, PageState.CHECKPOINT):
        return Finding(CheckState.LOGIN_REQUIRED, f"{flow.display_name} asks to log in first")
    if state is PageState.UNAVAILABLE:
        return Finding(CheckState.UNAVAILABLE, 'Meta says "This content isn\'t available"')
    if state is PageState.ERROR:
        return Finding(CheckState.ERROR, 'Meta shows an error page ("Something went wrong")')
    if state is PageState.COOKIE_BANNER:
        return Finding(
            CheckState.ERROR, "the cookie dialog stayed after declining optional cookies"
        )
    final = probe.page.url
    if not any(_same_page(final, known) for known in (url, *flow.form_urls)):
        return Finding(CheckState.MOVED, f"redirected to {final}, which is not the form")
    if probe.status is not None and probe.status >= 500:
        return Finding(CheckState.ERROR, f"{final} answers HTTP {probe.status}")
    finding = await _judge_form(probe, flow)
    seen = "an unrecognisable page" if state is PageState.UNKNOWN else f"the {state} page"
    finding.detail = f"the form URL shows {seen}; {finding.detail}"
    finding.state = CheckState.FORM_CHANGED
    return finding


async def _judge_form(probe: Probe, flow: Flow) -> Finding:
    not_the_form: str | None = await probe.read(flow.not_objection_form)
    if not_the_form is not None:
        # A form with Send and an email field, but not the objection to AI at Meta.
        return Finding(CheckState.FORM_CHANGED, not_the_form)

    def missing(page: SyncPage) -> list[str]:
        controls = flow.locate_form(page)
        absent = controls.missing()
        if controls.send is None and "send" not in absent:
            # Only a "Next" or "Continue": the check follows no steps, and a renamed Send
            # must not pass for a step of the form.
            absent.insert(0, "send")
        if controls.ai_yes is None and _asks_ai_question(flow, page):
            absent.insert(0, "ai_question")
        return absent

    absent: list[str] = await probe.read(missing)
    if not absent:
        return Finding(CheckState.FORM_OK, "the form has every control the flow needs")
    names = ", ".join(CONTROL_NAMES.get(name, name) for name in absent)
    return Finding(
        CheckState.FORM_CHANGED, f"the form has changed: not found: {names}", missing=absent
    )


def _asks_ai_question(flow: Flow, page: SyncPage) -> bool:
    """Does the page ask "Is your request related to AI at Meta?" (sync page code)."""
    question = flow.labels.ai_question.pattern
    group = page.get_by_role("radiogroup", name=question).or_(
        page.get_by_role("group", name=question)
    )
    if group.filter(visible=True).count():
        return True
    radios = page.get_by_role("radio").filter(visible=True).count()
    return bool(radios) and flow.labels.ai_question.matches(str(page.evaluate(VISIBLE_TEXT_JS)))


# -- reading watched pages ------------------------------------------------------------


async def _check_watch(
    context: BrowserContext, watch: Watch, deadline: float, timeout: float
) -> tuple[Finding, Probe]:
    probes = list(
        await asyncio.gather(
            *(Probe.open(context, watch, deadline, timeout) for _ in watch.watch_urls)
        )
    )
    findings = await asyncio.gather(
        *(
            _read_watched(probe, watch, url)
            for probe, url in zip(probes, watch.watch_urls, strict=True)
        )
    )
    for finding, probe in zip(findings, probes, strict=True):
        if finding.state is CheckState.FORM_FOUND:
            return finding, probe
    severity = (CheckState.ERROR, CheckState.UNAVAILABLE, CheckState.MOVED)
    for state in severity:
        for finding, probe, url in zip(findings, probes, watch.watch_urls, strict=True):
            if finding.state is state:
                finding.detail = f"watched page {url}: {finding.detail}"
                return finding, probe
    pages = len(watch.watch_urls)
    return (
        Finding(
            CheckState.NO_FORM,
            f"none of the {pages} watched pages offers an objection to AI training yet",
        ),
        probes[0],
    )


async def _read_watched(probe: Probe, watch: Watch, url: str) -> Finding:
    from playwright.async_api import Error

    try:
        await probe.goto(url)
        await probe.settle()
        if probe.blocked_navigation:
            return Finding(
                CheckState.MOVED,
                f"redirected to {probe.blocked_navigation}, outside {watch.display_name}'s hosts",
                final_url=probe.blocked_navigation,
            )
        if probe.status in (404, 410):
            return Finding(CheckState.UNAVAILABLE, f"{probe.page.url} answers HTTP {probe.status}")
        offers = await probe.read(watch.offers)
        if offers:
            page_url = probe.page.url
            best = next((o for o in offers if not _same_page(o.url, page_url)), offers[0])
            return Finding(CheckState.FORM_FOUND, f'"{best.text}" on {page_url}', link=best.url)
        text = str(await probe.read(lambda page: page.evaluate(VISIBLE_TEXT_JS)))
        if watch.labels.unavailable.matches(text):
            return Finding(CheckState.UNAVAILABLE, 'the page says "This content isn\'t available"')
        return Finding(CheckState.NO_FORM, "no objection offered")
    except Error as error:
        return _load_failure(url, error, probe.timeout)


# -- results --------------------------------------------------------------------------


async def _result(
    target: Flow, finding: Finding, probe: Probe, checked_at: str, *, has_session: bool
) -> CheckResult:
    expected = finding.state in EXPECTED
    detail = finding.detail
    if finding.state is CheckState.LOGIN_REQUIRED:
        if has_session:
            expected = False
            detail += ": the saved session has expired"
        else:
            detail += " (expected without a saved session)"
    page_url = None if probe.page.is_closed() else probe.page.url
    if page_url is not None and page_url.startswith(("about:", "chrome-error:")):
        page_url = None  # nothing loaded
    return CheckResult(
        service=target.service,
        state=finding.state,
        detail=detail,
        url=_opened_url(target),
        checked_at=checked_at,
        expected=expected,
        final_url=finding.final_url
        or (page_url if page_url not in (None, "about:blank") else None),
        http_status=probe.status,
        language=await probe.language(),
        link=finding.link,
        missing=finding.missing,
    )


def _opened_url(target: Flow) -> str:
    """The URL a check of `target` opens first: its current form, or its first watched page."""
    return target.watch_urls[0] if isinstance(target, Watch) else target.form_urls[0]


def _load_failure(url: str, error: Exception, timeout: float) -> Finding:
    from playwright.async_api import TimeoutError as PlaywrightTimeout

    if isinstance(error, PlaywrightTimeout):
        return Finding(CheckState.ERROR, f"no answer from {url} within {timeout:g} s")
    return Finding(CheckState.ERROR, f"could not load {url}: {_first_line(error)}")


async def _save_evidence(result: CheckResult, page: Page, folder: Path) -> None:
    """A screenshot and the HTML of an anomaly, readable by the owner only."""
    if not _has_document(page):
        return  # nothing ever loaded: nothing to show
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    stem = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ") + f"-{result.state}"
    image = await _bounded(page.screenshot(full_page=True, timeout=READ_TIMEOUT_S * 1000))
    if image:
        result.screenshot = str(_write_private(folder / f"{stem}.png", image))
    html = await _bounded(page.evaluate(CLEAN_HTML_JS))
    if html:
        result.html = str(_write_private(folder / f"{stem}.html", str(html).encode("utf-8")))


async def _bounded(call: Awaitable[T]) -> T | None:
    """The result of a last read of the page, or None if it fails or does not come:
    a document whose navigation never answered also never evaluates anything."""
    from playwright.async_api import Error

    try:
        return await asyncio.wait_for(call, READ_TIMEOUT_S)
    except (Error, TimeoutError):
        return None


def _write_private(path: Path, data: bytes) -> Path:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        os.fchmod(file.fileno(), 0o600)
        file.write(data)
    return path


def _same_page(url: str, other: str) -> bool:
    one, two = urlsplit(url), urlsplit(other)
    return (one.hostname, one.path.rstrip("/")) == (two.hostname, two.path.rstrip("/"))


def _first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


# -- alerting -------------------------------------------------------------------------


def decide(
    ledger: Ledger, result: CheckResult, alert_after: int
) -> tuple[str | None, str | None, Alert | None]:
    """(state reported before, state reported after this result, the alert to send).

    A state is announced once it has held for `alert_after` consecutive checks, and
    only if it differs from what was last announced: from expected to failing, back
    (recovered), or from one failure to another. Changes between expected states
    (form_ok, login_required, no_form) are noted silently. A flapping service, which
    never holds a new state long enough, is announced once and then stays quiet.
    """
    history = ledger.checks(result.service, newest=max(alert_after, 50))
    before = (
        str(history[-1]["reported_state"]) if history and history[-1]["reported_state"] else None
    )
    runs = [(str(row["state"]), bool(row["expected"]), str(row["checked_at"])) for row in history]
    runs.append((result.state.value, result.expected, result.checked_at))
    same_health = _streak(runs, lambda run: run[1] == result.expected)
    same_state = _streak(runs, lambda run: run[0] == result.state.value)
    reported_ok = _was_expected(before, runs)

    state = result.state.value
    if before is not None and reported_ok == result.expected:
        if result.expected or state == before:
            return before, state if result.expected else before, None
        if same_state < alert_after:
            return before, before, None
        return before, state, _alert(result, "changed", before, runs[-same_state][2])
    if before is None and result.expected:
        return None, state, None  # the first check: nothing to announce
    if same_health < alert_after:
        return before, before, None
    kind = "recovered" if result.expected else "failing"
    return before, state, _alert(result, kind, before, runs[-same_health][2])


def _streak(
    runs: list[tuple[str, bool, str]], same: Callable[[tuple[str, bool, str]], bool]
) -> int:
    count = 0
    for run in reversed(runs):
        if not same(run):
            break
        count += 1
    return count


def _was_expected(reported: str | None, runs: list[tuple[str, bool, str]]) -> bool:
    if reported is None:
        return True
    for state, expected, _ in reversed(runs[:-1]):
        if state == reported:
            return expected
    return CheckState(reported) in EXPECTED


def _alert(result: CheckResult, kind: str, previous: str | None, since: str) -> Alert:
    if result.state is CheckState.FORM_FOUND:
        kind = "form_found"
    return Alert(
        service=result.service,
        kind=kind,
        state=result.state.value,
        previous=previous,
        since=since,
        detail=result.detail,
        final_url=result.final_url,
        link=result.link,
        screenshot=result.screenshot,
    )


def alert_document(
    checked_at: str, alerts: Sequence[Alert], results: Sequence[CheckResult]
) -> dict[str, Any]:
    """What --notify-cmd reads on stdin and --webhook receives."""
    return {
        "source": "widerspruch check",
        "version": __version__,
        "checked_at": checked_at,
        "alerts": [alert.to_json() for alert in alerts],
        "results": [result.to_json() for result in results],
    }


def notify(
    checked_at: str,
    alerts: Sequence[Alert],
    results: Sequence[CheckResult],
    settings: CheckSettings,
) -> list[Delivery]:
    """Send the alerts to every configured target; report each one's fate."""
    document = alert_document(checked_at, alerts, results)
    body = json.dumps(document, ensure_ascii=False).encode("utf-8")
    deliveries = []
    if settings.notify_cmd:
        deliveries.append(_run_notify_cmd(settings.notify_cmd, body))
    if settings.webhook:
        deliveries.append(_post_webhook(settings.webhook, body))
    deliveries += [_send_apprise(url, alerts) for url in settings.apprise_urls]
    for delivery in deliveries:
        log.info("check_notified", target=delivery.target, ok=delivery.ok, error=delivery.error)
    return deliveries


def _run_notify_cmd(command: tuple[str, ...], body: bytes) -> Delivery:
    target = f"command {Path(command[0]).name}"
    try:
        done = subprocess.run(  # no shell: the command was split with shlex
            command, input=body, capture_output=True, timeout=NOTIFY_TIMEOUT_S, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return Delivery(target, ok=False, error=_first_line(error))
    if done.returncode != 0:
        said = _first_line(Exception(done.stderr.decode("utf-8", "replace"))) if done.stderr else ""
        return Delivery(target, ok=False, error=f"exit code {done.returncode} {said}".strip())
    return Delivery(target, ok=True)


def _send_apprise(url: str, alerts: Sequence[Alert]) -> Delivery:
    """A short text for a person's phone or chat; the JSON stays with the other targets."""
    import apprise

    failing = any(alert.kind in ("failing", "changed") for alert in alerts)
    notifier = apprise.Apprise()
    notifier.add(url)
    target = f"apprise {url.split('://', 1)[0]}://"  # the rest may hold a token
    try:
        sent = notifier.notify(
            title=f"widerspruch check: {len(alerts)} change{'s' if len(alerts) != 1 else ''}",
            body="\n".join(alert.line() for alert in alerts),
            notify_type=apprise.NotifyType.WARNING if failing else apprise.NotifyType.INFO,
        )
    except Exception as error:  # noqa: BLE001 - a plugin failing must not end the run unrecorded
        return Delivery(target, ok=False, error=_first_line(error))
    return Delivery(target, ok=bool(sent), error=None if sent else "Apprise could not send it")


def _post_webhook(url: str, body: bytes) -> Delivery:
    parts = urlsplit(url)
    target = f"webhook {parts.scheme}://{parts.hostname}"  # the path may be a secret token
    request = urllib.request.Request(  # noqa: S310 - check_url allowed only http(s)
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": f"widerspruch/{__version__}",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_S) as response:  # noqa: S310
            status = int(response.status)
    except urllib.error.HTTPError as error:
        return Delivery(target, ok=False, error=f"HTTP {error.code}")
    except (OSError, ValueError) as error:
        return Delivery(target, ok=False, error=_first_line(error))
    return Delivery(
        target, ok=200 <= status < 300, error=None if status < 300 else f"HTTP {status}"
    )


def _row(result: CheckResult, reported: str | None, *, alerted: bool) -> dict[str, object]:
    detail = result.detail
    return {
        "service": result.service,
        "checked_at": result.checked_at,
        "state": result.state.value,
        "expected": int(result.expected),
        "final_url": result.final_url,
        "http_status": result.http_status,
        "language": result.language,
        "detail": detail,
        "link": result.link,
        "screenshot": result.screenshot,
        "html": result.html,
        "reported_state": reported,
        "alerted": int(alerted),
    }


# -- history --------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    at: str
    state: str
    previous: str | None
    detail: str | None
    final_url: str | None
    http_status: int | None


@dataclass(frozen=True)
class ServiceHistory:
    service: str
    state: str
    expected: bool
    since: str
    last_checked_at: str
    uptime_30d: float | None  # share of checks in the last 30 days that were as expected
    checks_30d: int
    changes: list[Change]  # newest first

    def to_json(self) -> dict[str, Any]:
        return {**vars(self), "changes": [vars(change) for change in self.changes]}


def history(data_dir: Path, services: Sequence[str] | None = None) -> list[ServiceHistory]:
    """The recorded timeline per service; empty when nothing was checked yet."""
    names = check_services_named(services) if services else None  # a typo is an error
    if not (data_dir / LEDGER_FILE).exists():
        return []
    since = (datetime.now(UTC) - timedelta(days=UPTIME_DAYS)).isoformat(timespec="seconds")
    found = []
    with Ledger.open(data_dir, read_only=True) as ledger:
        for service in ledger.checked_services():
            if names is not None and service not in names:
                continue
            rows = ledger.checks(service)
            changes: list[Change] = []
            previous: str | None = None
            for row in rows:
                if row["state"] != previous:
                    changes.append(
                        Change(
                            at=str(row["checked_at"]),
                            state=str(row["state"]),
                            previous=previous,
                            detail=_optional(row["detail"]),
                            final_url=_optional(row["final_url"]),
                            http_status=_int(row["http_status"]),
                        )
                    )
                    previous = str(row["state"])
            recent = [row for row in rows if str(row["checked_at"]) >= since]
            good = sum(1 for row in recent if row["expected"])
            last = rows[-1]
            found.append(
                ServiceHistory(
                    service=service,
                    state=str(last["state"]),
                    expected=bool(last["expected"]),
                    since=changes[-1].at,
                    last_checked_at=str(last["checked_at"]),
                    uptime_30d=round(good / len(recent), 4) if recent else None,
                    checks_30d=len(recent),
                    changes=list(reversed(changes))[:CHANGES_SHOWN],
                )
            )
    return found


def _optional(value: object) -> str | None:
    return None if value is None else str(value)


def _int(value: object) -> int | None:
    return value if isinstance(value, int) else None


# -- printing -------------------------------------------------------------------------


def _styled(state: str, expected: bool) -> str:
    style = "green" if expected else ("yellow" if state == CheckState.FORM_FOUND else "red")
    return f"[{style}]{state}[/{style}]"


def print_report(report: CheckReport, *, json_output: bool) -> None:
    from widerspruch.output import print_json, print_table, short_time

    if json_output:
        print_json(report.to_json())
        return
    print_table(
        f"widerspruch check, {short_time(report.checked_at)}",
        ("service", "state", "HTTP", "lang", "final URL", "detail"),
        [
            (
                r.service,
                _styled(r.state.value, r.expected),
                str(r.http_status or "-"),
                r.language or "-",
                _without_query(r.final_url) if r.final_url else "-",
                r.detail
                + (f"\nlink: {r.link}" if r.link else "")
                + (f"\nscreenshot: {r.screenshot}" if r.screenshot else ""),
            )
            for r in report.results
        ],
    )
    for alert in report.alerts:
        sys.stderr.write(f"alert: {alert.line()}\n")
    for delivery in report.deliveries:
        if not delivery.ok:
            sys.stderr.write(f"widerspruch: could not notify {delivery.target}: {delivery.error}\n")


def _without_query(url: str) -> str:
    """A URL as the table shows it: the full one is in the JSON and the ledger."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}" if parts.netloc else url


def print_history(data_dir: Path, services: Sequence[str] | None, *, json_output: bool) -> None:
    from widerspruch.output import print_json, print_table, short_time

    timelines = history(data_dir, services)
    if json_output:
        print_json({"history": [timeline.to_json() for timeline in timelines]})
        return
    if not timelines:
        sys.stdout.write(f"No checks recorded yet in {data_dir}.\n")
        return
    print_table(
        f"Check history ({data_dir / LEDGER_FILE})",
        (
            "service",
            "now",
            "since",
            f"uptime {UPTIME_DAYS} d",
            f"checks {UPTIME_DAYS} d",
            "last check",
        ),
        [
            (
                t.service,
                _styled(t.state, t.expected),
                short_time(t.since),
                "-" if t.uptime_30d is None else f"{t.uptime_30d:.1%}",
                str(t.checks_30d),
                short_time(t.last_checked_at),
            )
            for t in timelines
        ],
    )
    print_table(
        f"State changes, newest first (up to {CHANGES_SHOWN} per service)",
        ("service", "at", "from", "to", "detail"),
        [
            (t.service, short_time(c.at), c.previous or "-", c.state, c.detail or "")
            for t in timelines
            for c in t.changes
        ],
    )
