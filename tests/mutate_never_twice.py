"""Break the "never twice" promises on purpose and check that their tests notice.

    .venv/bin/python tests/mutate_never_twice.py [--only NAME ...] [--list]

Each mutation is applied to a copy of src/ in a temporary folder (the checkout is never
touched), which the tests then import through PYTHONPATH, child processes included.
A mutation is "caught" when its tests fail; the script exits 1 if any survives.

Each change names the module the guard lives in. If the code has moved, it is looked
for in every module of the package (it must be there exactly once), and the line says
where it was found, so that the path here can be brought up to date.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# pytest-xdist (in the configured addopts) would spread these few tests over workers, and
# its -x ends the session as interrupted (exit code 2, not 1): one process instead.
SINGLE = ["--numprocesses", "0"] if importlib.util.find_spec("xdist") else []


@dataclass(frozen=True)
class Mutation:
    name: str
    promise: str
    file: str  # under src/widerspruch/
    find: str
    replace: str
    tests: tuple[str, ...]
    more: tuple[tuple[str, str, str], ...] = ()  # further (file, find, replace)

    def changes(self) -> tuple[tuple[str, str, str], ...]:
        return ((self.file, self.find, self.replace), *self.more)


MUTATIONS = (
    Mutation(
        "claim-ignores-live-owner",
        "1: a second run meets a live claim and stops",
        "ledger/objections.py",
        "            if why is None:\n                return open_claim\n",
        "            why = why or 'mutated'\n",
        (
            "tests/test_claims.py::test_a_second_run_meets_a_live_claim_and_stops_with_one_clear_line",
            "tests/test_ledger.py::test_a_live_run_in_progress_is_never_cancelled_by_another",
            "tests/faults/test_submit_kills.py::"
            "test_two_submits_at_once_send_one_objection_and_the_other_stops_with_one_line",
        ),
    ),
    Mutation(
        "dead-submitting-is-cancelled",
        "1/3: a run that died after marking Send may have sent: never 'nothing sent'",
        "ledger/objections.py",
        "        if claimed.status is Status.SUBMITTING:\n",
        "        if False:\n",
        (
            "tests/test_claims.py::"
            "test_a_run_that_died_after_marking_send_becomes_submitted_unconfirmed_and_blocks",
            "tests/faults/test_submit_kills.py::"
            "test_submit_killed_at_each_step_then_run_again_sends_it_once[facebook-sent:1]",
        ),
    ),
    Mutation(
        "no-submitting-mark",
        "1/3: 'submitting' is committed before Send, so a kill after it is never 'nothing sent'",
        "submit/engine.py",
        '        self._status(Status.SUBMITTING, "clicking Send")\n',
        "        pass\n",
        (
            "tests/faults/test_submit_kills.py::"
            "test_submit_killed_at_each_step_then_run_again_sends_it_once[facebook-sent:1]",
        ),
    ),
    Mutation(
        "any-transition",
        "2: the ledger refuses transitions the state machine does not allow",
        "states.py",
        "    return new in TRANSITIONS[old]\n",
        "    return True\n",
        (
            "tests/test_claims.py::test_every_pair_of_states_is_allowed_or_refused_as_declared",
            "tests/test_claims.py::test_a_run_whose_claim_was_taken_over_cannot_click_send",
        ),
    ),
    Mutation(
        "no-owner-check",
        "2: only the claim's owner changes a claimed objection",
        "ledger/objections.py",
        "            if current.status in CLAIM_STATES and current.claim_token != "
        "self.owner.token:\n",
        "            if False:\n",
        (
            "tests/test_claims.py::test_a_state_another_live_run_holds_is_refused_and_logged",
            "tests/test_claims.py::test_a_gone_runs_claim_is_taken_over_before_another_change",
        ),
    ),
    Mutation(
        "failed-with-request-does-not-block",
        "3: a failed record whose request left the browser is never resent silently",
        "ledger/rows.py",
        "        return self.status.may_have_been_sent or self.request_left\n",
        "        return self.status.may_have_been_sent\n",
        (
            "tests/test_claims.py::test_a_failed_record_whose_request_left_the_browser_blocks_a_new_one",
        ),
    ),
    Mutation(
        "submit-resends-without-asking",
        "3: submit sends again only on an explicit yes (or --force)",
        "submit/__init__.py",
        "                again, why = ask_to_send_again(earlier, person, settings.data_dir)\n",
        "                again, why = True, ''\n",
        (
            "tests/faults/test_submit_kills.py::"
            "test_submit_killed_at_each_step_then_run_again_sends_it_once[facebook-sent:1]",
        ),
    ),
    Mutation(
        "batch-resume-resends",
        "3: batch --resume never resends what may have reached Meta",
        "batch/tracking.py",
        # The review list is skipped, and the claim lets anything through (as before).
        "        if earlier is not None:\n            # May have reached Meta",
        "        if False:\n            # May have reached Meta",
        (
            "tests/faults/test_batch_kills.py::"
            "test_killed_batch_resumes_without_sending_anything_twice[post_received:2-SIGKILL]",
        ),
        (
            (
                "batch/runner.py",
                "never forced.\n            force=False,\n",
                "never forced.\n            force=True,\n",
            ),
        ),
    ),
)


def apply(mutation: Mutation, copy: Path) -> list[str]:
    """Mutate the copy; notes on code found elsewhere than its named module."""
    package = copy / "widerspruch"
    notes = []
    for file, find, replace in mutation.changes():
        path = package / file
        if not path.is_file() or path.read_text("utf-8").count(find) != 1:
            found = [p for p in sorted(package.rglob("*.py")) if find in p.read_text("utf-8")]
            if len(found) != 1 or found[0].read_text("utf-8").count(find) != 1:
                raise SystemExit(
                    f"{mutation.name}: the code to mutate is not in {file}, nor once "
                    f"anywhere else in the package"
                )
            path = found[0]
            notes.append(f"found in {path.relative_to(package)}, not {file}")
        path.write_text(path.read_text("utf-8").replace(find, replace), "utf-8")
    return notes


def run(mutation: Mutation) -> bool:
    """True if the tests caught the mutation (they failed)."""
    with tempfile.TemporaryDirectory(prefix="widerspruch-mutant-") as folder:
        copy = Path(folder) / "src"
        # widerspruch.flows and .replicas are not under src/: the editable install finds
        # them in the checkout, unmutated.
        shutil.copytree(ROOT / "src", copy, symlinks=False)
        notes = apply(mutation, copy)
        env = {**os.environ, "PYTHONPATH": str(copy)}
        pytest = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *SINGLE]
        done = subprocess.run(
            [*pytest, *mutation.tests],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
    last = (done.stdout.strip().splitlines() or ["(no output)"])[-1]
    caught = done.returncode == 1
    # pytest's 4 and 5: a test it was given does not exist, or none ran: the mutation
    # was not tried, which is no better than one that survived.
    missing = done.returncode in (4, 5)
    moved = f" [{'; '.join(notes)}]" if notes else ""
    verdict = "caught  " if caught else "NO TEST " if missing else "SURVIVED"
    print(f"{verdict} {mutation.name} ({mutation.promise}): {last}{moved}")
    return caught


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", default=None, help="mutation names")
    parser.add_argument("--list", action="store_true", help="list the mutations")
    options = parser.parse_args()
    chosen = [m for m in MUTATIONS if options.only is None or m.name in options.only]
    if options.list:
        for mutation in chosen:
            print(f"{mutation.name}: {mutation.promise}")
        return
    survived = [m.name for m in chosen if not run(m)]
    if survived:
        print(f"survived: {', '.join(survived)}")
        raise SystemExit(1)


if __name__ == "__main__":
    main()
