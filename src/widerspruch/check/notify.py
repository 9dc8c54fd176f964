"""Sending the alerts: ``--notify-cmd`` and ``--webhook`` get one JSON document,
``--apprise`` (the optional apprise package) a short text; each reports its fate."""

from __future__ import annotations

import json
import subprocess
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit

from widerspruch import __version__
from widerspruch.check.alerts import alert_document
from widerspruch.check.results import Alert, CheckResult, CheckSettings, Delivery
from widerspruch.logs import get_logger
from widerspruch.text import first_line

log = get_logger("widerspruch.check")

NOTIFY_TIMEOUT_S = 30.0
WEBHOOK_TIMEOUT_S = 10.0


def notify(
    checked_at: str,
    alerts: Sequence[Alert],
    results: Sequence[CheckResult],
    settings: CheckSettings,
) -> list[Delivery]:
    """Send the alerts to every configured target; report each one's fate."""
    document = alert_document(checked_at, alerts, results)
    body = json.dumps(document, ensure_ascii=False).encode("utf-8")
    deliveries = []
    if settings.notify_cmd:
        deliveries.append(_run_notify_cmd(settings.notify_cmd, body))
    if settings.webhook:
        deliveries.append(_post_webhook(settings.webhook, body))
    deliveries += [_send_apprise(url, alerts) for url in settings.apprise_urls]
    for delivery in deliveries:
        log.info("check_notified", target=delivery.target, ok=delivery.ok, error=delivery.error)
    return deliveries


def _run_notify_cmd(command: tuple[str, ...], body: bytes) -> Delivery:
    target = f"command {Path(command[0]).name}"
    try:
        done = subprocess.run(  # no shell: the command was split with shlex
            command, input=body, capture_output=True, timeout=NOTIFY_TIMEOUT_S, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return Delivery(target, ok=False, error=first_line(error))
    if done.returncode != 0:
        said = first_line(Exception(done.stderr.decode("utf-8", "replace"))) if done.stderr else ""
        return Delivery(target, ok=False, error=f"exit code {done.returncode} {said}".strip())
    return Delivery(target, ok=True)


def _send_apprise(url: str, alerts: Sequence[Alert]) -> Delivery:
    """A short text for a person's phone or chat; the JSON stays with the other targets."""
    import apprise

    failing = any(alert.kind in ("failing", "changed") for alert in alerts)
    notifier = apprise.Apprise()
    notifier.add(url)
    target = f"apprise {url.split('://', 1)[0]}://"  # the rest may hold a token
    try:
        sent = notifier.notify(
            title=f"widerspruch check: {len(alerts)} change{'s' if len(alerts) != 1 else ''}",
            body="\n".join(alert.line() for alert in alerts),
            notify_type=apprise.NotifyType.WARNING if failing else apprise.NotifyType.INFO,
        )
    except Exception as error:  # noqa: BLE001 - a plugin failing must not end the run unrecorded
        return Delivery(target, ok=False, error=first_line(error))
    return Delivery(target, ok=bool(sent), error=None if sent else "Apprise could not send it")


def _post_webhook(url: str, body: bytes) -> Delivery:
    parts = urlsplit(url)
    target = f"webhook {parts.scheme}://{parts.hostname}"  # the path may be a secret token
    request = urllib.request.Request(  # noqa: S310 - check_url allowed only http(s)
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": f"widerspruch/{__version__}",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_S) as response:  # noqa: S310
            status = int(response.status)
    except urllib.error.HTTPError as error:
        return Delivery(target, ok=False, error=f"HTTP {error.code}")
    except (OSError, ValueError) as error:
        return Delivery(target, ok=False, error=first_line(error))
    return Delivery(
        target, ok=200 <= status < 300, error=None if status < 300 else f"HTTP {status}"
    )
