"""`widerspruch doctor`: is this machine ready? One finding per thing that must work.

Each check says what it found and, when it fails, how to fix it. Nothing is sent and
nothing is changed: the browser opens a blank page only, the ledger is opened read-only.
"""

from __future__ import annotations

import os
import socket
import stat
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from widerspruch.errors import UsageError
from widerspruch.failures import has_display, launch_failure, no_display_message

RESOLVE_TIMEOUT_S = 5.0
START_TIMEOUT_MS = 30_000


@dataclass(frozen=True)
class Finding:
    """One check: its name, whether it passed, what was found, and the fix if not."""

    check: str
    ok: bool
    detail: str
    fix: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"check": self.check, "ok": self.ok, "detail": self.detail, "fix": self.fix}


def examine(data_dir: Path, browser_path: Path | None, url: str | None = None) -> list[Finding]:
    """Every check, in the order a person would fix them; with `url`, the ledger checked
    is the shared PostgreSQL one there."""
    findings = [_display(), *_browser(browser_path), _keyring()]
    ledger = _ledger(data_dir) if url is None else _shared_ledger(data_dir, url)
    return [*findings, _data_dir(data_dir), ledger, *_hosts()]


# -- the browser -----------------------------------------------------------------------


def _browser(browser_path: Path | None) -> list[Finding]:
    from playwright.sync_api import Error, sync_playwright

    from widerspruch.browser import LAUNCH_ARGS, find_browser

    with sync_playwright() as playwright:
        try:
            own: str | None = playwright.chromium.executable_path
        except Exception:  # noqa: BLE001 - any failure just means "not installed"
            own = None
        try:
            executable = find_browser(browser_path, own)
        except UsageError as error:
            return [Finding("browser", False, "no browser found", str(error))]
        found = [Finding("browser", True, f"found {executable}")]
        for headless in (True, False):
            name = "browser starts " + ("headless" if headless else "with a window")
            if not headless and not has_display():
                found.append(Finding(name, False, "no display", "see the display line above"))
                continue
            try:
                browser = playwright.chromium.launch(
                    executable_path=str(executable),
                    headless=headless,
                    args=list(LAUNCH_ARGS),
                    timeout=START_TIMEOUT_MS,
                )
                version = browser.version
                browser.new_page().goto("about:blank")
                browser.close()
            except Error as error:
                failure = launch_failure(error, executable, headless=headless)
                found.append(Finding(name, False, failure.reason.value, failure.message))
                continue
            found.append(Finding(name, True, f"version {version}"))
        return found


def _display() -> Finding:
    if has_display():
        shown = os.environ.get("WAYLAND_DISPLAY") or os.environ.get("DISPLAY") or sys.platform
        return Finding("display", True, f"windows can be shown ({shown})")
    return Finding("display", False, "no display (DISPLAY is not set)", no_display_message())


# -- the keyring, the data dir, the ledger ----------------------------------------------


def _keyring() -> Finding:
    from widerspruch.accounts import NO_KEYRING, keyring_usable

    if keyring_usable():
        import keyring

        return Finding("keyring", True, type(keyring.get_keyring()).__name__)
    # Not needed for objecting: only for remembered passwords and logins.
    return Finding("keyring", False, "no usable keyring", NO_KEYRING)


def _data_dir(path: Path) -> Finding:
    if not path.exists():
        parent = next((p for p in path.parents if p.exists()), Path("/"))
        if os.access(parent, os.W_OK):
            return Finding("data dir", True, f"{path} (created on first use, owner-only)")
        return Finding(
            "data dir",
            False,
            f"{path} cannot be created: {parent} is not writable",
            "choose another with --data-dir or WIDERSPRUCH_HOME",
        )
    if not os.access(path, os.W_OK | os.X_OK):
        return Finding(
            "data dir",
            False,
            f"{path} is not writable",
            f"chmod u+rwx {path}, or choose another with --data-dir or WIDERSPRUCH_HOME",
        )
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        return Finding(
            "data dir",
            False,
            f"{path} can be read by others (mode {mode:o})",
            f"chmod 700 {path}",
        )
    readable = _readable_by_others(path)
    if readable:
        shown = ", ".join(str(p.relative_to(path)) for p in readable[:3])
        more = f" and {len(readable) - 3} more" if len(readable) > 3 else ""
        return Finding(
            "data dir",
            False,
            f"{len(readable)} file(s) in {path} can be read by others: {shown}{more}",
            f"chmod -R go-rwx {path}",
        )
    return Finding("data dir", True, f"{path} (writable, mode {mode:o}, files owner-only)")


def _readable_by_others(path: Path) -> list[Path]:
    """Files and folders in the data dir that others may read: the tool writes none."""
    found = []
    for entry in sorted(path.rglob("*")):
        if entry.is_symlink():
            continue
        if stat.S_IMODE(entry.lstat().st_mode) & 0o077:
            found.append(entry)
    return found


def _ledger(data_dir: Path) -> Finding:
    from widerspruch.ledger import LEDGER_FILE, Ledger
    from widerspruch.ledger.errors import LedgerError, NoLedger
    from widerspruch.ledger.migrations import SCHEMA_VERSION, pending

    path = data_dir / LEDGER_FILE
    try:
        with Ledger.open(data_dir, read_only=True):
            pass
        behind = pending(path)
    except NoLedger:
        return Finding("ledger", True, "no ledger yet (created by the first objection)")
    except LedgerError as error:
        return Finding("ledger", False, f"{path}: {error}", "see README, Troubleshooting")
    version = SCHEMA_VERSION - len(behind)
    detail = f"{path}: intact, schema version {version}"
    if behind:
        detail += f" (brought to {SCHEMA_VERSION} by the next command that writes)"
    return Finding("ledger", True, detail)


def _shared_ledger(data_dir: Path, url: str) -> Finding:
    from widerspruch.ledger import Ledger
    from widerspruch.ledger.engine import shown
    from widerspruch.ledger.errors import LedgerError, NoLedger
    from widerspruch.ledger.migrations import SCHEMA_VERSION

    try:
        with Ledger.open(data_dir, url=url, read_only=True) as ledger:
            version = ledger.schema
    except NoLedger:
        return Finding(
            "ledger",
            False,
            f"{shown(url)}: reachable, but holds no ledger yet",
            f"widerspruch ledger migrate --ledger {shown(url)}",
        )
    except LedgerError as error:
        return Finding("ledger", False, str(error), "see README, For NGOs")
    detail = f"{shown(url)}: reachable, schema version {version}"
    if version < SCHEMA_VERSION:
        detail += f" (brought to {SCHEMA_VERSION} by the next command that writes)"
    return Finding("ledger", True, detail)


# -- Meta's hosts -------------------------------------------------------------------------


def _hosts() -> list[Finding]:
    from widerspruch.services import registry

    every = registry()
    urls = [f.form_urls[0] for f in every.flows] + [w.watch_urls[0] for w in every.watches]
    hosts = [h for h in dict.fromkeys(urlsplit(url).hostname for url in urls) if h]
    return [_resolves(host) for host in hosts]


def _resolves(host: str, lookup: Callable[..., Any] = socket.getaddrinfo) -> Finding:
    name = f"resolves {host}"
    pool = ThreadPoolExecutor(max_workers=1)
    try:
        addresses = pool.submit(lookup, host, 443).result(timeout=RESOLVE_TIMEOUT_S)
    except FutureTimeout:
        return Finding(name, False, f"no answer within {RESOLVE_TIMEOUT_S:g} s", _OFFLINE)
    except OSError as error:
        return Finding(name, False, error.strerror or str(error), _OFFLINE)
    finally:
        pool.shutdown(wait=False)  # a lookup that hangs is not waited for
    return Finding(name, True, str(addresses[0][4][0]) if addresses else "resolved")


_OFFLINE = (
    "check that this computer is online; if other websites open, a filter or the "
    "network's DNS blocks this host"
)
