"""Runs the real `widerspruch submit SERVICE` on the replay and signals itself at one step.

    python interrupted_submit.py STEP SIGNAL DATA_DIR FORM REPORT_FILE [SUBMIT OPTION ...]

STEP is a page state (cookie_banner, login_wall, form, code_step), "after_send", or
"never". FORM is the replay's form version (a service without it shows its own form).
SERVICE (in the environment) is the service to object on, Facebook by default; with
CODE_STEP set, Meta asks for the emailed code after Send whatever the form. The number
of objections the replay received is written to REPORT_FILE.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path
from typing import Any

from widerspruch import cli, submit
from widerspruch.browser import open_browser
from widerspruch.page.flow import Flow
from widerspruch.submit import person
from widerspruch.testing.person import StandInPerson
from widerspruch.testing.replay import ReplayServer, Scenario

step, signal_name, data_dir, form, report, *more = sys.argv[1:]
server = ReplayServer(Scenario(form=form, code_step=bool(os.environ.get("CODE_STEP"))))
signum = getattr(signal, signal_name)
# Ctrl-C as a terminal delivers it, even if this test runs as a background job.
signal.signal(signal.SIGINT, signal.default_int_handler)


def interrupt() -> None:
    os.kill(os.getpid(), signum)


original_detect = Flow.detect
original_send = Flow.send
fired: list[str] = []


def detect(self: Flow, page: Any) -> Any:
    state = original_detect(self, page)
    if state.value == step and not fired:
        fired.append(step)
        interrupt()
    return state


def send(self: Flow, page: Any) -> None:
    original_send(self, page)
    if step == "after_send":
        interrupt()


Flow.detect = detect  # type: ignore[method-assign]
Flow.send = send  # type: ignore[method-assign,assignment]
submit.open_browser = lambda **options: open_browser(  # type: ignore[attr-defined]
    **{**options, "prepare_context": lambda context, flow: server.attach(context)}
)
person.ConsolePerson = lambda **options: StandInPerson()  # type: ignore[assignment,misc]
sys.argv = [
    "widerspruch",
    "submit",
    os.environ.get("SERVICE") or "facebook",
    "--email",
    "jana@example.org",
    "--country",
    "DE",
    "--headless",
    "--json",
    "--data-dir",
    data_dir,
    *more,
]
try:
    cli.main()
finally:
    Path(report).write_text(json.dumps({"objections": len(server.submissions)}))
