"""Logging, configured in one place: friendly lines on stderr, JSON lines in the data dir.

Email addresses are masked in every event, and values under secret-sounding keys are
dropped: passwords, cookies and session tokens never reach a log.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

import structlog

LOG_FILE = "widerspruch.log"
EMAIL = re.compile(r"([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})")
SECRET_KEY = re.compile(r"pass|cookie|token|secret|session|fb_dtsg|lsd|^xs$|c_user|csrf", re.I)


def mask_email(text: str) -> str:
    """j***@example.org for jana@example.org."""
    return EMAIL.sub(r"\1***@\2", text)


def _mask(value: Any) -> Any:
    if isinstance(value, str):
        return mask_email(value)
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


def configure(data_dir: Path | None, *, verbose: bool = False) -> None:
    """Send events to stderr (warnings, or everything with `verbose`) and to the log file."""
    handlers: list[logging.Handler] = []
    console = logging.StreamHandler()
    console.setLevel(logging.DEBUG if verbose else logging.WARNING)
    console.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.dev.ConsoleRenderer(colors=False, exception_formatter=_one_line),
            ],
            foreign_pre_chain=SHARED_PROCESSORS,
        )
    )
    handlers.append(console)
    if data_dir is not None:
        log_file = data_dir / LOG_FILE
        if not log_file.exists():
            os.close(os.open(log_file, os.O_CREAT | os.O_WRONLY, 0o600))  # owner-only
        file_handler = logging.FileHandler(log_file, encoding="utf-8")
        file_handler.setLevel(logging.INFO)
        file_handler.setFormatter(
            structlog.stdlib.ProcessorFormatter(
                processors=[
                    structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                    structlog.processors.dict_tracebacks,
                    structlog.processors.JSONRenderer(),
                ],
                foreign_pre_chain=SHARED_PROCESSORS,
            )
        )
        handlers.append(file_handler)
    root = logging.getLogger("widerspruch")
    for old in list(root.handlers):
        root.removeHandler(old)
        old.close()
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    root.propagate = False
    structlog.configure(
        processors=[*SHARED_PROCESSORS, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )


def _one_line(sio: Any, exc_info: Any) -> None:
    # Tracebacks belong in the log file, not in front of the person.
    sio.write(f"\n{exc_info[0].__name__}: {exc_info[1]}")


def get_logger(name: str = "widerspruch") -> Any:
    return structlog.get_logger(name)
