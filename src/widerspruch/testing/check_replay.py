"""Offline replay for `widerspruch check`: Meta's pages, WhatsApp's, and the ways they break.

``CheckReplay`` answers every request of a browser context, as ``ReplayServer`` does for
`submit`, and adds what a recheck meets:

- WhatsApp's pages (``fixtures/whatsapp/``), with or without a link to an AI objection;
- per service, a break of its first URL (the current form, or WhatsApp's first watched
  page): a 404, a script redirect to an unexpected Meta page or to another site, a
  request that is never answered, or no network at all;
- the form versions of ``ReplayServer``, plus ``form_changed`` (the send button renamed,
  the email field gone) and the unavailable page.

Meta's own pages come from an unchanged ``ReplayServer``; the routes added here are
registered after it, so Playwright asks them first. ``attach`` is sync-API code, like
``ReplayServer.attach``: `check` runs it on async contexts through ``widerspruch.page.syncbridge``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from widerspruch.services import registry
from widerspruch.testing.replay import ReplayServer, Scenario, fixtures_dir

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Route

    from widerspruch.page.flow import Flow

# The ways a service's first URL can break (see `CheckScenario.breaks`).
BREAKS = ("404", "redirect", "redirect_offsite", "hang", "offline")
# Where a "redirect" break sends the browser: a real Meta page that is not the form,
# the Privacy Center (with the slash Meta adds), whose replica is in fixtures/facebook/.
PRIVACY_CENTRE_SERVICE = "facebook"
REDIRECT_TARGET = (
    registry().flows_by_name[PRIVACY_CENTRE_SERVICE].privacy_centre_url.rstrip("/") + "/"
)
# ...and a "redirect_offsite" break: a Meta page on a host no flow may visit.
REDIRECT_OFFSITE = "https://www.meta.com/help/privacy/"
# The replica (fixtures/<service>/) of each page a watch visits, in the order of its
# ``watch_urls``: the watch knows the URLs, the replay which replica shows each.
WATCH_REPLICAS = {"whatsapp": ("contact_form", "faq", "privacy_policy")}


def _watched_pages() -> dict[tuple[str, str], tuple[str, str]]:
    """Every watched page, by host and path, and its service and replica."""
    watches = registry().watches_by_name
    pages = {}
    for service, replicas in WATCH_REPLICAS.items():
        for url, replica in zip(watches[service].watch_urls, replicas, strict=True):
            parts = urlsplit(url)
            pages[(parts.hostname or "", parts.path.rstrip("/"))] = (service, replica)
    return pages


def _watched_routes() -> tuple[str, ...]:
    """URL globs for the watched sites: the entries of each watch's ``hosts`` that hold
    one of its pages (a leading dot: every subdomain)."""
    watches = registry().watches_by_name
    routes: dict[str, None] = {}
    for service in WATCH_REPLICAS:
        watch = watches[service]
        visited = {urlsplit(url).hostname or "" for url in watch.watch_urls}
        for allowed in watch.hosts:
            if allowed.startswith("."):
                if any(host == allowed[1:] or host.endswith(allowed) for host in visited):
                    routes[f"https://*{allowed}/**"] = None
            elif allowed in visited:
                routes[f"https://{allowed}/**"] = None
    return tuple(routes)


WATCHED_PAGES = _watched_pages()
WATCHED_ROUTES = _watched_routes()


@dataclass
class CheckScenario:
    """What the replayed services show. Tests set it per test."""

    language: str = "en"
    form: str = "form_2025"  # a ReplayServer form version, or "form_changed"
    logged_in: bool = False  # the browser has a Meta session (a saved session, later)
    unavailable: bool = False  # Meta's "This content isn't available" on the forms
    whatsapp_objection: bool = False  # WhatsApp's help centre links to an AI objection
    # The reported form for messages with AIs has appeared where the contact form was.
    whatsapp_ai_form: bool = False
    # service -> one of BREAKS, for that service's first URL.
    breaks: dict[str, str] = field(default_factory=dict)


@dataclass
class CheckReplay:
    scenario: CheckScenario = field(default_factory=CheckScenario)
    root: Path = field(default_factory=fixtures_dir)
    served: list[str] = field(default_factory=list)  # "<service>/<page>" per page served
    unanswered: list[str] = field(default_factory=list)  # requests left hanging on purpose
    meta: ReplayServer = field(init=False)

    def __post_init__(self) -> None:
        unknown = set(self.scenario.breaks.values()) - set(BREAKS)
        if unknown:
            raise ValueError(f"unknown breaks {sorted(unknown)}; known: {BREAKS}")
        self.meta = ReplayServer(
            Scenario(
                language=self.scenario.language,
                form=self.scenario.form,
                logged_in=self.scenario.logged_in,
                unavailable=self.scenario.unavailable,
            ),
            root=self.root,
        )

    def attach(self, context: BrowserContext, target: Flow | None = None) -> None:
        """Answer every request of `context`. Call before opening pages."""
        self.meta.attach(context)
        for pattern in WATCHED_ROUTES:
            context.route(pattern, self._watched)
        context.route(REDIRECT_TARGET + "**", self._privacy_center)
        for service, how in self.scenario.breaks.items():
            context.route(first_url(service) + "**", self._breaking(how))

    # -- routing --------------------------------------------------------------------

    def _watched(self, route: Route) -> None:
        parts = urlsplit(route.request.url)
        found = WATCHED_PAGES.get((parts.hostname or "", parts.path.rstrip("/")))
        if found is None or route.request.method != "GET":
            route.fulfill(status=404, content_type="text/html", body=_not_found())
            return
        service, page = found
        if (service, page) == ("whatsapp", "faq") and self.scenario.whatsapp_objection:
            page = "faq_objection"
        if (service, page) == ("whatsapp", "contact_form") and self.scenario.whatsapp_ai_form:
            page = "ai_form"
        self._serve(route, service, page)

    def _privacy_center(self, route: Route) -> None:
        self._serve(route, PRIVACY_CENTRE_SERVICE, "privacy_center")

    def _breaking(self, how: str) -> Callable[[Route], None]:
        def handle(route: Route) -> None:
            self._break(route, how)

        return handle

    def _break(self, route: Route, how: str) -> None:
        self.served.append(f"break/{how}")
        if how == "404":
            route.fulfill(status=404, content_type="text/html", body=_not_found())
        elif how in ("redirect", "redirect_offsite"):
            target = REDIRECT_TARGET if how == "redirect" else REDIRECT_OFFSITE
            body = f"<!DOCTYPE html><script>location.replace({json.dumps(target)})</script>"
            route.fulfill(status=200, content_type="text/html", body=body)
        elif how == "offline":
            route.abort("internetdisconnected")
        else:  # "hang": the server never answers
            self.unanswered.append(route.request.url)

    def _serve(self, route: Route, service: str, page: str) -> None:
        self.served.append(f"{service}/{page}")
        html = (self.root / service / f"{page}.{self.scenario.language}.html").read_text("utf-8")
        route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html)


def first_url(service: str) -> str:
    """The URL a break applies to: the current form, or the first watched page."""
    from widerspruch.page.watch import Watch
    from widerspruch.services import registry

    target = registry().target(service)
    return target.watch_urls[0] if isinstance(target, Watch) else target.form_urls[0]


def _not_found() -> str:
    return "<!DOCTYPE html><html lang=en><title>404</title><body><h1>404</h1></body></html>"
