"""What a check finds and how a run is set up: the states, the result, alert and report
types, the run's settings (every option checked once), and the services there are."""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from widerspruch.errors import UsageError
from widerspruch.page.flow import Flow

DEFAULT_TIMEOUT_S = 30.0
DEFAULT_ALERT_AFTER = 2


class CheckState(StrEnum):
    """What a check found for one service."""

    FORM_OK = "form_ok"
    LOGIN_REQUIRED = "login_required"
    NO_FORM = "no_form"
    FORM_CHANGED = "form_changed"
    MOVED = "moved"
    UNAVAILABLE = "unavailable"
    ERROR = "error"
    FORM_FOUND = "form_found"


# As expected: exit code 0, no alert. form_found is good news, but it needs someone to
# write a flow, so it alerts (and exits 1) like a failure.
EXPECTED = frozenset({CheckState.FORM_OK, CheckState.LOGIN_REQUIRED, CheckState.NO_FORM})
CONTROL_NAMES = {
    "ai_question": "AI question",
    "country": "country",
    "email": "email",
    "justification": "justification",
    "send": "send button",
}


@dataclass
class CheckResult:
    """One service's check, as printed, recorded and sent in alerts."""

    service: str
    state: CheckState
    detail: str
    url: str  # the URL opened (the current form, or the first watched page)
    checked_at: str
    expected: bool
    final_url: str | None = None
    http_status: int | None = None
    language: str | None = None
    link: str | None = None  # form_found: where the objection is offered
    missing: list[str] = field(default_factory=list)  # form_changed: controls not found
    reason: str | None = None  # widerspruch.failures.Reason, when the browser said why
    screenshot: str | None = None
    html: str | None = None
    seconds: float = 0.0
    # The service's own setting (Flow.setting) behind a saved login: "on", "off", ...
    setting: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {**vars(self), "state": self.state.value, "missing": list(self.missing)}


@dataclass(frozen=True)
class Alert:
    """A change of state, announced once."""

    service: str
    kind: str  # "failing", "form_found", "changed" (to another failure) or "recovered"
    state: str
    previous: str | None
    since: str  # when the state began (the first check of the streak)
    detail: str
    final_url: str | None
    link: str | None
    screenshot: str | None

    def to_json(self) -> dict[str, Any]:
        return dict(vars(self))

    def line(self) -> str:
        was = f" (was {self.previous})" if self.previous else ""
        return f"{self.service}: {self.state}{was} since {self.since}: {self.detail}"


@dataclass(frozen=True)
class Delivery:
    """Whether one notification target took the alert document."""

    target: str  # never the full command or URL: those may hold tokens
    ok: bool
    error: str | None = None


@dataclass
class CheckReport:
    checked_at: str
    results: list[CheckResult]
    alerts: list[Alert]
    deliveries: list[Delivery]
    ledger: str

    @property
    def ok(self) -> bool:
        """Exit code 0: every service as expected and every alert delivered."""
        return all(r.expected for r in self.results) and all(d.ok for d in self.deliveries)

    def to_json(self) -> dict[str, Any]:
        return {
            "checked_at": self.checked_at,
            "ok": self.ok,
            "results": [r.to_json() for r in self.results],
            "alerts": [a.to_json() for a in self.alerts],
            "notified": [vars(d) for d in self.deliveries],
            "ledger": self.ledger,
        }


# -- settings -------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckSettings:
    """One check run's options, checked once."""

    services: tuple[str, ...]
    data_dir: Path
    timeout: float = DEFAULT_TIMEOUT_S
    alert_after: int = DEFAULT_ALERT_AFTER
    notify_cmd: tuple[str, ...] = ()
    webhook: str | None = None
    apprise_urls: tuple[str, ...] = ()
    browser_path: Path | None = None
    accounts: tuple[str, ...] = ()  # whose saved logins to check with (--account)
    # The shared PostgreSQL ledger's URL (settings.resolve_ledger); None: the data dir's.
    ledger: str | None = None

    @classmethod
    def from_options(
        cls,
        *,
        services: Sequence[str] | None,
        data_dir: Path | None,
        timeout: float = DEFAULT_TIMEOUT_S,
        alert_after: int = DEFAULT_ALERT_AFTER,
        notify_cmd: str | None = None,
        webhook: str | None = None,
        apprise_urls: Sequence[str] | None = None,
        browser: str | None = None,
        accounts: Sequence[str] | None = None,
        ledger: str | None = None,
    ) -> CheckSettings:
        from widerspruch.settings import (
            check_browser_path,
            check_email,
            check_url,
            prepare_data_dir,
            resolve_data_dir,
            resolve_ledger,
        )

        if timeout <= 0:
            raise UsageError("--timeout must be more than 0 seconds")
        if alert_after < 1:
            raise UsageError("--alert-after must be 1 or more")
        command: tuple[str, ...] = ()
        if notify_cmd is not None:
            try:
                command = tuple(shlex.split(notify_cmd))
            except ValueError as error:
                raise UsageError(f"--notify-cmd: {error}") from None
            if not command:
                raise UsageError("--notify-cmd is empty")
        if webhook is not None:
            check_url("--webhook", webhook)
        return cls(
            services=check_services_named(services),
            data_dir=prepare_data_dir(resolve_data_dir(data_dir)),
            timeout=timeout,
            alert_after=alert_after,
            notify_cmd=command,
            webhook=webhook,
            apprise_urls=_check_apprise_urls(apprise_urls or ()),
            browser_path=check_browser_path(browser),
            accounts=tuple(check_email(email, "--account") for email in accounts or ()),
            ledger=resolve_ledger(ledger),
        )


def _check_apprise_urls(urls: Sequence[str]) -> tuple[str, ...]:
    """--apprise URLs Apprise can send to, or a UsageError; never echoes a whole URL,
    which usually holds a token."""
    if not urls:
        return ()
    try:
        import apprise
    except ImportError:
        raise UsageError(
            "--apprise needs the optional apprise package: pip install 'widerspruch[apprise]' "
            "(with pipx: pipx inject widerspruch apprise)"
        ) from None
    for url in urls:
        if "://" not in url:
            raise UsageError("--apprise: not a URL; Apprise URLs look like ntfy://TOPIC")
        if not apprise.Apprise().add(url):
            scheme = url.split("://", 1)[0]
            raise UsageError(f"--apprise: Apprise cannot send to this {scheme}:// URL")
    return tuple(urls)


# -- the services ---------------------------------------------------------------------


def all_services() -> tuple[str, ...]:
    from widerspruch.services import service_names

    return service_names(watched=True)


def check_services_named(services: Sequence[str] | None) -> tuple[str, ...]:
    """The services to check (all when none are named), or a UsageError naming the unknown."""
    known = all_services()
    if not services:
        return known
    names = tuple(dict.fromkeys(s.strip().lower() for s in services))
    unknown = [name for name in names if name not in known]
    if unknown:
        raise UsageError(f"unknown service {unknown[0]!r}; known: {', '.join(known)}")
    return names


def target_for(service: str) -> Flow:
    """The flow, or the watch, that knows how to read this service's pages."""
    from widerspruch.services import registry

    return registry().target(service)
