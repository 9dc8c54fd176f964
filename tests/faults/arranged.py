"""Faults shared by the submit, batch and check suites."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest
from playwright.sync_api import Page

from widerspruch.page.flow import Flow
from widerspruch.states import PageState
from widerspruch.testing.person import StandInPerson


class Vanishing(StandInPerson):
    """A person who closes the tab (or the whole window) at one step; with `only`, only
    while working for that email address."""

    def __init__(self, at: PageState, what: str, only: str | None = None) -> None:
        super().__init__()
        self.at, self.what, self.only = at, what, only

    def act(self, need: PageState, page: Page, flow: Flow, email: str) -> None:
        if need is self.at and self.only in (None, email):
            self.actions.append(f"{self.what}@{need.value}")
            if self.what == "tab":
                page.close()
            else:
                page.context.close()
            return
        super().act(need, page, flow, email)


def fill_the_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every file written with Path.write_bytes from now on meets a full disk."""

    def full(self: Path, data: bytes) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Path, "write_bytes", full)
