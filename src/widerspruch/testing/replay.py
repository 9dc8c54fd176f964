"""Offline replay of Meta's pages.

``ReplayServer`` answers every request of a browser context through Playwright routing,
under the real Meta URLs, from the bundled replicas (``fixtures/<service>/``). The URLs
come from the flows (their form and login URLs and hosts); the replay only adds what
Meta does there. It keeps state the way Meta does, in cookies: cookie consent, the login
session, a passed checkpoint. It records what the browser sent, for the tests.
Requests to any other host are aborted. Nothing leaves the machine. The person at the
other end is played by ``widerspruch.testing.person.StandInPerson``.
"""

from __future__ import annotations

import json
import os
import re
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from widerspruch.services import registry
from widerspruch.states import PageState

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Route

    from widerspruch.page.flow import Flow


def _replayed() -> tuple[type[Flow], ...]:
    """Every flow the replay plays Meta for: those offered, and those still pending."""
    return (*registry().flows, *registry().pending)


def _form_paths() -> dict[tuple[str, str], str]:
    """Every flow's form URLs, by host and path, and the service each belongs to."""
    paths = {}
    for flow in _replayed():
        for url in flow.form_urls:
            parts = urlsplit(url)
            paths[(parts.hostname or "", parts.path.rstrip("/"))] = flow.service
    return paths


def _own_domain(flow: type[Flow]) -> str:
    """The domain of the service's own site, where Meta keeps its session: the entry of
    the flow's ``hosts`` that holds its login page (or its form, if it has no login)."""
    host = urlsplit(flow.login_url or flow.form_urls[0]).hostname or ""
    for allowed in flow.hosts:
        if allowed.startswith(".") and (host == allowed[1:] or host.endswith(allowed)):
            return allowed
    raise ValueError(f"{flow.service}: none of its hosts holds its login page {flow.login_url}")


# Real form paths per host, and the service each belongs to (a dict, so that a test
# can take one away).
FORM_PATHS = _form_paths()
LOGIN_URLS = {flow.service: flow.login_url for flow in _replayed() if flow.needs_login}
# Each flow's own setting page (``Flow.setting``), by host and path.
SETTING_PATHS = {
    (urlsplit(flow.setting.url).hostname or "", urlsplit(flow.setting.url).path.rstrip("/")): (
        flow.service
    )
    for flow in _replayed()
    if flow.setting is not None
}
LOGIN_PATHS = tuple(dict.fromkeys(urlsplit(url).path.rstrip("/") for url in LOGIN_URLS.values()))
COOKIE_DOMAINS = {flow.service: _own_domain(flow) for flow in _replayed()}
NO_LOGIN = frozenset(flow.service for flow in _replayed() if not flow.needs_login)
SUBMIT_PATH = "/help/contact/submit/"
CODE_PATH = "/help/contact/code/"
DONE_PATH = "/help/contact/done/"
FORM_VERSIONS = ("form_2025", "form_2024", "form_variant", "ai_question", "form_steps")
# What each service's login form calls the account and the password.
ACCOUNT_FIELDS = ("email", "username", "session_key")
PASSWORD_FIELDS = ("pass", "password", "session_password")
DEFAULT_ACCOUNT = "jana@example.org"  # the replay's account when nobody logged in here
WRONG_PASSWORD = {
    "en": "The password that you've entered is incorrect.",
    "de": "Das von dir eingegebene Passwort ist falsch.",
}


def fixtures_dir() -> Path:
    """The bundled replicas (``fixtures/`` in a checkout)."""
    return Path(str(resources.files("widerspruch.replicas")))


@dataclass
class Scenario:
    """What the replayed Meta does. Tests change it per test, even mid-run."""

    language: str = "en"
    form: str = "form_2025"  # one of FORM_VERSIONS
    cookie_banner: bool = True
    logged_in: bool = False  # the browser starts with a valid Meta session
    checkpoint: bool = False  # a captcha after login
    outcome: str = "confirmation"  # what Send leads to: "confirmation" or "error"
    code_step: bool = False  # Meta emails a code after Send, whatever the form version
    unavailable: bool = False  # the region has no form
    # What Meta prefills; None: the address the account logged in with.
    account_email: str | None = None
    expected_code: str = "123456"
    session_expires_at_send: bool = False  # the form POST answers with the login page
    confirm_by_redirect: bool = False  # the last POST redirects; the outcome comes by GET
    password: str | None = None  # the account's password; None accepts any
    setting_on: bool = True  # the service's own setting (``Flow.setting``) is on
    # Nobody has seen Meta's form tell an account that it objected already, so the
    # replay never does: what may have reached Meta is settled by the person, not a page.


@dataclass
class SentForm:
    url: str
    fields: dict[str, str]


@dataclass
class ReplayServer:
    scenario: Scenario = field(default_factory=Scenario)
    root: Path = field(default_factory=fixtures_dir)
    # Secrets the browser holds; tests check they never reach a log or the ledger.
    session_token: str = field(default_factory=lambda: "xs-" + secrets.token_hex(12))
    csrf_token: str = field(default_factory=lambda: "dtsg-" + secrets.token_hex(12))
    submissions: list[SentForm] = field(default_factory=list)
    codes: list[SentForm] = field(default_factory=list)
    logins: list[SentForm] = field(default_factory=list)
    consent_choices: list[str] = field(default_factory=list)
    setting_changes: list[str] = field(default_factory=list)  # "on"/"off" per switch posted
    served: list[str] = field(default_factory=list)  # "<service>/<state>" per page served
    blocked: list[str] = field(default_factory=list)
    # Every objection received, one JSON line each, so that a test can count them across
    # processes; a new server reads it back to know which accounts already objected.
    journal: Path | None = None
    objected: dict[tuple[str, str], str] = field(default_factory=dict)  # -> date received
    _next_url: dict[str, str] = field(default_factory=dict)
    _outcome: str = "confirmation"
    _account: str = ""  # the address of the last form sent (when there is no login)

    def __post_init__(self) -> None:
        if self.journal is not None and self.journal.exists():
            for line in self.journal.read_text("utf-8").splitlines():
                entry = json.loads(line)
                if entry["objected"]:
                    self.objected[(entry["service"], entry["email"])] = entry["at"]

    def attach(self, context: BrowserContext) -> None:
        """Answer every request of `context`. Call before opening pages."""
        if self.scenario.logged_in:
            self.log_in(context)
        context.route("**/*", self._handle)

    def log_in(self, context: BrowserContext) -> None:
        """Give `context` a valid session, as if the person had logged in before."""
        cookies: list[Any] = []
        for domain in COOKIE_DOMAINS.values():
            cookies += [
                {"name": "consent", "value": "essential", "domain": domain, "path": "/"},
                {"name": "c_user", "value": "100001", "domain": domain, "path": "/"},
                {
                    "name": "xs",
                    "value": self.session_token,
                    "domain": domain,
                    "path": "/",
                    "httpOnly": True,
                    "secure": True,
                },
            ]
        context.add_cookies(cookies)

    # -- routing --------------------------------------------------------------------

    def _handle(self, route: Route) -> None:
        request = route.request
        parts = urlsplit(request.url)
        host = parts.hostname or ""
        service = _service_of(host)
        if service is None or parts.scheme != "https":
            self.blocked.append(request.url)
            route.abort("internetdisconnected")
            return
        cookies = _cookies(request.headers.get("cookie", ""))
        path = parts.path
        # Several services' forms share a host: a form's own page, and what is posted
        # from it, belong to the service of that form.
        service = FORM_PATHS.get((host, path.rstrip("/")), service)
        if request.method == "POST":
            sender = urlsplit(request.headers.get("referer", ""))
            service = FORM_PATHS.get((sender.hostname or "", sender.path.rstrip("/")), service)
            fields = dict(parse_qsl(request.post_data or "", keep_blank_values=True))
            self._post(route, service, path, fields, cookies)
            return
        if (host, path.rstrip("/")) in FORM_PATHS:
            self._form(route, service, request.url, cookies)
        elif (host, path.rstrip("/")) in SETTING_PATHS:
            if cookies.get("xs") != self.session_token:
                _redirect(route, _login_url(service, request.url))
            else:
                self._page(route, service, "setting")
        elif path.startswith(LOGIN_PATHS):
            if "consent" not in cookies and self.scenario.cookie_banner:
                self._page(route, service, "cookie_banner")
            else:
                self._page(route, service, "login")
        elif path.startswith("/checkpoint"):
            self._page(route, service, "checkpoint")
        elif path.startswith(DONE_PATH):
            self._page(route, service, self._outcome)
        else:
            route.fulfill(status=404, content_type="text/plain", body="")

    def _form(self, route: Route, service: str, url: str, cookies: dict[str, str]) -> None:
        self._next_url[service] = url
        no_login = service in NO_LOGIN
        if self.scenario.unavailable:
            self._page(route, service, "unavailable")
        elif no_login and "consent" not in cookies and self.scenario.cookie_banner:
            self._page(route, service, "cookie_banner")  # over the form: no login page
        elif no_login:
            self._page(route, service, self._form_version(service))
        elif cookies.get("xs") != self.session_token:
            _redirect(route, _login_url(service, url))
        elif self.scenario.checkpoint and cookies.get("checkpoint") != "passed":
            _redirect(route, _checkpoint_url(service, url))
        else:
            account = self.scenario.account_email or unquote(cookies.get("account", ""))
            self._page(route, service, self._form_version(service), email=account or None)

    def _form_version(self, service: str) -> str:
        """The scenario's form, or the service's own form if it has no such version."""
        if (self.root / service / f"{self.scenario.form}.{self.scenario.language}.html").exists():
            return self.scenario.form
        flow = next(flow for flow in _replayed() if flow.service == service)
        cases: tuple[tuple[str, PageState], ...] = getattr(flow, "replica_cases", ())
        return next(name for name, state in cases if state is PageState.FORM)

    def _post(
        self,
        route: Route,
        service: str,
        path: str,
        fields: dict[str, str],
        cookies: dict[str, str],
    ) -> None:
        back = self._next_url.get(service, "/")
        domain = COOKIE_DOMAINS[service]
        if (urlsplit(route.request.url).hostname, path.rstrip("/")) in SETTING_PATHS:
            if cookies.get("xs") != self.session_token:
                route.fulfill(status=401, content_type="application/json", body="{}")
                return
            value = fields.get("value", "")
            self.setting_changes.append(value)
            self.scenario.setting_on = value == "on"
            route.fulfill(status=200, content_type="application/json", body="{}")
        elif path.startswith("/cookie/consent"):
            choice = fields.get("consent", "")
            self.consent_choices.append(choice)
            route.fulfill(
                status=200,
                headers={"set-cookie": f"consent={choice}; Domain={domain}; Path=/; Secure"},
                body="",
            )
        elif path.startswith(LOGIN_PATHS):
            self.logins.append(SentForm(route.request.url, fields))
            given = next((fields[name] for name in PASSWORD_FIELDS if name in fields), None)
            if self.scenario.password is not None and given != self.scenario.password:
                html = self.render(service, "login")
                alert = WRONG_PASSWORD[self.scenario.language]
                self.served.append(f"{service}/login_refused")
                route.fulfill(
                    status=200,
                    content_type="text/html; charset=utf-8",
                    body=re.sub(
                        r"(<body[^>]*>)", rf'\1<div role="alert">{alert}</div>', html, count=1
                    ),
                )
                return
            target = back
            if self.scenario.checkpoint and cookies.get("checkpoint") != "passed":
                target = _checkpoint_url(service, back)
            account = next((fields[name] for name in ACCOUNT_FIELDS if fields.get(name)), "")
            if account:  # Meta prefills the address of the account that logged in
                # Set before the redirect is answered, or the form may load without it.
                route.request.frame.page.context.add_cookies(
                    [{"name": "account", "value": quote(account), "domain": domain, "path": "/"}]
                )
            _redirect(
                route,
                target,
                cookie=f"xs={self.session_token}; Domain={domain}; Path=/; Secure; HttpOnly",
            )
        elif path.startswith("/checkpoint"):
            _redirect(route, back, cookie=f"checkpoint=passed; Domain={domain}; Path=/; Secure")
        elif (
            path.startswith((SUBMIT_PATH, CODE_PATH))
            and service not in NO_LOGIN
            and (cookies.get("xs") != self.session_token or self.scenario.session_expires_at_send)
        ):
            # The session expired between loading the form and sending it.
            if route.request.resource_type in ("fetch", "xhr"):
                self._page(route, service, "login", fragment=True)
            else:
                _redirect(route, _login_url(service, back))
        elif path.startswith(SUBMIT_PATH):
            self.submissions.append(SentForm(route.request.url, fields))
            # Meta has it once it confirms; the 2024 form only with the emailed code.
            code = self.scenario.form == "form_2024" or self.scenario.code_step
            taken = not code and self.scenario.outcome == "confirmation"
            self._account = fields.get("email", "")
            self._journal("submitted", service, self._account, objected=taken)
            as_fragment = route.request.resource_type in ("fetch", "xhr")
            if code:
                self._page(route, service, "code_step")
            else:
                self._page(route, service, self.scenario.outcome, fragment=as_fragment)
        elif path.startswith(CODE_PATH):
            self.codes.append(SentForm(route.request.url, fields))
            ok = fields.get("code") == self.scenario.expected_code
            self._outcome = self.scenario.outcome if ok else "error"
            if ok and self._outcome == "confirmation":
                account = unquote(cookies.get("account", "")) or self._account
                self._journal("code", service, account, objected=True)
            if self.scenario.confirm_by_redirect:
                _redirect(route, _same_host(route.request.url, DONE_PATH))
            else:
                self._page(route, service, self._outcome)
        else:
            route.fulfill(status=404, content_type="text/plain", body="")

    def _journal(self, kind: str, service: str, email: str, *, objected: bool) -> None:
        """Record a POST that reached Meta, and whether Meta now has the objection."""
        at = datetime.now(UTC).date().isoformat()
        if objected:
            self.objected[(service, email.casefold())] = at
        if self.journal is None:
            return
        # One line for both: a kill cannot separate the POST from what Meta made of it.
        entry = {"kind": kind, "service": service, "email": email.casefold()}
        line = json.dumps({**entry, "at": at, "objected": objected})
        with self.journal.open("a", encoding="utf-8") as stream:
            stream.write(line + "\n")
            stream.flush()
            os.fsync(stream.fileno())  # a test may kill the process right after this

    def _page(
        self,
        route: Route,
        service: str,
        state: str,
        *,
        fragment: bool = False,
        email: str | None = None,
    ) -> None:
        self.served.append(f"{service}/{state}")
        html = self.render(service, state, email=email)
        if fragment:
            html = extract_fragment(html)
        route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html)

    def render(self, service: str, state: str, *, email: str | None = None) -> str:
        path = self.root / service / f"{state}.{self.scenario.language}.html"
        html = path.read_text("utf-8")
        return (
            html.replace("{{email}}", email or self.scenario.account_email or DEFAULT_ACCOUNT)
            .replace("{{form_action}}", SUBMIT_PATH)
            .replace("{{csrf}}", self.csrf_token)
            .replace("{{setting}}", "true" if self.scenario.setting_on else "false")
            .replace("{{setting_text}}", "On" if self.scenario.setting_on else "Off")
        )


def _service_of(host: str) -> str | None:
    """The service whose own site `host` is on; None for every other host (a CDN too)."""
    for service, domain in COOKIE_DOMAINS.items():
        if host == domain[1:] or host.endswith(domain):
            return service
    return None


def _redirect(route: Route, location: str, *, cookie: str | None = None) -> None:
    """Redirect the way Meta often does, by script. (Playwright does not route requests
    that follow an HTTP redirect, so a 302 here would leave the replay.)"""
    headers = {"set-cookie": cookie} if cookie else {}
    body = f"<!DOCTYPE html><script>location.replace({json.dumps(location)})</script>"
    route.fulfill(status=200, content_type="text/html", headers=headers, body=body)


def _same_host(url: str, path: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{path}"


def _login_url(service: str, next_url: str) -> str:
    return f"{LOGIN_URLS[service]}?next={quote(next_url, safe='')}"


def _checkpoint_url(service: str, next_url: str) -> str:
    """Meta's checkpoint, on the host of the service's login page."""
    host = urlsplit(LOGIN_URLS[service]).netloc
    return f"https://{host}/checkpoint/?next={quote(next_url, safe='')}"


def _cookies(header: str) -> dict[str, str]:
    pairs = (part.strip().partition("=") for part in header.split(";") if "=" in part)
    return {name: value for name, _, value in pairs}


class _FragmentFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.depth = 0
        self.start: tuple[int, int] | None = None
        self.end: tuple[int, int] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "div" or self.end is not None:
            return
        if self.start is None and ("data-replay-fragment", "1") in attrs:
            self.start = self.getpos()
            self.depth = 1
        elif self.start is not None:
            self.depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "div" and self.start is not None and self.end is None:
            self.depth -= 1
            if self.depth == 0:
                self.end = self.getpos()


def extract_fragment(html: str) -> str:
    """The part of a replica that a fetch-based form injects: its data-replay-fragment div."""
    finder = _FragmentFinder()
    finder.feed(html)
    if finder.start is None or finder.end is None:
        return html
    lines = html.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    start = offsets[finder.start[0] - 1] + finder.start[1]
    end = offsets[finder.end[0] - 1] + finder.end[1]
    return html[start : html.index(">", end) + 1]
