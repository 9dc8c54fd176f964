"""A service's own setting that lets it use the person's data, beside its objection form.

Some services offer a switch in their settings as well as (or instead of) a form. A flow
declares it as a ``Setting``; `check --account` reads it (on or off) behind the saved
login, and `submit --also-setting` switches it off, with a screenshot before and after.
Nothing else ever touches it: it is never switched silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from widerspruch.page.labels import Phrases
    from widerspruch.page.view import Node, PageView

# The roles a switch may have on a page.
SWITCH_ROLES = ("switch", "checkbox")
# How long the page may take to show the switch off after the click.
SWITCH_TIMEOUT_MS = 10_000


@dataclass(frozen=True)
class Setting:
    """A switch on the service's settings page: its name as the service writes it (for
    the person), the page's URL, and the switch's accessible name in every language."""

    name: str
    url: str
    label: Phrases

    def node(self, view: PageView) -> Node | None:
        """The switch on the page, or None when the page shows none."""
        return view.first(SWITCH_ROLES, self.label)

    def read(self, view: PageView) -> bool | None:
        """True when it is on, False when off, None when the page shows no such switch."""
        node = self.node(view)
        return None if node is None else node.checked

    def switch_off(self, page: Page, view: PageView) -> bool:
        """Switch it off when it is on, and wait until the page shows it off. False when
        the page shows no such switch (nothing is clicked then)."""
        node = self.node(view)
        if node is None:
            return False
        if not node.checked:
            return True
        switch = view.locator(node)
        switch.click()
        handle = switch.element_handle()
        try:
            page.wait_for_function(
                "el => el.getAttribute('aria-checked') === 'false' || el.checked === false",
                arg=handle,
                timeout=SWITCH_TIMEOUT_MS,
            )
        finally:
            handle.dispose()
        return True
