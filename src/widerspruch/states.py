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
    # Meta's answer was unclear and the person, looking at it, said Meta accepted it.
    # Never Meta's confirmation: always shown as the person's decision.
    CONFIRMED_BY_PERSON = "confirmed_by_person"
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
        return self in (
            Status.CONFIRMED,
            Status.CONFIRMED_BY_PERSON,
            Status.ALREADY_CONFIRMED,
            Status.ACKNOWLEDGED,
        )

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
        return (
            self in (Status.SUBMITTING, Status.SUBMITTED_UNCONFIRMED, Status.CONFIRMED_BY_PERSON)
            or self.was_confirmed
        )


# -- the state machine: the one place that says which status may follow which --------------
# The ledger enforces it (widerspruch.ledger.Ledger.set_status): every change is a
# compare-and-set from the status read, and a change out of a claim state is made only by
# the run that holds the claim. A new objection starts in IN_PROGRESS, by a claim.

# The states of a running objection: a claim with an owner, one per account and service.
CLAIM_STATES = frozenset({Status.IN_PROGRESS, Status.SUBMITTING})
# What Meta's reply email may make of an objection (`widerspruch confirm`).
REPLY_STATES = frozenset({Status.ACKNOWLEDGED, Status.REJECTED, Status.INFO_REQUESTED})

TRANSITIONS: dict[Status, frozenset[Status]] = {
    # Rows of widerspruch before claims existed.
    Status.PENDING: frozenset({Status.CANCELLED}),
    # Before Send: nothing has left the browser, so never confirmed and never "maybe sent".
    Status.IN_PROGRESS: frozenset(
        {Status.SUBMITTING, Status.FAILED, Status.UNAVAILABLE, Status.TIMED_OUT, Status.CANCELLED}
    ),
    # Send is (about to be) clicked: every outcome is possible. Again SUBMITTING: the
    # owner notes the click once more (a form that asks twice); the claim stays.
    Status.SUBMITTING: frozenset(
        {
            Status.SUBMITTING,
            Status.CONFIRMED,
            Status.CONFIRMED_BY_PERSON,
            Status.SUBMITTED_UNCONFIRMED,
            Status.FAILED,
            Status.UNAVAILABLE,
            Status.TIMED_OUT,
            Status.CANCELLED,
        }
        | REPLY_STATES
    ),
    # Maybe sent: only the person's word or Meta's email settles it, never a run.
    Status.SUBMITTED_UNCONFIRMED: frozenset({Status.CONFIRMED_BY_PERSON} | REPLY_STATES),
    # A failure after Meta answered the submission may still have reached Meta.
    Status.FAILED: frozenset({Status.CONFIRMED_BY_PERSON} | REPLY_STATES),
    # Confirmed stays confirmed: Meta's later email adds to it, nothing takes it back.
    Status.CONFIRMED: REPLY_STATES,
    Status.CONFIRMED_BY_PERSON: REPLY_STATES,
    Status.ACKNOWLEDGED: REPLY_STATES,
    Status.REJECTED: REPLY_STATES,
    Status.INFO_REQUESTED: REPLY_STATES,
    # Ended for good: another try is a new objection.
    Status.UNAVAILABLE: frozenset(),
    Status.TIMED_OUT: frozenset(),
    Status.CANCELLED: frozenset(),
    # Only ever a run's report ("confirmed before"), never a stored status.
    Status.ALREADY_CONFIRMED: frozenset(),
}


def may_follow(old: Status, new: Status) -> bool:
    """May an objection in `old` move to `new`?"""
    return new in TRANSITIONS[old]
