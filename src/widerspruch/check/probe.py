"""One page of a check: `Probe` opens a URL, follows it until it settles, watches its
traffic and keeps it to reading; and the last, bounded reads of a page."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from contextlib import suppress
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

from widerspruch.logs import get_logger
from widerspruch.page.flow import Flow
from widerspruch.page.scripts import DOM_ACTIVITY_JS, QUIET_WINDOW_JS
from widerspruch.page.syncbridge import SyncView, run_sync

if TYPE_CHECKING:
    from playwright.async_api import BrowserContext, Page, Request, Response, Route
    from playwright.sync_api import Page as SyncPage

log = get_logger("widerspruch.check")
T = TypeVar("T")

# A page has settled when no navigation or POST is in flight and its DOM has not
# changed for this long; a page that keeps changing is read after SETTLE_CAP_S anyway.
QUIET_MS = 250
SETTLE_CAP_S = 5.0
# How long the last reads of a page (language, screenshot, HTML) may take.
READ_TIMEOUT_S = 5.0


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


async def _bounded(call: Awaitable[T]) -> T | None:
    """The result of a last read of the page, or None if it fails or does not come:
    a document whose navigation never answered also never evaluates anything."""
    from playwright.async_api import Error

    try:
        return await asyncio.wait_for(call, READ_TIMEOUT_S)
    except (Error, TimeoutError):
        return None
