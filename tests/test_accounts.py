"""Stored passwords and saved logins: fewer logins, nothing secret in the clear."""

from __future__ import annotations

import json
import stat
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest
from structlog.testing import capture_logs

from tests.conftest import EMAIL, Harness, assert_no_secret_leaked, in_own_thread
from tests.fake_keyring import MemoryKeyring
from widerspruch import accounts as accounts_module
from widerspruch import submit as submit_module
from widerspruch.accounts import ACCOUNTS_FILE, Accounts, NoKeyring, Secret
from widerspruch.browser import BrowserSession, open_browser
from widerspruch.check import CheckSettings, CheckState, run_check
from widerspruch.cli import app
from widerspruch.cli.render import results_document
from widerspruch.settings import prepare_data_dir
from widerspruch.states import Status
from widerspruch.testing.check_replay import CheckReplay, CheckScenario
from widerspruch.testing.person import StandInPerson
from widerspruch.testing.replay import ReplayServer, Scenario

PASSWORD = "stored-pw-4711"


@pytest.fixture
def accounts(harness: Harness) -> Accounts:
    return Accounts(prepare_data_dir(harness.data_dir))


@pytest.fixture
def no_keyring() -> Iterator[None]:
    import keyring
    from keyring.backends.fail import Keyring as FailKeyring

    previous = keyring.get_keyring()
    keyring.set_keyring(FailKeyring())
    yield
    keyring.set_keyring(previous)


def test_stored_password_logs_in_without_the_person(harness: Harness, accounts: Accounts) -> None:
    harness.replay.scenario.password = PASSWORD
    accounts.add(EMAIL, "facebook", Secret(PASSWORD))
    outcome = harness.submit("facebook")
    assert outcome.results[0].status is Status.CONFIRMED
    assert harness.person.actions == []
    [login] = harness.replay.logins
    assert login.fields["pass"] == PASSWORD
    assert login.fields["email"] == EMAIL
    # The --json document; the logs and every file written are searched by the harness.
    assert PASSWORD not in json.dumps(results_document(outcome))


def test_refused_password_is_tried_once_then_the_person_logs_in(
    harness: Harness, accounts: Accounts
) -> None:
    harness.replay.scenario.password = PASSWORD
    harness.person = StandInPerson(password=PASSWORD)
    accounts.add(EMAIL, "instagram", Secret("an-old-password"))
    with capture_logs() as events:
        outcome = harness.submit("instagram")
    assert outcome.results[0].status is Status.CONFIRMED
    assert harness.person.actions == ["login_wall"]
    assert [login.fields["password"] for login in harness.replay.logins] == [
        "an-old-password",
        PASSWORD,
    ]
    assert any("stored password was refused" in e["event"] for e in events)


def test_refused_password_without_a_person_fails_and_says_why(
    harness: Harness, accounts: Accounts
) -> None:
    class Nobody(StandInPerson):
        def act(self, need, page, flow, email):
            from widerspruch.submit.person import PersonCannotAct

            raise PersonCannotAct("the browser is headless")

    harness.replay.scenario.password = PASSWORD
    harness.person = Nobody()
    accounts.add(EMAIL, "facebook", Secret("wrong"))
    [result] = harness.submit("facebook").results
    assert result.status is Status.FAILED
    assert "stored password was refused" in result.message
    assert len(harness.replay.logins) == 1  # never a second try


def test_saved_login_skips_the_login_next_time(harness: Harness, accounts: Accounts) -> None:
    accounts.add(EMAIL, "facebook", Secret(PASSWORD))
    assert harness.submit("facebook", keep_session=True).ok
    saved = accounts.session_file(EMAIL, "facebook")
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    assert harness.replay.session_token.encode() not in saved.read_bytes()
    logins_before = len(harness.replay.logins)

    outcome = harness.submit("facebook", keep_session=True, force=True)

    assert outcome.results[0].status is Status.CONFIRMED
    assert len(harness.replay.logins) == logins_before  # no login step at all
    assert "facebook/login" not in harness.replay.served[-3:]


def test_expired_saved_login_falls_back_to_logging_in(harness: Harness, accounts: Accounts) -> None:
    assert harness.submit("facebook", keep_session=True).ok
    harness.replay.session_token = "xs-rotated-by-meta"  # Meta ended the old session
    outcome = harness.submit("facebook", keep_session=True, force=True)
    assert outcome.results[0].status is Status.CONFIRMED
    assert harness.person.actions == ["login_wall", "login_wall"]


@pytest.mark.parametrize("damage", ["flip a byte", "truncate", "lose the key"])
def test_damaged_saved_login_is_reported_and_logging_in_works(
    harness: Harness, accounts: Accounts, memory_keyring: MemoryKeyring, damage: str
) -> None:
    assert harness.submit("instagram", keep_session=True).ok
    saved = accounts.session_file(EMAIL, "instagram")
    data = bytearray(saved.read_bytes())
    if damage == "flip a byte":
        data[len(data) // 2] ^= 0x20
        saved.write_bytes(bytes(data))
    elif damage == "truncate":
        saved.write_bytes(bytes(data[:20]))
    else:
        memory_keyring.entries.clear()
    with capture_logs() as events:
        outcome = harness.submit("instagram", force=True)
    assert outcome.results[0].status is Status.CONFIRMED
    assert any("could not be used" in e["event"] for e in events)
    assert harness.person.actions == ["login_wall", "login_wall"]


def test_account_list_and_files_hold_no_password(accounts: Accounts) -> None:
    accounts.add(EMAIL, "facebook", Secret(PASSWORD))
    accounts.add("ops@example.org", "facebook", Secret(PASSWORD + "2"))
    accounts.add(EMAIL, "instagram", Secret(PASSWORD + "3"))
    assert {(a.email, a.service) for a in accounts.all()} == {
        (EMAIL, "facebook"),
        ("ops@example.org", "facebook"),
        (EMAIL, "instagram"),
    }
    listing = accounts.data_dir / ACCOUNTS_FILE
    assert stat.S_IMODE(listing.stat().st_mode) == 0o600
    assert PASSWORD not in listing.read_text()
    assert accounts.password(EMAIL, "facebook").reveal() == PASSWORD  # type: ignore[union-attr]
    assert "stored" not in repr(accounts.password(EMAIL, "facebook"))
    assert accounts.remove(EMAIL, "facebook")
    assert accounts.password(EMAIL, "facebook") is None
    assert not accounts.remove(EMAIL, "facebook")


def test_without_a_keyring_nothing_is_stored_and_submit_still_works(
    harness: Harness, no_keyring: None
) -> None:
    with pytest.raises(NoKeyring):
        Accounts(prepare_data_dir(harness.data_dir)).add(EMAIL, "facebook", Secret(PASSWORD))
    with capture_logs() as events:
        outcome = harness.submit("facebook", keep_session=True)
    assert outcome.results[0].status is Status.CONFIRMED
    notes = [e for e in events if "no usable keyring" in e["event"]]
    assert len(notes) <= 1
    assert not (harness.data_dir / "sessions").exists()
    assert not (harness.data_dir / ACCOUNTS_FILE).exists()


# -- the command line --------------------------------------------------------------------


class ThreadedRunner:
    def __init__(self) -> None:
        from typer.testing import CliRunner

        self.runner = CliRunner()

    def invoke(self, *args: Any, **kwargs: Any) -> Any:
        return in_own_thread(self.runner.invoke, *args, **kwargs)


def test_account_commands(tmp_path: Path, memory_keyring: MemoryKeyring) -> None:
    runner = ThreadedRunner()
    home = ["--data-dir", str(tmp_path)]
    added = runner.invoke(
        app,
        ["account", "add", EMAIL, "--service", "facebook", "--password-stdin", *home],
        input=PASSWORD + "\n",
    )
    assert added.exit_code == 0, added.output
    assert PASSWORD not in added.output
    assert memory_keyring.entries[("widerspruch/facebook", EMAIL)] == PASSWORD
    listed = json.loads(runner.invoke(app, ["account", "list", "--json", *home]).stdout)
    assert listed["accounts"][0]["account"] == EMAIL
    assert PASSWORD not in json.dumps(listed)
    forgot = runner.invoke(
        app, ["account", "forget-session", EMAIL, "--service", "facebook", *home]
    )
    assert "no saved login" in forgot.stdout
    assert (
        runner.invoke(app, ["account", "remove", EMAIL, "--service", "facebook", *home]).exit_code
        == 0
    )
    again = runner.invoke(app, ["account", "remove", EMAIL, "--service", "facebook", *home])
    assert again.exit_code == 2


def test_account_add_without_keyring_is_a_clear_error(tmp_path: Path, no_keyring: None) -> None:
    result = ThreadedRunner().invoke(
        app,
        [
            "account",
            "add",
            EMAIL,
            "--service",
            "facebook",
            "--password-stdin",
            "--data-dir",
            str(tmp_path),
        ],
        input="x\n",
    )
    assert result.exit_code == 2
    assert "no usable keyring" in result.stderr


def test_all_accounts_objects_for_each_in_its_own_context(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = ReplayServer(Scenario(password=PASSWORD))
    contexts: list[Any] = []

    def replaying_browser(**options: Any) -> AbstractContextManager[BrowserSession]:
        def attach(context: Any, flow: Any) -> None:
            contexts.append(context)
            server.attach(context)

        return open_browser(**{**options, "prepare_context": attach})

    monkeypatch.setattr(submit_module, "open_browser", replaying_browser)
    accounts = Accounts(prepare_data_dir(tmp_path))
    accounts.add(EMAIL, "facebook", Secret(PASSWORD))
    accounts.add("page-admin@example.org", "facebook", Secret(PASSWORD))
    result = ThreadedRunner().invoke(
        app,
        [
            "submit",
            "facebook",
            "--all-accounts",
            "--country",
            "DE",
            "--headless",
            "--json",
            "--data-dir",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert sorted(r["account"] for r in document["results"]) == [
        "jana@example.org",
        "page-admin@example.org",
    ]
    assert len(contexts) == 2
    assert sorted(s.fields["email"] for s in server.submissions) == [
        "jana@example.org",
        "page-admin@example.org",
    ]
    assert PASSWORD not in result.stdout


def check_with_saved_logins(harness: Harness, **scenario: Any) -> tuple[Any, Any, list[Any]]:
    """`widerspruch check facebook instagram --account EMAIL` on the check replay, which
    accepts the login the submit replay handed out."""
    replay = CheckReplay(CheckScenario(**scenario))
    replay.meta.session_token = harness.replay.session_token
    settings = CheckSettings.from_options(
        services=["facebook", "instagram"], data_dir=harness.data_dir, accounts=[EMAIL]
    )
    with capture_logs() as events:
        report = in_own_thread(run_check, settings, prepare_context=replay.attach)
    assert_no_secret_leaked(harness, events)
    return report, replay, events


def test_check_with_a_saved_login_reads_the_form_behind_the_login_wall(
    harness: Harness, accounts: Accounts
) -> None:
    harness.replay.scenario.password = PASSWORD
    accounts.add(EMAIL, "facebook", Secret(PASSWORD))
    assert harness.submit("facebook", keep_session=True).ok

    report, replay, events = check_with_saved_logins(harness)

    facebook, instagram = report.results
    assert facebook.state is CheckState.FORM_OK, facebook.detail
    assert "facebook/login" not in replay.meta.served  # no login step at all
    assert replay.meta.logins == []
    # Instagram has no saved login: checked without one, the login wall is expected.
    assert instagram.state is CheckState.LOGIN_REQUIRED
    assert instagram.expected
    assert any("No saved login for Instagram" in e["event"] for e in events)
    assert report.ok


def test_check_with_an_expired_saved_login_is_not_fine(
    harness: Harness, accounts: Accounts
) -> None:
    assert harness.submit("facebook", keep_session=True).ok
    harness.replay.session_token = "xs-rotated-by-meta"  # Meta ended the old session

    report, _, _ = check_with_saved_logins(harness)

    facebook = report.results[0]
    assert facebook.state is CheckState.LOGIN_REQUIRED
    assert not facebook.expected
    assert "the saved session has expired" in facebook.detail
    assert not report.ok


def test_check_with_a_damaged_saved_login_warns_and_checks_without(
    harness: Harness, accounts: Accounts
) -> None:
    assert harness.submit("facebook", keep_session=True).ok
    saved = accounts.session_file(EMAIL, "facebook")
    saved.write_bytes(saved.read_bytes()[:-7] + b"tamper!")

    report, _, events = check_with_saved_logins(harness)

    facebook = report.results[0]
    assert facebook.state is CheckState.LOGIN_REQUIRED
    assert facebook.expected  # no usable saved login: the login wall is what is expected
    assert any("could not be used (corrupt or tampered with)" in e["event"] for e in events)


def test_check_account_without_a_keyring_says_so_once_and_checks(
    harness: Harness, no_keyring: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(accounts_module, "_told_about_keyring", False)  # a fresh process
    report, _, events = check_with_saved_logins(harness)
    assert [r.state for r in report.results] == [CheckState.LOGIN_REQUIRED] * 2
    assert report.ok
    assert sum("no usable keyring" in e["event"] for e in events) == 1
