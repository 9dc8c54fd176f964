"""The browser talks only to the hosts a flow declares; what the tool writes is owner-only."""

from __future__ import annotations

import stat
from pathlib import Path

from playwright.sync_api import BrowserContext
from structlog.testing import capture_logs

from tests.conftest import Harness
from widerspruch.logs import LOG_FILE
from widerspruch.states import Status

TRACKER = "https://pixel.tracker.example/collect.gif?u=1"


def test_other_hosts_are_blocked_and_logged(harness: Harness) -> None:
    harness.replay.scenario.logged_in = True
    page = harness.replay.render("facebook", "form_2025").replace(
        "</body>",
        f'<img src="{TRACKER}" alt=""><img src="https://static.xx.fbcdn.net/a.png"></body>',
    )
    reached: list[str] = []

    def serve(context: BrowserContext) -> None:
        context.route(
            "**/help/contact/712876720715583",
            lambda route: route.fulfill(content_type="text/html", body=page),
        )
        context.on("request", lambda request: reached.append(request.url))

    harness.context_hook = serve
    with capture_logs() as events:
        assert harness.submit("facebook").results[0].status is Status.CONFIRMED
    blocked = [e["host"] for e in events if e["event"] == "blocked_host"]
    assert blocked == ["pixel.tracker.example"]
    # The tracker never reached the network layer (the replay's catch-all saw nothing).
    assert not any("tracker" in url for url in harness.replay.blocked)
    # Meta's own CDN is a declared host: it was let through (the replay answers it).
    assert any("fbcdn.net" in url for url in reached)


def test_everything_written_is_owner_only(harness: Harness, file_logging: Path) -> None:
    harness.replay.scenario.outcome = "error"  # a failure writes the most: screenshots too
    harness.submit("facebook")
    assert harness.submit("instagram").results
    written = list(harness.data_dir.rglob("*"))
    assert any(p.name == LOG_FILE for p in written)
    assert any(p.suffix == ".png" for p in written)
    assert stat.S_IMODE(harness.data_dir.stat().st_mode) == 0o700
    for path in written:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), path
