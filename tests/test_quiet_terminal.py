"""The terminal shows what the person needs: log events go to the log file (stderr only with
--verbose), a note is a plain sentence, and a stop is said once."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import keyring
import pytest
from keyring.backends.fail import Keyring as FailKeyring
from typer.testing import CliRunner

from tests.conftest import EMAIL, Harness, in_own_thread
from tests.test_batch import member, members, run
from tests.test_plain_errors import unplugged  # noqa: F401 - the fixture
from widerspruch import accounts
from widerspruch.batch import Choice
from widerspruch.cli import app
from widerspruch.logs import LOG_FILE, configure
from widerspruch.testing.operator import ScriptedOperator

LOG_LINE = ("[info", "[warning", "[debug", "account_added", "Future exception")


def test_account_add_prints_one_sentence_and_logs_to_the_file(tmp_path: Path) -> None:
    data = tmp_path / "data"
    done = CliRunner().invoke(
        app,
        ["account", "add", EMAIL, "--service", "facebook", "--password-stdin",
         "--data-dir", str(data)],
        input="secret-password\n",
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    assert done.output.splitlines() == [
        f"Stored: {EMAIL} on Facebook (password in the OS keyring)."
    ]
    events = [json.loads(line) for line in (data / LOG_FILE).read_text("utf-8").splitlines()]
    assert [e["event"] for e in events] == ["account_added"]


def test_check_with_an_account_and_no_keyring_says_so_once_in_plain_words(
    unplugged: None,  # noqa: F811 - the fixture
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    keyring.set_keyring(FailKeyring())
    monkeypatch.setattr(accounts, "_told_about_keyring", False)
    done = in_own_thread(
        CliRunner().invoke,
        app,
        ["check", "facebook", "--account", EMAIL, "--data-dir", str(tmp_path / "data"),
         "--timeout", "20"],
    )  # fmt: skip
    notes = [line for line in done.stderr.splitlines() if "no usable keyring" in line]
    assert len(notes) == 1
    assert notes[0].startswith("Note: no usable keyring")
    for mark in LOG_LINE:
        assert mark not in done.output


@pytest.mark.parametrize(
    ("logger", "record"),
    [
        ("asyncio", "Future exception was never retrieved"),
        # What Playwright's driver logs when SIGTERM gave up a call it then answered.
        ("playwright", "Error occurred in event listener"),
    ],
)
def test_library_leftovers_after_a_stop_never_reach_the_terminal(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], logger: str, record: str
) -> None:
    configure(tmp_path)
    try:
        raise RuntimeError("Cannot find command to respond: gnvf@27")
    except RuntimeError as error:
        logging.getLogger(logger).error(record, exc_info=error)
    assert capfd.readouterr().err == ""
    assert record in (tmp_path / LOG_FILE).read_text("utf-8")
    configure(None, verbose=True)  # with --verbose it is shown
    logging.getLogger(logger).error(record)
    assert record in capfd.readouterr().err
    configure(None)
    logging.getLogger(logger).error(record)  # with neither, nowhere
    assert capfd.readouterr().err == ""


def test_a_stop_names_every_service_of_the_member_and_is_said_once(
    harness: Harness, tmp_path: Path
) -> None:
    def ctrl_c(member_id: str) -> None:
        raise KeyboardInterrupt

    path = members(tmp_path, member(1, "facebook instagram"), member(2))
    operator = ScriptedOperator(choices=[Choice.STOP], on_hand_over=ctrl_c)
    outcome = run(harness, path, operator, assume_yes=False)
    assert operator.asked == ["0001/facebook, instagram: nothing was started"]
    assert outcome.stopped == "stopped with Ctrl-C"
    assert not [line for line in operator.lines if "stopped" in line.lower()]
