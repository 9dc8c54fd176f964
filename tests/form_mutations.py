"""Break each guard of the form mechanics in turn, and check that a test catches it.

Run it with ``.venv/bin/python -m tests.form_mutations`` (add mutation names to run only
those). Each mutation patches the page module where the guard lives (``widerspruch.page.flow``,
``.reading`` or ``.filling``) inside a pytest process of its own, through this module as a
plugin, so no file of the tree changes while others work in it.
A mutation is caught when at least one of the tests named for it fails.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from widerspruch.page.scripts import VISIBLE_TEXT_JS

ROOT = Path(__file__).parent.parent
TESTS = "tests/test_form_mechanics.py"
VARIABLE = "WIDERSPRUCH_FORM_MUTATION"


def _without_consent_check() -> None:
    from widerspruch.page.filling import FormFiller

    def statement(self: FormFiller, name: str) -> bool:
        labels = self.labels
        return labels.accuracy.matches(name) and not labels.allow_all_cookies.matches(name)

    FormFiller.accuracy_statement = statement  # type: ignore[method-assign]


def _without_allow_all_check() -> None:
    from widerspruch.page.filling import FormFiller

    def statement(self: FormFiller, name: str) -> bool:
        return self.labels.accuracy.matches(name) and not self.labels.consent.matches(name)

    FormFiller.accuracy_statement = statement  # type: ignore[method-assign]


def _any_form_is_the_objection_form() -> None:
    from widerspruch.page.reading import PageReader

    PageReader.not_objection_form = lambda self, page, view=None: None  # type: ignore[method-assign]


def _side_panels_count() -> None:
    from widerspruch.page import reading as module

    original = module.PageReader._form_evidence

    def everything(self: Any, page: Any, view: Any) -> Any:
        seen = original(self, page, view)
        return dataclasses.replace(seen, region=str(page.evaluate(VISIBLE_TEXT_JS)))

    module.PageReader._form_evidence = everything  # type: ignore[method-assign]


def _topics_anywhere_on_the_page() -> None:
    from widerspruch.page import reading as module

    def joined(self: Any, page: Any, view: Any = None) -> str | None:
        text = " ".join(self._form_evidence(page, view or self.view(page)).pieces())
        labels = self.labels
        both = module._speaks_of(labels.ai, text) and module._speaks_of(labels.objection, text)
        return None if both else "not the form"

    module.PageReader.not_objection_form = joined  # type: ignore[method-assign]


def _acronyms_in_lower_case() -> None:
    from widerspruch.page import reading as module

    module._speaks_of = lambda phrases, text: phrases.matches(text)


def _one_email_field() -> None:
    from widerspruch.page.reading import PageReader

    original = PageReader._text_fields

    def main_only(self: Any, page: Any, view: Any, skip: Any = None) -> Any:
        emails, justification = original(self, page, view, skip)
        return emails[:1], justification

    PageReader._text_fields = main_only  # type: ignore[method-assign]


def _disabled_send_is_clicked() -> None:
    from widerspruch.page import filling as module

    module.DISABLED_JS = "e => false"  # type: ignore[attr-defined]


def _next_is_not_followed() -> None:
    from widerspruch.page.reading import PageReader

    original = PageReader.locate_form

    def without_next(self: Any, page: Any, view: Any = None) -> Any:
        return dataclasses.replace(original(self, page, view), next=None)

    PageReader.locate_form = without_next  # type: ignore[method-assign]


def _text_field_required() -> None:
    from widerspruch.page.form import FormChanged
    from widerspruch.page.reading import PageReader

    original = PageReader.locate_form

    def strict(self: Any, page: Any, view: Any = None) -> Any:
        controls = original(self, page, view)
        if controls.send is not None and controls.justification is None:
            raise FormChanged(["justification"])
        return controls

    PageReader.locate_form = strict  # type: ignore[method-assign]


def _late_cookie_dialog_ignored() -> None:
    from widerspruch.page.filling import FormFiller

    FormFiller._cookie_dialog_declined = lambda self, page, filled: False  # type: ignore[method-assign]


def _refusal_read_as_unsure() -> None:
    from widerspruch.page import flow as module
    from widerspruch.page.verdict import Reading, Verdict, judge

    def lenient(text: str, labels: Any) -> Verdict:
        verdict = judge(text, labels)
        return Verdict(Reading.UNSURE) if verdict.refused else verdict

    module._judge = lenient


def _next_that_sends_is_ignored() -> None:
    from widerspruch.page.filling import FormFiller
    from widerspruch.page.form import NextMayHaveSent

    original = FormFiller._next_step

    def ignore(self: Any, page: Any, button: Any) -> None:
        with contextlib.suppress(NextMayHaveSent):
            original(self, page, button)

    FormFiller._next_step = ignore  # type: ignore[method-assign]


def _question_of_a_radio_unread() -> None:
    from widerspruch.page import reading as module

    module.RADIO_QUESTION_JS = "e => ''"  # type: ignore[attr-defined]


def _hidden_checkbox_untouched() -> None:
    from widerspruch.page import filling as module

    module.CLICK_LABEL_JS = "e => false"  # type: ignore[attr-defined]


def _step_is_not_a_form() -> None:
    from widerspruch.page.flow import Flow

    Flow._step_fields_visible = lambda self, page, view: False  # type: ignore[method-assign]


def _one_instagram_form() -> None:
    from widerspruch.testing import replay

    del replay.FORM_PATHS[("help.instagram.com", "/contact/233964459562201")]


# name: (what it breaks, the tests that must catch it (-k), how)
MUTATIONS: dict[str, tuple[str, str, Callable[[], None]]] = {
    "consent": (
        "a box that also asks for consent may be ticked",
        "also_asks_for_consent",
        _without_consent_check,
    ),
    "allow_all": (
        "an allow-all box may be ticked",
        "allow_all_box",
        _without_allow_all_check,
    ),
    "identity": (
        "any page with Send and an email field is taken for the AI objection form",
        "look_alike or login_problem or ads or question_about or spelling_ai or wrong_form",
        _any_form_is_the_objection_form,
    ),
    "side_panel": (
        "an FAQ beside the form counts as the form's own text",
        "login_problem",
        _side_panels_count,
    ),
    "per_piece": (
        "AI and objecting may be spoken of in different places",
        "objection_to_ads",
        _topics_anywhere_on_the_page,
    ),
    "acronym": (
        "a lower-case word that spells AI or KI counts",
        "spelling_ai",
        _acronyms_in_lower_case,
    ),
    "email_again": (
        "a re-enter email field stays empty",
        "every_email_field or second_email_field",
        _one_email_field,
    ),
    "send_disabled": (
        "a disabled Send is clicked",
        "disabled_send or disabled_attribute or stays_disabled",
        _disabled_send_is_clicked,
    ),
    "multi_step": ("Next is not followed", "multi_step_form_is", _next_is_not_followed),
    "text_optional": (
        "the text field is required",
        "without_a_text_field",
        _text_field_required,
    ),
    "late_cookies": (
        "a cookie dialog that shows while filling is left",
        "appears_while_filling",
        _late_cookie_dialog_ignored,
    ),
    "refusal": ("a polite refusal is not an error", "polite_refusal", _refusal_read_as_unsure),
    "next_sends": (
        "a Next that sent the form is taken for nothing sent",
        "next_that_sends",
        _next_that_sends_is_ignored,
    ),
    "radio_question": (
        "any of several yes answers may be taken for the AI question's",
        "without_a_named_group",
        _question_of_a_radio_unread,
    ),
    "hidden_checkbox": (
        "a hidden checkbox with a visible label is not ticked",
        "hidden_native",
        _hidden_checkbox_untouched,
    ),
    "step_is_form": (
        "a step of a multi-step form is not a form",
        "step_of_a_multi_step or multi_step_form_is_confirmed",
        _step_is_not_a_form,
    ),
    "instagram_ids": (
        "the replay serves one Instagram form ID only",
        "instagram_apps",
        _one_instagram_form,
    ),
}


def pytest_configure(config: Any) -> None:
    """As a pytest plugin: apply the mutation the environment names."""
    name = os.environ.get(VARIABLE)
    if name:
        MUTATIONS[name][2]()


def caught(name: str) -> tuple[bool, str]:
    """Run the mutation's tests with it applied; True if one of them failed."""
    plugin = ["-p", "tests.form_mutations", "-p", "no:randomly"]
    run = subprocess.run(
        [sys.executable, "-m", "pytest", *plugin, TESTS, "-q", "-k", MUTATIONS[name][1]],
        cwd=ROOT,
        env={**os.environ, VARIABLE: name},
        capture_output=True,
        text=True,
        check=False,
    )
    summary = (run.stdout.strip().splitlines() or [""])[-1]
    # Exit code 1: tests ran and some failed. Anything else (an error) is no catch.
    return run.returncode == 1 and "failed" in summary, summary


def main(names: list[str]) -> int:
    missed = 0
    for name in names or list(MUTATIONS):
        found, summary = caught(name)
        missed += not found
        print(f"{'caught' if found else 'MISSED'}: {MUTATIONS[name][0]} ({summary})")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
