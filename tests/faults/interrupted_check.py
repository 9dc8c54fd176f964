"""Runs the real `widerspruch check` on the check replay, and meets one fault on the way.

    python interrupted_check.py FAULT STEP DATA_DIR [CHECK OPTIONS...]

FAULT is SIGINT or SIGTERM (the process signals itself), ``SIGTERM-background`` (SIGTERM
to a job that ignores SIGINT, as one started with ``&`` or nohup does), ``kill_browser``
(the check's Chromium is killed with SIGKILL, its pid asked from the browser itself) or
``never``.
STEP is where: ``none``, ``form_get`` (Facebook's form was requested and is not
answered yet), ``decline`` (the cookie dialog's POST is on its way) or ``record`` (the
first result of the run was written to the ledger, the others not yet). The browser's pid is written
to ``DATA_DIR.browser-pid``, for the test to see that it is gone afterwards.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path
from typing import Any

from widerspruch import cli
from widerspruch.check import run as check_run
from widerspruch.ledger import Ledger
from widerspruch.services import registry
from widerspruch.testing.check_replay import CheckReplay, CheckScenario

FLOWS = registry().flows_by_name

fault, step, data_dir, *options = sys.argv[1:]
# Ctrl-C as a terminal delivers it, even if this test runs as a background job.
signal.signal(
    signal.SIGINT, signal.SIG_IGN if fault.endswith("background") else signal.default_int_handler
)
FORM = FLOWS["facebook"].form_urls[0]
browser_pid: list[int] = []
fired: list[str] = []


def strike() -> None:
    if fired:
        return
    fired.append(fault)
    if fault == "kill_browser":
        os.kill(browser_pid[0], signal.SIGKILL)
    elif fault != "never":
        os.kill(os.getpid(), getattr(signal, fault.split("-")[0]))


def prepare(context: Any, target: Any) -> None:
    replay.attach(context)
    if target.service != "facebook":
        return
    if not browser_pid:
        # The browser process itself tells its pid, so only this check's Chromium dies.
        session = context.browser.new_browser_cdp_session()
        processes = session.send("SystemInfo.getProcessInfo")["processInfo"]
        browser_pid.extend(p["id"] for p in processes if p["type"] == "browser")
        Path(data_dir).with_suffix(".browser-pid").write_text(str(browser_pid[0]))
    if step == "form_get":
        # Never answered: the fault comes first.
        context.route(FORM + "**", lambda route: strike())
    elif step == "decline":

        def decline(route: Any) -> None:
            if route.request.method == "POST":
                strike()
            route.fallback()

        context.route("**/cookie/consent**", decline)


replay = CheckReplay(CheckScenario())
original_check_services = check_run.check_services
original_add_check = Ledger.add_check


def check_services(*args: Any, **kwargs: Any) -> Any:
    return original_check_services(*args, **{**kwargs, "prepare_context": prepare})


def add_check(self: Ledger, values: dict[str, object]) -> int:
    row = original_add_check(self, values)
    if step == "record":
        strike()
    return row


# Replaced where `run_check` looks it up: in widerspruch.check.run, not the facade.
check_run.check_services = check_services
Ledger.add_check = add_check  # type: ignore[method-assign,assignment]
sys.argv = ["widerspruch", "check", "--json", "--data-dir", data_dir, *options]
cli.main()
