"""The Flow base class: what a service file declares, and how pages are read and filled."""

from __future__ import annotations

import contextlib
import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urlsplit

from widerspruch.countries import country_name, country_names
from widerspruch.labels import LANGUAGES, META_LABELS, Labels, Phrases, normalise
from widerspruch.states import PageState

if TYPE_CHECKING:
    from playwright.sync_api import ElementHandle, Locator, Page

    from widerspruch.accounts import Secret
    from widerspruch.verdict import Verdict


@dataclass(frozen=True)
class ObjectionRequest:
    """What one objection says: whose account, where they live, and the text."""

    email: str
    country: str  # ISO 3166-1 alpha-2
    justification: str


@dataclass(frozen=True)
class FormControls:
    """The controls of one step of an objection form, as found on the page.

    None (or an empty tuple) means not found. ``next`` is set only on a step that leads
    on to another step instead of showing Send.
    """

    send: Locator | None
    email: Locator | None
    justification: Locator | None
    country: Locator | None
    ai_yes: Locator | None
    email_again: tuple[Locator, ...] = ()
    next: Locator | None = None

    def missing(self) -> list[str]:
        """The controls the flow needs but could not find.

        The last step needs Send and the email field; the text field and the country may
        be absent (the 2025 form has no required text). A step that leads on with "Next"
        needs nothing more: what it lacks may come on a later step.
        """
        if self.send is None and self.next is not None:
            return []
        needed = {"send": self.send, "email": self.email}
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
    language: str | None = None  # the page's language (see `Flow.page_language`)
    steps: int = 1  # how many steps the form had, the one with Send included
    ticked: list[str] = field(default_factory=list)  # checkboxes ticked, by their label
    repeated_email_fields: int = 0  # "re-enter email" fields that got the address too


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


class NotObjectionForm(FormError):
    """The page is some other form (a look-alike): nothing has been filled."""


class NextMayHaveSent(FormError):
    """A button taken for "Next" sent a request, and no form step followed: the form
    may have been sent. Not "nothing sent": the core must not offer to send again."""

    def __init__(self, host: str) -> None:
        self.host = host
        super().__init__(
            f"a button taken for 'Next' sent a request to {host} and the form is gone: "
            "the objection may have been sent; check your email before sending again"
        )


class SendDisabled(FormError):
    """The Send button stays disabled, so it was not clicked: nothing has been sent."""

    def __init__(self, empty: list[str]) -> None:
        self.empty = empty
        still = (
            "; still empty: " + ", ".join(f'"{name}"' for name in empty)
            if empty
            else "; the page does not say which field it still wants"
        )
        super().__init__(f"Send stays disabled{still}; it was not clicked, nothing was sent")


VISIBLE_TEXT_JS = "() => document.body ? document.body.innerText : ''"
# What a custom list shows as chosen, without the options it may contain.
SHOWN_VALUE_JS = """e => { const c = e.cloneNode(true);
  c.querySelectorAll('[role=option], [role=listbox]').forEach(o => o.remove());
  return c.textContent || ''; }"""

# Helpers shared by the scripts below: is an element shown, and its name as read aloud.
_JS_HELPERS = r"""
const shown = e => !!e && !!(e.offsetWidth || e.offsetHeight || e.getClientRects().length)
  && getComputedStyle(e).visibility !== 'hidden';
const textOf = e => e ? (e.innerText || e.textContent || '') : '';
const nameOf = e => {
  let name = e.getAttribute('aria-label') || '';
  const ids = e.getAttribute('aria-labelledby');
  if (!name && ids)
    name = ids.split(/\s+/).map(id => textOf(document.getElementById(id))).join(' ');
  const labels = e.labels ? Array.from(e.labels) : [];
  const wrapping = e.closest('label');
  if (wrapping && !labels.includes(wrapping)) labels.push(wrapping);
  if (!name) name = labels.map(textOf).join(' ');
  if (!name && !e.matches('input, textarea, select')) name = textOf(e);
  if (!name) name = e.getAttribute('title') || e.getAttribute('placeholder') || '';
  return name.replace(/\s+/g, ' ').trim();
};
const labelsOf = e => {
  const labels = e.labels ? Array.from(e.labels) : [];
  const wrapping = e.closest('label');
  if (wrapping && !labels.includes(wrapping)) labels.push(wrapping);
  return labels;
};
const FIELDS = 'input:not([type=hidden]), textarea, select, [role=textbox], [role=combobox], '
  + '[role=checkbox], [role=radio], [role=listbox]';
// The part of the page that holds the form: the nearest ancestor of all anchors, or, for
// a single anchor, the nearest ancestor that also holds a field.
const regionOf = anchors => {
  anchors = anchors.filter(Boolean);
  if (!anchors.length) return null;
  let region = anchors[0];
  if (anchors.length === 1) {
    while (region && !Array.from(region.querySelectorAll(FIELDS)).some(f => f !== anchors[0]))
      region = region.parentElement;
    return region;
  }
  while (region && !anchors.every(a => region.contains(a))) region = region.parentElement;
  return region;
};
"""

# What the page says about itself near the form: its title, its headings, the text
# between the form's own heading and the form, and the text of the form's region.
# Side panels, FAQs, footers, menus and dialogs outside the form do not count.
FORM_EVIDENCE_JS = (
    "(anchors) => {"
    + _JS_HELPERS
    + r"""
  const region = regionOf(anchors);
  const ASIDE = 'aside, nav, footer, details, [role=complementary], [role=navigation], '
    + '[role=contentinfo], [role=dialog], [role=alertdialog], [aria-hidden=true]';
  const outside = e => { const a = e.parentElement && e.parentElement.closest(ASIDE);
    return !!a && !(region && a.contains(region)); };
  const headings = Array.from(document.querySelectorAll('h1, h2, h3, [role=heading], legend'))
    .filter(h => shown(h) && !outside(h));
  const before = h => region && !h.contains(region)
    && (h.compareDocumentPosition(region) & Node.DOCUMENT_POSITION_FOLLOWING)
    && !region.contains(h);
  const main = headings.filter(h => h.matches('h1, [role=heading][aria-level="1"]'));
  const preceding = headings.filter(before);
  const own = preceding.length ? preceding[preceding.length - 1] : null;
  const inside = region ? headings.filter(h => region.contains(h)) : headings;
  const picked = [];
  for (const h of [...(own ? [own] : []), ...main, ...inside])
    if (!picked.includes(h)) picked.push(h);
  let intro = '';
  if (own && region) {
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    walker.currentNode = own;
    let node;
    while ((node = walker.nextNode()) && intro.length < 4000) {
      if (region.contains(node)) break;
      if (!(region.compareDocumentPosition(node) & Node.DOCUMENT_POSITION_PRECEDING)) break;
      const parent = node.parentElement;
      if (!parent || own.contains(parent) || parent.closest('script, style, noscript')) continue;
      if (!shown(parent) || outside(node)) continue;
      intro += ' ' + node.textContent;
      if (parent.closest('p, div, li, span, section') && /\S$/.test(intro)) intro += '\n';
    }
  }
  const title = document.title || '';
  const clean = s => s.replace(/\s+/g, ' ').trim();
  return {
    title: clean(title),
    heading: clean(textOf(own || main[0] || inside[0])),
    headings: picked.map(h => clean(textOf(h))).filter(Boolean),
    intro: intro.slice(0, 4000),
    region: region ? textOf(region).slice(0, 8000) : '',
  };
}"""
)

# Every checkbox of the form (the <form> around its region, else the region itself)...
CHECKBOXES_JS = (
    "(anchors) => {"
    + _JS_HELPERS
    + r"""
  const region = regionOf(anchors);
  const scope = (region && region.closest('form')) || region || document;
  return Array.from(scope.querySelectorAll('input[type=checkbox], [role=checkbox]'));
}"""
)
# ...and what a person reads beside each.
CHECKBOX_INFO_JS = (
    "(boxes) => {"
    + _JS_HELPERS
    + r"""
  return boxes.map(e => ({
    name: nameOf(e),
    checked: e.matches('input') ? e.checked : e.getAttribute('aria-checked') === 'true',
    required: !!(e.required || e.getAttribute('aria-required') === 'true'),
    shown: shown(e),
    label_shown: labelsOf(e).some(shown),
  }));
}"""
)
CLICK_LABEL_JS = (
    "(e) => {"
    + _JS_HELPERS
    + r"""
  const label = labelsOf(e).find(shown);
  if (label) label.click();
  return e.matches('input') ? e.checked : e.getAttribute('aria-checked') === 'true';
}"""
)

# Required controls near the Send button that are still empty, by their names.
EMPTY_REQUIRED_JS = (
    "(button) => {"
    + _JS_HELPERS
    + r"""
  const scope = button.closest('form') || regionOf([button]) || document;
  const names = [];
  for (const e of scope.querySelectorAll(FIELDS + ', [role=radiogroup], [aria-required=true]')) {
    if (!(e.required || e.getAttribute('aria-required') === 'true')) continue;
    if (!shown(e) && !labelsOf(e).some(shown)) continue;
    const role = e.getAttribute('role');
    let empty;
    if (e.type === 'checkbox') empty = !e.checked;
    else if (e.type === 'radio')
      empty = !scope.querySelector(`input[type=radio][name="${CSS.escape(e.name)}"]:checked`);
    else if (role === 'checkbox' || role === 'radio')
      empty = e.getAttribute('aria-checked') !== 'true';
    else if (role === 'radiogroup')
      empty = !e.querySelector('[role=radio][aria-checked=true], input[type=radio]:checked');
    else if (e.matches('input, textarea, select')) empty = !String(e.value || '').trim();
    else empty = !String(e.value || e.innerText || '').trim();
    if (!empty) continue;
    const name = nameOf(e) || e.getAttribute('name') || e.id || e.tagName.toLowerCase();
    if (!names.includes(name)) names.push(name);
  }
  return names;
}"""
)

DISABLED_JS = """e => !!(e.disabled || e.getAttribute('aria-disabled') === 'true'
  || e.closest('[aria-disabled=true]') || e.closest('fieldset[disabled]'))"""

# What the visible step of a form consists of; it changes when the next step shows.
STEP_SIGNATURE_JS = (
    "() => {"
    + _JS_HELPERS
    + r"""
  const parts = [location.href];
  for (const e of document.querySelectorAll(FIELDS + ', button, [role=button]'))
    if (shown(e)) parts.push(e.tagName + '|' + (e.type || '') + '|' + (e.name || e.id || '')
                             + '|' + nameOf(e).slice(0, 80));
  return parts.join('\n');
}"""
)
# Anything a form step is made of, by tag and role alone (no label set needed).
FORM_CONTROLS_CSS = (
    "input:not([type=hidden]), textarea, select, button, [role=button], [role=radio], "
    "[role=checkbox], [role=combobox], [role=textbox]"
)
ALERT_TEXT_JS = """() => Array.from(document.querySelectorAll('[role=alert]'))
  .map(a => (a.innerText || '').trim()).filter(Boolean).join('; ').slice(0, 300)"""

# Which question a "yes" radio answers: the text of the smallest part of the page that
# holds its group and more than the answers, or the text just before the group.
RADIO_QUESTION_JS = (
    "(e) => {"
    + _JS_HELPERS
    + r"""
  let box = e.closest('[role=radiogroup], fieldset, [role=group]');
  let radios = box ? Array.from(box.querySelectorAll('input[type=radio], [role=radio]')) : [e];
  if (!box && e.name) {
    radios = Array.from(document.querySelectorAll(
      `input[type=radio][name="${CSS.escape(e.name)}"]`));
    box = e.parentElement;
    while (box && !radios.every(r => box.contains(r))) box = box.parentElement;
  }
  box = box || e.parentElement;
  const answers = radios.map(nameOf).join(' ').replace(/\s+/g, '').length;
  const says = el => (nameOf(el) + ' ' + textOf(el)).replace(/\s+/g, ' ');
  for (let i = 0; box && i < 4; i++, box = box.parentElement) {
    if (says(box).replace(/\s+/g, '').length > 2 * answers + 12) return says(box).slice(0, 600);
    const before = box.previousElementSibling;
    if (before && textOf(before).trim()) return (textOf(before) + ' ' + says(box)).slice(0, 600);
  }
  return '';
}"""
)

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


# Roles a country field may have: a <select>, a custom list, or a type-ahead text box.
COUNTRY_ROLES = ("combobox", "listbox", "textbox")
# How long one look at the page may wait for its <body> (a page mid-navigation).
SNAPSHOT_TIMEOUT_MS = 5000

_SNAPSHOT_LINE = re.compile(r"^(?P<indent> *)- (?P<rest>.*)$")
_SNAPSHOT_KEY = re.compile(
    r'^(?P<role>[a-z]+)(?: (?P<name>"(?:[^"\\]|\\.)*"))?(?P<attrs>(?: \[[^\]]*\])*)$'
)
_SNAPSHOT_BOX = re.compile(r"\[box=-?\d+,-?\d+,(?P<width>\d+),(?P<height>\d+)\]")


@dataclass(frozen=True)
class Node:
    """One element as Playwright's accessibility snapshot shows it."""

    role: str
    name: str
    value: str  # a text box's content, or an element's only text
    disabled: bool
    checked: bool
    shown: bool  # it has a size on the page (what Playwright calls visible)
    parent: int | None  # the position of the element it is in
    position: int  # its position in the snapshot
    nth: int  # how many elements before it have the same role and name


def parse_snapshot(snapshot: str) -> list[Node]:
    """The elements of an ARIA snapshot (``Locator.aria_snapshot(boxes=True)``)."""
    nodes: list[Node] = []
    stack: list[tuple[int, int]] = []  # (depth, position) of the open ancestors
    seen: dict[tuple[str, str], int] = {}
    for line in snapshot.splitlines():
        matched = _SNAPSHOT_LINE.match(line)
        if not matched:
            continue
        depth = len(matched["indent"]) // 2
        key, value = _split_snapshot_line(matched["rest"])
        parts = _SNAPSHOT_KEY.match(key)
        if parts is None or parts["role"] == "text":
            continue  # text, or a property such as "/url"
        name = _unquote(parts["name"]) if parts["name"] else ""
        attrs = parts["attrs"] or ""
        box = _SNAPSHOT_BOX.search(attrs)
        while stack and stack[-1][0] >= depth:
            stack.pop()
        role = parts["role"]
        nodes.append(
            Node(
                role=role,
                name=name,
                value=_unquote(value) if value.startswith('"') else value,
                disabled="[disabled]" in attrs,
                checked="[checked]" in attrs,
                shown=box is None or (int(box["width"]) > 0 and int(box["height"]) > 0),
                parent=stack[-1][1] if stack else None,
                position=len(nodes),
                nth=seen.get((role, name), 0),
            )
        )
        seen[(role, name)] = seen.get((role, name), 0) + 1
        stack.append((depth, len(nodes) - 1))
    return nodes


def _split_snapshot_line(rest: str) -> tuple[str, str]:
    """A snapshot line's key (role, name, attributes) and its value."""
    if rest.startswith("'"):  # a key YAML had to quote: '' stands for '
        index = 1
        while index < len(rest):
            if rest[index] == "'":
                if rest[index + 1 : index + 2] == "'":
                    index += 2
                    continue
                break
            index += 1
        key, after = rest[1:index].replace("''", "'"), rest[index + 1 :]
        return key, after[2:] if after.startswith(": ") else ""
    colon = re.search(r":(\s|$)", rest)
    if colon is None:
        return rest, ""
    return rest[: colon.start()], rest[colon.end() :]


def _unquote(quoted: str) -> str:
    try:
        return str(json.loads(quoted))
    except ValueError:
        return quoted.strip('"')


class PageView:
    """The page's elements as read in one look: ask it which are on screen, by role
    and by label set, then act on one through `locator`."""

    def __init__(self, page: Page, nodes: list[Node]) -> None:
        self.page = page
        self.nodes = nodes

    @classmethod
    def of(cls, page: Page) -> PageView:
        snapshot = page.locator("body").aria_snapshot(boxes=True, timeout=SNAPSHOT_TIMEOUT_MS)
        return cls(page, parse_snapshot(snapshot))

    def find(
        self,
        roles: str | tuple[str, ...],
        phrases: Phrases | None = None,
        *,
        within: Node | None = None,
    ) -> list[Node]:
        """The elements on screen with one of `roles` whose name `phrases` match."""
        wanted = (roles,) if isinstance(roles, str) else roles
        return [
            node
            for node in self.nodes
            if node.role in wanted
            and node.shown
            and (phrases is None or phrases.matches(node.name))
            and (within is None or self._inside(node, within))
        ]

    def first(self, roles: str | tuple[str, ...], phrases: Phrases | None = None) -> Node | None:
        found = self.find(roles, phrases)
        return found[0] if found else None

    def has(self, roles: str | tuple[str, ...], phrases: Phrases | None = None) -> bool:
        return self.first(roles, phrases) is not None

    def locator(self, node: Node) -> Locator:
        """The element itself, found again by its role and exact name."""
        role: Any = node.role
        return self.page.get_by_role(role, name=node.name, exact=True).nth(node.nth)

    def _inside(self, node: Node, ancestor: Node) -> bool:
        parent = node.parent
        while parent is not None:
            if parent == ancestor.position:
                return True
            parent = self.nodes[parent].parent
        return False


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


class Flow:
    """One Meta service's objection form. Subclass it in ``flows/<service>.py``.

    A flow file declares data; the core does everything else (the browser, waiting for
    the person, the ledger, logging, credentials). Declare as class attributes:

    ``service``
        The short name used on the command line and in the ledger (``"facebook"``).
    ``display_name``
        How people call it (``"Facebook"``).
    ``form_urls``
        The official form URL(s), current first. Older or other known URLs of the
        same form follow; rechecks try them, and ``--form-url`` may start at any.
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

    Controls are known by their role and their name as a person (or a screen reader)
    reads it, never by markup: ``view(page)`` takes one look at the page (Playwright's
    accessibility snapshot), and the label sets are matched against the names in it.

    The core drives a flow through page states (``widerspruch.states.PageState``):

    - ``detect(page)`` says which state the page is in, by what it shows, the way a
      person would read it. Failure wins over success: a page that is unavailable, or
      whose text ``widerspruch.verdict.judge`` reads as an error or a refusal (and that
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
      when that is one of ``widerspruch.labels.LANGUAGES`` (``no``/``nn`` read as
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
    #
    # A page is read in one look (`PageView`): Playwright's accessibility snapshot gives
    # every control's role, name and box, and the label sets are matched against the
    # names here, in Python. The browser is then asked for an element by its exact
    # name, never by a label set's pattern: those join every language and are far too
    # large to be matched element by element in the page, again and again.

    def view(self, page: Page) -> PageView:
        """One look at the page's controls, to ask several questions of."""
        return PageView.of(page)

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
        if _visible(page.locator("input[type=password]")):
            return PageState.LOGIN_WALL
        if labels.code_step.matches(text) and view.has("textbox", labels.code_field):
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
        if labels.ai_question.matches(text) and self._ai_yes_node(page, view) is not None:
            return PageState.AI_QUESTION
        return PageState.UNKNOWN

    def _fields_visible(self, page: Page, view: PageView) -> bool:
        """An email field or a text field (the form's own) is on screen."""
        labels = self.labels
        return (
            view.has("textbox", labels.email)
            or view.has("textbox", labels.justification)
            or _visible(page.locator("textarea, input[type=email]"))
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

    def not_objection_form(self, page: Page, view: PageView | None = None) -> str | None:
        """None when the page is Meta's objection to the use of information for AI;
        otherwise why not, in a sentence for the person."""
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
        return f"this page is not Meta's AI objection form: {shown}"

    def _form_evidence(self, page: Page, view: PageView) -> _FormEvidence:
        anchors = self._anchors(page, view)
        try:
            data: dict[str, Any] = page.evaluate(FORM_EVIDENCE_JS, anchors)
        finally:
            _dispose(anchors)
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
            else _first_visible(page.locator("textarea, input[type=email]"))
        )
        return [
            view.locator(button).element_handle() if button is not None else None,
            field_.element_handle() if field_ is not None else None,
        ]

    def page_language(self, page: Page) -> str | None:
        """The page's language: its ``lang`` attribute, else what its text is written in."""
        declared = str(page.evaluate("document.documentElement.lang || ''"))
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
        emails, justification = self._text_fields(page, view)
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
        )

    def _text_fields(self, page: Page, view: PageView) -> tuple[list[Locator], Locator | None]:
        """The email fields (the main one first, then every "re-enter" one) and the
        text field, among the visible text boxes."""
        labels = self.labels
        boxes = view.find("textbox")
        kinds: list[dict[str, str]] = [
            view.locator(box).evaluate(
                "e => ({tag: e.tagName.toLowerCase(), type: (e.getAttribute('type') || '')"
                ".toLowerCase()})"
            )
            for box in boxes
        ]
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

    # -- acting on the page -------------------------------------------------------

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
        _choose(radio)
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
        for step in range(1, MAX_STEPS + 1):
            controls = self.locate_form(page)
            if controls.send is None and controls.next is None:
                raise FormChanged(["send"] if email_done else ["send", "email"])
            if controls.send is not None and controls.email is None and not email_done:
                raise FormChanged(["email"])
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
            _choose(controls.ai_yes)
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
            _dispose(anchors)
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
                    element.check()
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
                    f"([before, alert]) => ({STEP_SIGNATURE_JS})() !== before"
                    f" || (({ALERT_TEXT_JS})() || alert) !== alert",
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
        password_field = _first_visible(page.locator("input[type=password]"))
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
            account_field = _first_visible(account)
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
                    f"e => !({DISABLED_JS})(e)",
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

    def _country_in_page_language(self, page: Page, code: str) -> str:
        language = self.page_language(page)
        return country_name(code, language or "en")


class _CookieDialogCameBack(Exception):
    """A cookie dialog showed over the form while it was being filled; fill it again."""


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


def _judge(text: str, labels: Labels) -> Verdict:
    from widerspruch.verdict import judge

    return judge(text, labels)


def _plain(text: str) -> str:
    """A country label without flags, codes in brackets or extra spaces, in lower case."""
    text = re.sub(r"\(.*?\)", " ", text)
    return " ".join(re.sub(r"[^\w\s'-]", " ", text).split()).casefold()


def _shorten(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _dispose(handles: list[ElementHandle | None]) -> None:
    for handle in handles:
        if handle is not None:
            handle.dispose()


def _visible(locator: Locator) -> bool:
    return locator.filter(visible=True).count() > 0


def _first_visible(locator: Locator) -> Locator | None:
    visible = locator.filter(visible=True)
    return visible.first if visible.count() else None


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
