"""Shared fixtures: a system Chromium for pytest-playwright, the replay server, the stand-in
person, a data dir, and one helper that runs a whole objection the way `submit` does."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pytest
import structlog
from playwright.sync_api import Browser, BrowserContext, Playwright
from structlog.testing import capture_logs

from tests.fake_keyring import MemoryKeyring
from tests.postgres import Postgres, postgres
from widerspruch.browser import BrowserSession, find_browser
from widerspruch.logs import LOG_FILE, configure
from widerspruch.page.flow import Flow
from widerspruch.settings import Settings
from widerspruch.submit import Outcome, submit_all
from widerspruch.testing.person import StandInPerson
from widerspruch.testing.replay import ReplayServer, Scenario

EMAIL = "jana@example.org"
T = TypeVar("T")


def in_own_thread(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run code that starts its own Playwright (as the CLI does) beside pytest-playwright,
    whose event loop occupies the main thread."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args, **kwargs).result()


@pytest.fixture(scope="session", autouse=True)
def _private_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    # Chromium writes to ~/.config even with its own profile: keep the real HOME clean.
    home = tmp_path_factory.mktemp("home")
    old = os.environ.get("HOME")
    os.environ["HOME"] = str(home)
    yield
    if old is not None:
        os.environ["HOME"] = old


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    """Every test gets a fresh in-memory keyring, never the real one."""
    import keyring

    previous = keyring.get_keyring()
    fake = MemoryKeyring()
    keyring.set_keyring(fake)
    yield fake
    keyring.set_keyring(previous)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_type_launch_args, "executable_path": str(find_browser(None, None))}


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[Postgres]:
    """One real PostgreSQL per test process, started on first use (tests/postgres.py)."""
    with postgres() as server:
        yield server


@pytest.fixture
def postgres_url(postgres_server: Postgres) -> str:
    """The URL of an empty ledger database of this test's own (a fresh schema)."""
    return postgres_server.url(postgres_server.new_schema())


ENGINES = ("sqlite", "postgresql")


@pytest.fixture(params=ENGINES)
def ledger_url(request: pytest.FixtureRequest) -> str | None:
    """Each ledger test runs on both engines: None is the SQLite file in the data dir
    (the default), else the URL of an empty PostgreSQL ledger of the test's own."""
    if request.param == "sqlite":
        return None
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def file_logging(data_dir: Path) -> Iterator[Path]:
    """Logging to the data dir's log file, as the CLI sets it up; the log file's path."""
    data_dir.mkdir(parents=True, exist_ok=True)
    # Put back what was there, not structlog's defaults: the harness's capture_logs puts
    # its processors back after this, and they must meet the logger factory they came with.
    before = structlog.get_config()
    configure(data_dir)
    yield data_dir / LOG_FILE
    configure(None)  # closes the log file, wherever its handler still hangs
    structlog.configure(**before)


@pytest.fixture
def scenario() -> Scenario:
    return Scenario()


@pytest.fixture
def replay(scenario: Scenario) -> ReplayServer:
    return ReplayServer(scenario)


@pytest.fixture
def person() -> StandInPerson:
    return StandInPerson()


@dataclass
class Harness:
    """Runs `submit` in-process against the replay, in the test's browser."""

    playwright: Playwright
    browser: Browser
    replay: ReplayServer
    person: Any
    data_dir: Path
    contexts: list[BrowserContext] = field(default_factory=list)
    # Whatever the hook returns (Playwright's route() returns a handle) is ignored.
    context_hook: Callable[[BrowserContext], object] | None = None

    def settings(self, *services: str, **options: Any) -> Settings:
        defaults: dict[str, Any] = {
            "email": EMAIL,
            "country": "DE",
            "language": None,
            "template": "standard",
            "justification": None,
            "headless": True,
            "timeout": 20,
        }
        defaults.update(options)
        return Settings.from_options(
            services=list(services or ("facebook",)), data_dir=self.data_dir, **defaults
        )

    def submit(self, *services: str, **options: Any) -> Outcome:
        def prepare(context: BrowserContext, flow: Flow) -> None:
            self.contexts.append(context)
            self.replay.attach(context)
            if self.context_hook is not None:
                self.context_hook(context)

        session = BrowserSession(
            self.playwright, self.browser, attached=False, prepare_context=prepare
        )
        return submit_all(self.settings(*services, **options), self.person, session=session)


@pytest.fixture
def harness(
    playwright: Playwright,
    browser: Browser,
    replay: ReplayServer,
    person: StandInPerson,
    data_dir: Path,
) -> Iterator[Harness]:
    """The harness, and a guard that fails the test if any secret leaked anywhere."""
    harness = Harness(playwright, browser, replay, person, data_dir)
    with capture_logs() as events:
        yield harness
    assert_no_secret_leaked(harness, events)


def assert_no_secret_leaked(harness: Harness, events: list[MutableMapping[str, Any]]) -> None:
    """The replay's session cookie and form token, and the person's password, must not be
    in any log event or in any file the run wrote (ledger, log, evidence, receipts)."""
    import keyring

    secrets = {
        "session cookie": harness.replay.session_token,
        "form token": harness.replay.csrf_token,
        "password": getattr(harness.person, "password", ""),
    }
    stored = getattr(keyring.get_keyring(), "entries", {})
    secrets |= {f"keyring entry {name}": value for name, value in stored.items()}
    logged = json.dumps(events, default=str)
    written = (
        [p for p in harness.data_dir.rglob("*") if p.is_file()] if harness.data_dir.exists() else []
    )
    for what, secret in secrets.items():
        if not secret:
            continue
        assert secret not in logged, f"the {what} reached a log event"
        for path in written:
            assert secret.encode() not in path.read_bytes(), f"the {what} is in {path}"
