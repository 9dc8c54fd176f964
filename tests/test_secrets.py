"""Passwords, cookies and tokens never reach the logs, the ledger or the output; emails
are masked in logs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from structlog.testing import capture_logs

from tests.conftest import EMAIL, Harness
from widerspruch.logs import mask_email, redact
from widerspruch.states import Status


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


# -- every address is masked, whatever its letters ------------------------------------------

UNICODE_EMAIL = "jürgen.müller@bäckerei-müller.de"


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("jürgen.müller@example.org", "j***@example.org"),
        ("jana@müller.de", "j***@müller.de"),
        ("jana@xn--mller-kva.de", "j***@xn--mller-kva.de"),  # the same domain, as IDNA
        # Decomposed: u followed by a combining diaeresis, as some mail programs write it.
        ("ju\u0308rgen@mu\u0308ller.de", "j***@mu\u0308ller.de"),
        ("an 用户@例子.广告 geschickt", "an 用***@例子.广告 geschickt"),
        ("jana@例子。中国", "j***@例子。中国"),  # an ideographic full stop: a dot to IDNA
        ("josé@exämple.рф.", "j***@exämple.рф."),
        ('"jana doe"@example.org', '"***"@example.org'),
        ("o'brien@example.org", "o***@example.org"),
        ("Mail an Jana.Doe+ki@Example.ORG, bitte", "Mail an J***@Example.ORG, bitte"),
    ],
)
def test_every_address_is_masked_whatever_its_letters(text: str, masked: str) -> None:
    assert mask_email(text) == masked


def test_no_unicode_address_in_the_log_of_a_real_run(harness: Harness, file_logging: Path) -> None:
    outcome = harness.submit("facebook", email=UNICODE_EMAIL)
    assert outcome.results[0].status is Status.CONFIRMED
    log_text = file_logging.read_text("utf-8")
    lines = [json.loads(line) for line in log_text.splitlines()]
    assert any(line.get("account") == "j***@bäckerei-müller.de" for line in lines)
    for leak in ("jürgen", "müller@", UNICODE_EMAIL.casefold()):
        assert leak not in log_text
    # Nor as JSON escapes or as IDNA: the log keeps the letters as they are.
    assert "\\u00fc" not in log_text
    assert "xn--" not in log_text
