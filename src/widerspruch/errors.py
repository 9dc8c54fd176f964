"""Errors that end a command with a one-line message instead of a traceback."""


class UsageError(Exception):
    """Bad input or an unusable environment, found before anything is sent (exit 2)."""

    exit_code = 2
