"""Short forms for records and screens: an error in one line, a URL without its query, a
time as the person reads it."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlsplit, urlunsplit

TIME_FORMAT = "%Y-%m-%d %H:%M %Z"  # the one way a time is shown in the terminal


def local_time(moment: str | datetime | None) -> str:
    """A time as the person reads it: local, with the zone (`2026-12-02 08:15 CET`).
    JSON keeps the ledger's ISO 8601 in UTC; this is only for the terminal (and for
    messages that reach it)."""
    if not moment:
        return ""
    try:
        when = moment if isinstance(moment, datetime) else datetime.fromisoformat(moment)
    except ValueError:
        return str(moment)
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)  # the ledger writes UTC
    return when.astimezone().strftime(TIME_FORMAT)


def first_line(error: BaseException | str) -> str:
    """An error's message as one line: its first line, or its type's name when it says
    nothing."""
    fallback = "" if isinstance(error, str) else type(error).__name__
    return (str(error).strip().splitlines() or [fallback])[0]


def without_query(url: str) -> str:
    """`url` without query and fragment: they can carry tokens, and the path says which
    page or endpoint it was. A URL without a host is returned as it is."""
    parts = urlsplit(url)
    if not parts.netloc:
        return url
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
