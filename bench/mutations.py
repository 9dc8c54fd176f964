"""Break each promise on purpose and check that a test notices.

Each mutation replaces one guard in the code with a broken version, runs the tests
named for it, and expects at least one of them to fail. The file is restored after
each mutation, also on Ctrl-C. Prints one line per mutation and exits 1 if any
mutation survived (its tests still passed).

    .venv/bin/python bench/mutations.py            # all mutations
    .venv/bin/python bench/mutations.py claim      # those whose name contains "claim"
"""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Mutation:
    name: str
    file: str
    find: str
    replace: str
    tests: tuple[str, ...]
    # Further (file, find, replace) changes that belong to the same broken promise.
    also: tuple[tuple[str, str, str], ...] = ()

    def changes(self) -> tuple[tuple[str, str, str], ...]:
        return ((self.file, self.find, self.replace), *self.also)


MUTATIONS = (
    Mutation(
        "a confirmation counts without an answered submission",
        "src/widerspruch/submit/answer.py",
        'if submission.phase != "answered":',
        "if False:",
        (
            "tests/test_truth.py::test_a_confirmation_shown_while_the_submission_is_unanswered_is_never_confirmed",
        ),
        also=(
            (
                "src/widerspruch/submit/submission.py",
                'since = (submission.answered_ms or float("inf"))',
                "since = (submission.answered_ms or 0.0)",
            ),
            (
                "src/widerspruch/submit/submission.py",
                'return self.phase == "answered" and self.status is not None and self.status < 400',
                "return True",
            ),
        ),
    ),
    Mutation(
        "an error status answers as well as a success",
        "src/widerspruch/submit/answer.py",
        "if verdict.accepted and submission.answered_ok:",
        "if verdict.accepted:",
        (
            "tests/test_truth.py::test_an_error_answer_that_reads_like_a_confirmation_is_not_confirmed",
        ),
    ),
    Mutation(
        "text that was on the page before Send counts",
        "src/widerspruch/submit/submission.py",
        "kept = [s for s in sentences(str(found)) if normalise(s) not in before]",
        "kept = sentences(str(found))",
        ("tests/test_truth.py::test_a_confirmation_that_was_on_the_page_before_send_never_counts",),
    ),
    Mutation(
        "text shown before Meta's answer counts",
        "src/widerspruch/submit/submission.py",
        "if (last && last.responseEnd > 0) cutoff = performance.timeOrigin + last.responseEnd;",
        "if (last && last.responseEnd > 0) cutoff = -Infinity;",
        (
            "tests/test_truth.py::test_text_shown_after_the_click_but_before_metas_answer_is_not_the_answer",
        ),
    ),
    Mutation(
        "a refusal no longer wins over thanks",
        "src/widerspruch/page/verdict.py",
        "    if refusing:\n        return Verdict(Reading.REFUSED, tuple(refusing))",
        "    if refusing and not accepting:\n"
        "        return Verdict(Reading.REFUSED, tuple(refusing))",
        ("tests/test_corpus.py::test_a_confirmation_with_a_refusal_added_is_never_accepted",),
    ),
    Mutation(
        "a negation beside an acceptance is ignored",
        "src/widerspruch/page/verdict.py",
        '        return False, True  # "your objection will not be processed"',
        "        continue",
        ("tests/test_corpus.py::test_a_negated_confirmation_is_never_accepted",),
    ),
    Mutation(
        "the cookie button that allows all may be pressed",
        "src/widerspruch/page/filling.py",
        "if self.labels.allow_all_cookies.matches(button.name):",
        "if False:",
        ("tests/test_truth.py::test_a_cookie_button_that_also_allows_all_is_never_pressed",),
    ),
    Mutation(
        "a click on Send counts as sent",
        "src/widerspruch/submit/engine.py",
        'return Status.FAILED, f"{reason}; nothing was sent"',
        "return Status.SUBMITTED_UNCONFIRMED, reason",
        ("tests/test_truth.py::test_a_click_on_send_that_sends_nothing_leaves_the_next_run_free",),
    ),
    Mutation(
        "any page with Send and an email field is taken for the AI form",
        "src/widerspruch/page/reading.py",
        "def not_objection_form(self, page: Page, view: PageView | None = None) -> str | None:",
        "def not_objection_form(self, page: Page, view: PageView | None = None) -> str | None:"
        "\n        return None",
        (
            "tests/test_truth.py::test_a_look_alike_form_is_neither_filled_nor_sent",
            "tests/adversarial/test_wrong_form.py",
        ),
    ),
)


def run(mutation: Mutation) -> bool:
    """True if a test caught the mutation (failed; an error collecting them is no catch)."""
    originals: dict[Path, str] = {}
    try:
        for file, find, replace in mutation.changes():
            path = ROOT / file
            text = originals.setdefault(path, path.read_text("utf-8"))
            current = path.read_text("utf-8") if path in originals else text
            if current.count(find) != 1:
                print(f"  ! {mutation.name}: {find!r} is not found once in {file}")
                return False
            path.write_text(current.replace(find, replace), "utf-8")
        result = subprocess.run(
            # One process: with workers, -x ends in exit code 2 instead of 1.
            [sys.executable, "-m", "pytest", "-x", "-q", "-n", "0", *mutation.tests],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
    finally:
        for path, text in originals.items():
            path.write_text(text, "utf-8")
    if result.returncode not in (0, 1):
        print(f"  ! {mutation.name}: the tests did not run (pytest exit {result.returncode})")
        print("    " + "\n    ".join(result.stdout.splitlines()[-5:]))
        return False
    return result.returncode == 1


def main() -> int:
    wanted = " ".join(sys.argv[1:])
    chosen = [m for m in MUTATIONS if wanted in m.name]
    survived = 0
    for mutation in chosen:
        started = time.monotonic()
        caught = run(mutation)
        survived += not caught
        verdict = "caught" if caught else "SURVIVED"
        print(f"{verdict:8} {time.monotonic() - started:6.1f} s  {mutation.name}", flush=True)
    print(f"{len(chosen) - survived} caught, {survived} survived")
    return 1 if survived else 0


if __name__ == "__main__":
    sys.exit(main())
