"""Runs the real `widerspruch submit SERVICE` on the replay, and kills itself at one step.

    python killed_submit.py DATA_DIR JOURNAL KILL_AT [SUBMIT OPTION ...]

KILL_AT is ``never`` or ``<step>:<n>``, a step of tests/faults/kill_points.py reached for
the n-th time; the kill is a real SIGKILL. The replay appends every objection it
receives to JOURNAL, which survives the kill and counts across processes. With
LOGIN_DELAY in the environment, the stand-in person takes that many seconds before
logging in, as a person at a second window does. SERVICE (in the environment) is the
service to object on, Facebook by default. With CODE_DELAY, Meta asks for the emailed
code after Send, and the person takes that many seconds to type it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from widerspruch import cli, submit
from widerspruch.browser import open_browser
from widerspruch.submit import person
from widerspruch.testing.person import StandInPerson
from widerspruch.testing.replay import ReplayServer, Scenario

if TYPE_CHECKING:  # mypy knows the module by its package; the script runs beside it
    from tests.faults import kill_points
else:
    import kill_points  # beside this script (tests/faults/), which Python puts on sys.path

data_dir, journal, kill_at, *more = sys.argv[1:]
code_delay = float(os.environ.get("CODE_DELAY") or 0)
server = ReplayServer(Scenario(code_step=bool(code_delay)), journal=Path(journal))
if kill_at != "never":
    point, _, nth = kill_at.partition(":")
    kill_points.install(point, int(nth or 1))
delay = float(os.environ.get("LOGIN_DELAY") or 0)
submit.open_browser = lambda **options: open_browser(  # type: ignore[attr-defined]
    **{**options, "prepare_context": lambda context, flow: server.attach(context)}
)
person.ConsolePerson = lambda **options: StandInPerson(  # type: ignore[assignment,misc]
    login_delay=delay, code_delay=code_delay
)
sys.argv = [
    "widerspruch",
    "submit",
    os.environ.get("SERVICE") or "facebook",
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
