"""Acting on a form's page: declining cookies, answering the AI question, filling the
form step by step (ticking, picking the country), logging in and sending. `Flow`
inherits this; its docstring is the contract."""

from __future__ import annotations

import contextlib
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from widerspruch.page.countries import country_name, country_names
from widerspruch.page.form import (
    EmailMismatch,
    FilledForm,
    FormChanged,
    FormError,
    NextMayHaveSent,
    NotObjectionForm,
    SendDisabled,
)
from widerspruch.page.reading import PageReader
from widerspruch.page.scripts import (
    ALERT_TEXT_JS,
    CHECKBOX_INFO_JS,
    CHECKBOXES_JS,
    CLICK_LABEL_JS,
    DISABLED_JS,
    EMPTY_REQUIRED_JS,
    ENABLED_JS,
    SELECT_OPTIONS_JS,
    SHOWN_VALUE_JS,
    STEP_CHANGED_JS,
    STEP_SIGNATURE_JS,
    TAG_NAME_JS,
)
from widerspruch.page.view import dispose, first_visible

if TYPE_CHECKING:
    from collections.abc import Callable

    from playwright.sync_api import Locator, Page

    from widerspruch.accounts import Secret
    from widerspruch.page.form import FormControls, ObjectionRequest
    from widerspruch.page.view import PageView

# The most steps a form may have, the one with Send included.
MAX_STEPS = 6
# How long Send may take to become enabled after the last field was filled (a page
# that validates as it goes), before it counts as disabled.
SEND_ENABLE_GRACE_MS = 2000
# Send is visible and enabled when it is clicked: a click that takes longer than this
# is blocked by something over the button, and must not hang for the page's timeout.
SEND_CLICK_TIMEOUT_MS = 5000
# How long a "Next" that left no form behind may take to show what it sent.
NEXT_SETTLE_MS = 3000
# A form whose cookie dialog comes back after each decline is not filled forever.
MAX_REFILLS = 2
# A click on a field that does not land within this is looked at: a cookie dialog that
# came over the form takes every click, and waiting out the page's timeout helps nobody.
COVERED_CLICK_MS = 1500

# Anything a form step is made of, by tag and role alone (no label set needed).
FORM_CONTROLS_CSS = (
    "input:not([type=hidden]), textarea, select, button, [role=button], [role=radio], "
    "[role=checkbox], [role=combobox], [role=textbox]"
)


class FormFiller(PageReader):
    """How a flow acts on a page; the methods are `Flow`'s, described there."""

    def decline_cookies(self, page: Page) -> None:
        self._decline_cookies(page, self.view(page))

    def _decline_cookies(self, page: Page, view: PageView) -> Locator:
        """Press the decline button; the button pressed, to wait for it to go."""
        button = view.first("button", self.labels.decline_cookies)
        if button is None:
            raise FormError("the cookie dialog has no button to decline optional cookies")
        if self.labels.allow_all_cookies.matches(button.name):
            raise FormError(f"refusing to press a cookie button that allows all: {button.name!r}")
        pressed = view.locator(button)
        pressed.click()
        return pressed

    def answer_ai_question(self, page: Page) -> None:
        radio = self.ai_yes_radio(page)
        if radio is None:
            raise FormError("the AI question has no recognisable 'yes' answer")
        try:
            self._choose(page, radio)
        except _CookieDialogCameBack:
            return  # the next look at the page declines it, then asks again
        # Some versions reveal the form only after "Next".
        view = self.view(page)
        following = view.first("button", self.labels.next)
        if following is not None and not view.has("button", self.labels.send):
            view.locator(following).click()

    def fill(
        self, page: Page, request: ObjectionRequest, *, replace_prefilled_email: bool = False
    ) -> FilledForm:
        reason = self.not_objection_form(page)
        if reason is not None:
            raise NotObjectionForm(reason)
        filled = FilledForm(email=request.email, language=self.page_language(page))
        for _ in range(MAX_REFILLS + 1):
            if self._cookie_dialog_declined(page, filled):
                continue
            try:
                self._fill_steps(page, request, filled, replace_prefilled_email)
            except _CookieDialogCameBack:
                continue
            if not self._cookie_dialog_declined(page, filled):
                return filled
        raise FormError("a cookie dialog keeps coming back over the form")

    def _fill_steps(
        self,
        page: Page,
        request: ObjectionRequest,
        filled: FilledForm,
        replace_prefilled_email: bool,
    ) -> None:
        email_done = False
        found: dict[str, Locator] = {}
        for step in range(1, MAX_STEPS + 1):
            controls = self.locate_form(page)
            if controls.send is None and controls.next is None:
                raise FormChanged(["send"] if email_done else ["send", "email"])
            if controls.send is not None and controls.email is None and not email_done:
                raise FormChanged(["email"])
            if (
                self.choice is not None
                and controls.ai_yes is None
                and not filled.answered_ai_question
                and self.view(page).has("radio")
            ):
                # The first question is there, without the answer that means this
                # objection: another form, or a changed one. Nothing is typed.
                raise FormChanged(["choice"])
            found.update(controls.details)
            if controls.send is not None:
                # A detail asked for that no step showed: the form is not the one known.
                lost = [key for key in request.details if key not in found]
                if lost:
                    raise FormChanged(lost)
            self._fill_step(page, controls, request, filled, replace_prefilled_email)
            email_done = email_done or controls.email is not None
            filled.steps = step
            if controls.send is not None:
                return
            if step == MAX_STEPS:
                break
            assert controls.next is not None
            if self._cookie_dialog_declined(page, filled):
                raise _CookieDialogCameBack
            self._next_step(page, controls.next)
        raise FormError(f"the form showed no Send button after {MAX_STEPS} steps")

    def _fill_step(
        self,
        page: Page,
        controls: FormControls,
        request: ObjectionRequest,
        filled: FilledForm,
        replace_prefilled_email: bool,
    ) -> None:
        # Check everything this step shows before typing anything.
        prefilled = None
        if controls.email is not None:
            prefilled = controls.email.input_value().strip()
            if prefilled and prefilled.casefold() != request.email.casefold():
                if not replace_prefilled_email:
                    raise EmailMismatch(prefilled, request.email)
                if not controls.email.is_editable():
                    raise FormError(
                        f"Meta fixed the address to {prefilled}; this form objects for that account"
                    )
                filled.replaced_prefilled_email = prefilled
        if controls.justification is not None:
            limit = _max_length(controls.justification)
            if limit is not None and len(request.justification) > limit:
                raise FormError(
                    f"the justification has {len(request.justification)} characters; "
                    f"this form takes at most {limit}"
                )

        if controls.ai_yes is not None:
            self._choose(page, controls.ai_yes)
            filled.answered_ai_question = True
        if controls.country is not None:
            filled.country = self._select_country(page, controls.country, request.country)
        if (
            controls.email is not None
            and prefilled is not None
            and prefilled.casefold() != request.email.casefold()
        ):
            controls.email.fill(request.email)
        for again in controls.email_again:
            if again.input_value().strip().casefold() != request.email.casefold():
                if not again.is_editable():
                    raise FormError("a second email field cannot be typed into")
                again.fill(request.email)
                filled.repeated_email_fields += 1
        if controls.justification is not None:
            controls.justification.fill(request.justification)
            filled.justification_chars = len(request.justification)
        for key, box in controls.details.items():
            if key in request.details:
                box.fill(request.details[key])
                filled.details.append(key)
        if self._cookie_dialog_declined(page, filled):
            raise _CookieDialogCameBack
        self._tick_accuracy_boxes(page, filled)

    def accuracy_statement(self, name: str) -> bool:
        """A checkbox that only states the information given is accurate or true: the
        one kind a flow ticks. Consent, marketing, newsletters and "allow all" never."""
        labels = self.labels
        return (
            labels.accuracy.matches(name)
            and not labels.consent.matches(name)
            and not labels.allow_all_cookies.matches(name)
        )

    def _tick_accuracy_boxes(self, page: Page, filled: FilledForm) -> None:
        anchors = self._anchors(page, self.view(page))
        try:
            elements = page.evaluate_handle(CHECKBOXES_JS, anchors)
        finally:
            dispose(anchors)
        try:
            boxes: list[dict[str, Any]] = elements.evaluate(CHECKBOX_INFO_JS)
            for index, box in enumerate(boxes):
                name = str(box["name"])
                if not (box["shown"] or box["label_shown"]):
                    continue
                if not self.accuracy_statement(name):
                    if box["required"] and not box["checked"]:
                        filled.notes.append(f'left unticked (not about accuracy): "{name}"')
                    continue
                if box["checked"]:
                    continue
                element = elements.get_property(str(index)).as_element()
                if element is None:
                    continue
                if box["shown"]:
                    self._press(page, element.check)
                elif not element.evaluate(CLICK_LABEL_JS):
                    raise FormError(f'the checkbox "{name}" could not be ticked')
                filled.ticked.append(name)
                filled.notes.append(f'ticked: "{name}"')
        finally:
            elements.dispose()

    def _next_step(self, page: Page, button: Locator) -> None:
        """Click "Next" and wait until the form shows another step (or says why not)."""
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import Request

        before = str(page.evaluate(STEP_SIGNATURE_JS))
        alert_before = str(page.evaluate(ALERT_TEXT_JS))
        posted: list[str] = []

        def on_request(request: Request) -> None:
            if request.method == "POST" and request.resource_type in ("document", "fetch", "xhr"):
                posted.append(urlsplit(request.url).netloc)

        page.on("request", on_request)
        try:
            button.click()
            try:
                page.wait_for_function(
                    STEP_CHANGED_JS,
                    arg=[before, alert_before],
                )
                page.wait_for_load_state("domcontentloaded")
            except PlaywrightError:
                raise FormError("the form did not move on after 'Next'") from None
            if str(page.evaluate(STEP_SIGNATURE_JS)) == before:
                alert = str(page.evaluate(ALERT_TEXT_JS))
                raise FormError(
                    "the form did not move on after 'Next'" + (f": {alert}" if alert else "")
                )
            after = self.view(page)
            if after.has("button", self.labels.send) or after.has("button", self.labels.next):
                return
            # No form followed. If "Next" was a Send by another name, the form may have
            # reached Meta: let its request show (bounded), then say so.
            with contextlib.suppress(PlaywrightError):
                page.wait_for_load_state("networkidle", timeout=NEXT_SETTLE_MS)
            if posted:
                raise NextMayHaveSent(posted[0])
        finally:
            page.remove_listener("request", on_request)

    def _cookie_dialog_declined(self, page: Page, filled: FilledForm) -> bool:
        """A cookie dialog that came late, over the form: decline it, and say so."""
        view = self.view(page)
        if not view.has("button", self.labels.decline_cookies):
            return False
        self._decline_cookies(page, view).wait_for(state="hidden")
        page.wait_for_load_state("domcontentloaded")
        # It may have reloaded the page: wait for a form to show again.
        page.locator(FORM_CONTROLS_CSS).filter(visible=True).first.wait_for()
        filled.notes.append("declined optional cookies in a dialog over the form")
        return True

    def log_in(self, page: Page, email: str, password: Secret) -> None:
        """Fill Meta's login form with a stored password (only ever called once per run)."""
        password_field = first_visible(page.locator("input[type=password]"))
        if password_field is None:
            # Account first, password on the next step.
            view = self.view(page)
            account_node = view.first("textbox")
            next_node = view.first("button", self.labels.log_in)
            if account_node is None or next_node is None:
                raise FormError("the login page has no field for the account")
            view.locator(account_node).fill(email)
            view.locator(next_node).click()
            password_field = page.locator("input[type=password]").first
            password_field.wait_for(state="visible")
        else:
            account = password_field.locator(
                "xpath=ancestor::form[1]//input[not(@type) or @type='text' or @type='email' "
                "or @type='tel']"
            ).or_(page.get_by_role("textbox"))
            account_field = first_visible(account)
            if account_field is not None and account_field.input_value() != email:
                account_field.fill(email)
        password_field.fill(password.reveal())
        password_field.press("Enter")

    def send(self, page: Page) -> None:
        from playwright.sync_api import Error as PlaywrightError

        view = self.view(page)
        node = view.first("button", self.labels.send)
        if node is None:
            raise FormChanged(["send"])
        if view.has("button", self.labels.decline_cookies):
            raise FormError("a cookie dialog covers the form; Send was not clicked")
        button = view.locator(node)
        if button.evaluate(DISABLED_JS):
            try:
                page.wait_for_function(
                    ENABLED_JS,
                    arg=button.element_handle(),
                    timeout=SEND_ENABLE_GRACE_MS,
                )
            except PlaywrightError:
                raise SendDisabled(self._empty_required(button)) from None
        try:
            button.click(timeout=SEND_CLICK_TIMEOUT_MS)
        except PlaywrightError as error:
            first = (str(error).strip().splitlines() or ["blocked"])[0]
            raise FormError(f"Send could not be clicked: {first}") from None

    @staticmethod
    def _empty_required(button: Locator) -> list[str]:
        names: list[str] = button.evaluate(EMPTY_REQUIRED_JS)
        return [str(name)[:80] for name in names]

    def _select_country(self, page: Page, control: Locator, code: str) -> str:
        """Pick the country in a native list, a custom list, or a type-ahead field."""
        names = country_names(code)
        wanted = {_plain(name) for name in names} | {code.casefold()}
        tag = control.evaluate(TAG_NAME_JS)
        if tag == "select":
            options: list[dict[str, str]] = control.evaluate(SELECT_OPTIONS_JS)
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
        self._press(page, control.click)
        picked = self._pick_option(page, wanted)
        if picked is None:
            control.press("Escape")
            raise FormError(f"the country list has no entry for {names[0]} ({code})")
        return picked

    def _pick_option(self, page: Page, wanted: set[str]) -> str | None:
        listed = page.get_by_role("option").filter(visible=True)
        for index in range(listed.count()):
            item = listed.nth(index)
            label = (item.text_content() or "").strip()
            value = item.get_attribute("data-value") or item.get_attribute("value") or ""
            if _plain(label) in wanted or value.casefold() in wanted:
                self._press(page, item.click)
                return label
        return None

    def _choose(self, page: Page, radio: Locator) -> None:
        """Select a radio, native or ARIA, and make sure it took."""
        if radio.is_checked():
            return
        self._press(page, radio.click)
        if not radio.is_checked():
            raise FormError("the 'yes' answer could not be selected")

    def _press(self, page: Page, act: Callable[..., None]) -> None:
        """Click or tick a field. If the action does not land soon because a cookie
        dialog came over the form, fill again after declining it; otherwise wait the
        page's own time."""
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        try:
            act(timeout=COVERED_CLICK_MS)
        except PlaywrightTimeout:
            if self.view(page).has("button", self.labels.decline_cookies):
                raise _CookieDialogCameBack from None
            act()

    def _country_in_page_language(self, page: Page, code: str) -> str:
        language = self.page_language(page)
        return country_name(code, language or "en")


class _CookieDialogCameBack(Exception):
    """A cookie dialog showed over the form while it was being filled; fill it again."""


def _plain(text: str) -> str:
    """A country label without flags, codes in brackets or extra spaces, in lower case."""
    text = re.sub(r"\(.*?\)", " ", text)
    return " ".join(re.sub(r"[^\w\s'-]", " ", text).split()).casefold()


def _max_length(field: Locator) -> int | None:
    value = field.get_attribute("maxlength")
    return int(value) if value and value.isdigit() and int(value) > 0 else None
