"""The run: every service at once in one headless browser, each in a context of its
own; then the results recorded in the ledger and the changes announced."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from widerspruch.check.alerts import decide
from widerspruch.check.judge import (
    _check_form,
    _check_watch,
    _opened_url,
    _result,
    _save_evidence,
    read_setting,
)
from widerspruch.check.notify import notify
from widerspruch.check.probe import _bounded
from widerspruch.check.results import (
    DEFAULT_TIMEOUT_S,
    CheckReport,
    CheckResult,
    CheckSettings,
    CheckState,
    Delivery,
    target_for,
)
from widerspruch.errors import UsageError
from widerspruch.failures import Reason, launch_failure
from widerspruch.ledger import Ledger, utc_now
from widerspruch.logs import get_logger
from widerspruch.page.flow import Flow
from widerspruch.page.syncbridge import SyncView, run_sync
from widerspruch.page.watch import Watch

if TYPE_CHECKING:
    from playwright.async_api import Browser
    from playwright.sync_api import BrowserContext as SyncBrowserContext

log = get_logger("widerspruch.check")

# How long a check may still take once its browser has gone away.
CLOSED_GRACE_S = 1.0
CHECKS_DIR = "checks"

# A hook that prepares each service's context before its page opens, with sync-API code
# (tests and the benchmark attach the replay here). It gets a sync view of the context.
PrepareContext = Callable[["SyncBrowserContext", Flow], None]
# A saved login: Playwright's storage state, as a dict or a JSON file.
StorageState = Path | Mapping[str, Any]


def run_check(
    settings: CheckSettings,
    *,
    prepare_context: PrepareContext | None = None,
    sessions: Mapping[str, StorageState] | None = None,
) -> CheckReport:
    """Check every service, then record the results and announce what changed.

    Without `sessions`, the saved logins of ``settings.accounts`` are used."""
    # A ledger that cannot take the results (corrupt, newer) is refused before any browser.
    Ledger.open(settings.data_dir, url=settings.ledger).close()
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
    from widerspruch.logs import mask_email, tell
    from widerspruch.services import registry

    flows = registry().flows_by_name
    if not settings.accounts:
        return {}
    if not keyring_usable():
        tell_once_no_keyring()
        return {}
    accounts = Accounts(settings.data_dir)
    sessions: dict[str, StorageState] = {}
    for service in (s for s in settings.services if s in flows):
        for email in settings.accounts:
            try:
                state = accounts.load_session(email, service)
            except SessionUnreadable as error:
                tell(
                    f"The saved login of {mask_email(email)} for {flows[service].display_name} "
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
            tell(
                f"No saved login for {flows[service].display_name} of "
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
    with Ledger.open(settings.data_dir, url=settings.ledger) as ledger:
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
        path = ledger.where  # the file, or the shared ledger's URL (no secrets)
    for alert in alerts:
        log.info("check_alert", service=alert.service, kind=alert.kind, state=alert.state)
    return CheckReport(checked_at, list(results), alerts, deliveries, path)


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
        "reason": result.reason,
        "link": result.link,
        "screenshot": result.screenshot,
        "html": result.html,
        "reported_state": reported,
        "alerted": int(alerted),
    }


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
            raise UsageError(launch_failure(error, executable, headless=True).message) from None
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
        reason=Reason.BROWSER_CLOSED.value,
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
        # The timeout is the page's: a context that was slow to open on a busy machine
        # does not use it up before the form was even asked for.
        deadline = time.monotonic() + timeout
        if isinstance(target, Watch):
            finding, probe = await _check_watch(context, target, deadline, timeout)
        else:
            finding, probe = await _check_form(context, target, deadline, timeout)
        result = await _result(target, finding, probe, checked_at, has_session=session is not None)
        # Behind a saved login that still works, the service's own setting shows too.
        setting = target.setting if session is not None else None
        if setting is not None and result.state is CheckState.FORM_OK:
            result.setting = await read_setting(context, target, deadline, timeout)
            result.detail += f"; “{setting.name}” is {result.setting}"
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
