"""Reading a form's page: what it is (Meta's AI objection form or another), which
language it is in, and where its controls are. `Flow` inherits this; its docstring is
the contract."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from widerspruch.page.form import FormControls
from widerspruch.page.labels import LANGUAGES, normalise
from widerspruch.page.scripts import (
    FIELD_KIND_JS,
    FORM_EVIDENCE_JS,
    PAGE_LANG_JS,
    RADIO_QUESTION_JS,
    VISIBLE_TEXT_JS,
)
from widerspruch.page.view import PageView, dispose, first_visible

if TYPE_CHECKING:
    from playwright.sync_api import ElementHandle, Locator, Page

    from widerspruch.page.form import Detail
    from widerspruch.page.labels import Labels, Phrases
    from widerspruch.page.view import Node


# Roles a country field may have: a <select>, a custom list, or a type-ahead text box.
COUNTRY_ROLES = ("combobox", "listbox", "textbox")


@dataclass(frozen=True)
class _FormEvidence:
    title: str
    heading: str
    headings: tuple[str, ...]
    intro: str
    region: str

    def pieces(self) -> list[str]:
        """Each heading, and each sentence of the text near the form, on its own."""
        found = [self.title, *self.headings]
        for block in (self.intro, self.region):
            found += [s for s in re.split(r"(?<=[.!?;:])\s+|\s*\n\s*", block) if s.strip()]
        return found


class PageReader:
    """How a flow reads a page; the methods are `Flow`'s, described there."""

    company: ClassVar[str]
    labels: ClassVar[Labels]
    details: ClassVar[tuple[Detail, ...]]
    choice: ClassVar[Phrases | None]

    # A page is read in one look (`PageView`): Playwright's accessibility snapshot gives
    # every control's role, name and box, and the label sets are matched against the
    # names here, in Python. The browser is then asked for an element by its exact
    # name, never by a label set's pattern: those join every language and are far too
    # large to be matched element by element in the page, again and again.

    def view(self, page: Page) -> PageView:
        """One look at the page's controls, to ask several questions of."""
        return PageView.of(page)

    def not_objection_form(self, page: Page, view: PageView | None = None) -> str | None:
        """None when the page is the company's objection to the use of information for
        AI; otherwise why not, in a sentence for the person."""
        evidence = self._form_evidence(page, view or self.view(page))
        labels = self.labels
        for piece in evidence.pieces():
            if _speaks_of(labels.ai, piece) and _speaks_of(labels.objection, piece):
                return None
        if evidence.heading:
            shown = f'its heading is "{_shorten(evidence.heading)}"'
        elif evidence.title:
            shown = f'its title is "{_shorten(evidence.title)}"'
        else:
            shown = "nothing on it speaks of objecting to the use of information for AI"
        return f"this page is not {self.company}'s AI objection form: {shown}"

    def _form_evidence(self, page: Page, view: PageView) -> _FormEvidence:
        anchors = self._anchors(page, view)
        try:
            data: dict[str, Any] = page.evaluate(FORM_EVIDENCE_JS, anchors)
        finally:
            dispose(anchors)
        return _FormEvidence(
            title=str(data.get("title", "")),
            heading=str(data.get("heading", "")),
            headings=tuple(str(h) for h in data.get("headings", [])),
            intro=str(data.get("intro", "")),
            region=str(data.get("region", "")),
        )

    def _anchors(self, page: Page, view: PageView) -> list[ElementHandle | None]:
        """The form's button (Send, else Next) and its first field, to find its region."""
        labels = self.labels
        button = view.first("button", labels.send) or view.first("button", labels.next)
        field_node = (
            view.first("textbox", labels.email)
            or view.first("textbox", labels.justification)
            or view.first(COUNTRY_ROLES, labels.country)
            or view.first("checkbox")
        )
        field_ = (
            view.locator(field_node)
            if field_node is not None
            else first_visible(page.locator("textarea, input[type=email]"))
        )
        return [
            view.locator(button).element_handle() if button is not None else None,
            field_.element_handle() if field_ is not None else None,
        ]

    def page_language(self, page: Page) -> str | None:
        """The page's language: its ``lang`` attribute, else what its text is written in."""
        declared = str(page.evaluate(PAGE_LANG_JS))
        code = re.split(r"[-_]", declared.strip().lower(), maxsplit=1)[0]
        code = {"no": "nb", "nn": "nb", "nob": "nb", "nno": "nb"}.get(code, code)
        if code in LANGUAGES:
            return code
        text = normalise(str(page.evaluate(VISIBLE_TEXT_JS)))
        counts = {
            language: sum(1 for _ in pattern.finditer(text))
            for language, pattern in self.labels.function_words.patterns_by_language.items()
        }
        best = max(counts, key=lambda language: counts[language], default=None)
        return best if best is not None and counts[best] > 0 else None

    # Locators by the label sets' patterns, for code outside the flows that wants one.
    # They are slow (every language's pattern, matched element by element): the flow
    # itself reads the page through `view`.

    def decline_cookies_button(self, page: Page) -> Locator:
        return page.get_by_role("button", name=self.labels.decline_cookies.pattern)

    def send_button(self, page: Page) -> Locator:
        return page.get_by_role("button", name=self.labels.send.pattern)

    def next_button(self, page: Page) -> Locator:
        return page.get_by_role("button", name=self.labels.next.pattern)

    def email_field(self, page: Page) -> Locator:
        by_name = page.get_by_role("textbox", name=self.labels.email.pattern)
        return by_name.or_(page.locator("input[type=email]"))

    def justification_field(self, page: Page) -> Locator:
        return page.get_by_role("textbox", name=self.labels.justification.pattern).or_(
            page.locator("textarea")
        )

    def country_control(self, page: Page) -> Locator:
        pattern = self.labels.country.pattern
        return (
            page.get_by_role("combobox", name=pattern)
            .or_(page.get_by_role("listbox", name=pattern))
            .or_(page.get_by_label(pattern).and_(page.locator("select")))
            .or_(page.get_by_role("textbox", name=pattern))
        )

    def ai_yes_radio(self, page: Page, view: PageView | None = None) -> Locator | None:
        """The "yes" answer of the AI question, scoped to that question when possible."""
        view = view or self.view(page)
        node = self._ai_yes_node(page, view)
        return view.locator(node) if node is not None else None

    def _ai_yes_node(self, page: Page, view: PageView) -> Node | None:
        if self.choice is not None:
            # The form's own first question: the answer that means this objection, by
            # what it is about (the flow's choice) and what for (AI); "from third parties
            # for ads" or a question about them is another request.
            return next(
                (n for n in view.find("radio", self.choice) if _speaks_of(self.labels.ai, n.name)),
                None,
            )
        yes, question = self.labels.yes, self.labels.ai_question
        # A custom radio group, or a <fieldset>, named by the question.
        for group in view.find(("radiogroup", "group"), question):
            radios = view.find("radio", yes, within=group)
            if radios:
                return radios[0]
        radios = view.find("radio", yes)
        if len(radios) <= 1:
            return radios[0] if radios else None
        # Several "yes" answers: the one whose question speaks of AI, if only one does.
        about_ai = [
            radio
            for radio in radios
            if question.matches(str(view.locator(radio).evaluate(RADIO_QUESTION_JS)))
        ]
        return about_ai[0] if len(about_ai) == 1 else None

    def locate_form(self, page: Page, view: PageView | None = None) -> FormControls:
        view = view or self.view(page)
        labels = self.labels
        details = self._detail_fields(view)
        emails, justification = self._text_fields(page, view, skip=set(details.values()))
        send = view.first("button", labels.send)
        following = view.first("button", labels.next) if send is None else None
        country = view.first(COUNTRY_ROLES, labels.country)
        ai_yes = self._ai_yes_node(page, view)
        return FormControls(
            send=view.locator(send) if send is not None else None,
            email=emails[0] if emails else None,
            justification=justification,
            country=view.locator(country) if country is not None else None,
            ai_yes=view.locator(ai_yes) if ai_yes is not None else None,
            email_again=tuple(emails[1:]),
            next=view.locator(following) if following is not None else None,
            details={key: view.locator(node) for key, node in details.items()},
        )

    def _detail_fields(self, view: PageView) -> dict[str, Node]:
        """The text box of each of the flow's details shown on this step, by its key."""
        found: dict[str, Node] = {}
        for detail in self.details:
            node = next(
                (n for n in view.find("textbox", detail.label) if n not in found.values()), None
            )
            if node is not None:
                found[detail.key] = node
        return found

    def _text_fields(
        self, page: Page, view: PageView, skip: set[Node] | None = None
    ) -> tuple[list[Locator], Locator | None]:
        """The email fields (the main one first, then every "re-enter" one) and the
        text field, among the visible text boxes (but those in `skip`: the details')."""
        labels = self.labels
        boxes = [box for box in view.find("textbox") if box not in (skip or set())]
        kinds: list[dict[str, str]] = [view.locator(box).evaluate(FIELD_KIND_JS) for box in boxes]
        again = [labels.email_again.matches(box.name) for box in boxes]
        email_like = [
            again[i] or labels.email.matches(box.name) or kinds[i]["type"] == "email"
            for i, box in enumerate(boxes)
        ]
        main = next((i for i in range(len(boxes)) if email_like[i] and not again[i]), None)
        repeated = [
            i
            for i in range(len(boxes))
            if main is not None and i != main and (again[i] or kinds[i]["type"] == "email")
        ]
        emails = [] if main is None else [main, *repeated]
        others = [i for i in range(len(boxes)) if i not in emails and not email_like[i]]
        named = [i for i in others if labels.justification.matches(boxes[i].name)]
        areas = [i for i in others if kinds[i]["tag"] == "textarea"]
        # Best first: a labelled text area, a labelled text box, the only text area.
        best = [i for i in named if i in areas] or named or areas
        justification = view.locator(boxes[best[0]]) if best else None
        return [view.locator(boxes[i]) for i in emails], justification


def _speaks_of(phrases: Phrases, text: str) -> bool:
    """Do `phrases` occur in `text`? A word of three letters or fewer counts only in
    capitals: it is an acronym (AI, KI, IA, MI, UI), and the same letters in lower case
    are common words of other languages (Romanian and Italian "ai", French "j'ai",
    Slovenian and Hungarian "ki")."""
    for found in phrases.pattern.finditer(" ".join(text.split())):
        word = found.group(0).strip()
        if len(word) <= 3 and word.isalpha() and not word.isupper():
            continue
        return True
    return False


def _shorten(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
