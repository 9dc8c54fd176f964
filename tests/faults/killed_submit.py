"""Runs the real `widerspruch submit facebook` on the replay, and kills itself at one step.

    python killed_submit.py DATA_DIR JOURNAL KILL_AT [SUBMIT OPTION ...]

KILL_AT is ``never`` or ``<step>:<n>``, a step of tests/faults/kill_points.py reached for
the n-th time; the kill is a real SIGKILL. The replay appends every objection it
receives to JOURNAL, which survives the kill and counts across processes. With
LOGIN_DELAY in the environment, the stand-in person takes that many seconds before
logging in, as a person at a second window does.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import kill_points  # beside this script (tests/faults/), which Python puts on sys.path

from widerspruch import cli, person, submit
from widerspruch.browser import open_browser
from widerspruch.replay import ReplayServer, Scenario, StandInPerson

data_dir, journal, kill_at, *more = sys.argv[1:]
server = ReplayServer(Scenario(), journal=Path(journal))
if kill_at != "never":
    point, _, nth = kill_at.partition(":")
    kill_points.install(point, int(nth or 1))
delay = float(os.environ.get("LOGIN_DELAY") or 0)
submit.open_browser = lambda **options: open_browser(  # type: ignore[assignment]
    **{**options, "prepare_context": lambda context, flow: server.attach(context)}
)
person.ConsolePerson = lambda **options: StandInPerson(login_delay=delay)  # type: ignore[assignment,misc]
sys.argv = [
    "widerspruch",
    "submit",
    "facebook",
    "--email",
    "jana@example.org",
    "--country",
    "DE",
    "--headless",
    "--data-dir",
    data_dir,
    *more,
]
cli.main()
