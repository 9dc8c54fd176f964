"""The operator: the NGO's staff member at the desk, who hands the keyboard to each
member, answers Ctrl-C and decides on the review list. At a terminal, `ConsoleOperator`;
in tests and benchmarks, ``widerspruch.testing.operator.ScriptedOperator``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from widerspruch.batch.items import Choice, Progress, Review
from widerspruch.logs import mask_email

if TYPE_CHECKING:
    from rich.console import Console


class Operator(Protocol):
    """The NGO's staff member at the desk, who hands the keyboard to each member."""

    def hand_over(self, member_id: str, email: str, services: list[str], number: int) -> None:
        """Say who is next; wait until they have the keyboard (Ctrl-C: the menu)."""

    def interrupted(self, member_id: str, service: str, what_happened: str) -> Choice:
        """Ctrl-C during a member: skip this member, retry, or stop the batch?"""

    def review(self, member_id: str, service: str, known: list[str]) -> Review:
        """An objection that may have reached Meta, and what is known about it: send it
        again (the member needs the keyboard), leave it, or record what the member says?"""

    def network_down(self, what: str) -> bool:
        """Members in a row could not reach Meta (`what` says why): go on with the next
        member once the connection is back (True), or stop the batch (False)?"""

    def progress(self, progress: Progress) -> None:
        """After each member."""

    def say(self, line: str) -> None:
        """Anything else the operator should read."""


class ConsoleOperator:
    """The operator at a terminal; everything on stderr, so --json stays clean."""

    def __init__(self, *, assume_yes: bool, console: Console | None = None) -> None:
        from rich.console import Console

        self.assume_yes = assume_yes
        self.console = console or Console(stderr=True, highlight=False)

    def hand_over(self, member_id: str, email: str, services: list[str], number: int) -> None:
        self.console.print(
            f"[bold]Next: member {member_id}[/bold] ({mask_email(email)}), {', '.join(services)}",
            markup=True,
        )
        if self.assume_yes:
            return
        self.console.input(f"Hand the keyboard to member {member_id} and press Enter ")

    def interrupted(self, member_id: str, service: str, what_happened: str) -> Choice:
        from rich.prompt import Prompt

        self.console.print(f"Stopped: member {member_id}, {service}: {what_happened}")
        answer = Prompt.ask(
            "Skip this member, retry, or stop the batch?",
            choices=[c.value for c in Choice],
            default=Choice.STOP.value,
            console=self.console,
        )
        return Choice(answer)

    def review(self, member_id: str, service: str, known: list[str]) -> Review:
        from rich.prompt import Prompt

        self.console.print(f"To review: member {member_id}, {service}", markup=False)
        for line in known:
            self.console.print(f"  {line}", markup=False, soft_wrap=True)
        answer = Prompt.ask(
            f"Send it again (member {member_id} needs the keyboard), leave it, or does the "
            "member say they objected before?",
            choices=[r.value for r in Review],
            default=Review.LEAVE.value,
            console=self.console,
        )
        return Review(answer)

    def network_down(self, what: str) -> bool:
        from rich.prompt import Confirm

        self.console.print(what, markup=False, soft_wrap=True)
        return Confirm.ask(
            "Paused. Go on with the next member once the connection is back?",
            default=False,
            console=self.console,
        )

    def progress(self, progress: Progress) -> None:
        # A plain line, never wrapped or redrawn: readable in any terminal or log file.
        self.console.print(progress.line(), markup=False, soft_wrap=True)

    def say(self, line: str) -> None:
        self.console.print(line, markup=False, soft_wrap=True)
