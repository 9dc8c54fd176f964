"""A scripted stand-in for the person, for the replay, the demo and the tests.

``StandInPerson`` logs in, solves the checkpoint and types the emailed code when the tool
asks, as a human would, by reading labels and pressing Enter.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from widerspruch.states import PageState
from widerspruch.submit.person import PersonCannotAct, instruction

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from widerspruch.page.flow import Flow


@dataclass
class StandInPerson:
    """A scripted person: does on the page what the tool asks a human to do."""

    password: str = "correct-horse-battery"  # noqa: S105 - the replay's make-believe password
    captcha_answer: str = "W1D3R"
    code: str = "123456"
    approve_email_change: bool = True
    send_again: bool = False  # the answer to "Send it again?" (it may have reached Meta)
    # Asked whether Meta accepted an unclear answer: None cannot be asked (as with --yes).
    judges_unclear_answer_accepted: bool | None = None
    told: list[str] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)
    say: Callable[[str], None] | None = None  # narrate what a person would be told
    # Seconds the person takes before logging in, as a human at a second window does;
    # the page keeps running meanwhile (a wait in the browser, not a sleep).
    login_delay: float = 0.0
    code_delay: float = 0.0  # the same, before typing the emailed code

    def act(self, need: PageState, page: Page, flow: Flow, email: str) -> None:
        self.actions.append(need.value)
        if self.say is not None:
            self.say(f"→ {instruction(need, flow, email)} (the stand-in does it)")
        if need is PageState.LOGIN_WALL:
            if self.login_delay:
                page.wait_for_timeout(self.login_delay * 1000)
            password = page.locator("input[type=password]").filter(visible=True).first
            login_name = (
                password.locator(
                    "xpath=ancestor::form[1]//input[not(@type) or @type='text' or @type='email' "
                    "or @type='tel']"
                )
                .filter(visible=True)
                .first
            )
            login_name.fill(email)
            password.fill(self.password)
            password.press("Enter")
        elif need is PageState.CHECKPOINT:
            page.get_by_role("textbox").filter(visible=True).first.fill(self.captcha_answer)
            page.get_by_role("textbox").filter(visible=True).first.press("Enter")
        elif need is PageState.CODE_STEP:
            if self.code_delay:
                page.wait_for_timeout(self.code_delay * 1000)
            field_ = page.get_by_role("textbox", name=flow.labels.code_field.pattern)
            field_.filter(visible=True).first.fill(self.code)
            field_.filter(visible=True).first.press("Enter")
        else:
            raise PersonCannotAct(f"the stand-in does not know what to do on: {need.value}")

    def review(self, page: Page, flow: Flow) -> None:
        self.actions.append("review")
        flow.send(page)

    def waiting(self, what: str, elapsed: float, timeout: float) -> None:
        pass

    def done_waiting(self) -> None:
        pass

    def confirm(self, question: str) -> bool:
        if question.rstrip().endswith("Send it again?"):
            self.actions.append("send again?")
            return self.send_again
        self.actions.append("confirm")
        return self.approve_email_change

    def judge_answer(self, text: str, screenshot: str | None, company: str) -> bool:
        self.actions.append("judge_answer")
        if self.judges_unclear_answer_accepted is None:
            raise PersonCannotAct(f"the stand-in is not asked to judge {company}'s answer")
        return self.judges_unclear_answer_accepted

    def tell(self, message: str) -> None:
        self.told.append(message)
        if self.say is not None:
            self.say(f"→ {message}")
