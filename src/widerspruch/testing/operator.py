"""The batch operator of tests, the benchmark and demos (``widerspruch.batch.operators``
describes the real one)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from widerspruch.batch.items import Choice, Progress, Review


@dataclass
class ScriptedOperator:
    """A stand-in operator for tests, the benchmark and demos: never waits for anyone."""

    choices: list[Choice] = field(default_factory=list)  # answers to Ctrl-C, in turn
    reviews: list[Review] = field(default_factory=list)  # answers on the review list
    go_on: list[bool] = field(default_factory=list)  # answers when the network is down
    handed_over: list[str] = field(default_factory=list)
    asked: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    on_hand_over: Callable[[str], None] | None = None

    def hand_over(self, member_id: str, email: str, services: list[str], number: int) -> None:
        self.handed_over.append(member_id)
        if self.on_hand_over is not None:
            self.on_hand_over(member_id)

    def interrupted(self, member_id: str, service: str, what_happened: str) -> Choice:
        self.asked.append(f"{member_id}/{service}: {what_happened}")
        return self.choices.pop(0) if self.choices else Choice.STOP

    def review(self, member_id: str, service: str, known: list[str]) -> Review:
        self.asked.append(f"{member_id}/{service}: review")
        self.lines.extend(known)
        return self.reviews.pop(0) if self.reviews else Review.LEAVE

    def network_down(self, what: str) -> bool:
        self.asked.append(f"network down: {what}")
        return self.go_on.pop(0) if self.go_on else False

    def progress(self, progress: Progress) -> None:
        self.lines.append(progress.line())

    def say(self, line: str) -> None:
        self.lines.append(line)
