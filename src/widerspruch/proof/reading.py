"""What an email from Meta says about an objection: accepted, refused, more information
asked for, or nothing of the kind.

The words are in ``widerspruch.page.wording`` (``reply_*`` and ``mail_*``, per
language); the email is read sentence by sentence, in every language at once. A
security alert or a login code is never an answer, whatever else it says. Otherwise
the email must speak of an objection and of AI, and say one of three things: refusal
wins over a request for more information, which wins over acceptance ("we received
your objection; unfortunately we cannot act on it" is a refusal). A sentence about
what might happen ("If we need more information, ...") says nothing of this answer.
Anything else is not Meta's answer, and the reason says what it looked like.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from widerspruch.errors import UsageError
from widerspruch.page.labels import META_LABELS, Labels, Phrases, normalise
from widerspruch.page.verdict import sentences
from widerspruch.states import Status

READ_LIMIT = 50_000


class ReplyMismatch(UsageError):
    """The email is not Meta's answer to this objection; the message says why."""


@dataclass(frozen=True)
class Reading:
    """What a reply says, and the words that said it."""

    status: Status
    phrase: str | None  # the matched words

    def summary(self) -> str:
        said = f': "{self.phrase}"' if self.phrase else ""
        return {
            Status.REJECTED: "Meta refuses the objection",
            Status.INFO_REQUESTED: "Meta asks for more information",
        }.get(self.status, "Meta acknowledges the objection") + said


def _first(phrases: Phrases, said: list[str]) -> str | None:
    for sentence in said:
        found = phrases.rx.search(sentence)
        if found:
            return found.group(0)
    return None


def read_reply(subject: str, body: str, labels: Labels = META_LABELS) -> Reading:
    """The answer in an email's subject and text, or ReplyMismatch saying why it is none.

    Only the first READ_LIMIT characters are read: an answer comes first, before any
    quoted thread, and every phrase set searches all languages at once, which takes
    about a minute for a megabyte of text."""
    try:
        return _read(f"{subject}\n\n{body}"[:READ_LIMIT], labels)
    except ReplyMismatch as mismatch:
        if len(subject) + 2 + len(body) <= READ_LIMIT:
            raise
        raise ReplyMismatch(f"{mismatch} (of its first {READ_LIMIT:,} characters)") from None


def _read(text: str, labels: Labels) -> Reading:
    every = [normalise(s) for s in sentences(text)]
    said = [s for s in every if not labels.conditional.rx.search(s)]
    for phrases, what in (
        (labels.mail_security, "a security alert"),
        (labels.mail_code, "a login or confirmation code"),
    ):
        found = _first(phrases, every)
        if found:
            raise ReplyMismatch(f'the email is {what} ("{found}"), not an answer to an objection')
    whole = " ".join(every)
    if not (labels.objection.rx.search(whole) and labels.ai.rx.search(whole)):
        notice = _first(labels.mail_notice, every)
        looks = f'; it reads as marketing or a notification ("{notice}")' if notice else ""
        raise ReplyMismatch(
            f"the email does not speak of an objection to the use of information for AI{looks}"
        )
    for status, phrases in (
        (Status.REJECTED, labels.reply_refused),
        (Status.INFO_REQUESTED, labels.reply_info),
        (Status.ACKNOWLEDGED, labels.reply_accepted),
    ):
        found = _first(phrases, said)
        if found:
            return Reading(status, re.sub(r"\s+", " ", found).strip())
    raise ReplyMismatch(
        "the email speaks of the objection but neither accepts nor refuses it, nor asks "
        "for more information"
    )
