"""Form mechanics a real form has, and knowing the form before typing into it.

Most tests serve one page under Meta's real form URL to a browser page and call the flow
directly; the end-to-end ones run `submit` against the replay. The wording of the pages
here is written for these tests, not copied from the label sets.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

import pytest
from playwright.sync_api import BrowserContext, Page, Route

from tests.conftest import EMAIL, Harness
from widerspruch.page.flow import (
    SEND_ENABLE_GRACE_MS,
    EmailMismatch,
    FormChanged,
    FormError,
    NextMayHaveSent,
    NotObjectionForm,
    ObjectionRequest,
    SendDisabled,
)
from widerspruch.page.labels import META_LABELS
from widerspruch.services import get_flow, registry
from widerspruch.states import PageState, Status
from widerspruch.testing.replay import SUBMIT_PATH, ReplayServer, Scenario

FLOWS = registry().flows_by_name

FACEBOOK_FORM = FLOWS["facebook"].form_urls[0]
TEXT = (
    "I object to the use of my posts, photos and comments for training AI at Meta, "
    "because of my particular situation."
)
REQUEST = ObjectionRequest(email=EMAIL, country="DE", justification=TEXT)
RECEIVED = '<div data-replay-fragment="1"><h2>Received</h2></div>'
flow = get_flow("facebook")


@dataclass
class Meta:
    """Serves one page under Meta's real URL to a test page and keeps every POST."""

    page: Page
    posts: list[dict[str, str]] = field(default_factory=list)

    def show(self, html: str, url: str = FACEBOOK_FORM) -> None:
        def answer(route: Route) -> None:
            if route.request.method == "POST":
                self.posts.append(dict(parse_qsl(route.request.post_data or "")))
                route.fulfill(content_type="text/html", body=RECEIVED)
            elif route.request.url == url:
                route.fulfill(content_type="text/html; charset=utf-8", body=html)
            else:
                route.fulfill(status=404, body="")

        self.page.set_default_timeout(5000)
        self.page.route(re.compile(r"^https://"), answer)
        self.page.goto(url)


@pytest.fixture
def meta(page: Page) -> Meta:
    return Meta(page)


def serve(pages: dict[str, str]) -> Callable[[BrowserContext], None]:
    """A context hook: each URL of `pages` answers with its HTML, before the replay."""

    def answer(html: str) -> Callable[[Route], None]:
        return lambda route: route.fulfill(content_type="text/html; charset=utf-8", body=html)

    def hook(context: BrowserContext) -> None:
        for url, html in pages.items():
            context.route(url, answer(html))

    return hook


def replica(state: str, language: str) -> str:
    return ReplayServer(Scenario(language=language)).render("facebook", state)


def objection_page(lang: str, heading: str, form: str, *, intro: str = "", after: str = "") -> str:
    """A help-centre page: a heading, an intro, the form (posting by fetch), and more."""
    return f"""<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">
    <title>{heading} | Help Center</title></head><body><div role="main"><div class="x1card">
    <h2>{heading}</h2><p>{intro}</p>
    <form id="f" onsubmit="return false">{form}</form></div>{after}</div>
    <script>function go() {{ fetch('{SUBMIT_PATH}', {{method: 'POST',
      body: new URLSearchParams(new FormData(document.getElementById('f')))}}); }}</script>
    </body></html>"""


# Words of five languages for inline forms: heading, email, re-enter email, a true
# statement, a marketing box, Send.
WORDS = {
    "en": (
        "Object to your information being used for AI at Meta",
        "Your email",
        "Confirm your email address",
        "I confirm that the information I have given is true",
        "Keep me updated with newsletters and offers",
        "Submit",
    ),
    "de": (
        "Widerspruch gegen die Nutzung deiner Daten für KI bei Meta",
        "Deine E-Mail-Adresse",
        "E-Mail-Adresse wiederholen",
        "Ich versichere, dass meine Angaben wahr sind",
        "Ich möchte den Newsletter und Angebote erhalten",
        "Absenden",
    ),
    "fr": (
        "Opposition à l'utilisation de vos informations pour l'IA chez Meta",
        "Votre adresse e-mail",
        "Confirmez votre adresse e-mail",
        "J'atteste que les informations fournies sont exactes",
        "Je veux recevoir la newsletter et des offres promotionnelles",
        "Envoyer",
    ),
    "pl": (
        "Sprzeciw wobec wykorzystywania Twoich informacji przez AI w Meta",
        "Twój adres e-mail",
        "Powtórz adres e-mail",
        "Potwierdzam, że podane informacje są prawdziwe",
        "Chcę otrzymywać newsletter i oferty specjalne",
        "Wyślij",
    ),
    "nl": (
        "Bezwaar tegen het gebruik van je gegevens voor AI bij Meta",
        "Je e-mailadres",
        "Bevestig je e-mailadres",
        "Ik verklaar dat de gegevens die ik heb ingevuld juist zijn",
        "Ik wil de nieuwsbrief en aanbiedingen ontvangen",
        "Verzenden",
    ),
}
LANGUAGES = sorted(WORDS)
SEND = {"it": "Invia", "ro": "Trimite", "fr": "Envoyer", "sl": "Pošlji", "hu": "Küldés"}


def mechanics_form(lang: str, *, send_enabled_by_accuracy: bool = True) -> str:
    heading, email, again, accurate, marketing, send = WORDS[lang]
    sync = "document.getElementById('s').setAttribute('aria-disabled', !this.checked)"
    return objection_page(
        lang,
        heading,
        f"""<label>{email} <input type="email" name="email"></label>
        <label>{again} <input type="email" name="email_again"></label>
        <label><input type="checkbox" name="accurate" required
          onchange="{sync if send_enabled_by_accuracy else ""}"> {accurate}</label>
        <label><input type="checkbox" name="marketing"> {marketing}</label>
        <div role="button" id="s" tabindex="0" aria-disabled="true"
          onclick="if (this.getAttribute('aria-disabled') !== 'true') go()">{send}</div>""",
    )


def checked(page: Page, name: str) -> bool:
    return bool(page.locator(f"[name={name}]").is_checked())


# -- 1. the form is the AI objection form before anything is typed ---------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_objection_form_is_recognised_in_five_languages(meta: Meta, language: str) -> None:
    meta.show(replica("form_steps", language))
    assert flow.not_objection_form(meta.page) is None


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_inline_objection_form_is_recognised_in_five_languages(
    meta: Meta, language: str
) -> None:
    meta.show(mechanics_form(language))
    assert flow.not_objection_form(meta.page) is None


LOGIN_PROBLEM = """<label>Email <input type="email" name="email"></label>
<label>Describe the problem <textarea name="text"></textarea></label>
<button type="button" onclick="go()">Send</button>"""
AI_FAQ = """<h3>Can I object to Meta using my information for AI?</h3>
<p>Yes: you have the right to object to your information being used for AI at Meta.</p>"""


@pytest.mark.parametrize(
    "faq",
    [
        pytest.param(
            lambda html: html.replace("</form></div>", f"</form></div>{AI_FAQ}"), id="below"
        ),
        pytest.param(
            lambda html: html.replace('<div class="x1card">', f"<aside>{AI_FAQ}</aside><div>"),
            id="aside-first",
        ),
    ],
)
def test_a_login_problem_form_beside_an_ai_faq_is_not_the_objection_form(
    meta: Meta, faq: Callable[[str], str]
) -> None:
    meta.show(faq(objection_page("en", "Report a login problem", LOGIN_PROBLEM)))
    assert flow.not_objection_form(meta.page) == (
        'this page is not Meta\'s AI objection form: its heading is "Report a login problem"'
    )


def test_an_objection_to_ads_is_not_the_ai_objection_form(meta: Meta) -> None:
    # It speaks of objecting, and elsewhere of Meta AI, but never of both at once.
    form = """<fieldset><legend>Does your request concern Meta AI?</legend>
      <label><input type="radio" name="q" value="no"> No</label></fieldset>
    <label>Email <input type="email" name="email"></label>
    <label>Why do you object? <textarea name="text"></textarea></label>
    <button type="button" onclick="go()">Send</button>"""
    meta.show(objection_page("en", "Object to your information being used for ads", form))
    assert "used for ads" in str(flow.not_objection_form(meta.page))


def test_a_question_about_meta_ai_is_not_an_objection_form(meta: Meta) -> None:
    meta.show(objection_page("en", "Ask a question about Meta AI", LOGIN_PROBLEM))
    assert "Ask a question about Meta AI" in str(flow.not_objection_form(meta.page))


# Forms about ads, with a sentence whose common word spells AI or KI in lower case.
ADS_FORMS = {
    "it": (
        "Opposizione all'uso delle tue informazioni per la pubblicità",
        "Puoi opporti ai sensi dell'articolo 21 del GDPR compilando questo modulo.",
    ),
    "ro": (
        "Opoziție față de utilizarea informațiilor tale pentru reclame",
        "Dacă ai dreptul de opoziție, completează formularul de mai jos.",
    ),
    "fr": (
        "Vous opposer à l'utilisation de vos informations pour la publicité",
        "J'ai le droit de m'opposer à cette utilisation, je remplis donc ce formulaire.",
    ),
    "sl": (
        "Ugovor zoper uporabo vaših podatkov za oglase",
        "Ugovor lahko vložite z obrazcem, ki ga najdete spodaj.",
    ),
    "hu": (
        "Tiltakozás az adataid hirdetésekhez való felhasználása ellen",
        "Ha tiltakozni szeretnél, töltsd ki az alábbi űrlapot.",
    ),
}


@pytest.mark.parametrize("language", sorted(ADS_FORMS))
def test_a_common_word_spelling_ai_does_not_make_an_ads_form_pass(
    meta: Meta, language: str
) -> None:
    heading, sentence = ADS_FORMS[language]
    assert META_LABELS.ai.matches(sentence)
    assert META_LABELS.objection.matches(sentence)
    form = """<label>E-mail <input type="email" name="email"></label>
    <button type="button" onclick="go()">OK</button>"""
    meta.show(
        objection_page(language, heading, form, intro=sentence).replace(
            ">OK<", f">{SEND[language]}<"
        )
    )
    assert flow.not_objection_form(meta.page) is not None


def test_fill_refuses_a_look_alike_form_and_types_nothing(meta: Meta) -> None:
    meta.show(objection_page("en", "Report a login problem", LOGIN_PROBLEM, after=AI_FAQ))
    with pytest.raises(NotObjectionForm, match="Report a login problem"):
        flow.fill(meta.page, REQUEST)
    assert meta.page.locator("[name=email]").input_value() == ""
    assert meta.page.locator("[name=text]").input_value() == ""


def test_the_wrong_form_behind_the_url_is_neither_filled_nor_sent(harness: Harness) -> None:
    harness.replay.scenario.logged_in = True
    page = objection_page("en", "Report a login problem", LOGIN_PROBLEM, after=AI_FAQ)
    harness.context_hook = serve({FACEBOOK_FORM: page})
    [result] = harness.submit("facebook").results
    assert result.status is Status.FAILED
    assert "not Meta's AI objection form" in result.message
    assert harness.replay.submissions == []


# -- 5. the page's language -------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("de-DE", "de"), ("pl", "pl"), ("no", "nb"), ("nn-NO", "nb"), ("NL", "nl"), ("fr_FR", "fr")],
)
def test_the_page_language_is_read_from_the_lang_attribute(
    meta: Meta, lang: str, expected: str
) -> None:
    meta.show(f"<html lang='{lang}'><body><p>Text</p></body></html>")
    assert flow.page_language(meta.page) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Wir haben deine Nachricht erhalten und sie wird auch bearbeitet.", "de"),
        ("Otrzymaliśmy Twoją wiadomość, która jest teraz przetwarzana przez nas.", "pl"),
        ("Het formulier is ontvangen en wordt nu voor je verwerkt.", "nl"),
        ("Nous avons bien reçu votre demande et nous la traitons pour vous.", "fr"),
        ("We have received your request and we will process it for you.", "en"),
    ],
)
def test_the_page_language_without_a_lang_attribute_is_read_from_the_text(
    meta: Meta, text: str, expected: str
) -> None:
    meta.show(f"<html><body><p>{text}</p></body></html>")
    assert flow.page_language(meta.page) == expected


def test_the_page_language_is_unknown_when_nothing_tells(meta: Meta) -> None:
    meta.show("<html lang='x-klingon'><body><p>12345 ### 678</p></body></html>")
    assert flow.page_language(meta.page) is None


def test_the_filled_form_records_the_page_language(meta: Meta) -> None:
    meta.show(replica("form_steps", "pl"))
    assert flow.fill(meta.page, REQUEST).language == "pl"


# -- 6. accuracy checkboxes, and nothing else ---------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_accuracy_box_is_ticked_and_the_marketing_box_is_not(meta: Meta, language: str) -> None:
    meta.show(mechanics_form(language))
    filled = flow.fill(meta.page, REQUEST)
    assert checked(meta.page, "accurate")
    assert not checked(meta.page, "marketing")
    assert filled.ticked == [WORDS[language][3]]
    assert f'ticked: "{WORDS[language][3]}"' in filled.notes


@pytest.mark.parametrize(
    "statement",
    [
        "I confirm my details are correct and I agree to receive offers from Meta",
        "Ich bestätige, dass meine Angaben korrekt sind, und willige in Werbung ein",
        "Potwierdzam, że dane są prawdziwe i wyrażam zgodę na marketing",
    ],
)
def test_a_box_that_also_asks_for_consent_is_never_ticked(meta: Meta, statement: str) -> None:
    assert META_LABELS.accuracy.matches(statement)  # it does speak of accuracy, too
    meta.show(mechanics_form("en").replace(WORDS["en"][3], statement))
    filled = flow.fill(meta.page, REQUEST)
    assert not checked(meta.page, "accurate")
    assert filled.ticked == []


def test_an_allow_all_box_is_never_ticked_even_when_it_speaks_of_accuracy(meta: Meta) -> None:
    statement = "Accept all: my details above are correct"
    labels = META_LABELS
    assert labels.accuracy.matches(statement)
    assert not labels.consent.matches(statement)
    meta.show(mechanics_form("en").replace(WORDS["en"][3], statement))
    flow.fill(meta.page, REQUEST)
    assert not checked(meta.page, "accurate")


def test_a_custom_checkbox_with_aria_checked_is_ticked(meta: Meta) -> None:
    box = """<div role="checkbox" aria-checked="false" tabindex="0" id="c"
      onclick="this.setAttribute('aria-checked', this.getAttribute('aria-checked') !== 'true')"
      >Ich bestätige, dass meine Angaben richtig sind</div>"""
    meta.show(mechanics_form("de").replace('<div role="button"', box + '<div role="button"'))
    flow.fill(meta.page, REQUEST)
    assert meta.page.locator("#c").get_attribute("aria-checked") == "true"


def test_a_hidden_native_checkbox_is_ticked_through_its_label(meta: Meta) -> None:
    html = mechanics_form("nl").replace(
        '<input type="checkbox" name="accurate"', '<input type="checkbox" name="accurate" hidden'
    )
    meta.show(html)
    assert flow.fill(meta.page, REQUEST).ticked == [WORDS["nl"][3]]
    assert checked(meta.page, "accurate")


# -- 6. every email field -----------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_email_field_gets_the_address(meta: Meta, language: str) -> None:
    meta.show(mechanics_form(language))
    filled = flow.fill(meta.page, REQUEST)
    assert meta.page.locator("[name=email]").input_value() == EMAIL
    assert meta.page.locator("[name=email_again]").input_value() == EMAIL
    assert filled.repeated_email_fields == 1


def test_a_second_email_field_without_a_label_gets_the_address_too(meta: Meta) -> None:
    meta.show(mechanics_form("en").replace("Confirm your email address", ""))
    flow.fill(meta.page, REQUEST)
    assert meta.page.locator("[name=email_again]").input_value() == EMAIL


def test_a_prefilled_other_address_is_a_mismatch_before_anything_is_typed(meta: Meta) -> None:
    meta.show(mechanics_form("en").replace('name="email"', 'name="email" value="old@example.org"'))
    with pytest.raises(EmailMismatch):
        flow.fill(meta.page, REQUEST)
    assert meta.page.locator("[name=email_again]").input_value() == ""


# -- 6. a form of several steps -------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_multi_step_form_is_followed_to_send_and_sent(meta: Meta, language: str) -> None:
    meta.show(replica("form_steps", language))
    filled = flow.fill(meta.page, REQUEST)
    flow.send(meta.page)
    meta.page.get_by_text("Received").wait_for()
    [sent] = meta.posts
    assert filled.steps == 3
    assert (sent["ai_question"], sent["country"], sent["accuracy"]) == ("yes", "DE", "on")
    assert sent["email"] == sent["email_confirm"] == EMAIL
    assert "marketing" not in sent


def test_a_step_of_a_multi_step_form_is_a_form(meta: Meta) -> None:
    meta.show(replica("form_steps", "pl"))
    flow.answer_ai_question(meta.page)
    meta.page.get_by_label("Adres e-mail", exact=True).wait_for()
    assert flow.detect(meta.page) is PageState.FORM


@pytest.mark.parametrize("language", ["de", "en"])
def test_a_multi_step_form_is_confirmed_through_submit(harness: Harness, language: str) -> None:
    harness.replay.scenario = Scenario(language=language, form="form_steps", logged_in=True)
    [result] = harness.submit("facebook").results
    assert result.status is Status.CONFIRMED, result.message
    [sent] = harness.replay.submissions
    assert sent.fields["email_confirm"] == EMAIL
    assert "marketing" not in sent.fields


STEPS_PAGE = """<div id="one"><label>Email <input type="email" name="email"></label>
<div role="button" tabindex="0" onclick="{next}">Next</div></div>
<div id="two" hidden>{two}</div>"""
NEXT = "document.getElementById('one').hidden = true; document.getElementById('two').hidden = false"


def test_a_step_with_neither_send_nor_next_is_form_changed(meta: Meta) -> None:
    page = STEPS_PAGE.format(next=NEXT, two="<p>Please wait.</p><a href='/help/'>Help</a>")
    meta.show(objection_page("en", WORDS["en"][0], page))
    with pytest.raises(FormChanged, match="send"):
        flow.fill(meta.page, REQUEST)


def test_a_next_that_does_not_move_on_says_why(meta: Meta) -> None:
    alert = "document.getElementById('a').textContent = 'Please accept the terms first.'"
    page = STEPS_PAGE.format(next=alert, two="") + '<div role="alert" id="a"></div>'
    meta.show(objection_page("en", WORDS["en"][0], page))
    meta.page.set_default_timeout(30_000)  # as in a real run: the alert is read, not waited out
    started = time.monotonic()
    with pytest.raises(FormError, match="Please accept the terms first"):
        flow.fill(meta.page, REQUEST)
    assert time.monotonic() - started < 15


def test_a_form_that_never_reaches_send_stops_after_six_steps(meta: Meta) -> None:
    endless = """<p id="n">Step 1</p><label>Email <input type="email" name="email"></label>
    <div role="button" tabindex="0" onclick="var n = document.getElementById('n');
      n.textContent = 'Step ' + (parseInt(n.textContent.slice(5)) + 1);
      var b = document.createElement('input'); b.type = 'checkbox';
      b.setAttribute('aria-label', n.textContent); n.after(b)">Next</div>"""
    meta.show(objection_page("en", WORDS["en"][0], endless))
    with pytest.raises(FormError, match="after 6 steps"):
        flow.fill(meta.page, REQUEST)
    assert meta.page.locator("#n").inner_text() == "Step 6"


def test_a_next_that_sends_the_form_is_never_taken_for_nothing_sent(meta: Meta) -> None:
    sends = "go(); document.getElementById('one').innerHTML = '<h3>Thank you</h3>'"
    meta.show(objection_page("en", WORDS["en"][0], STEPS_PAGE.format(next=sends, two="")))
    with pytest.raises(NextMayHaveSent, match="may have been sent"):
        flow.fill(meta.page, REQUEST)
    assert len(meta.posts) == 1


# -- 6. the text field is optional; email and Send are not --------------------------------

NO_TEXT_FIELD = """<fieldset><legend>Is your request related to AI at Meta?</legend>
  <label><input type="radio" name="ai" value="yes"> Yes</label>
  <label><input type="radio" name="ai" value="no"> No</label></fieldset>
<label>Email address <input type="email" name="email"></label>
<button type="button" onclick="go()">Send</button>"""


def test_a_form_without_a_text_field_is_filled_and_sent(meta: Meta) -> None:
    meta.show(objection_page("en", WORDS["en"][0], NO_TEXT_FIELD))
    filled = flow.fill(meta.page, REQUEST)
    with meta.page.expect_response(lambda response: response.request.method == "POST"):
        flow.send(meta.page)
    assert filled.justification_chars == 0
    assert filled.answered_ai_question
    assert meta.posts == [{"ai": "yes", "email": EMAIL}]


def test_a_form_without_an_email_field_is_still_form_changed(meta: Meta) -> None:
    no_email = NO_TEXT_FIELD.replace('type="email" name="email"', 'type="text" name="city"')
    meta.show(objection_page("en", WORDS["en"][0], no_email.replace("Email address", "City")))
    with pytest.raises(FormChanged, match="email"):
        flow.fill(meta.page, REQUEST)
    assert not meta.page.locator("[name=ai]").first.is_checked()


def test_a_form_without_a_text_field_is_confirmed_through_submit(harness: Harness) -> None:
    harness.replay.scenario.logged_in = True
    html = replica("form_2025", "en")
    html = re.sub(r"<textarea[^>]*></textarea>", "", html).replace(
        "Please tell us how this processing impacts you (optional)", ""
    )
    harness.context_hook = serve({FACEBOOK_FORM: html})
    [result] = harness.submit("facebook").results
    assert result.status is Status.CONFIRMED, result.message
    assert "description" not in harness.replay.submissions[0].fields


# -- 6. a Send button that stays disabled -------------------------------------------------


def test_a_disabled_send_is_not_clicked_and_names_what_is_still_empty(meta: Meta) -> None:
    consent = "I agree to the Terms of Use"
    meta.show(mechanics_form("en").replace(WORDS["en"][3], consent))
    meta.page.set_default_timeout(30_000)  # as in a real run: the check must not wait that long
    flow.fill(meta.page, REQUEST)
    started = time.monotonic()
    with pytest.raises(SendDisabled, match=f'Send stays disabled; still empty: "{consent}"'):
        flow.send(meta.page)
    assert time.monotonic() - started < SEND_ENABLE_GRACE_MS / 1000 + 3
    assert meta.posts == []


def test_a_send_button_with_the_disabled_attribute_is_not_clicked(meta: Meta) -> None:
    form = """<label>Email <input type="email" name="email"></label>
    <label>Tell us why <textarea name="why" required></textarea></label>
    <button type="button" disabled onclick="go()">Send</button>"""
    meta.show(objection_page("en", WORDS["en"][0], form))
    with pytest.raises(SendDisabled, match="Tell us why"):
        flow.send(meta.page)
    assert meta.posts == []


def test_a_send_that_enables_itself_a_moment_later_is_clicked(meta: Meta) -> None:
    form = """<label>Email <input type="email" name="email"></label>
    <button type="button" id="s" disabled onclick="go()">Send</button>
    <script>setTimeout(() => document.getElementById('s').disabled = false, 300)</script>"""
    meta.show(objection_page("en", WORDS["en"][0], form))
    with meta.page.expect_response(lambda response: response.request.method == "POST"):
        flow.send(meta.page)


def test_a_send_that_stays_disabled_fails_and_leaves_the_next_run_free(harness: Harness) -> None:
    harness.replay.scenario.logged_in = True
    html = mechanics_form("en").replace(WORDS["en"][3], "I agree to the Terms of Use")
    harness.context_hook = serve({FACEBOOK_FORM: html})
    [result] = harness.submit("facebook").results
    assert result.status is Status.FAILED
    assert not result.status.may_have_been_sent
    assert "Send stays disabled" in result.message
    assert harness.replay.submissions == []


# -- 6. pages that change while the tool reads them ---------------------------------------


def test_a_form_that_appears_seconds_after_loading_is_filled_and_sent(harness: Harness) -> None:
    harness.replay.scenario.logged_in = True
    html = replica("form_2025", "en").replace(
        '<div data-replay-fragment="1">', '<div data-replay-fragment="1" hidden id="late">', 1
    )
    later = (
        "<script>setTimeout(() => document.getElementById('late').hidden = false, 2000)</script>"
    )
    harness.context_hook = serve({FACEBOOK_FORM: html.replace("</body>", later + "</body>")})
    [result] = harness.submit("facebook").results
    assert result.status is Status.CONFIRMED, result.message
    assert harness.replay.submissions[0].fields["email"] == EMAIL


def cookie_dialog(language: str = "en") -> str:
    """Meta's cookie dialog, as the replica of the login page shows it."""
    html = replica("cookie_banner", language)
    start = html.rindex("<div", 0, html.index('data-testid="cookie-policy-manage-dialog"'))
    return html[start : html.index("<script>", start)]


def test_a_cookie_banner_after_the_login_is_declined_before_filling(harness: Harness) -> None:
    harness.replay.scenario.cookie_banner = False  # none on the login page
    form = harness.replay.render("facebook", "form_2025")
    with_banner = form.replace("</body>", cookie_dialog() + "</body>")

    def hook(context: BrowserContext) -> None:
        def answer(route: Route) -> None:
            cookies = route.request.headers.get("cookie", "")
            if "xs=" in cookies and "consent=" not in cookies:
                route.fulfill(content_type="text/html; charset=utf-8", body=with_banner)
            else:
                route.fallback()  # the replay: the login wall, or the form itself

        context.route(FACEBOOK_FORM, answer)

    harness.context_hook = hook
    [result] = harness.submit("facebook").results
    assert result.status is Status.CONFIRMED, result.message
    assert harness.person.actions == ["login_wall"]
    assert harness.replay.consent_choices == ["essential"]


def test_a_cookie_banner_that_appears_while_filling_is_declined_and_the_form_sent(
    harness: Harness,
) -> None:
    harness.replay.scenario.logged_in = True
    # The dialog shows on the first keystroke in the form, and declining only closes it.
    dialog = cookie_dialog().replace(".then(()=&gt;location.reload())", "")
    late = f"""<template id="cookies">{dialog}</template><script>
      document.addEventListener('input', () => {{ if (window.shown) return; window.shown = 1;
        document.body.append(document.getElementById('cookies').content.cloneNode(true));
        document.querySelectorAll('[data-cookiebanner]').forEach(b => b.addEventListener(
          'click', () => document.querySelector('[data-testid=cookie-policy-manage-dialog]')
            .remove())); }}, true);</script>"""
    html = replica("form_2025", "en").replace("</body>", late + "</body>")
    harness.context_hook = serve({FACEBOOK_FORM: html})
    [result] = harness.submit("facebook").results
    assert result.status is Status.CONFIRMED, result.message
    assert harness.replay.consent_choices == ["essential"]
    assert harness.replay.submissions[0].fields["email"] == EMAIL


MOVED = "https://www.facebook.com/help/contact/100000000000001"


def test_a_redirect_to_a_moved_form_is_followed(harness: Harness) -> None:
    harness.replay.scenario = Scenario(language="de", logged_in=True)
    redirect = f"<script>location.replace({MOVED!r})</script>"
    harness.context_hook = serve({FACEBOOK_FORM: redirect, MOVED: replica("form_2025", "de")})
    [result] = harness.submit("facebook", language="de").results
    assert result.status is Status.CONFIRMED, result.message
    assert result.final_url == MOVED


def test_the_instagram_flow_knows_both_form_ids() -> None:
    ids = {url.rsplit("/", 1)[1] for url in FLOWS["instagram"].form_urls}
    assert ids == {"767264225370182", "233964459562201"}


def test_the_instagram_apps_form_id_is_served_and_sent(harness: Harness) -> None:
    app_form = FLOWS["instagram"].form_urls[1]
    [result] = harness.submit("instagram", form_url=app_form).results
    assert result.status is Status.CONFIRMED, result.message
    assert harness.replay.served.count("instagram/form_2025") == 1


# -- 4. what a page says, read by the verdict ---------------------------------------------


@pytest.mark.parametrize(
    "answer",
    [
        "Thanks for your request. Unfortunately we are unable to process objections right now.",
        "Dziękujemy. Niestety nie możemy rozpatrzyć Twojego sprzeciwu.",
        "Danke für deine Nachricht. Leider können wir deinen Widerspruch nicht bearbeiten.",
    ],
)
def test_a_polite_refusal_is_an_error_page(meta: Meta, answer: str) -> None:
    meta.show(f"<main><h2>{answer}</h2></main>")
    assert flow.detect(meta.page) is PageState.ERROR


@pytest.mark.parametrize(
    "answer",
    [
        "Danke für deine Nachricht. Deine Anfrage wird künftig bei der Entwicklung von KI "
        "bei Meta angewendet.",
        "Dziękujemy. Twój sprzeciw został przyjęty.",
        "Bedankt. Je bezwaar is ontvangen en wordt voortaan toegepast.",
    ],
)
def test_an_acceptance_without_a_form_is_a_confirmation(meta: Meta, answer: str) -> None:
    meta.show(f"<main><p>{answer}</p></main>")
    assert flow.detect(meta.page) is PageState.CONFIRMATION


def test_an_inline_error_beside_the_form_is_still_the_form(meta: Meta) -> None:
    alert = '<div role="alert">Your objection could not be submitted.</div>'
    meta.show(objection_page("en", WORDS["en"][0], NO_TEXT_FIELD + alert))
    assert flow.detect(meta.page) is PageState.FORM


# Is your request related to AI at Meta? and yes, in every language Meta serves.
AI_QUESTIONS = {
    "bg": ("Свързана ли е заявката ви с изкуствения интелект в Meta?", "Да"),
    "cs": ("Týká se vaše žádost umělé inteligence ve společnosti Meta?", "Ano"),
    "da": ("Vedrører din anmodning AI hos Meta?", "Ja"),
    "de": ("Bezieht sich deine Anfrage auf KI bei Meta?", "Ja"),
    "el": ("Σχετίζεται το αίτημά σας με την τεχνητή νοημοσύνη της Meta;", "Ναι"),
    "en": ("Is your request related to AI at Meta?", "Yes"),
    "es": ("¿Tu solicitud está relacionada con la IA de Meta?", "Sí"),
    "et": ("Kas teie taotlus puudutab Meta tehisintellekti?", "Jah"),
    "fi": ("Liittyykö pyyntösi Metan tekoälyyn?", "Kyllä"),
    "fr": ("Votre demande concerne-t-elle l'IA chez Meta ?", "Oui"),
    "ga": ("An mbaineann d'iarratas le hintleacht shaorga ag Meta?", "Tá"),
    "hr": ("Odnosi li se vaš zahtjev na umjetnu inteligenciju u Meti?", "Da"),
    "hu": ("A kérésed a Meta mesterséges intelligenciájával kapcsolatos?", "Igen"),
    "is": ("Tengist beiðni þín gervigreind hjá Meta?", "Já"),
    "it": ("La tua richiesta riguarda l'IA di Meta?", "Sì"),
    "lt": ("Ar jūsų prašymas susijęs su „Meta“ dirbtiniu intelektu?", "Taip"),
    "lv": ("Vai jūsu pieprasījums ir saistīts ar Meta mākslīgo intelektu?", "Jā"),
    "mt": ("It-talba tiegħek hija relatata mal-intelliġenza artifiċjali ta' Meta?", "Iva"),
    "nb": ("Gjelder forespørselen din KI hos Meta?", "Ja"),
    "nl": ("Heeft je verzoek betrekking op AI bij Meta?", "Ja"),
    "pl": ("Czy Twoja prośba dotyczy sztucznej inteligencji w Meta?", "Tak"),
    "pt": ("O teu pedido está relacionado com a IA da Meta?", "Sim"),
    "ro": ("Solicitarea ta se referă la inteligența artificială de la Meta?", "Da"),
    "sk": ("Týka sa vaša žiadosť umelej inteligencie v spoločnosti Meta?", "Áno"),
    "sl": ("Ali se vaša zahteva nanaša na umetno inteligenco pri Meti?", "Da"),
    "sv": ("Gäller din begäran AI hos Meta?", "Ja"),
}


@pytest.mark.parametrize("language", sorted(AI_QUESTIONS))
def test_the_yes_of_the_ai_question_is_found_in_every_language(meta: Meta, language: str) -> None:
    question, yes = AI_QUESTIONS[language]
    other = f"""<fieldset><legend>Facebook / Instagram?</legend>
      <label><input type="radio" name="other" value="yes"> {yes}</label></fieldset>"""
    ai = f"""<fieldset><legend>{question}</legend>
      <label><input type="radio" name="ai" value="yes"> {yes}</label></fieldset>"""
    meta.show(f"<html lang='{language}'><body>{other}{ai}</body></html>")
    radio = flow.ai_yes_radio(meta.page)
    assert radio is not None
    assert radio.get_attribute("name") == "ai"


@pytest.mark.parametrize("ai_first", [False, True])
def test_the_yes_of_the_ai_question_is_found_without_a_named_group(
    meta: Meta, ai_first: bool
) -> None:
    question = """<div><p>{q}</p><label><input type="radio" name="{n}" value="yes"> Ja</label>
      <label><input type="radio" name="{n}" value="no"> Nein</label></div>"""
    groups = [
        question.format(q="Wohnst du in der EU?", n="eu"),
        question.format(q="Bezieht sich deine Anfrage auf KI bei Meta?", n="ai"),
    ]
    meta.show(
        f"<html lang='de'><body>{''.join(groups[::-1] if ai_first else groups)}</body></html>"
    )
    radio = flow.ai_yes_radio(meta.page)
    assert radio is not None
    assert radio.get_attribute("name") == "ai"
