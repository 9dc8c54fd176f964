"""The offline demo: the real submit flow, on the bundled replicas, with a stand-in person.

Its records are marked as the demo's everywhere (ledger, bundle, receipt, exports), and
it writes only into a data dir that holds no real record. Without a data dir of the
person's choosing it works in a temporary folder, removed again afterwards unless kept.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from widerspruch.errors import UsageError
from widerspruch.ledger.demo import real_records
from widerspruch.logs import configure
from widerspruch.settings import Settings, resolve_data_dir
from widerspruch.submit import Outcome, submit_all
from widerspruch.testing.person import StandInPerson
from widerspruch.testing.replay import ReplayServer, Scenario

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext

    from widerspruch.page.flow import Flow

DEMO_EMAIL = "jana@example.org"
TEMP_PREFIX = "widerspruch-demo-"
# Facebook with a captcha after login; Instagram's 2024 form, which asks for an emailed
# code after Send. Between them, every state a person meets. The pages are shown in the
# demo's language.
DEMO_FORMS = {
    "facebook": Scenario(form="form_2025", checkpoint=True),
    "instagram": Scenario(form="form_2024"),
}


def refuse_real_records(data_dir: Path) -> None:
    """A UsageError if the ledger in `data_dir` holds anything that is not the demo's."""
    found = real_records(data_dir)
    if found:
        raise UsageError(
            f"--data-dir: {data_dir} holds {found} real record{'s' if found != 1 else ''}; "
            "the demo never writes among them. Leave out --data-dir, or name a new folder"
        )


@contextmanager
def demo_run(
    *,
    data_dir: Path | None,
    browser: str | None,
    country: str = "DE",
    language: str | None = None,
    keep: bool = False,
    verbose: bool = False,
) -> Iterator[tuple[Outcome, Path]]:
    """Run the demo; yields its outcome and the data dir it wrote. A temporary one is
    removed when the block ends (however it ends), unless `keep`."""
    if data_dir is not None:
        data_dir = resolve_data_dir(data_dir)
        refuse_real_records(data_dir)
    temporary = data_dir is None
    folder = data_dir or Path(tempfile.mkdtemp(prefix=TEMP_PREFIX))
    try:
        settings = Settings.from_options(
            services=list(DEMO_FORMS),
            email=DEMO_EMAIL,
            country=country,
            language=language,
            template="standard",
            justification=None,
            data_dir=folder,
            browser=browser,
            headless=True,
            timeout=60,
            demo=True,
        )
        configure(settings.data_dir, verbose=verbose)
        servers = {
            service: ReplayServer(
                Scenario(
                    language=settings.language,
                    form=scenario.form,
                    checkpoint=scenario.checkpoint,
                )
            )
            for service, scenario in DEMO_FORMS.items()
        }

        def replay(context: BrowserContext, flow: Flow) -> None:
            servers[flow.service].attach(context)

        def say(line: str) -> None:
            sys.stderr.write(line + "\n")

        outcome = submit_all(settings, StandInPerson(say=say), prepare_context=replay)
        yield outcome, settings.data_dir
    finally:
        if temporary and not keep:
            configure(None)  # the log file in it is closed first
            shutil.rmtree(folder, ignore_errors=True)
