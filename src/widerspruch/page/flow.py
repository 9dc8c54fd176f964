"""The Flow base class: what a service file declares, and what the core asks of it.

The reading and the filling it inherits live beside it (``page.reading``,
``page.filling``), with the page scripts (``page.scripts``), the one look at a page
(``page.view``) and the form's request, record and errors (``page.form``). The names
other modules import from here stay importable from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar
from urllib.parse import urlsplit

from widerspruch.page.filling import SEND_ENABLE_GRACE_MS, FormFiller
from widerspruch.page.form import (
    Detail,
    EmailMismatch,
    FilledForm,
    FormChanged,
    FormControls,
    FormError,
    NextMayHaveSent,
    NotObjectionForm,
    ObjectionRequest,
    SendDisabled,
)
from widerspruch.page.labels import META_LABELS, Labels, Phrases
from widerspruch.page.reading import COUNTRY_ROLES
from widerspruch.page.scripts import VISIBLE_TEXT_JS
from widerspruch.page.setting import Setting
from widerspruch.page.view import PageView, visible
from widerspruch.states import PageState

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from widerspruch.page.verdict import Verdict

__all__ = [
    "SEND_ENABLE_GRACE_MS",
    "Controller",
    "Detail",
    "EmailMismatch",
    "FilledForm",
    "Flow",
    "FormChanged",
    "FormControls",
    "FormError",
    "NextMayHaveSent",
    "NotObjectionForm",
    "ObjectionRequest",
    "PageView",
    "SendDisabled",
]


@dataclass(frozen=True)
class Controller:
    """Who is responsible for the data under the GDPR, and gets the follow-up letters."""

    name: str  # the legal name: "… Limited"
    address: str  # the postal address, one line, in English
    letters: str  # the letter set: a folder of ``flows/letters/`` (``<kind>.<language>.txt``)


class Flow(FormFiller):
    """One Meta service's objection form. Subclass it in ``flows/<service>.py``.

    A flow file declares data; the core does everything else (the browser, waiting for
    the person, the ledger, logging, credentials). Declare as class attributes:

    ``service``
        The short name used on the command line and in the ledger (lower case).
    ``display_name``
        How people call it.
    ``company``
        Who runs the service and answers the objection, as people call it: the name
        the messages shown to the person use ("Meta may have it", "check your email for
        Meta's confirmation").
    ``controller``
        The controller of the data (a ``Controller``): its legal name and postal
        address, and the letter set ``widerspruch followup`` writes to it (a folder of
        ``flows/letters/``, one ``<kind>.<language>.txt`` per kind and language). The
        letters are addressed to this controller and no other; services of one company
        share one value.
    ``form_urls``
        The official form URL(s), current first. Older or other known URLs of the
        same form follow; rechecks try them, and ``--form-url`` may start at any.
    ``hosts``
        Host names the browser may talk to while on this flow. A leading ``.`` means
        the domain and all its subdomains. Every other host is blocked.
    ``labels``
        The multilingual label sets (see ``widerspruch.page.labels``) used to recognise
        pages and controls. Start from ``META_LABELS`` and add the service's own
        wording with ``META_LABELS.with_service_wording(...)``. Never use Meta's
        generated class names: they change often.
    ``justification_limit``
        The most characters the form's text field takes.
    ``login_url``
        The service's own login page (where its form sends a person who is not logged in).
    ``mail_domains``
        The domains Meta's emails about this service come from; subdomains count too.
        A reply (``widerspruch confirm --eml``) from elsewhere is not Meta's.
    ``privacy_centre_url``
        Where the service lets a person write to its company about their data: named
        in the hints ``widerspruch followup`` gives with a reminder.
    ``needs_login``
        False for a form anyone may send without an account: the core then never
        expects a login wall and offers no stored login for it.
    ``details``
        The fields the form asks for beyond email, country and text, as
        ``widerspruch.page.form.Detail``s (a name, where the data appeared, a phone
        number). Each is given as ``--<key>``; the core checks the required ones are
        there before any browser opens, and ``fill`` types each into the text box its
        label set finds (never into the justification field).
    ``choice``
        For a form whose first question offers several requests instead of "Is your
        request related to AI at Meta?": a label set naming the answer to pick, by its
        meaning in every language. It is then the flow's "yes" to the AI question. An
        answer counts only when it also speaks of AI ("…from third parties for ads" is
        another request), and a form that shows its question without such an answer is
        neither filled nor sent (``FormChanged``).
    ``setting``
        A switch in the service's own settings that lets it use the person's data (a
        ``widerspruch.page.setting.Setting``), or None. `check --account` reads it
        (on or off) and `submit --also-setting` switches it off, with a screenshot
        before and after; nothing else touches it.
    ``templates``
        The bundled justification templates written for this form, by the name the
        person asks for (``(("standard", "third-party"),)``); others are used as named.

    Controls are known by their role and their name as a person (or a screen reader)
    reads it, never by markup: ``view(page)`` takes one look at the page (Playwright's
    accessibility snapshot), and the label sets are matched against the names in it.

    The core drives a flow through page states (``widerspruch.states.PageState``):

    - ``detect(page)`` says which state the page is in, by what it shows, the way a
      person would read it. Failure wins over success: a page that is unavailable, or
      whose text ``widerspruch.page.verdict.judge`` reads as an error or a refusal (and that
      shows no form), is that; only then a page read as accepted, with no Send button
      in sight, is a confirmation. The cookie banner is known by its decline button;
      the login wall by a password field or a "Log in" button; a checkpoint or the
      email code step by their request; the form by its fields and Send button, or,
      for a step of a multi-step form, by its fields and a "Next" button on a page
      that is the AI objection form. A page that shows only the AI question is the AI
      question. When unsure it says ``UNKNOWN``; it never guesses a success. The core
      calls it again and again while the page changes, so a form that appears seconds
      after loading, a redirect to a moved form, or a cookie banner that comes late or
      after the login are each read when they show.
    - ``not_objection_form(page)`` says why the page is *not* Meta's objection to the
      use of information for AI, or None when it is. It reads the page's title, its
      headings, the text between the form's heading and the form, and the form itself
      (the nearest part of the page that holds the Send button and the email field),
      each heading and sentence on its own: one of them must speak of AI and of
      objecting, in any language (an acronym such as AI or KI only in capitals: in
      lower case the same letters are common words elsewhere). Side panels, FAQs,
      footers and dialogs beside the form never count. The core calls it before
      ``fill``, which also refuses (``NotObjectionForm``) to type into any other form.
    - ``page_language(page)`` is the language the page is in: its ``lang`` attribute
      when that is one of ``widerspruch.page.labels.LANGUAGES`` (``no``/``nn`` read as
      ``nb``), otherwise the language whose common short words occur most often in
      its text (``labels.function_words``), or None.
    - ``decline_cookies(page)`` presses the button that declines optional cookies,
      never the one that allows them all.
    - ``answer_ai_question(page)`` answers "Is your request related to AI at Meta?"
      with yes (the "yes" of the question that speaks of AI, ``labels.ai_question``),
      then moves on if the page asks for it.
    - ``locate_form(page)`` finds every control of the visible step, and
      ``fill(...)`` fills the form step by step: on each step it answers the AI
      question, picks the country, types the address into the email field and into
      every "re-enter email" field (``labels.email_again``, or a second email field),
      types the text when the form has a text field (it may have none), and ticks the
      checkboxes that state the information is accurate (``labels.accuracy``) and
      nothing else: never one that speaks of consent, marketing, newsletters or
      allowing all (``labels.consent``, ``labels.allow_all_cookies``). A step with
      "Next" and no Send is followed (at most ``MAX_STEPS``), waiting for the page to
      change rather than for a fixed time. A step with neither Send nor Next, or a
      last step without the email field, is ``FormChanged``, and a step is only typed
      into once its controls are found, so a changed form is never half filled. A
      prefilled email address that differs from the request raises
      ``EmailMismatch`` unless ``replace_prefilled_email``. A cookie dialog that
      shows while filling is declined and the form filled again. What was ticked,
      the language and the number of steps are in the returned ``FilledForm``.
    - ``send(page)`` clicks the Send button, only when it is enabled: a disabled
      Send raises ``SendDisabled``, which names the required controls still empty,
      and nothing is clicked. A click blocked by something over the button fails
      within seconds (``FormError``), never after the page's whole timeout.
    - ``log_in(page, email, password)`` fills Meta's login form, only when the person
      stored a password (``widerspruch account add``), and only once per run.

    Person states (login wall, checkpoint, code step) are otherwise never handled by a
    flow: the core hands them to the person and waits. A flow with unusual pages
    overrides the method concerned; everything else is inherited.
    """

    service: ClassVar[str]
    display_name: ClassVar[str]
    company: ClassVar[str]
    controller: ClassVar[Controller]
    form_urls: ClassVar[tuple[str, ...]]
    hosts: ClassVar[tuple[str, ...]]
    labels: ClassVar[Labels] = META_LABELS
    justification_limit: ClassVar[int] = 3000
    login_url: ClassVar[str] = ""
    mail_domains: ClassVar[tuple[str, ...]] = ()
    privacy_centre_url: ClassVar[str] = ""
    needs_login: ClassVar[bool] = True
    details: ClassVar[tuple[Detail, ...]] = ()
    choice: ClassVar[Phrases | None] = None
    templates: ClassVar[tuple[tuple[str, str], ...]] = ()
    setting: ClassVar[Setting | None] = None

    def template_name(self, asked: str) -> str:
        """The template to render when the person asks for `asked` (see ``templates``)."""
        return dict(self.templates).get(asked, asked)

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

    def detect(self, page: Page) -> PageState:
        text = str(page.evaluate(VISIBLE_TEXT_JS))
        labels = self.labels
        if labels.unavailable.matches(text):
            return PageState.UNAVAILABLE
        view = self.view(page)
        send_visible = view.has("button", labels.send)
        form_visible = send_visible and self._fields_visible(page, view)
        step_visible = not send_visible and self._step_fields_visible(page, view)
        verdict = None if form_visible else _judge(text, labels)
        # A failure wins over everything: we must never mistake it for success. Text
        # beside a form still on screen is the form's own business (an inline alert).
        if verdict is not None and verdict.error and not step_visible:
            return PageState.ERROR
        if view.has("button", labels.decline_cookies):
            return PageState.COOKIE_BANNER
        if visible(page.locator("input[type=password]")):
            return PageState.LOGIN_WALL
        if labels.code_step.matches(text) and self._code_field_visible(view):
            return PageState.CODE_STEP
        objection_step = step_visible and self.not_objection_form(page, view) is None
        if (
            # A two-step login asks for the account first, the password later. Its
            # "Continue" is also a checkpoint's, and a multi-step form's "Next".
            not send_visible
            and not objection_step
            and not labels.checkpoint.matches(text)
            and view.has("button", labels.log_in)
        ):
            return PageState.LOGIN_WALL
        if (
            verdict is not None
            and verdict.refused
            and not step_visible
            and self._ai_yes_node(page, view) is None
        ):
            return PageState.ERROR
        if verdict is not None and verdict.accepted and not send_visible:
            return PageState.CONFIRMATION
        if labels.checkpoint.matches(text) and not send_visible:
            return PageState.CHECKPOINT
        if form_visible or objection_step:
            return PageState.FORM
        asks = self.choice is not None or labels.ai_question.matches(text)
        if asks and self._ai_yes_node(page, view) is not None:
            return PageState.AI_QUESTION
        return PageState.UNKNOWN

    def _code_field_visible(self, view: PageView) -> bool:
        """A field for a code, that is not one of the flow's details ("Phone number (with
        country code)" asks for no emailed code)."""
        return any(
            not any(detail.label.matches(node.name) for detail in self.details)
            for node in view.find("textbox", self.labels.code_field)
        )

    def _fields_visible(self, page: Page, view: PageView) -> bool:
        """An email field or a text field (the form's own) is on screen."""
        labels = self.labels
        return (
            view.has("textbox", labels.email)
            or view.has("textbox", labels.justification)
            or visible(page.locator("textarea, input[type=email]"))
        )

    def _step_fields_visible(self, page: Page, view: PageView) -> bool:
        """Fields and a "Next" button, no Send: a step of a multi-step form."""
        if view.has("button", self.labels.send) or not view.has("button", self.labels.next):
            return False
        return (
            self._fields_visible(page, view)
            or view.has(COUNTRY_ROLES, self.labels.country)
            or view.has("checkbox")
        )


def _judge(text: str, labels: Labels) -> Verdict:
    from widerspruch.page.verdict import judge

    return judge(text, labels)
