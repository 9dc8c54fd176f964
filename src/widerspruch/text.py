"""Short forms for records and screens: an error in one line, a URL without its query."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit


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
