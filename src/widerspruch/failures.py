"""Plain words for what goes wrong between this computer and Meta, in one place.

Playwright's errors (``Page.goto: net::ERR_NAME_NOT_RESOLVED at …``, ``BrowserType.launch:
Target page, context or browser has been closed``) mean nothing to most people. Every
place that meets one hands it here and gets a `Failure`: a stable reason code for the
ledger, reports and JSON, and a message that says what happened and what to do next. The
raw error goes to the log file only.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from urllib.parse import urlsplit

from widerspruch.logs import get_logger
from widerspruch.text import first_line

log = get_logger("widerspruch.failures")


class Reason(StrEnum):
    """Stable codes: stored in the ledger and printed in JSON, so never renamed."""

    NO_CONNECTION = "no_connection"
    NAME_NOT_RESOLVED = "name_not_resolved"
    CONNECTION_FAILED = "connection_failed"
    NETWORK_TIMED_OUT = "network_timed_out"
    PROXY = "proxy"
    CAPTIVE_PORTAL = "captive_portal"
    BLOCKED_HOST = "blocked_host"
    PAGE_TIMED_OUT = "page_timed_out"
    BROWSER_CLOSED = "browser_closed"
    NO_DISPLAY = "no_display"
    BROWSER_MISSING = "browser_missing"
    BROWSER_NOT_EXECUTABLE = "browser_not_executable"
    BROWSER_CRASHED = "browser_crashed"
    PAGE_ERROR = "page_error"  # anything else the page or browser said


# Reasons that say Meta could not be reached at all: the batch counts these.
NETWORK = frozenset(
    {
        Reason.NO_CONNECTION,
        Reason.NAME_NOT_RESOLVED,
        Reason.CONNECTION_FAILED,
        Reason.NETWORK_TIMED_OUT,
        Reason.PROXY,
        Reason.CAPTIVE_PORTAL,
    }
)

# Chromium's net:: error names, by what they mean for the person.
_NET_ERRORS: dict[Reason, tuple[str, ...]] = {
    Reason.NO_CONNECTION: (
        "INTERNET_DISCONNECTED",
        "NETWORK_CHANGED",
        "ADDRESS_UNREACHABLE",
        "NETWORK_ACCESS_DENIED",
    ),
    Reason.NAME_NOT_RESOLVED: ("NAME_NOT_RESOLVED", "NAME_RESOLUTION_FAILED"),
    Reason.NETWORK_TIMED_OUT: ("TIMED_OUT", "CONNECTION_TIMED_OUT"),
    Reason.PROXY: ("PROXY_", "TUNNEL_CONNECTION_FAILED", "MANDATORY_PROXY_CONFIGURATION"),
    # A sign-in page of a public Wi-Fi answers in Meta's place, with its own certificate.
    Reason.CAPTIVE_PORTAL: ("CERT_", "SSL_PROTOCOL_ERROR", "BAD_SSL_CLIENT_AUTH_CERT"),
    Reason.BLOCKED_HOST: ("BLOCKED_BY_CLIENT", "BLOCKED_BY_ADMINISTRATOR", "BLOCKED_BY_RESPONSE"),
    Reason.CONNECTION_FAILED: (
        "CONNECTION_REFUSED",
        "CONNECTION_RESET",
        "CONNECTION_CLOSED",
        "CONNECTION_FAILED",
        "CONNECTION_ABORTED",
        "EMPTY_RESPONSE",
    ),
}
_NET_ERROR = re.compile(r"net::ERR_([A-Z_]+)")
_TIMEOUT = re.compile(r"Timeout (\d+)ms exceeded")
_CLOSED = ("has been closed", "Browser closed", "Target closed", "browser has disconnected")
_NO_X = ("XServer", "X server", "Missing X server", "cannot open display")

_ONLINE = "check that this computer is online (Wi-Fi or cable), then run the command again"
_PORTAL = (
    "if you are on a public Wi-Fi (hotel, train, café), open any website in your usual "
    "browser and sign in to the network first, then run the command again"
)
_NAME_A_BROWSER = (
    "name a working Chromium or Chrome with --browser PATH or WIDERSPRUCH_BROWSER, or "
    "install one (Debian/Ubuntu: sudo apt-get install chromium)"
)


@dataclass(frozen=True)
class Failure:
    """What went wrong, as a stable code and as plain words with what to do next."""

    reason: Reason
    message: str

    @property
    def network(self) -> bool:
        """Meta could not be reached at all (not: Meta answered something unexpected)."""
        return self.reason in NETWORK


def explain(error: BaseException | str, *, url: str | None = None) -> Failure:
    """The plain words for an error met while loading or using a page. The raw text goes
    to the log file, never into the message."""
    raw = error if isinstance(error, str) else str(error)
    host = _host(url) or _host_in(raw) or "Meta's page"
    failure = _page_failure(raw, host)
    log.info("browser_error", reason=failure.reason.value, raw=first_line(raw), url=url)
    return failure


def is_browser_gone(error: BaseException | str) -> bool:
    raw = error if isinstance(error, str) else str(error)
    return any(mark in raw for mark in _CLOSED)


def _page_failure(raw: str, host: str) -> Failure:
    net = _NET_ERROR.search(raw)
    if net is not None:
        reason = _net_reason(net.group(1))
        return Failure(reason, _net_message(reason, host))
    timeout = _TIMEOUT.search(raw)
    if timeout is not None:
        seconds = int(timeout.group(1)) / 1000
        return Failure(
            Reason.PAGE_TIMED_OUT,
            f"{host} did not finish loading within {seconds:g} seconds: the connection may "
            f"be slow or Meta busy; try again in a few minutes ({_PORTAL})",
        )
    if is_browser_gone(raw):
        return Failure(
            Reason.BROWSER_CLOSED,
            "the browser closed or crashed before the page was done; run the command again",
        )
    return Failure(
        Reason.PAGE_ERROR,
        f"the page on {host} stopped responding; run the command again (the log file says more)",
    )


def _net_reason(name: str) -> Reason:
    for reason, names in _NET_ERRORS.items():
        if any(
            name == known or (known.endswith("_") and name.startswith(known)) for known in names
        ):
            return reason
    return Reason.CONNECTION_FAILED if "CONNECTION" in name else Reason.PAGE_ERROR


def _net_message(reason: Reason, host: str) -> str:
    match reason:
        case Reason.NO_CONNECTION:
            return f"no internet connection: {host} cannot be reached; {_ONLINE}"
        case Reason.NAME_NOT_RESOLVED:
            return (
                f"no internet connection, or the name {host} cannot be looked up (DNS); "
                f"{_ONLINE}. If other websites open, a filter on this network blocks {host}"
            )
        case Reason.NETWORK_TIMED_OUT:
            return f"{host} did not answer: the connection is very slow or down; {_ONLINE}"
        case Reason.PROXY:
            return (
                "the proxy server does not answer: check the proxy in your network settings "
                "(or HTTPS_PROXY), or switch it off, then run the command again"
            )
        case Reason.CAPTIVE_PORTAL:
            return (
                f"the connection to {host} was intercepted (the answer did not come from "
                f"Meta); {_PORTAL}"
            )
        case Reason.BLOCKED_HOST:
            return (
                f"{host} was blocked: it is not one of the addresses this form may use; "
                f"{_PORTAL}. A browser extension or a filter may also block it"
            )
        case Reason.CONNECTION_FAILED:
            return f"the connection to {host} failed; {_ONLINE}, or try again in a few minutes"
    return f"{host} could not be loaded; {_ONLINE}"


def launch_failure(
    error: BaseException | str, executable: Path, *, headless: bool, source: str | None = None
) -> Failure:
    """Why a browser did not start, and what works instead. `source` names where the
    path came from (an option or environment variable), if the person named it."""
    raw = error if isinstance(error, str) else str(error)
    log.info("browser_start_failed", raw=first_line(raw), executable=str(executable))
    named = f"{source} names {executable}" if source else f"the browser {executable}"
    if not executable.exists() or "executable doesn't exist" in raw:
        return Failure(Reason.BROWSER_MISSING, f"{named}, which does not exist; {_NAME_A_BROWSER}")
    if executable.is_dir() or not os.access(executable, os.X_OK):
        return Failure(
            Reason.BROWSER_NOT_EXECUTABLE,
            f"{named}, which is not a program this computer can start; {_NAME_A_BROWSER}",
        )
    if not headless and (any(mark in raw for mark in _NO_X) or not has_display()):
        return Failure(Reason.NO_DISPLAY, no_display_message())
    return Failure(
        Reason.BROWSER_CRASHED,
        f"{named}, which ended as soon as it started: it is not a working Chromium or "
        f"Chrome, or it crashed; {_NAME_A_BROWSER}",
    )


def cdp_failure(error: BaseException | str, cdp_url: str) -> str:
    """Why `--cdp URL` found no browser to attach to, and how to start one that listens."""
    raw = error if isinstance(error, str) else str(error)
    log.info("cdp_connect_failed", raw=first_line(raw), cdp_url=cdp_url)
    port = urlsplit(cdp_url).port or 9222
    start = (
        f"start Chromium or Chrome with `chromium --remote-debugging-port={port}`, leave "
        "it open, then run the command again"
    )
    if any(mark in raw for mark in ("ECONNREFUSED", "ECONNRESET", "EHOSTUNREACH")):
        return (
            f"--cdp: no browser answers at {cdp_url}. Is your browser started with "
            f"--remote-debugging-port={port}? If not, {start}"
        )
    if "ENOTFOUND" in raw or "EAI_AGAIN" in raw:
        return f"--cdp: the host in {cdp_url} is unknown; use http://localhost:{port}, and {start}"
    if _TIMEOUT.search(raw):
        return f"--cdp: {cdp_url} did not answer in time; check the address and port, and {start}"
    return (
        f"--cdp: {cdp_url} answered, but not as a browser's debugging port; check the "
        f"address and port, and {start}"
    )


def has_display() -> bool:
    """A window can be shown: always on macOS and Windows, with X11 or Wayland on Linux."""
    if not sys.platform.startswith("linux"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def no_display_message() -> str:
    return (
        "the browser cannot open a window: there is no display here (DISPLAY is not set). "
        "Run widerspruch in a desktop session, or under a virtual display "
        "(xvfb-run widerspruch …), or use a browser you already have open: start it with "
        "--remote-debugging-port=9222 and add --cdp http://localhost:9222"
    )


def _host(url: str | None) -> str | None:
    return urlsplit(url).hostname if url else None


def _host_in(raw: str) -> str | None:
    found = re.search(r"https?://[^\s/]+", raw)
    return _host(found.group(0)) if found else None


__all__ = [
    "NETWORK",
    "Failure",
    "Reason",
    "cdp_failure",
    "explain",
    "has_display",
    "is_browser_gone",
    "launch_failure",
    "no_display_message",
]
