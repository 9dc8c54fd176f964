"""Logging, configured in one place: JSON lines in the data dir's log file, and friendly
lines on stderr only with --verbose. What the person must read goes through `tell`: one
plain sentence on stderr, and an event in the log file.

Email addresses are masked in every event, and values under secret-sounding keys are
dropped: passwords, cookies and session tokens never reach a log.
"""

from __future__ import annotations

import logging
import os
import re
import sys
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

import structlog

LOG_FILE = "widerspruch.log"
# An address as people write them (RFC 6531): any letters in the local part and the
# domain (combining accents too), the domain as Unicode or as IDNA's xn-- labels, with
# the dots IDNA reads as dots. A quoted local part ("jana doe"@...) is one too.
_MARKS = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
_ATOM = rf"[\w{_MARKS}.!#$%&'*+/=?^`{{|}}~-]"
_QUOTED = r'"[^"\\\r\n]*(?:\\.[^"\\\r\n]*)*"'
_DOT = "[.\u3002\uff0e\uff61]"
_LABEL = rf"[\w{_MARKS}-]+"
_TOP = rf"(?:xn--[a-z0-9-]+|[^\W\d_](?:[^\W\d_]|[{_MARKS}])+)"
EMAIL = re.compile(
    rf"(?<!{_ATOM})(?P<local>{_QUOTED}|{_ATOM}+)@(?P<domain>(?:{_LABEL}{_DOT})+{_TOP})",
    re.IGNORECASE,
)
# A phone number with country code, as typed (+49 151 12345678) or in E.164.
PHONE = re.compile(r"\+([1-9][0-9]?)[0-9 ().-]{5,18}([0-9]{2})(?![0-9])")
SECRET_KEY = re.compile(r"pass|cookie|token|secret|session|fb_dtsg|lsd|^xs$|c_user|csrf", re.I)


def mask_email(text: str) -> str:
    """j***@example.org for jana@example.org, and j***@müller.de for jürgen@müller.de."""
    return EMAIL.sub(_masked_address, text)


def _masked_address(match: re.Match[str]) -> str:
    local = match["local"]
    shown = '"***"' if local.startswith('"') else f"{local[0]}***"
    return f"{shown}@{match['domain']}"


def mask_phone(text: str) -> str:
    """+49***78 for +4915112345678."""
    return PHONE.sub(r"+\1***\2", text)


def mask_contacts(text: str) -> str:
    """Email addresses and phone numbers, masked."""
    return mask_phone(mask_email(text))


def _mask(value: Any) -> Any:
    if isinstance(value, str):
        return mask_contacts(value)
    if isinstance(value, dict):
        return {k: _mask(v) for k, v in value.items() if not SECRET_KEY.search(str(k))}
    if isinstance(value, list | tuple):
        return type(value)(_mask(v) for v in value)
    return value


def redact(_: Any, __: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """structlog processor: drop secrets, mask email addresses."""
    return {key: _mask(value) for key, value in event_dict.items() if not SECRET_KEY.search(key)}


SHARED_PROCESSORS: list[Any] = [
    structlog.contextvars.merge_contextvars,
    structlog.processors.add_log_level,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
    redact,
]


# Libraries whose records would reach stderr through Python's last-resort handler.
_LIBRARY_LOGGERS = ("asyncio", "playwright")


def configure(data_dir: Path | None, *, verbose: bool = False) -> None:
    """Send events to the log file in `data_dir` (if it can be written) and, with
    `verbose`, to stderr as well. Without either, events go nowhere."""
    handlers: list[logging.Handler] = []
    if verbose:
        console = logging.StreamHandler()
        console.setLevel(logging.DEBUG)
        console.setFormatter(
            structlog.stdlib.ProcessorFormatter(
                processors=[
                    structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                    structlog.dev.ConsoleRenderer(colors=False, exception_formatter=_one_line),
                    _mask_line,
                ],
                foreign_pre_chain=SHARED_PROCESSORS,
            )
        )
        handlers.append(console)
    file_handler = _file_handler(data_dir) if data_dir is not None else None
    if file_handler is not None:
        file_handler.setLevel(logging.INFO)
        file_handler.setFormatter(
            structlog.stdlib.ProcessorFormatter(
                processors=[
                    structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                    structlog.processors.dict_tracebacks,
                    # Addresses as written, so that the line's own masking can read them.
                    structlog.processors.JSONRenderer(ensure_ascii=False),
                    _mask_line,
                ],
                foreign_pre_chain=SHARED_PROCESSORS,
            )
        )
        handlers.append(file_handler)
    if not handlers:
        # Without any, Python's last-resort handler would print warnings on stderr.
        handlers.append(logging.NullHandler())
    root = logging.getLogger("widerspruch")
    libraries = [logging.getLogger(name) for name in _LIBRARY_LOGGERS]
    # Every handler an earlier call set up is closed here, wherever it still hangs: one
    # left only on a library's logger would keep the log file open.
    for old in {*root.handlers, *(h for log in libraries for h in log.handlers), *_installed}:
        root.removeHandler(old)
        old.close()
    _installed[:] = handlers
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    root.propagate = False
    # Ctrl-C and SIGTERM reach Playwright's driver too: asyncio then reports the futures
    # it left ("Future exception was never retrieved"), and Playwright an answer to a call
    # that was given up ("Error occurred in event listener"), both with a traceback. For
    # the log file, not the person.
    for log in libraries:
        log.handlers = list(handlers)  # the file, and stderr only with --verbose
        log.propagate = False
    structlog.configure(
        processors=[*SHARED_PROCESSORS, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )


# The handlers the last call set up, to be closed by the next.
_installed: list[logging.Handler] = []


def _mask_line(_: Any, __: str, line: Any) -> Any:
    # Last, on the line as written (typed as structlog types any processor's input):
    # also what no event field held, such as a traceback's text.
    return mask_contacts(line) if isinstance(line, str) else line


def _file_handler(data_dir: Path) -> logging.Handler | None:
    """The log file, owner-only; None if it cannot be written (a read-only data dir must
    not stop `receipt` or `log` from reading it)."""
    log_file = data_dir / LOG_FILE
    try:
        if not log_file.exists():
            os.close(os.open(log_file, os.O_CREAT | os.O_WRONLY, 0o600))  # owner-only
        return logging.FileHandler(log_file, encoding="utf-8")
    except OSError:
        return None


def tell(message: str, **context: Any) -> None:
    """A sentence the person should read: one plain line on stderr (never a log line with
    a timestamp and level), and the same as an event in the log file."""
    get_logger().info(message, told=True, **context)
    sys.stderr.write(mask_contacts(message) + "\n")
    sys.stderr.flush()


def _one_line(sio: Any, exc_info: Any) -> None:
    # Tracebacks belong in the log file, not in front of the person.
    sio.write(f"\n{exc_info[0].__name__}: {exc_info[1]}")


def get_logger(name: str = "widerspruch") -> Any:
    return structlog.get_logger(name)


# Until a command configures logging, events go nowhere: structlog's default would print
# every event, info included, on stdout.
configure(None)
