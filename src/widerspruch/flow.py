"""The Flow base class: what a service file declares, and how pages are read and filled."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar
from urllib.parse import urlsplit

from widerspruch.countries import country_name, country_names
from widerspruch.labels import LANGUAGES, META_LABELS, Labels
from widerspruch.states import PageState

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

    from widerspruch.accounts import Secret


@dataclass(frozen=True)
class ObjectionRequest:
    """What one objection says: whose account, where they live, and the text."""

    email: str
    country: str  # ISO 3166-1 alpha-2
    justification: str


@dataclass(frozen=True)
class FormControls:
    """The controls of an objection form, as found on the page. None means not found."""

    send: Locator | None
    email: Locator | None
    justification: Locator | None
    country: Locator | None
    ai_yes: Locator | None

    def missing(self) -> list[str]:
        """The controls the flow needs but could not find (country may be absent)."""
        needed = {"send": self.send, "email": self.email, "justification": self.justification}
        return [name for name, control in needed.items() if control is None]


@dataclass
class FilledForm:
    """What the flow put into the form, for the record."""

    email: str
    country: str | None = None
    justification_chars: int = 0
    answered_ai_question: bool = False
    replaced_prefilled_email: str | None = None
    notes: list[str] = field(default_factory=list)


class FormError(Exception):
    """The form cannot be filled as asked; the message says why, for the person."""


class FormChanged(FormError):
    """A control the flow needs is missing: nothing has been filled."""

    def __init__(self, missing: list[str]) -> None:
        self.missing = missing
        super().__init__(f"the form has changed: not found: {', '.join(missing)}")


class EmailMismatch(FormError):
    """Meta prefilled another address than the one given."""

    def __init__(self, prefilled: str, wanted: str) -> None:
        self.prefilled = prefilled
        self.wanted = wanted
        super().__init__(f"Meta prefilled {prefilled}, but the objection is for {wanted}")


VISIBLE_TEXT_JS = "() => document.body ? document.body.innerText : ''"
# A control's name as a person reads it.
NAME_JS = "e => e.getAttribute('aria-label') || e.getAttribute('title') || e.innerText || ''"
# What a custom list shows as chosen, without the options it may contain.
SHOWN_VALUE_JS = """e => { const c = e.cloneNode(true);
  c.querySelectorAll('[role=option], [role=listbox]').forEach(o => o.remove());
  return c.textContent || ''; }"""


class Flow:
    """One Meta service's objection form. Subclass it in ``flows/<service>.py``.

    A flow file declares data; the core does everything else (the browser, waiting for
    the person, the ledger, logging, credentials). Declare as class attributes:

    ``service``
        The short name used on the command line and in the ledger (``"facebook"``).
    ``display_name``
        How people call it (``"Facebook"``).
    ``form_urls``
        The official form URL(s), current first. Older URLs are kept for rechecks.
    ``hosts``
        Host names the browser may talk to while on this flow. A leading ``.`` means
        the domain and all its subdomains. Every other host is blocked.
    ``labels``
        The multilingual label sets (see ``widerspruch.labels``) used to recognise
        pages and controls. Start from ``META_LABELS`` and add the service's own
        wording with ``META_LABELS.with_service_wording(...)``. Never use Meta's
        generated class names: they change often.
    ``justification_limit``
        The most characters the form's text field takes.

    The core drives a flow through page states (``widerspruch.states.PageState``):

    - ``detect(page)`` says which state the page is in, by what it shows, the way a
      person would read it: confirmation, error and unavailable by their text; the
      cookie banner by its decline button; the login wall by a password field or a
      "Log in" button; a checkpoint or the email code step by their request; the form by its fields
      and Send button. When unsure it says ``UNKNOWN``; it never guesses a success.
    - ``decline_cookies(page)`` presses the button that declines optional cookies,
      never the one that allows them all.
    - ``answer_ai_question(page)`` answers "Is your request related to AI at Meta?"
      with yes, then moves on if the page asks for it.
    - ``locate_form(page)`` finds every control of the form, and ``fill(...)`` fills
      them only once all needed ones are found (``FormChanged`` otherwise), so a
      changed form is never half filled. A prefilled email address that differs
      from the request raises ``EmailMismatch`` unless ``replace_prefilled_email``.
    - ``send(page)`` clicks the Send button.
    - ``log_in(page, email, password)`` fills Meta's login form, only when the person
      stored a password (``widerspruch account add``), and only once per run.

    Person states (login wall, checkpoint, code step) are otherwise never handled by a
    flow: the core hands them to the person and waits. A flow with unusual pages
    overrides the method concerned; everything else is inherited.
    """

    service: ClassVar[str]
    display_name: ClassVar[str]
    form_urls: ClassVar[tuple[str, ...]]
    hosts: ClassVar[tuple[str, ...]]
    labels: ClassVar[Labels] = META_LABELS
    justification_limit: ClassVar[int] = 3000

    @property
    def form_url(self) -> str:
        return self.form_urls[0]

    def allows_host(self, host: str) -> bool:
        host = host.lower()
        for allowed in self.hosts:
            if allowed.startswith("."):
                if host == allowed[1:] or host.endswith(allowed):
                    return True
            elif host == allowed:
                return True
        return False

    def allows_url(self, url: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob", "about"):
            return True
        return parts.scheme in ("http", "https") and self.allows_host(parts.hostname or "")

    # -- reading the page ---------------------------------------------------------

    def detect(self, page: Page) -> PageState:
        text = page.evaluate(VISIBLE_TEXT_JS)
        labels = self.labels
        # A failure wins over everything: we must never mistake it for success.
        if labels.unavailable.matches(text):
            return PageState.UNAVAILABLE
        if labels.error.matches(text):
            return PageState.ERROR
        if _visible(self.decline_cookies_button(page)):
            return PageState.COOKIE_BANNER
        send_visible = _visible(self.send_button(page))
        if _visible(page.locator("input[type=password]")) or (
            # A two-step login asks for the account first, the password later.
            not send_visible and _visible(page.get_by_role("button", name=labels.log_in.pattern))
        ):
            return PageState.LOGIN_WALL
        if labels.confirmation.matches(text) and not send_visible:
            return PageState.CONFIRMATION
        if labels.code_step.matches(text) and _visible(self._code_field(page)):
            return PageState.CODE_STEP
        if labels.checkpoint.matches(text) and not send_visible:
            return PageState.CHECKPOINT
        if send_visible and (
            _visible(self.email_field(page)) or _visible(self.justification_field(page))
        ):
            return PageState.FORM
        if labels.ai_question.matches(text) and self.ai_yes_radio(page) is not None:
            return PageState.AI_QUESTION
        return PageState.UNKNOWN

    def decline_cookies_button(self, page: Page) -> Locator:
        return page.get_by_role("button", name=self.labels.decline_cookies.pattern)

    def send_button(self, page: Page) -> Locator:
        return page.get_by_role("button", name=self.labels.send.pattern)

    def email_field(self, page: Page) -> Locator:
        by_name = page.get_by_role("textbox", name=self.labels.email.pattern)
        return by_name.or_(page.locator("input[type=email]"))

    def justification_field(self, page: Page) -> Locator:
        return page.get_by_role("textbox", name=self.labels.justification.pattern).or_(
            page.locator("textarea")
        )

    def _justification_candidates(self, page: Page) -> list[Locator]:
        """Best first: a labelled text area, a labelled text box, the only text area."""
        labelled = page.get_by_role("textbox", name=self.labels.justification.pattern)
        textareas = page.locator("textarea")
        return [labelled.and_(textareas), labelled, textareas]

    def country_control(self, page: Page) -> Locator:
        pattern = self.labels.country.pattern
        return (
            page.get_by_role("combobox", name=pattern)
            .or_(page.get_by_role("listbox", name=pattern))
            .or_(page.get_by_label(pattern).and_(page.locator("select")))
            .or_(page.get_by_role("textbox", name=pattern))
        )

    def ai_yes_radio(self, page: Page) -> Locator | None:
        """The "yes" answer of the AI question, scoped to that question when possible."""
        yes = self.labels.yes.pattern
        for role in ("radiogroup", "group"):  # a custom radio group, or a <fieldset>
            group = page.get_by_role(role, name=self.labels.ai_question.pattern)
            radio = group.get_by_role("radio", name=yes)
            if _visible(radio):
                return _first_visible(radio)
        radios = page.get_by_role("radio", name=yes).filter(visible=True)
        # Several unlabelled "yes" answers: we cannot tell which belongs to the question.
        return radios.first if radios.count() == 1 else None

    def _code_field(self, page: Page) -> Locator:
        return page.get_by_role("textbox", name=self.labels.code_field.pattern)

    def locate_form(self, page: Page) -> FormControls:
        email = _first_visible(self.email_field(page))
        justification = None
        for candidates in self._justification_candidates(page):
            visible = candidates.filter(visible=True)
            for index in range(visible.count()):
                candidate = visible.nth(index)
                if email is None or not _same_element(candidate, email):
                    justification = candidate
                    break
            if justification is not None:
                break
        return FormControls(
            send=_first_visible(self.send_button(page)),
            email=email,
            justification=justification,
            country=_first_visible(self.country_control(page)),
            ai_yes=self.ai_yes_radio(page),
        )

    # -- acting on the page -------------------------------------------------------

    def decline_cookies(self, page: Page) -> None:
        buttons = self.decline_cookies_button(page).filter(visible=True)
        # Whether there is one, and what the first says, in a single look at the page.
        names = buttons.evaluate_all(f"buttons => buttons.map({NAME_JS})")
        if not names:
            raise FormError("the cookie dialog has no button to decline optional cookies")
        name = str(names[0]).strip()
        if self.labels.allow_all_cookies.matches(name):
            raise FormError(f"refusing to press a cookie button that allows all: {name!r}")
        buttons.first.click()

    def answer_ai_question(self, page: Page) -> None:
        radio = self.ai_yes_radio(page)
        if radio is None:
            raise FormError("the AI question has no recognisable 'yes' answer")
        _choose(radio)
        # Some versions reveal the form only after "Next".
        following = _first_visible(page.get_by_role("button", name=self.labels.next.pattern))
        if following is not None and not _visible(self.send_button(page)):
            following.click()

    def fill(
        self, page: Page, request: ObjectionRequest, *, replace_prefilled_email: bool = False
    ) -> FilledForm:
        controls = self.locate_form(page)
        missing = controls.missing()
        if missing:
            raise FormChanged(missing)
        assert controls.email is not None
        assert controls.justification is not None
        filled = FilledForm(email=request.email)

        # Check everything before typing anything.
        prefilled = controls.email.input_value().strip()
        if prefilled and prefilled.casefold() != request.email.casefold():
            if not replace_prefilled_email:
                raise EmailMismatch(prefilled, request.email)
            if not controls.email.is_editable():
                raise FormError(
                    f"Meta fixed the address to {prefilled}; this form objects for that account"
                )
            filled.replaced_prefilled_email = prefilled
        limit = _max_length(controls.justification)
        if limit is not None and len(request.justification) > limit:
            raise FormError(
                f"the justification has {len(request.justification)} characters; "
                f"this form takes at most {limit}"
            )

        if controls.ai_yes is not None:
            _choose(controls.ai_yes)
            filled.answered_ai_question = True
        if controls.country is not None:
            filled.country = self._select_country(page, controls.country, request.country)
        if prefilled.casefold() != request.email.casefold():
            controls.email.fill(request.email)
        controls.justification.fill(request.justification)
        filled.justification_chars = len(request.justification)
        return filled

    def log_in(self, page: Page, email: str, password: Secret) -> None:
        """Fill Meta's login form with a stored password (only ever called once per run)."""
        password_field = _first_visible(page.locator("input[type=password]"))
        if password_field is None:
            # Account first, password on the next step.
            account_field = _first_visible(page.get_by_role("textbox"))
            next_button = _first_visible(
                page.get_by_role("button", name=self.labels.log_in.pattern)
            )
            if account_field is None or next_button is None:
                raise FormError("the login page has no field for the account")
            account_field.fill(email)
            next_button.click()
            password_field = page.locator("input[type=password]").first
            password_field.wait_for(state="visible")
        else:
            account = password_field.locator(
                "xpath=ancestor::form[1]//input[not(@type) or @type='text' or @type='email' "
                "or @type='tel']"
            ).or_(page.get_by_role("textbox"))
            account_field = _first_visible(account)
            if account_field is not None and account_field.input_value() != email:
                account_field.fill(email)
        password_field.fill(password.reveal())
        password_field.press("Enter")

    def send(self, page: Page) -> None:
        button = _first_visible(self.send_button(page))
        if button is None:
            raise FormChanged(["send"])
        button.click()

    def _select_country(self, page: Page, control: Locator, code: str) -> str:
        """Pick the country in a native list, a custom list, or a type-ahead field."""
        names = country_names(code)
        wanted = {_plain(name) for name in names} | {code.casefold()}
        tag = control.evaluate("e => e.tagName.toLowerCase()")
        if tag == "select":
            options: list[dict[str, str]] = control.evaluate(
                "s => Array.from(s.options).map(o => ({value: o.value, label: o.label.trim()}))"
            )
            for option in options:
                if option["value"].casefold() in wanted or _plain(option["label"]) in wanted:
                    control.select_option(value=option["value"])
                    return option["label"]
            raise FormError(f"the country list has no entry for {names[0]} ({code})")
        if tag in ("input", "textarea"):
            typed = control.input_value()
            if _plain(typed) in wanted:
                return typed
            # Type the name as the page's language writes it; a type-ahead then offers it.
            control.fill(self._country_in_page_language(page, code))
            return self._pick_option(page, wanted) or control.input_value()
        shown = str(control.evaluate(SHOWN_VALUE_JS)).strip()
        if _plain(shown) in wanted:
            return shown
        control.click()
        picked = self._pick_option(page, wanted)
        if picked is None:
            control.press("Escape")
            raise FormError(f"the country list has no entry for {names[0]} ({code})")
        return picked

    @staticmethod
    def _pick_option(page: Page, wanted: set[str]) -> str | None:
        listed = page.get_by_role("option").filter(visible=True)
        for index in range(listed.count()):
            item = listed.nth(index)
            label = (item.text_content() or "").strip()
            value = item.get_attribute("data-value") or item.get_attribute("value") or ""
            if _plain(label) in wanted or value.casefold() in wanted:
                item.click()
                return label
        return None

    @staticmethod
    def _country_in_page_language(page: Page, code: str) -> str:
        language = str(page.evaluate("document.documentElement.lang || ''"))[:2].lower()
        return country_name(code, language if language in LANGUAGES else "en")


def _plain(text: str) -> str:
    """A country label without flags, codes in brackets or extra spaces, in lower case."""
    text = re.sub(r"\(.*?\)", " ", text)
    return " ".join(re.sub(r"[^\w\s'-]", " ", text).split()).casefold()


def _visible(locator: Locator) -> bool:
    return locator.filter(visible=True).count() > 0


def _first_visible(locator: Locator) -> Locator | None:
    visible = locator.filter(visible=True)
    return visible.first if visible.count() else None


def _same_element(one: Locator, other: Locator) -> bool:
    handle = other.element_handle()
    return bool(one.evaluate("(a, b) => a === b", handle))


def _max_length(field: Locator) -> int | None:
    value = field.get_attribute("maxlength")
    return int(value) if value and value.isdigit() and int(value) > 0 else None


def _choose(radio: Locator) -> None:
    """Select a radio, native or ARIA, and make sure it took."""
    if radio.is_checked():
        return
    radio.click()
    if not radio.is_checked():
        raise FormError("the 'yes' answer could not be selected")
