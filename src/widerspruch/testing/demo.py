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
from widerspruch.logs import configure, tell
from widerspruch.page.countries import normalise_country
from widerspruch.settings import Settings, default_language, resolve_data_dir
from widerspruch.submit import Outcome, submit_all
from widerspruch.testing.person import StandInPerson
from widerspruch.testing.replay import ReplayServer, Scenario, fixtures_dir

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
# The pages the demo shows besides each service's form.
DEMO_PAGES = ("cookie_banner", "login", "checkpoint", "code_step", "confirmation")
FALLBACK_LANGUAGE = "en"


def replica_languages() -> tuple[str, ...]:
    """The languages in which the replicas hold every page the demo shows."""
    found: set[str] | None = None
    for service, scenario in DEMO_FORMS.items():
        for page in (*DEMO_PAGES, scenario.form):
            written = {
                path.name.removesuffix(".html").rsplit(".", 1)[1]
                for path in (fixtures_dir() / service).glob(f"{page}.*.html")
            }
            found = written if found is None else found & written
    return tuple(sorted(found or ()))


def demo_language(country: str, language: str | None) -> tuple[str, str | None]:
    """The language the demo runs in, and a line to tell if it is not the one the
    country would choose. A language asked for by name that the replicas do not have is
    refused before anything starts; one that only follows from --country falls back
    to English, saying so."""
    has = replica_languages()
    if language is not None:
        if language.lower() not in has:
            raise UsageError(
                f"--language: the demo's replicas of Meta's pages are in {', '.join(has)} "
                f"only, not {language!r}; choose one of them (submit itself sends in every "
                "language `widerspruch templates` lists)"
            )
        return language.lower(), None
    country = normalise_country(country)
    chosen = default_language(country)
    if chosen in has:
        return chosen, None
    return FALLBACK_LANGUAGE, (
        f"The demo's replicas of Meta's pages are in {', '.join(has)} only, not in "
        f"{chosen!r} (the language for {country}): the demo runs in English "
        "(choose with --language)."
    )


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
    language, fallback = demo_language(country, language)
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
        if fallback is not None:
            tell(fallback)
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
