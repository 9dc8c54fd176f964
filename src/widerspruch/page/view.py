"""How a page is seen: its elements by role and by name, as a person (or a screen reader)
reads them, in one look (Playwright's accessibility snapshot)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.sync_api import ElementHandle, Locator, Page

    from widerspruch.page.labels import Phrases

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


def visible(locator: Locator) -> bool:
    """Is one of the elements `locator` finds on screen?"""
    return locator.filter(visible=True).count() > 0


def first_visible(locator: Locator) -> Locator | None:
    on_screen = locator.filter(visible=True)
    return on_screen.first if on_screen.count() else None


def dispose(handles: list[ElementHandle | None]) -> None:
    """Let the page forget the elements handed out (an anchor not found is None)."""
    for handle in handles:
        if handle is not None:
            handle.dispose()
