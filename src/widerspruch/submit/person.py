"""The person at the keyboard: told what to do, given time, and asked when in doubt.

The tool never solves a captcha, never enters a code and never types a password for
the person. It says what is needed, shows a live timer, and waits for the page to move.
"""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING, Protocol

from widerspruch.logs import mask_email
from widerspruch.states import PageState

if TYPE_CHECKING:
    from playwright.sync_api import Page
    from rich.console import Console
    from rich.status import Status as Spinner

    from widerspruch.page.flow import Flow


class PersonCannotAct(Exception):
    """The page needs the person, but they cannot reach it (headless, or --yes)."""


class Person(Protocol):
    def act(self, need: PageState, page: Page, flow: Flow, email: str) -> None:
        """The page needs the person (login, checkpoint, code): tell them, once."""

    def review(self, page: Page, flow: Flow) -> None:
        """The form is filled; the person checks it and clicks Send themselves."""

    def waiting(self, what: str, elapsed: float, timeout: float) -> None:
        """Still waiting: update the timer."""

    def done_waiting(self) -> None:
        """The wait is over, whichever way."""

    def confirm(self, question: str) -> bool:
        """Ask a yes/no question; PersonCannotAct if nobody may be asked."""

    def judge_answer(self, text: str, screenshot: str | None, company: str) -> bool:
        """`company` (the flow's) answered, but not clearly: show what it said and ask
        "Did <company> accept your objection?". PersonCannotAct if nobody may be asked
        (--yes, no terminal)."""

    def tell(self, message: str) -> None:
        """Say what is going on (an unknown page, a long wait)."""


INSTRUCTIONS = {
    PageState.LOGIN_WALL: "Log in to {service} in the browser window{for_email}. "
    "widerspruch only types a password you stored with `widerspruch account add`.",
    PageState.CHECKPOINT: "{service} asks you to confirm it's you (a captcha or security "
    "check). Please complete it in the browser window.",
    PageState.CODE_STEP: "{company} has emailed a code to {email}. Type it into the browser "
    "window and continue.",
    PageState.UNKNOWN: "widerspruch does not recognise this {service} page. If it asks "
    "something of you, answer it in the browser window; widerspruch goes on as soon as "
    "it sees the form again.",
}
WAITING_FOR = {
    PageState.LOGIN_WALL: "your login",
    PageState.CHECKPOINT: "the security check",
    PageState.CODE_STEP: "the emailed code",
    PageState.UNKNOWN: "a page widerspruch knows",
}


def instruction(need: PageState, flow: Flow, email: str) -> str:
    return INSTRUCTIONS[need].format(
        service=flow.display_name,
        company=flow.company,
        email=mask_email(email),
        for_email=f" (as {mask_email(email)})" if email else "",
    )


def clock(seconds: float) -> str:
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes}:{rest:02d}"


class ConsolePerson:
    """A real person at a terminal. Everything goes to stderr, so --json stays clean."""

    def __init__(self, *, headless: bool, assume_yes: bool, console: Console | None = None) -> None:
        from rich.console import Console

        self.headless = headless
        self.assume_yes = assume_yes
        self.console = console or Console(stderr=True, highlight=False)
        self._spinner: Spinner | None = None
        self._last_plain_line = 0.0

    def act(self, need: PageState, page: Page, flow: Flow, email: str) -> None:
        if self.headless:
            raise PersonCannotAct(
                f"{flow.display_name} needs you ({WAITING_FOR[need]}), but the browser is "
                "headless: run without --headless, or attach with --cdp to a browser where "
                "you are logged in"
            )
        self.console.print(f"[bold]→ {instruction(need, flow, email)}[/bold]")

    def review(self, page: Page, flow: Flow) -> None:
        if self.headless:
            raise PersonCannotAct("--review needs a visible browser: drop --headless")
        self.console.print(
            f"[bold]→ The {flow.display_name} form is filled in. Check it, then click "
            "Send yourself in the browser window.[/bold]"
        )

    def waiting(self, what: str, elapsed: float, timeout: float) -> None:
        text = f"Waiting for {what}: {clock(elapsed)} of {clock(timeout)} (Ctrl-C to stop)"
        if self.console.is_terminal:
            if self._spinner is None:
                self._spinner = self.console.status(text)
                self._spinner.start()
            else:
                self._spinner.update(text)
        elif time.monotonic() - self._last_plain_line >= 30 or elapsed < 1:
            # No terminal (a log file, cron): a line now and then, not a spinner.
            self._last_plain_line = time.monotonic()
            self.console.print(text)

    def done_waiting(self) -> None:
        if self._spinner is not None:
            self._spinner.stop()
            self._spinner = None

    def confirm(self, question: str) -> bool:
        if self.assume_yes or not sys.stdin.isatty():
            raise PersonCannotAct(f"{question} (a question needs an answer; --yes never asks)")
        from rich.prompt import Confirm

        return Confirm.ask(question, console=self.console, default=False)

    def judge_answer(self, text: str, screenshot: str | None, company: str) -> bool:
        if self.assume_yes or not sys.stdin.isatty():
            raise PersonCannotAct(f"{company}'s answer is unclear, and --yes never asks")
        from rich.markup import escape
        from rich.prompt import Confirm

        shown = " ".join(text.split())[:600] or "(the page shows no new text)"
        self.console.print(
            f"[bold]→ {escape(company)} answered, but widerspruch cannot tell if it accepted.[/]"
        )
        self.console.print(f"  The page says: “{escape(shown)}”")
        if screenshot:
            self.console.print(f"  Screenshot: {escape(screenshot)}")
        return Confirm.ask(
            f"Did {escape(company)} accept your objection? (your answer is recorded as yours)",
            console=self.console,
            default=False,
        )

    def tell(self, message: str) -> None:
        from rich.markup import escape

        self.console.print(f"→ {escape(message)}")
