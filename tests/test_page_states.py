"""Every replica is recognised as the state a person would see, in German and English."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, Route

from widerspruch.page.flow import Flow
from widerspruch.services import get_flow, registry
from widerspruch.states import PageState
from widerspruch.testing.replay import ReplayServer, Scenario, fixtures_dir

# The flows offered, and those written from reports and not offered yet: both must
# read their replicas right.
FLOWS = {**registry().flows_by_name, **{flow.service: flow for flow in registry().pending}}


def declared_cases(flow: type[Flow]) -> tuple[tuple[str, PageState], ...]:
    """The flow's ``replica_cases``: (replica name, the state it must be read as)."""
    cases: tuple[tuple[str, PageState], ...] = getattr(flow, "replica_cases", ())
    return cases


def replica_languages(service: str, name: str) -> list[str]:
    """The languages the replica ``fixtures/<service>/<name>.<language>.html`` exists in."""
    return sorted(
        path.name.split(".")[1] for path in (fixtures_dir() / service).glob(f"{name}.*.html")
    )


def replica_cases() -> list[Any]:
    return [
        pytest.param(service, name, language, expected, id=f"{service}-{name}-{language}")
        for service, flow in sorted(FLOWS.items())
        for name, expected in declared_cases(flow)
        for language in replica_languages(service, name)
    ]


def show(page: Page, service: str, html: str) -> None:
    """Serve `html` under the service's real form URL and open it."""
    flow = FLOWS[service]()

    def fulfill(route: Route) -> None:
        route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html)

    page.route(re.compile(r"^https://"), fulfill)
    page.goto(flow.form_url)


def test_every_flow_declares_replicas_that_exist() -> None:
    for service, flow in FLOWS.items():
        cases = declared_cases(flow)
        assert cases, f"{service}: no replica_cases"
        missing = [name for name, _ in cases if not replica_languages(service, name)]
        assert not missing, f"{service}: no replica for {missing} in fixtures/{service}/"


@pytest.mark.parametrize(("service", "name", "language", "expected"), replica_cases())
def test_replica_is_recognised(
    page: Page, service: str, name: str, language: str, expected: PageState
) -> None:
    html = ReplayServer(Scenario(language=language)).render(service, name)
    show(page, service, html)
    assert FLOWS[service]().detect(page) is expected


def test_blank_page_is_unknown(page: Page) -> None:
    show(page, "facebook", "<html><body><div></div></body></html>")
    assert get_flow("facebook").detect(page) is PageState.UNKNOWN


def test_unrelated_page_with_a_send_button_is_not_a_confirmation(page: Page) -> None:
    show(page, "facebook", "<main><h1>Contact us</h1><button>Send</button></main>")
    assert get_flow("facebook").detect(page) is PageState.UNKNOWN


def test_error_wins_over_a_confirmation_text(page: Page) -> None:
    # A page saying both must never be read as a success.
    show(page, "facebook", "<p>We've received your objection.</p><p>Something went wrong.</p>")
    assert get_flow("facebook").detect(page) is PageState.ERROR


def test_confirmation_text_beside_a_live_send_button_is_not_a_confirmation(page: Page) -> None:
    show(
        page,
        "facebook",
        "<p>Your request has been submitted</p><label>Email <input type=email></label>"
        "<button>Send</button>",
    )
    assert get_flow("facebook").detect(page) is PageState.FORM


def test_french_form_is_recognised(page: Page) -> None:
    show(
        page,
        "instagram",
        """<h1>Opposez-vous à l'utilisation de vos informations pour l'IA chez Meta</h1>
        <label for=e>Adresse e-mail</label><input id=e type=text>
        <label for=p>Pays</label><select id=p><option value="">—</option>
        <option value=FR>France</option></select>
        <label for=t>Expliquez-nous comment ce traitement vous affecte</label>
        <textarea id=t></textarea>
        <div role=button tabindex=0>Envoyer</div>""",
    )
    assert get_flow("instagram").detect(page) is PageState.FORM
