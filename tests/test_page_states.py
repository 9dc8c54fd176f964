"""Every replica is recognised as the state a person would see, in German and English."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, Route

from widerspruch.flows import FLOWS, get_flow
from widerspruch.replay import ReplayServer, Scenario
from widerspruch.states import PageState

EXPECTED = {
    "cookie_banner": PageState.COOKIE_BANNER,
    "login": PageState.LOGIN_WALL,
    "checkpoint": PageState.CHECKPOINT,
    "ai_question": PageState.AI_QUESTION,
    "form_2025": PageState.FORM,
    "form_2024": PageState.FORM,
    "form_variant": PageState.FORM,
    "code_step": PageState.CODE_STEP,
    "confirmation": PageState.CONFIRMATION,
    "error": PageState.ERROR,
    "unavailable": PageState.UNAVAILABLE,
}


def show(page: Page, service: str, html: str) -> None:
    """Serve `html` under the service's real form URL and open it."""
    flow = get_flow(service)

    def fulfill(route: Route) -> None:
        route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html)

    page.route(re.compile(r"^https://"), fulfill)
    page.goto(flow.form_url)


@pytest.mark.parametrize("language", ["de", "en"])
@pytest.mark.parametrize("state", sorted(EXPECTED))
@pytest.mark.parametrize("service", sorted(FLOWS))
def test_replica_is_recognised(page: Page, service: str, state: str, language: str) -> None:
    html = ReplayServer(Scenario(language=language)).render(service, state)
    show(page, service, html)
    assert get_flow(service).detect(page) is EXPECTED[state]


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
