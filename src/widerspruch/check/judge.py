"""Judging what a page shows: a service's form (every control the flow needs?) or its
watched pages (an objection offered yet?), the result of a check, and the evidence
(screenshot and cleaned HTML) saved for an anomaly."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from widerspruch.check.probe import READ_TIMEOUT_S, Probe, _bounded, _has_document
from widerspruch.check.results import (
    CONTROL_NAMES,
    EXPECTED,
    CheckResult,
    CheckState,
)
from widerspruch.failures import explain
from widerspruch.files import write_private
from widerspruch.page.flow import Flow, FormError
from widerspruch.page.scripts import CLEAN_HTML_JS, VISIBLE_TEXT_JS
from widerspruch.page.watch import Watch
from widerspruch.states import PageState
from widerspruch.text import first_line

if TYPE_CHECKING:
    from playwright.async_api import BrowserContext, Page
    from playwright.sync_api import Page as SyncPage

# Declining cookies again if the dialog is still there (a slow reload, not a refusal).
MAX_DECLINES = 3


@dataclass
class Finding:
    """What one page showed."""

    state: CheckState
    detail: str
    final_url: str | None = None  # when not the page's own URL (a blocked redirect)
    link: str | None = None
    missing: list[str] = field(default_factory=list)
    reason: str | None = None  # widerspruch.failures.Reason, when the browser said why


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


async def read_setting(context: BrowserContext, flow: Flow, deadline: float, timeout: float) -> str:
    """The flow's own setting (``Flow.setting``) as the saved login sees it: "on",
    "off", or why it was not read. Only read: the probe sends no POST, clicks nothing."""
    from playwright.async_api import Error

    setting = flow.setting
    if setting is None:
        return "not declared"
    probe = await Probe.open(context, flow, deadline, timeout)
    try:
        await probe.goto(setting.url)
        on = await probe.settled_read(lambda page: setting.read(flow.view(page)))
    except Error as error:
        return f"not read ({first_line(error)})"
    finally:
        await _bounded(probe.page.close())
    return "not shown" if on is None else ("on" if on else "off")


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
            return _load_failure(probe.page.url, error, probe.timeout)


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


# -- the result, and evidence of an anomaly -------------------------------------------


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
        reason=finding.reason,
    )


def _opened_url(target: Flow) -> str:
    """The URL a check of `target` opens first: its current form, or its first watched page."""
    return target.watch_urls[0] if isinstance(target, Watch) else target.form_urls[0]


def _load_failure(url: str, error: Exception, timeout: float) -> Finding:
    from playwright.async_api import TimeoutError as PlaywrightTimeout

    failure = explain(error, url=url)
    if isinstance(error, PlaywrightTimeout):
        # The person's --timeout, not what was left of it when this page's wait began.
        failure = explain(f"Timeout {timeout * 1000:.0f}ms exceeded", url=url)
    return Finding(CheckState.ERROR, failure.message, reason=failure.reason.value)


async def _save_evidence(result: CheckResult, page: Page, folder: Path) -> None:
    """A screenshot and the HTML of an anomaly, readable by the owner only."""
    if not _has_document(page):
        return  # nothing ever loaded: nothing to show
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    stem = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ") + f"-{result.state}"
    image = await _bounded(page.screenshot(full_page=True, timeout=READ_TIMEOUT_S * 1000))
    if image:
        result.screenshot = str(write_private(folder / f"{stem}.png", image, atomic=False))
    html = await _bounded(page.evaluate(CLEAN_HTML_JS))
    if html:
        result.html = str(write_private(folder / f"{stem}.html", str(html), atomic=False))


def _same_page(url: str, other: str) -> bool:
    one, two = urlsplit(url), urlsplit(other)
    return (one.hostname, one.path.rstrip("/")) == (two.hostname, two.path.rstrip("/"))
