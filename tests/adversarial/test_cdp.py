"""The same promise through `submit --cdp`, in a browser the person already runs."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext

from tests.adversarial.server import (
    CONFIRMED,
    FAILED,
    NOT_CONFIRMED,
    UNCONFIRMED,
    Answer,
    CannotAsk,
    Site,
    ledger_statuses,
)
from tests.conftest import EMAIL, in_own_thread
from tests.test_robustness import running_chromium
from widerspruch.page.flow import Flow
from widerspruch.settings import Settings
from widerspruch.states import Status
from widerspruch.submit import submit_all

__all__ = ["running_chromium"]  # the fixture: a Chromium with remote debugging on

CASES = [
    pytest.param("fetch.de", Answer("confirmed.de"), CONFIRMED, 1, id="confirmed-de"),
    pytest.param("native.en", Answer("refused_region.en"), NOT_CONFIRMED, 1, id="refused"),
    pytest.param("optimistic_fetch.en", Answer(mode="hang"), UNCONFIRMED, 1, id="unanswered"),
    pytest.param("wrong/login_problem.en", Answer("confirmed.en"), FAILED, 0, id="wrong-form"),
]


@pytest.mark.parametrize(("form", "answer", "statuses", "sent"), CASES)
def test_through_cdp(
    running_chromium: str,
    tmp_path: Path,
    form: str,
    answer: Answer,
    statuses: frozenset[Status],
    sent: int,
) -> None:
    site = Site(form, answer)
    settings = Settings.from_options(
        services=["facebook"],
        email=EMAIL,
        country=site.country,
        language=None,
        template="standard",
        justification=None,
        data_dir=tmp_path / "data",
        cdp_url=running_chromium,
        timeout=5,
        response_timeout=5,
    )

    def attach(context: BrowserContext, flow: Flow) -> None:
        site.attach(context)

    [result] = in_own_thread(submit_all, settings, CannotAsk(), prepare_context=attach).results
    seen = f"{result.status.value}: {result.message}"
    assert len(site.submissions) == sent, f"{len(site.submissions)} submissions ({seen})"
    assert result.status in statuses, seen
    assert ledger_statuses(tmp_path / "data")[-1] == result.status.value
