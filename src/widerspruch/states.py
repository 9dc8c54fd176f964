"""The names of every page state a person can meet, and every outcome we record."""

from enum import StrEnum


class PageState(StrEnum):
    """Where the browser is, judged by what the page shows (not by its URL)."""

    COOKIE_BANNER = "cookie_banner"
    LOGIN_WALL = "login_wall"
    CHECKPOINT = "checkpoint"  # captcha, 2FA, "confirm it's you"
    CODE_STEP = "code_step"  # the emailed one-time code after Send (2024 form)
    AI_QUESTION = "ai_question"  # "Is your request related to AI at Meta?" alone
    FORM = "form"
    CONFIRMATION = "confirmation"
    ERROR = "error"
    UNAVAILABLE = "unavailable"
    UNKNOWN = "unknown"

    @property
    def needs_person(self) -> bool:
        return self in PERSON_STATES


PERSON_STATES = frozenset({PageState.LOGIN_WALL, PageState.CHECKPOINT, PageState.CODE_STEP})
# An unrecognised page goes to the person too, but only after it failed to move on.


class Status(StrEnum):
    """An objection's state in the ledger. The last seven are what `submit` reports."""

    PENDING = "pending"
    IN_PROGRESS = "in_progress"
    # Committed before Send is clicked: a crash after this point may have sent it.
    SUBMITTING = "submitting"
    CONFIRMED = "confirmed"
    ALREADY_CONFIRMED = "already_confirmed"
    SUBMITTED_UNCONFIRMED = "submitted_unconfirmed"
    FAILED = "failed"
    UNAVAILABLE = "unavailable"
    TIMED_OUT = "timed_out"
    CANCELLED = "cancelled"
    # After Meta's reply email was imported (`widerspruch confirm`).
    ACKNOWLEDGED = "acknowledged"
    REJECTED = "rejected"
    INFO_REQUESTED = "info_requested"

    @property
    def is_success(self) -> bool:
        return self in (Status.CONFIRMED, Status.ALREADY_CONFIRMED, Status.ACKNOWLEDGED)

    @property
    def was_confirmed(self) -> bool:
        """Meta confirmed it on the page (and may have replied since)."""
        return self in (
            Status.CONFIRMED,
            Status.ACKNOWLEDGED,
            Status.REJECTED,
            Status.INFO_REQUESTED,
        )

    @property
    def may_have_been_sent(self) -> bool:
        """A record in this state must not be resent without --force."""
        return self in (Status.SUBMITTING, Status.SUBMITTED_UNCONFIRMED) or self.was_confirmed
