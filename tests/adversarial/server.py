"""A Meta that lies, refuses politely or shows the wrong form, for the adversarial suite.

`Site` answers every request of a browser context under the real form URLs, from the pages
in ``pages/``. It counts every request that could carry an objection (any POST to a Meta
host other than the cookie choice and the page's own telemetry, and anything sent to the
submit path), records the cookie choices, and what the page saw the tool do (``probes``:
typing, changes and clicks, reported by a small script added to every page).

Answers to a submission come from ``pages/answers/``: a fragment, served as it is to a
fetch or XHR, and inside a whole document to a navigation POST. With ``code_step``, Meta
first asks for a code it emailed (a page of ``pages/code/``, answered to Send the same
way); the answer then answers the code's POST (``codes``), and may lie there too.
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import parse_qsl, urlsplit

import pytest
from playwright.sync_api import BrowserContext, Page, Route

from tests.conftest import EMAIL, Harness
from widerspruch.page.flow import Flow
from widerspruch.services import get_flow, registry
from widerspruch.states import PageState, Status
from widerspruch.submit.person import PersonCannotAct
from widerspruch.submit.result import Result
from widerspruch.testing.person import StandInPerson
from widerspruch.testing.replay import ReplayServer, Scenario

PAGES = Path(__file__).parent / "pages"
FACEBOOK_FORM = "https://www.facebook.com/help/contact/712876720715583"
INSTAGRAM_FORM = "https://help.instagram.com/contact/767264225370182"
INSTAGRAM_OTHER_FORM = "https://help.instagram.com/contact/233964459562201"
# The form for people without an account: its URLs as its flow declares them.
THIRD_PARTY = get_flow("meta-third-party")
# The services whose forms the pages of their own folder (``pages/<service>/``) stand
# for: every case is also run on their form, where that folder has its page.
OWN_PAGES = tuple(flow for flow in registry().flows if (PAGES / flow.service).is_dir())
FORM_URLS = (
    FACEBOOK_FORM,
    INSTAGRAM_FORM,
    INSTAGRAM_OTHER_FORM,
    *THIRD_PARTY.form_urls,
    *(url for flow in OWN_PAGES for url in flow.form_urls),
)
# The hosts the site answers on: Meta's, and those of the forms of OWN_PAGES.
HOSTS = ("facebook.com", "instagram.com", *(urlsplit(url).hostname or "" for url in FORM_URLS))
SUBMIT_PATH = "/help/contact/submit/"
CODE_PATH = "/help/contact/code/"
CONSENT_PATH = "/cookie/consent/"
TELEMETRY_PATH = "/ajax/bz/"
PROBE_PATH = "/ajax/probe/"
DONE_PATH = "/help/contact/done/"
SCRIPT_PATH = "/rsrc.php/adversarial/"

NOT_CONFIRMED = frozenset({Status.FAILED, Status.SUBMITTED_UNCONFIRMED})
UNCONFIRMED = frozenset({Status.SUBMITTED_UNCONFIRMED})
CONFIRMED = frozenset({Status.CONFIRMED})
FAILED = frozenset({Status.FAILED})

# Reports what the tool does on the page (typing, changes, clicks), to PROBE_PATH.
PROBE_JS = f'<script src="{SCRIPT_PATH}probe.js"></script>'

DOCUMENT = """<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title></head>
<body><div role="banner"><a href="/" aria-label="{brand}">{brand}</a>
<a href="/help/">{help}</a></div>
<div role="main" id="content">{fragment}</div>
<div role="contentinfo">Meta © 2025</div></body></html>"""
# The person lives where the page's language is spoken (English: Germany, as elsewhere).
COUNTRY_OF = {
    "en": "DE",
    "de": "DE",
    "fr": "FR",
    "nl": "NL",
    "pl": "PL",
    "it": "IT",
    "es": "ES",
    "sv": "SE",
}
HELP_CENTRE = {
    "en": "Help Center",
    "de": "Hilfebereich",
    "fr": "Pages d'aide",
    "nl": "Helpcentrum",
    "pl": "Pomoc",
    "it": "Centro assistenza",
    "es": "Servicio de ayuda",
    "sv": "Hjälpcenter",
}


@dataclass(frozen=True)
class Answer:
    """What Meta answers to the submission."""

    page: str = ""  # a fragment in pages/answers/, or with a folder in pages/ (no .html)
    status: int = 200
    json: dict[str, Any] | None = None  # answer with this JSON instead of a page
    # "page": the answer above; "form": the form page again (with `alert` inside, if any);
    # "redirect": the answer sends the browser on to DONE_PATH, which shows the page;
    # "hang": never answered; "reset": the connection breaks after the request left.
    mode: Literal["page", "form", "redirect", "hang", "reset"] = "page"
    alert: str = ""


@dataclass(frozen=True)
class Sent:
    url: str
    method: str
    kind: str  # document, fetch, xhr ...
    fields: dict[str, str]

    @property
    def path(self) -> str:
        return urlsplit(self.url).path


@dataclass
class Site:
    form: str  # a page in pages/ (without .html), served at every form URL
    answer: Answer = field(default_factory=Answer)
    country: str = ""  # the person's; by default where the page's language is spoken
    moved_to: str | None = None  # the form URLs send the browser on to this URL
    # Requests that reached a host none of Meta's (only the host of `moved_to` is served).
    elsewhere: list[Sent] = field(default_factory=list)
    submissions: list[Sent] = field(default_factory=list)
    telemetry: list[Sent] = field(default_factory=list)
    consent: list[str] = field(default_factory=list)
    probes: list[dict[str, str]] = field(default_factory=list)
    forms_served: int = 0
    # A page in pages/ (without .html) asking for the emailed code: Meta's answer to Send,
    # and `answer` is then its answer to the code.
    code_step: str = ""
    codes: list[Sent] = field(default_factory=list)  # the POSTs that carried a code

    def __post_init__(self) -> None:
        self.country = self.country or COUNTRY_OF.get(self.lang, "DE")

    # -- what the test looks at ---------------------------------------------------

    @property
    def lang(self) -> str:
        return self.form.rsplit(".", 1)[-1]

    def typed(self) -> list[dict[str, str]]:
        return [p for p in self.probes if p.get("kind") in ("typed", "changed")]

    def clicked(self, what: str) -> int:
        return sum(1 for p in self.probes if p.get("kind") == "click" and p.get("what") == what)

    # -- routing ------------------------------------------------------------------

    def attach(self, context: BrowserContext) -> None:
        """Answer every request of `context` (registered last, so it wins)."""
        context.route("**/*", self._handle)

    def _handle(self, route: Route) -> None:
        request = route.request
        parts = urlsplit(request.url)
        host = parts.hostname or ""
        path = parts.path
        meta = host.endswith(HOSTS)
        if not meta and self.moved_to and host == urlsplit(self.moved_to).hostname:
            self._look_alike(route)
            return
        if parts.scheme != "https" or not meta:
            route.abort("internetdisconnected")
            return
        if path.startswith(PROBE_PATH):
            self.probes.append(dict(parse_qsl(parts.query)))
            route.fulfill(status=204, body="")
        elif path.startswith(SCRIPT_PATH):
            script = (PAGES / "js" / path.removeprefix(SCRIPT_PATH)).read_text("utf-8")
            route.fulfill(content_type="text/javascript", body=script)
        elif request.method == "POST" and path.startswith(CONSENT_PATH):
            self.consent.append(_fields(route).get("consent", ""))
            route.fulfill(status=200, content_type="application/json", body="{}")
        elif request.method == "POST" and path.startswith(TELEMETRY_PATH):
            self.telemetry.append(self._sent(route))
            route.fulfill(status=200, content_type="application/json", body='{"ok":1}')
        elif request.method == "POST" and self.code_step and path.startswith(CODE_PATH):
            self.codes.append(self._sent(route))
            self._answer(route)
        elif request.method == "POST" or path.startswith(SUBMIT_PATH):
            self.submissions.append(self._sent(route))
            if self.code_step:
                self._ask_for_code(route)
            else:
                self._answer(route)
        elif request.method == "GET" and f"https://{host}{path.rstrip('/')}" in FORM_URLS:
            url = f"https://{host}{path.rstrip('/')}"
            if self.moved_to and url != self.moved_to:
                _redirect(route, self.moved_to)
                return
            self.forms_served += 1
            route.fulfill(content_type="text/html; charset=utf-8", body=self.page(self.form))
        elif request.method == "GET" and path.startswith(DONE_PATH):
            body = self.document(self._fragment())
            route.fulfill(status=self.answer.status, content_type="text/html", body=body)
        else:
            route.fulfill(status=404, content_type="text/plain", body="")

    def _look_alike(self, route: Route) -> None:
        """The host the form moved to, not Meta's: the form page again, whatever is asked."""
        self.elsewhere.append(self._sent(route))
        if route.request.method == "GET" and not route.request.url.startswith(self.moved_to or ""):
            route.fulfill(status=404, content_type="text/plain", body="")
            return
        if route.request.method == "GET":
            route.fulfill(content_type="text/html; charset=utf-8", body=self.page(self.form))
        else:
            self._answer(route)

    def _fragment(self) -> str:
        page = self.answer.page
        folder = PAGES if "/" in page else PAGES / "answers"
        return (folder / f"{page}.html").read_text("utf-8")

    def _sent(self, route: Route) -> Sent:
        request = route.request
        return Sent(request.url, request.method, request.resource_type, _fields(route))

    def _ask_for_code(self, route: Route) -> None:
        """Send answered with the code step: in place to a fetch, as a page otherwise."""
        html = (PAGES / f"{self.code_step}.html").read_text("utf-8")
        fragment = html.replace("{{code_action}}", CODE_PATH).replace("{{email}}", EMAIL)
        in_place = route.request.resource_type in ("fetch", "xhr")
        body = fragment if in_place else self.document(fragment)
        route.fulfill(status=200, content_type="text/html; charset=utf-8", body=body)

    def _answer(self, route: Route) -> None:
        answer = self.answer
        if answer.mode == "hang":
            return  # Meta took the request and never answers
        if answer.mode == "reset":
            route.abort("connectionreset")
            return
        in_place = route.request.resource_type in ("fetch", "xhr")
        if answer.json is not None:
            body = json.dumps(answer.json)
            route.fulfill(status=answer.status, content_type="application/json", body=body)
            return
        if answer.mode == "redirect":
            _redirect(route, DONE_PATH)
            return
        if answer.mode == "form":
            alert = f'<div role="alert">{answer.alert}</div>' if answer.alert else ""
            body = self.page(self.form).replace("<!--alert-->", alert)
        else:
            body = self._fragment() if in_place else self.document(self._fragment())
        route.fulfill(status=answer.status, content_type="text/html; charset=utf-8", body=body)

    # -- pages --------------------------------------------------------------------

    def page(self, name: str) -> str:
        html = (PAGES / f"{name}.html").read_text("utf-8")
        html = html.replace("{{action}}", SUBMIT_PATH).replace("{{email}}", EMAIL)
        html = html.replace("{{scripts}}", SCRIPT_PATH)
        return html.replace("</body>", PROBE_JS + "</body>", 1)

    def document(self, fragment: str) -> str:
        """A fragment as Meta serves it after a navigation: in its page, in its language."""
        form = (PAGES / f"{self.form}.html").read_text("utf-8")
        title = re.search(r"<title>(.*?)</title>", form, re.S)
        brand = next(
            (f.display_name for f in OWN_PAGES if self.form.startswith(f"{f.service}/")),
            "Instagram" if "instagram" in self.form else "Facebook",
        )
        html = DOCUMENT.format(
            lang=self.lang,
            title=title.group(1) if title else brand,
            brand=brand,
            help=HELP_CENTRE.get(self.lang, "Help Center"),
            fragment=fragment,
        )
        return html.replace("</body>", PROBE_JS + "</body>", 1)


def _redirect(route: Route, url: str) -> None:
    """By script, as Meta often does (Playwright would not route an HTTP redirect's target)."""
    body = f"<!DOCTYPE html><script>location.replace({json.dumps(url)})</script>"
    route.fulfill(content_type="text/html", body=body)


def _fields(route: Route) -> dict[str, str]:
    body = route.request.post_data or ""
    if body.lstrip().startswith("{"):
        return {str(k): str(v) for k, v in json.loads(body).items()}
    return dict(parse_qsl(body, keep_blank_values=True))


class CannotAsk(StandInPerson):
    """A person who cannot be asked anything (--yes, or no terminal)."""

    def __init__(self) -> None:
        super().__init__()
        self.questions: list[str] = []  # every question put to the person
        self.judged: list[str] = []  # the answers of Meta the person was asked to judge
        self.companies: list[str] = []  # whose answer each was, as the person was told

    def confirm(self, question: str) -> bool:
        self.questions.append(question)
        raise PersonCannotAct(f"{question} (nobody may be asked)")

    def judge_answer(self, text: str, screenshot: str | None, company: str) -> bool:
        self.judged.append(text)
        self.companies.append(company)
        raise PersonCannotAct(f"nobody may be asked whether {company} accepted it")

    def act(self, need: PageState, page: Page, flow: Flow, email: str) -> None:
        self.actions.append(need.value)
        raise PersonCannotAct(f"nobody is at the keyboard for: {need.value}")

    def asked_whether_meta_accepted(self) -> bool:
        accepted = re.compile(r"did meta accept", re.IGNORECASE)
        return bool(self.judged) or any(accepted.search(q) for q in self.questions)


class TypesTheCode(CannotAsk):
    """A person who types the emailed code when asked, and can be asked nothing else."""

    def act(self, need: PageState, page: Page, flow: Flow, email: str) -> None:
        if need is PageState.CODE_STEP:
            StandInPerson.act(self, need, page, flow, email)
        else:
            super().act(need, page, flow, email)


class Answers(CannotAsk):
    """A person at the keyboard who says `says` when asked whether Meta accepted the
    objection, and no to anything else (never "send it again")."""

    def __init__(self, *, says: bool) -> None:
        super().__init__()
        self.says = says

    def confirm(self, question: str) -> bool:
        self.questions.append(question)
        return self.says and bool(re.search(r"accept", question, re.IGNORECASE))

    def judge_answer(self, text: str, screenshot: str | None, company: str) -> bool:
        self.judged.append(text)
        self.companies.append(company)
        return self.says


def objection(
    harness: Harness,
    site: Site,
    service: str = "facebook",
    *,
    person: StandInPerson | None = None,
    **options: Any,
) -> Result:
    """One `submit` for `service` against `site`, the person logged in already."""
    harness.replay = ReplayServer(Scenario(logged_in=True, cookie_banner=False))
    harness.person = person or CannotAsk()
    harness.context_hook = site.attach
    settings = {"response_timeout": 5, "timeout": 5, "country": site.country, **options}
    [result] = harness.submit(service, **settings).results
    return result


def on_every_form(cases: list[Any]) -> list[Any]:
    """Each (form, answer) case as (service, form, answer): on Facebook's form, and again
    on the form of each service of OWN_PAGES that has a page of that name."""
    found = []
    for case in cases:
        form, answer = case.values
        found.append(pytest.param("facebook", form, answer, id=case.id, marks=case.marks))
        for flow in OWN_PAGES:
            page = f"{flow.service}/{form}"
            if (PAGES / f"{page}.html").is_file():
                found.append(
                    pytest.param(flow.service, page, answer, id=f"{flow.service}-{case.id}")
                )
    return found


def ledger_statuses(data_dir: Path) -> list[str]:
    db = sqlite3.connect(data_dir / "ledger.sqlite3")
    try:
        return [row[0] for row in db.execute("SELECT status FROM objections ORDER BY id")]
    finally:
        db.close()


def expect(
    harness: Harness, site: Site, result: Result, statuses: frozenset[Status], sent: int
) -> None:
    """`sent` objections reached the site, and the run (and the ledger) says one of `statuses`."""
    seen = f"{result.status.value}: {result.message}"
    assert len(site.submissions) == sent, f"{len(site.submissions)} submissions ({seen})"
    assert all(s.path == SUBMIT_PATH for s in site.submissions), site.submissions
    assert result.status in statuses, seen
    recorded = ledger_statuses(harness.data_dir)
    assert recorded[-1] == result.status.value, recorded
