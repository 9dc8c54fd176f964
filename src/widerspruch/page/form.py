"""What a form is asked to say and what was put into it, its controls as found, and
why it could not be filled (the ``FormError`` family)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Locator

    from widerspruch.page.labels import Phrases


@dataclass(frozen=True)
class Detail:
    """A field a flow's form asks for beyond email, country and text (see `Flow.details`):
    the key it has in `ObjectionRequest.details` (and the ``--<key>`` option that gives
    it), the label set that finds its text box, whether the flow needs it, and its kind
    (``"text"``, or ``"phone"``: an E.164 number, checked and masked as such)."""

    key: str
    label: Phrases
    help: str
    required: bool = True
    kind: str = "text"


@dataclass(frozen=True)
class ObjectionRequest:
    """What one objection says: whose account, where they live, and the text, with the
    flow's own details (name, phone, …) by key."""

    email: str
    country: str  # ISO 3166-1 alpha-2
    justification: str
    details: Mapping[str, str] = field(default_factory=dict)


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
    details: Mapping[str, Locator] = field(default_factory=dict)  # by `Detail.key`

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
    details: list[str] = field(default_factory=list)  # the keys of the details typed in


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
