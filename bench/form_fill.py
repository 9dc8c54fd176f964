"""Time from launch to a filled objection form, headless, on the offline replays.

For each of ``--runs`` rounds and each service (Facebook, Instagram) the clock runs from
starting Playwright, through launching Chromium (``widerspruch.browser.find_browser``
with ``LAUNCH_ARGS``), a new context with the replay attached (logged in, no cookie
banner, the 2025 form in English), opening the form URL and detecting the form, to
``flow.fill`` with a 300-character justification. Closing is not timed, nor is importing
Playwright (``bench/startup.py`` covers imports). Prints median, min and max per service
against the target (median at most 2 s), the overall median, and the median of each
phase. Chromium runs with HOME set to a temporary directory. Nothing leaves the machine.

    .venv/bin/python bench/form_fill.py [--runs 7] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from typing import Any

from playwright.sync_api import sync_playwright

from widerspruch.browser import LAUNCH_ARGS, find_browser
from widerspruch.page.flow import ObjectionRequest
from widerspruch.services import get_flow
from widerspruch.states import PageState
from widerspruch.testing.replay import ReplayServer, Scenario

SERVICES = ("facebook", "instagram")
TARGET_SECONDS = 2.0
PHASES = ("playwright start", "launch", "context", "goto+detect", "fill")
JUSTIFICATION = (
    "I object under Art. 21(1) GDPR to Meta processing my personal data, including my "
    "posts, photos and comments, to develop and improve artificial intelligence at Meta. "
    "My particular situation: I never agreed to this use, and I cannot foresee or control "
    "what such models reproduce. Please confirm in writing that you have stopped. Thanks."
)[:300]
REQUEST = ObjectionRequest(email="jana@example.org", country="DE", justification=JUSTIFICATION)


def fill_once(service: str, executable: str) -> dict[str, float]:
    """One launch-to-filled run; returns seconds per phase."""
    flow = get_flow(service)
    phases: dict[str, float] = {}
    mark = time.perf_counter()

    def lap(phase: str) -> None:
        nonlocal mark
        now = time.perf_counter()
        phases[phase] = now - mark
        mark = now

    playwright = sync_playwright().start()
    try:
        lap("playwright start")
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=list(LAUNCH_ARGS)
        )
        lap("launch")
        context = browser.new_context()
        scenario = Scenario(language="en", form="form_2025", logged_in=True, cookie_banner=False)
        ReplayServer(scenario).attach(context)
        page = context.new_page()
        lap("context")
        page.goto(flow.form_url)
        state = flow.detect(page)
        if state is not PageState.FORM:
            raise RuntimeError(f"{service}: expected the form, the page shows {state.value}")
        lap("goto+detect")
        filled = flow.fill(page, REQUEST)
        lap("fill")
        assert filled.justification_chars == len(JUSTIFICATION)
        browser.close()
    finally:
        playwright.stop()
    return phases


def summary(runs: list[dict[str, float]]) -> dict[str, Any]:
    totals = [sum(run.values()) for run in runs]
    return {
        "median_s": round(statistics.median(totals), 3),
        "min_s": round(min(totals), 3),
        "max_s": round(max(totals), 3),
        "runs_s": [round(total, 3) for total in totals],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="timed runs per service")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()

    executable = str(find_browser(None, None))
    results: dict[str, list[dict[str, float]]] = {service: [] for service in SERVICES}
    with tempfile.TemporaryDirectory(prefix="widerspruch-bench-") as home:
        os.environ["HOME"] = home  # Chromium writes to ~/.config and ~/.cache
        for _ in range(args.runs):
            for service in SERVICES:
                results[service].append(fill_once(service, executable))

    every_run = [run for runs in results.values() for run in runs]
    services = {service: summary(runs) for service, runs in results.items()}
    figures = {
        "browser": executable,
        "runs": args.runs,
        "target_median_s": TARGET_SECONDS,
        "services": services,
        "overall_median_s": summary(every_run)["median_s"],
        "phase_median_s": {
            phase: round(statistics.median(run[phase] for run in every_run), 3) for phase in PHASES
        },
    }
    if args.json:
        print(json.dumps(figures, indent=2))
        return 0

    print(f"Launch to filled form, headless, replays; {args.runs} runs per service ({executable})")
    print(f"  {'service':<12}{'median':>9}{'min':>9}{'max':>9}   target: median <= 2 s")
    for service, row in services.items():
        verdict = "met" if row["median_s"] <= TARGET_SECONDS else "MISSED"
        print(
            f"  {service:<12}{row['median_s']:8.2f}s{row['min_s']:8.2f}s{row['max_s']:8.2f}s"
            f"   {verdict}"
        )
    print(f"  {'overall':<12}{figures['overall_median_s']:8.2f}s")
    print("Median per phase (all runs):")
    for phase, seconds in figures["phase_median_s"].items():
        print(f"  {phase:<18}{seconds:6.2f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
