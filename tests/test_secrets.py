"""Passwords, cookies and tokens never reach the logs, the ledger or the output; emails
are masked in logs."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
import structlog
from structlog.testing import capture_logs

from tests.conftest import EMAIL, Harness
from widerspruch.logs import LOG_FILE, configure, mask_email, redact
from widerspruch.states import Status


@pytest.fixture
def file_logging(data_dir: Path) -> Iterator[Path]:
    data_dir.mkdir(parents=True, exist_ok=True)
    configure(data_dir)
    yield data_dir / LOG_FILE
    for handler in list(logging.getLogger("widerspruch").handlers):
        logging.getLogger("widerspruch").removeHandler(handler)
        handler.close()
    structlog.reset_defaults()


def secrets_of(harness: Harness) -> list[str]:
    return [harness.replay.session_token, harness.replay.csrf_token, harness.person.password]


def test_no_secret_in_captured_logs_and_emails_masked(harness: Harness) -> None:
    harness.replay.scenario.checkpoint = True
    harness.replay.scenario.form = "form_2024"
    with capture_logs() as events:
        outcome = harness.submit("facebook", "instagram")
    assert outcome.ok
    dumped = json.dumps(events, default=str)
    assert events
    for secret in secrets_of(harness):
        assert secret not in dumped
    assert EMAIL not in dumped


def test_no_secret_in_the_log_file_ledger_or_json(harness: Harness, file_logging: Path) -> None:
    outcome = harness.submit("facebook")
    assert outcome.results[0].status is Status.CONFIRMED
    log_text = file_logging.read_text("utf-8")
    assert "objection_ended" in log_text
    assert EMAIL not in log_text
    assert mask_email(EMAIL) in log_text
    stored = b"".join(p.read_bytes() for p in harness.data_dir.rglob("*") if p.is_file())
    result_json = json.dumps([r.to_json() for r in outcome.results])
    for secret in secrets_of(harness):
        assert secret.encode() not in stored
        assert secret not in result_json
    # The person's password was typed by the stand-in, never by the tool.
    assert harness.replay.logins
    assert all(secret not in log_text for secret in secrets_of(harness))


def test_redact_drops_secret_keys_and_masks_emails() -> None:
    event = redact(
        None,
        "info",
        {
            "event": "login for jana@example.org",
            "password": "hunter2",
            "cookies": [{"name": "xs", "value": "abc"}],
            "headers": {"cookie": "xs=abc", "accept": "text/html"},
            "fields": {"fb_dtsg": "t0k3n", "email": "jana@example.org"},
        },
    )
    assert event == {
        "event": "login for j***@example.org",
        "headers": {"accept": "text/html"},
        "fields": {"email": "j***@example.org"},
    }
