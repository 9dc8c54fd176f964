"""The adversarial suite for a form sent without an account (Meta's form for information
from third parties): its details, one run of it, and what a filled form must carry."""

from __future__ import annotations

from typing import Any

from tests.adversarial.server import THIRD_PARTY, Sent, Site, objection
from tests.conftest import EMAIL, Harness
from widerspruch.submit.result import Result

SERVICE = THIRD_PARTY.service
DETAILS = {"name": "Jana Beispiel", "where": "photos posted by others"}
# The answer of the form's first question that means this objection (the pages' value).
THIRD_PARTY_CHOICE = "third_party"


def objection_without_account(harness: Harness, site: Site, **options: Any) -> Result:
    """One `submit` of the third-party form against `site`, with the person's details."""
    return objection(harness, site, SERVICE, details=DETAILS, **options)


def assert_filled_as_asked(site: Site, sent: Sent) -> None:
    """The form carried this objection: its choice, the details, email and country."""
    assert sent.fields.get("request_type") == THIRD_PARTY_CHOICE, sent.fields
    for key, value in DETAILS.items():
        assert sent.fields[key] == value, (key, sent.fields)
    assert sent.fields["email"] == EMAIL
    assert sent.fields["country"] == site.country
