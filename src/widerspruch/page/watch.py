"""The Watch base class: a service without an objection form, watched until one appears."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from widerspruch.page.flow import Flow
from widerspruch.page.labels import Phrases
from widerspruch.page.scripts import LINK_TARGET_JS

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page


@dataclass(frozen=True)
class Offer:
    """Where a page offers an objection: the control's name, and where it leads."""

    text: str
    url: str


class Watch(Flow):
    """A service that has no objection form yet. Subclass it in ``flows/<service>.py``.

    `widerspruch check` visits the watched pages and reports ``no_form`` until one of them
    offers an objection, then ``form_found`` with the link, so that a flow can be written.
    A watch is a `Flow` without a form: it declares ``service``, ``display_name``,
    ``hosts`` and ``labels`` as a flow does (see `Flow`), and instead of ``form_urls``:

    ``watch_urls``
        The pages where Meta would offer an objection for this service, most likely first.
    ``objection``
        A label set (``widerspruch.page.labels.Phrases``) that recognises a link, button or
        heading offering an objection to AI training, in every language of the labels.

    Watches are listed in ``REGISTRY.watches`` in ``flows/__init__.py``, apart from the flows:
    there is nothing to submit yet. Nothing on a watched page is ever clicked.
    """

    form_urls: ClassVar[tuple[str, ...]] = ()
    watch_urls: ClassVar[tuple[str, ...]]
    objection: ClassVar[Phrases]

    def offers(self, page: Page) -> list[Offer]:
        """Every visible link, button or heading on `page` that offers an objection."""
        pattern = self.objection.pattern
        controls = (
            page.get_by_role("link", name=pattern)
            .or_(page.get_by_role("button", name=pattern))
            .or_(page.get_by_role("heading", name=pattern))
            .filter(visible=True)
        )
        return [self._offer(page, controls.nth(index)) for index in range(controls.count())]

    def _offer(self, page: Page, control: Locator) -> Offer:
        text = " ".join((control.text_content() or "").split())
        label = control.get_attribute("aria-label")
        href = control.evaluate(LINK_TARGET_JS)
        return Offer(text=label or text, url=str(href) or page.url)
