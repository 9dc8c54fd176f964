"""Finding, launching or attaching to Chromium. Playwright is imported here, and only here.

Order of search: ``--browser`` / ``WIDERSPRUCH_BROWSER``, Playwright's own Chromium if
it was installed, then a system Chromium or Chrome. ``--cdp`` attaches to a browser
the person already runs instead, and works in a new tab of their own window.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from widerspruch.errors import UsageError
from widerspruch.failures import cdp_failure, has_display, launch_failure, no_display_message
from widerspruch.logs import get_logger
from widerspruch.page.flow import Flow

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page, Playwright, Route

log = get_logger("widerspruch.browser")

SYSTEM_BROWSERS = (
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
    "chrome",
    "/usr/lib/chromium/chromium",
    "/snap/bin/chromium",
    "/Applications/Chromium.app/Contents/MacOS/Chromium",
    "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
    r"C:\Program Files\Google\Chrome\Application\chrome.exe",
    r"C:\Program Files (x86)\Google\Chrome\Application\chrome.exe",
)
# Chromium's headless shell: the same engine without the desktop browser around it. A check
# never shows a window, and the shell starts pages on half the CPU of a headless Chromium.
HEADLESS_SHELLS = (
    "chromium-headless-shell",
    "chrome-headless-shell",
    "/usr/lib/chromium/chromium-headless-shell",
)
# Keep the browser from calling home: no update checks, sync or first-run pings.
LAUNCH_ARGS = (
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-domain-reliability",
    "--metrics-recording-only",
)
HOW_TO_GET_ONE = (
    "no Chromium or Chrome found. Install one (Debian/Ubuntu: sudo apt-get install chromium; "
    "or: python -m playwright install chromium), or name it with --browser PATH "
    "or WIDERSPRUCH_BROWSER"
)


def find_browser(
    explicit: Path | None, playwright_own: str | None, *, headless_shell: bool = False
) -> Path:
    """The browser to launch, in the documented order, or UsageError saying how to get one.
    With `headless_shell` (for runs that never show a window), a system headless shell
    comes before a system Chromium or Chrome."""
    if explicit is not None:
        return explicit
    if playwright_own and Path(playwright_own).is_file():
        return Path(playwright_own)
    for candidate in (*HEADLESS_SHELLS, *SYSTEM_BROWSERS) if headless_shell else SYSTEM_BROWSERS:
        found = shutil.which(candidate)
        if found:
            return Path(found)
    raise UsageError(HOW_TO_GET_ONE)


@dataclass
class FlowPage:
    """A page opened for one flow, and how to give it back."""

    page: Page
    close: Callable[[], None]


class BrowserSession:
    """One browser for a whole run; each flow gets its own page (and, when launched, its own
    fresh context, so nothing carries over between services or accounts)."""

    def __init__(
        self,
        playwright: Playwright,
        browser: Browser,
        *,
        attached: bool,
        prepare_context: Callable[[BrowserContext, Flow], None] | None = None,
    ) -> None:
        self.playwright = playwright
        self.browser = browser
        self.attached = attached
        self.prepare_context = prepare_context
        self.blocked_hosts: set[str] = set()
        self._prepared: set[int] = set()

    @property
    def version(self) -> str:
        return self.browser.version

    def open_page(self, flow: Flow, storage_state: dict[str, Any] | None = None) -> FlowPage:
        if self.attached:
            # The person's own window: a new tab there, visible to them.
            context = (
                self.browser.contexts[0] if self.browser.contexts else (self.browser.new_context())
            )
            if id(context) not in self._prepared:
                self._prepared.add(id(context))
                # With any listener present, Playwright leaves dialogs to the person.
                context.on("dialog", lambda dialog: None)
                if self.prepare_context is not None:
                    self.prepare_context(context, flow)
            page = context.new_page()
            closer: Callable[[], None] = page.close
        else:
            # A saved login (cookies, storage) goes into this context only.
            context = self.browser.new_context(
                no_viewport=True,
                storage_state=storage_state,  # type: ignore[arg-type]
            )
            if self.prepare_context is not None:
                self.prepare_context(context, flow)
            page = context.new_page()
            closer = context.close
        page.route("**/*", lambda route: self._only_declared_hosts(flow, route))
        return FlowPage(page=page, close=_quietly(closer))

    def _only_declared_hosts(self, flow: Flow, route: Route) -> None:
        url = route.request.url
        if flow.allows_url(url):
            route.fallback()
            return
        host = url.split("/")[2] if "://" in url else url
        if host not in self.blocked_hosts:
            self.blocked_hosts.add(host)
            log.info("blocked_host", host=host, flow=flow.service)
        route.abort("blockedbyclient")


def _quietly(close: Callable[[], None]) -> Callable[[], None]:
    def run() -> None:
        from playwright.sync_api import Error

        # Already gone is fine: the person closed it, or the browser ended.
        with suppress(Error):
            close()

    return run


@contextmanager
def open_browser(
    *,
    browser_path: Path | None,
    headless: bool,
    cdp_url: str | None = None,
    prepare_context: Callable[[BrowserContext, Flow], None] | None = None,
) -> Iterator[BrowserSession]:
    """Start Playwright, launch or attach, and clean up whatever happens."""
    from playwright.sync_api import Error, sync_playwright

    with sync_playwright() as playwright:
        if cdp_url:
            try:
                browser = playwright.chromium.connect_over_cdp(cdp_url, timeout=10_000)
            except Error as error:
                # Playwright's own words ("connect ECONNREFUSED") go to the log file only.
                raise UsageError(cdp_failure(error, cdp_url)) from None
            attached = True
        else:
            own = _playwright_own_browser(playwright)
            executable = find_browser(browser_path, own)
            if not headless and not has_display():
                # Chromium would start and end at once; say why before it tries.
                raise UsageError(no_display_message())
            try:
                browser = playwright.chromium.launch(
                    executable_path=str(executable),
                    headless=headless,
                    args=list(LAUNCH_ARGS),
                )
            except Error as error:
                raise UsageError(
                    launch_failure(error, executable, headless=headless).message
                ) from None
            attached = False
        log.info("browser_ready", version=browser.version, attached=attached)
        session = BrowserSession(
            playwright, browser, attached=attached, prepare_context=prepare_context
        )
        try:
            yield session
        finally:
            with suppress(Error):
                browser.close()  # over CDP this only disconnects: the person's browser stays


def _playwright_own_browser(playwright: Playwright) -> str | None:
    try:
        return playwright.chromium.executable_path
    except Exception:  # noqa: BLE001 - any failure just means "not installed"
        return None
