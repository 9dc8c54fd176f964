"""The offline demo: the real submit flow, on the bundled replicas, with a stand-in person."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from widerspruch.logs import configure
from widerspruch.replay import ReplayServer, Scenario, StandInPerson
from widerspruch.settings import Settings
from widerspruch.submit import Outcome, submit_all

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext

    from widerspruch.flow import Flow

DEMO_EMAIL = "jana@example.org"
# Facebook in German with a captcha after login; Instagram's 2024 form in English,
# which asks for an emailed code after Send. Between them, every state a person meets.
DEMO_SCENARIOS = {
    "facebook": Scenario(language="de", form="form_2025", checkpoint=True),
    "instagram": Scenario(language="en", form="form_2024"),
}


def run_demo(*, data_dir: Path | None, browser: str | None, verbose: bool) -> tuple[Outcome, Path]:
    folder = data_dir or Path(tempfile.mkdtemp(prefix="widerspruch-demo-"))
    settings = Settings.from_options(
        services=list(DEMO_SCENARIOS),
        email=DEMO_EMAIL,
        country="DE",
        language="de",
        template="standard",
        justification=None,
        data_dir=folder,
        browser=browser,
        headless=True,
        timeout=60,
    )
    configure(settings.data_dir, verbose=verbose)
    servers = {service: ReplayServer(scenario) for service, scenario in DEMO_SCENARIOS.items()}

    def replay(context: BrowserContext, flow: Flow) -> None:
        servers[flow.service].attach(context)

    def say(line: str) -> None:
        sys.stderr.write(line + "\n")

    outcome = submit_all(settings, StandInPerson(say=say), prepare_context=replay)
    return outcome, settings.data_dir
