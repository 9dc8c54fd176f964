"""Time for `widerspruch check` on the three services at once, on the offline replays.

Each run is one ``widerspruch.check.check_services`` call for Facebook, Instagram and
WhatsApp, concurrently in one headless Chromium (each in its own context), as
`widerspruch check` does: the clock runs from starting Playwright, through launching
Chromium, opening every form URL and watched page, declining the cookie dialog and
reading the pages, to the last result. Nothing is recorded and no alert is sent. The
replay shows what a cron job without a saved session meets (``--scenario logged-out``:
cookie dialog, then the login wall; WhatsApp without an objection), or the forms
themselves (``--scenario logged-in``). Prints the median, min and max of ``--runs`` runs
against the target (at most 3 s), and each service's own median. Chromium runs with HOME
set to a temporary directory. Nothing leaves the machine.

    .venv/bin/python bench/check.py [--runs 7] [--scenario logged-out|logged-in] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from widerspruch.browser import find_browser
from widerspruch.check import EXPECTED, check_services, target_for
from widerspruch.logs import configure
from widerspruch.testing.check_replay import CheckReplay, CheckScenario

SERVICES = ("facebook", "instagram", "whatsapp")
TARGET_SECONDS = 3.0


def check_once(logged_in: bool, browser: Path) -> tuple[float, dict[str, float]]:
    """One run: wall seconds for all three, and each service's own seconds."""
    replay = CheckReplay(CheckScenario(logged_in=logged_in))
    started = time.perf_counter()
    results = check_services(
        [target_for(service) for service in SERVICES],
        browser_path=browser,
        prepare_context=replay.attach,
    )
    wall = time.perf_counter() - started
    for result in results:
        if result.state not in EXPECTED:
            raise RuntimeError(f"{result.service}: {result.state.value}: {result.detail}")
    return wall, {result.service: result.seconds for result in results}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="timed runs")
    parser.add_argument("--scenario", choices=("logged-out", "logged-in"), default="logged-out")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()

    configure(None)  # warnings only: no line per result
    explicit = os.environ.get("WIDERSPRUCH_BROWSER")  # as check chooses, the variable first
    executable = find_browser(Path(explicit) if explicit else None, None, headless_shell=True)
    walls: list[float] = []
    per_service: dict[str, list[float]] = {service: [] for service in SERVICES}
    with tempfile.TemporaryDirectory(prefix="widerspruch-bench-") as home:
        os.environ["HOME"] = home  # Chromium writes to ~/.config and ~/.cache
        check_once(args.scenario == "logged-in", executable)  # warm-up: disk caches, not timed
        for _ in range(args.runs):
            wall, seconds = check_once(args.scenario == "logged-in", executable)
            walls.append(wall)
            for service, value in seconds.items():
                per_service[service].append(value)

    figures: dict[str, Any] = {
        "browser": str(executable),
        "scenario": args.scenario,
        "runs": args.runs,
        "target_median_s": TARGET_SECONDS,
        "median_s": round(statistics.median(walls), 3),
        "min_s": round(min(walls), 3),
        "max_s": round(max(walls), 3),
        "runs_s": [round(wall, 3) for wall in walls],
        "service_median_s": {
            service: round(statistics.median(values), 3) for service, values in per_service.items()
        },
    }
    if args.json:
        print(json.dumps(figures, indent=2))
        return 0
    verdict = "met" if figures["median_s"] <= TARGET_SECONDS else "MISSED"
    print(
        f"widerspruch check, {', '.join(SERVICES)} at once, replays ({args.scenario}); "
        f"{args.runs} runs ({executable})"
    )
    print(
        f"  median {figures['median_s']:.2f}s  min {figures['min_s']:.2f}s  "
        f"max {figures['max_s']:.2f}s   target: median <= {TARGET_SECONDS:g} s: {verdict}"
    )
    print("  each service's own time (median; from its context to its result):")
    for service, seconds in figures["service_median_s"].items():
        print(f"    {service:<12}{seconds:6.2f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
