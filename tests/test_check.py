"""`widerspruch check`: every state on the replays, the history, and alerts sent once."""

from __future__ import annotations

import json
import shlex
import shutil
import stat
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.conftest import in_own_thread
from widerspruch.check import (
    EXPECTED,
    CheckResult,
    CheckSettings,
    CheckState,
    check_services,
    history,
    record,
    target_for,
)
from widerspruch.check import run as check_run
from widerspruch.cli import app
from widerspruch.ledger import Ledger, utc_now
from widerspruch.services import UnknownService, get_flow, registry
from widerspruch.settings import prepare_data_dir
from widerspruch.testing.check_replay import (
    REDIRECT_OFFSITE,
    REDIRECT_TARGET,
    CheckReplay,
    CheckScenario,
)
from widerspruch.testing.replay import fixtures_dir

FLOWS = registry().flows_by_name
WATCHES = registry().watches_by_name

FACEBOOK_FORM = FLOWS["facebook"].form_urls[0]
INSTAGRAM_FORM = FLOWS["instagram"].form_urls[0]


@dataclass
class Checked:
    results: dict[str, CheckResult]
    replay: CheckReplay


def run_checks(
    *services: str,
    evidence_dir: Path | None = None,
    timeout: float = 20,
    sessions: dict[str, Any] | None = None,
    root: Path | None = None,
    **scenario: Any,
) -> Checked:
    """Check the services on the replay, in a thread of its own (it starts Playwright)."""
    replayed = CheckScenario(**scenario)
    replay = CheckReplay(replayed, root=root) if root else CheckReplay(replayed)
    results = in_own_thread(
        check_services,
        [target_for(service) for service in services],
        timeout=timeout,
        evidence_dir=evidence_dir,
        prepare_context=replay.attach,
        sessions=sessions,
    )
    return Checked({result.service: result for result in results}, replay)


# -- states on the replays ------------------------------------------------------------


def test_without_a_session_meta_asks_to_log_in_and_whatsapp_has_no_form(tmp_path: Path) -> None:
    checked = run_checks("facebook", "instagram", "whatsapp", evidence_dir=tmp_path)
    facebook, instagram = checked.results["facebook"], checked.results["instagram"]
    for result in (facebook, instagram):
        assert result.state is CheckState.LOGIN_REQUIRED
        assert result.expected
        assert result.http_status == 200
        assert result.language == "en"
        assert result.screenshot is None  # nothing anomalous, nothing saved
    assert facebook.final_url is not None
    assert facebook.final_url.startswith("https://www.facebook.com/login/")
    assert instagram.final_url is not None
    assert instagram.final_url.startswith("https://www.instagram.com/accounts/login/")
    # The cookie dialog was declined first (never "allow all"), as the flows do.
    assert checked.replay.meta.consent_choices == ["essential", "essential"]
    assert checked.replay.meta.logins == []

    whatsapp = checked.results["whatsapp"]
    assert whatsapp.state is CheckState.NO_FORM
    assert whatsapp.expected
    assert whatsapp.link is None
    assert sorted(checked.replay.served) == [
        "whatsapp/contact_form",
        "whatsapp/faq",
        "whatsapp/privacy_policy",
    ]
    assert not tmp_path.exists() or not any(tmp_path.iterdir())


@pytest.mark.parametrize(
    ("language", "form"),
    [("en", "form_2025"), ("de", "form_2024"), ("en", "form_variant"), ("de", "ai_question")],
)
def test_every_form_version_is_form_ok(language: str, form: str) -> None:
    checked = run_checks("facebook", "instagram", language=language, form=form, logged_in=True)
    for service, result in checked.results.items():
        assert result.state is CheckState.FORM_OK, (service, result.detail)
        assert result.language == language
        assert result.http_status == 200
        assert result.final_url == FLOWS[service].form_urls[0]
    assert sorted(checked.replay.meta.served) == sorted([f"facebook/{form}", f"instagram/{form}"])
    assert checked.replay.meta.submissions == []


@pytest.mark.parametrize("language", ["en", "de"])
def test_changed_form_names_what_is_missing_and_saves_private_evidence(
    tmp_path: Path, language: str
) -> None:
    checked = run_checks(
        "facebook",
        "instagram",
        evidence_dir=tmp_path,
        language=language,
        form="form_changed",
        logged_in=True,
    )
    for result in checked.results.values():
        assert result.state is CheckState.FORM_CHANGED
        assert not result.expected
        assert result.missing == ["send", "email"]
        assert "not found: send button, email" in result.detail
        assert result.screenshot is not None
        assert result.html is not None
        screenshot, html = Path(result.screenshot), Path(result.html)
        assert screenshot.read_bytes().startswith(b"\x89PNG")
        for saved in (screenshot, html):
            assert saved.parent == tmp_path / result.service
            assert stat.S_IMODE(saved.stat().st_mode) == 0o600
        page = html.read_text("utf-8")
        assert "<script" not in page.lower()
        assert "Request review" in page or "Prüfung anfordern" in page
        assert checked.replay.meta.csrf_token not in page  # hidden form tokens are dropped
    # Reading the form answered the AI question but sent nothing.
    assert checked.replay.meta.submissions == []


def test_a_renamed_send_button_taken_for_next_sends_nothing(tmp_path: Path) -> None:
    # The send button now says "Continue", which reads as "Next", and Meta prefilled the
    # country, so pressing it would send the form. The check presses no such button: a
    # form without Send is changed, and nothing leaves.
    root = tmp_path / "replicas"
    shutil.copytree(fixtures_dir(), root, ignore=shutil.ignore_patterns("*.py", "*.md"))
    form = root / "facebook" / "form_2025.en.html"
    html = form.read_text("utf-8").replace('aria-label="Send"', 'aria-label="Continue"')
    html = html.replace(">Send</span>", ">Continue</span>")
    form.write_text(html.replace('<option value="DE">', '<option value="DE" selected>'), "utf-8")

    checked = run_checks("facebook", root=root, logged_in=True)
    facebook = checked.results["facebook"]
    assert facebook.state is CheckState.FORM_CHANGED
    assert "not found: send button" in facebook.detail
    assert facebook.missing == ["send"]
    assert checked.replay.meta.submissions == []


def test_redirect_to_an_unexpected_page_is_moved() -> None:
    checked = run_checks(
        "facebook",
        "instagram",
        breaks={"facebook": "redirect", "instagram": "redirect_offsite"},
    )
    facebook, instagram = checked.results["facebook"], checked.results["instagram"]
    assert facebook.state is CheckState.MOVED
    assert facebook.final_url == REDIRECT_TARGET
    assert facebook.http_status == 200
    assert "redirected to https://www.facebook.com/privacy/center/" in facebook.detail
    # The older form URL still leads to the login wall: the detail says so.
    assert FLOWS["facebook"].form_urls[1] in facebook.detail
    assert instagram.state is CheckState.MOVED
    assert instagram.final_url == REDIRECT_OFFSITE
    assert "outside the hosts" in instagram.detail


def test_404_and_the_unavailable_page_are_unavailable_and_no_network_an_error() -> None:
    checked = run_checks(
        "facebook",
        "instagram",
        "whatsapp",
        language="de",
        unavailable=True,
        breaks={"facebook": "404", "whatsapp": "offline"},
    )
    facebook, instagram = checked.results["facebook"], checked.results["instagram"]
    assert facebook.state is CheckState.UNAVAILABLE
    assert facebook.http_status == 404
    assert "HTTP 404" in facebook.detail
    assert instagram.state is CheckState.UNAVAILABLE
    assert instagram.http_status == 200
    assert "isn't available" in instagram.detail
    assert instagram.language == "de"
    whatsapp = checked.results["whatsapp"]
    assert whatsapp.state is CheckState.ERROR
    assert whatsapp.reason == "no_connection"
    assert "no internet connection" in whatsapp.detail
    assert "ERR_" not in whatsapp.detail  # the raw error is for the log file only
    assert whatsapp.detail.startswith(f"watched page {WATCHES['whatsapp'].watch_urls[0]}")


def test_a_form_that_never_answers_is_an_error_after_the_timeout(tmp_path: Path) -> None:
    checked = run_checks("facebook", evidence_dir=tmp_path, timeout=3, breaks={"facebook": "hang"})
    facebook = checked.results["facebook"]
    assert facebook.state is CheckState.ERROR
    assert facebook.reason == "page_timed_out"
    assert "did not finish loading within 3 seconds" in facebook.detail
    assert facebook.final_url is None
    assert facebook.http_status is None
    assert facebook.screenshot is None  # nothing loaded, nothing to show
    assert checked.replay.unanswered == [FACEBOOK_FORM]
    assert facebook.seconds < 30


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "Object to your information being used for AI at Meta"),
        ("de", "Einspruch gegen die Verwendung deiner Informationen für KI bei Meta einlegen"),
    ],
)
def test_whatsapp_objection_link_is_form_found(language: str, text: str) -> None:
    checked = run_checks("whatsapp", language=language, whatsapp_objection=True)
    whatsapp = checked.results["whatsapp"]
    assert whatsapp.state is CheckState.FORM_FOUND
    assert not whatsapp.expected
    assert whatsapp.link == "https://www.whatsapp.com/contact/forms/1276145179826463/"
    assert whatsapp.final_url == "https://faq.whatsapp.com/"
    assert whatsapp.detail == f'"{text}" on https://faq.whatsapp.com/'


@pytest.mark.parametrize(
    ("language", "title"),
    [
        ("en", "Object to Meta using your messages with AIs on WhatsApp"),
        ("de", "Widerspruch gegen die Nutzung deiner Nachrichten mit KIs auf WhatsApp durch Meta"),
    ],
)
def test_whatsapps_form_for_messages_with_ais_is_form_found_with_its_url(
    language: str, title: str
) -> None:
    checked = run_checks("whatsapp", language=language, whatsapp_ai_form=True)
    whatsapp = checked.results["whatsapp"]
    assert whatsapp.state is CheckState.FORM_FOUND
    assert whatsapp.link == WATCHES["whatsapp"].watch_urls[0]
    assert whatsapp.detail == f'"{title}" on {WATCHES["whatsapp"].watch_urls[0]}'
    assert checked.replay.served[0] == "whatsapp/ai_form"  # where the contact form was


def test_a_saved_session_sees_the_form_and_an_expired_one_is_not_fine(tmp_path: Path) -> None:
    replay = CheckReplay(CheckScenario())

    def session(service: str, token: str) -> dict[str, Any]:
        domain = ".facebook.com" if service == "facebook" else ".instagram.com"
        cookie = {"domain": domain, "path": "/", "expires": -1, "httpOnly": True}
        cookies = [
            {**cookie, "name": "xs", "value": token, "secure": True, "sameSite": "Lax"},
            {**cookie, "name": "consent", "value": "essential", "secure": True, "sameSite": "Lax"},
        ]
        return {"cookies": cookies, "origins": []}

    expired = tmp_path / "instagram.json"  # a storage state may be a file, too
    expired.write_text(json.dumps(session("instagram", "xs-expired")))

    results = in_own_thread(
        check_services,
        [target_for("facebook"), target_for("instagram")],
        timeout=20,
        prepare_context=replay.attach,
        sessions={
            "facebook": session("facebook", replay.meta.session_token),
            "instagram": expired,
        },
    )
    facebook, instagram = results
    assert facebook.state is CheckState.FORM_OK
    assert instagram.state is CheckState.LOGIN_REQUIRED
    assert not instagram.expected
    assert "the saved session has expired" in instagram.detail


def test_whatsapp_is_watched_but_still_has_no_flow_to_submit() -> None:
    assert "whatsapp" in WATCHES
    assert "whatsapp" not in FLOWS
    with pytest.raises(UnknownService, match="WhatsApp has no known objection form yet"):
        get_flow("whatsapp")


# -- alerts and history, on recorded results ------------------------------------------


@dataclass
class Notifications:
    """Runs `record` for one service, state after state, and keeps what was announced."""

    data_dir: Path
    alert_after: int = 2
    notify_cmd: tuple[str, ...] = ()
    webhook: str | None = None
    apprise_urls: tuple[str, ...] = ()
    announced: list[list[str]] = field(default_factory=list)

    def check(self, *states: CheckState, service: str = "facebook") -> list[list[str]]:
        settings = CheckSettings(
            services=(service,),
            data_dir=prepare_data_dir(self.data_dir),
            alert_after=self.alert_after,
            notify_cmd=self.notify_cmd,
            webhook=self.webhook,
            apprise_urls=self.apprise_urls,
        )
        runs = []
        for state in states:
            report = record(settings, [recorded(state, service)])
            runs.append([f"{a.kind}:{a.state}" for a in report.alerts])
        self.announced += runs
        return runs


def recorded(state: CheckState, service: str = "facebook", at: str | None = None) -> CheckResult:
    return CheckResult(
        service=service,
        state=state,
        detail=f"replayed {state.value}",
        url=FACEBOOK_FORM,
        checked_at=at or utc_now(),
        expected=state in EXPECTED,
        final_url=FACEBOOK_FORM,
        http_status=200,
        language="en",
    )


OK, LOGIN, CHANGED, MOVED, ERROR = (
    CheckState.FORM_OK,
    CheckState.LOGIN_REQUIRED,
    CheckState.FORM_CHANGED,
    CheckState.MOVED,
    CheckState.ERROR,
)


def test_a_change_of_state_is_announced_exactly_once(tmp_path: Path) -> None:
    runs = Notifications(tmp_path).check(OK, CHANGED, CHANGED, CHANGED, CHANGED, OK, OK, OK)
    assert runs == [[], [], ["failing:form_changed"], [], [], [], ["recovered:form_ok"], []]


def test_a_flapping_state_alerts_only_once(tmp_path: Path) -> None:
    runs = Notifications(tmp_path).check(OK, CHANGED, CHANGED, OK, CHANGED, OK, CHANGED, OK)
    assert [alert for run in runs for alert in run] == ["failing:form_changed"]
    # Flapping between two failures is not news either, once the failure is known.
    more = Notifications(tmp_path).check(MOVED, CHANGED, MOVED, CHANGED)
    assert more == [[], [], [], []]


def test_alert_after_sets_how_many_consecutive_failures_it_takes(tmp_path: Path) -> None:
    three = Notifications(tmp_path / "three", alert_after=3).check(OK, ERROR, ERROR, ERROR, ERROR)
    assert three == [[], [], [], ["failing:error"], []]
    one = Notifications(tmp_path / "one", alert_after=1).check(OK, ERROR, OK)
    assert one == [[], ["failing:error"], ["recovered:form_ok"]]
    # A failure that turns into another one is announced once the new one held too.
    other = Notifications(tmp_path / "other").check(ERROR, ERROR, MOVED, MOVED, MOVED)
    assert other == [[], ["failing:error"], [], ["changed:moved"], []]


def test_first_check_and_changes_between_expected_states_are_silent(tmp_path: Path) -> None:
    runs = Notifications(tmp_path).check(LOGIN, OK, LOGIN, OK)
    assert runs == [[], [], [], []]


def test_whatsapp_form_found_is_announced(tmp_path: Path) -> None:
    found = CheckState.FORM_FOUND
    runs = Notifications(tmp_path).check(CheckState.NO_FORM, found, found, service="whatsapp")
    assert runs == [[], [], ["form_found:form_found"]]


def test_notify_command_gets_the_json_on_stdin(tmp_path: Path) -> None:
    out = tmp_path / "alert.json"
    command = (
        sys.executable,
        "-c",
        "import sys; open(sys.argv[1], 'wb').write(sys.stdin.buffer.read())",
    )
    notifications = Notifications(tmp_path / "data", notify_cmd=(*command, str(out)))
    notifications.check(OK, MOVED)
    assert not out.exists()  # one failing check is not yet an alert
    notifications.check(MOVED)
    document = json.loads(out.read_text("utf-8"))
    assert document["source"] == "widerspruch check"
    [alert] = document["alerts"]
    assert alert["service"] == "facebook"
    assert alert["kind"] == "failing"
    assert alert["state"] == "moved"
    assert alert["previous"] == "form_ok"
    assert [r["state"] for r in document["results"]] == ["moved"]


def test_a_failed_notification_is_retried_on_the_next_run(tmp_path: Path) -> None:
    failing = (sys.executable, "-c", "import sys; sys.exit(3)")
    settings = CheckSettings(("facebook",), prepare_data_dir(tmp_path), notify_cmd=failing)
    for state in (OK, ERROR):
        assert record(settings, [recorded(state)]).alerts == []
    report = record(settings, [recorded(ERROR)])
    assert [a.state for a in report.alerts] == ["error"]
    assert [(d.ok, d.error) for d in report.deliveries] == [(False, "exit code 3")]
    assert not report.ok
    again = record(settings, [recorded(ERROR)])
    assert [a.state for a in again.alerts] == ["error"]  # announced again: not delivered yet


@dataclass
class Receiver:
    url: str
    received: list[tuple[str, bytes]]
    answer: list[int]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A local webhook endpoint on 127.0.0.1, stopped after the test."""
    received: list[tuple[str, bytes]] = []
    answer = [204]

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((self.headers["Content-Type"], body))
            self.send_response(answer[0])
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield Receiver(f"http://127.0.0.1:{server.server_port}/hooks/s3cr3t", received, answer)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
    assert not thread.is_alive()


def test_webhook_receives_the_json(tmp_path: Path, receiver: Receiver) -> None:
    notifications = Notifications(tmp_path, webhook=receiver.url)
    notifications.check(OK, CHANGED)
    assert receiver.received == []
    notifications.check(CHANGED)
    [(content_type, body)] = receiver.received
    assert content_type == "application/json"
    document = json.loads(body)
    assert [(a["service"], a["state"]) for a in document["alerts"]] == [
        ("facebook", "form_changed")
    ]

    receiver.answer[0] = 500
    settings = CheckSettings(("facebook",), prepare_data_dir(tmp_path), webhook=receiver.url)
    for _ in range(2):
        report = record(settings, [recorded(OK)])
    assert [a.kind for a in report.alerts] == ["recovered"]
    [delivery] = report.deliveries
    assert (delivery.ok, delivery.error) == (False, "HTTP 500")
    assert "s3cr3t" not in delivery.target  # a webhook's path may be its secret


def test_apprise_sends_the_alert_as_text(tmp_path: Path, receiver: Receiver) -> None:
    # Apprise's json:// sends to any HTTP endpoint, here the local receiver.
    url = receiver.url.replace("http://", "json://", 1)
    notifications = Notifications(tmp_path, apprise_urls=(url,))
    notifications.check(OK, MOVED)
    assert receiver.received == []
    notifications.check(MOVED)
    [(_, body)] = receiver.received
    sent = json.loads(body)
    assert sent["title"] == "widerspruch check: 1 change"
    assert sent["message"].startswith("facebook: moved (was form_ok) since ")
    assert sent["type"] == "warning"

    receiver.answer[0] = 500
    report = record(CheckSettings(("facebook",), tmp_path, apprise_urls=(url,)), [recorded(OK)])
    report = record(CheckSettings(("facebook",), tmp_path, apprise_urls=(url,)), [recorded(OK)])
    assert [a.kind for a in report.alerts] == ["recovered"]
    [delivery] = report.deliveries
    assert (delivery.ok, delivery.target) == (False, "apprise json://")  # no host, no token
    assert not report.ok


def test_apprise_without_its_package_is_a_usage_error(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "apprise", None)  # import apprise: ImportError
    result = runner.invoke(
        app, ["check", "--data-dir", str(tmp_path), "--apprise", "ntfy://alerts"]
    )
    assert result.exit_code == 2
    assert "pip install 'widerspruch[apprise]'" in result.output


def test_history_keeps_state_changes_and_30_day_uptime(tmp_path: Path) -> None:
    settings = CheckSettings(("facebook",), prepare_data_dir(tmp_path))
    record(settings, [recorded(ERROR, at="2020-01-01T00:00:00+00:00")])  # long ago
    for state in (OK, OK, CHANGED, CHANGED):
        record(settings, [recorded(state)])
    record(settings, [recorded(CheckState.NO_FORM, service="whatsapp")])
    [facebook, whatsapp] = history(tmp_path)
    assert facebook.service == "facebook"
    assert facebook.state == "form_changed"
    assert not facebook.expected
    assert facebook.checks_30d == 4
    assert facebook.uptime_30d == 0.5
    assert [(c.previous, c.state) for c in facebook.changes] == [
        ("form_ok", "form_changed"),
        ("error", "form_ok"),
        (None, "error"),
    ]
    assert facebook.since == facebook.changes[0].at
    assert (whatsapp.state, whatsapp.uptime_30d) == ("no_form", 1.0)
    assert [t.service for t in history(tmp_path, ["whatsapp"])] == ["whatsapp"]
    assert history(tmp_path / "nothing") == []


def test_check_history_is_a_migration_of_the_ledger(tmp_path: Path) -> None:
    with Ledger.open(prepare_data_dir(tmp_path)) as ledger:
        names = dict(ledger._db.execute("SELECT version, name FROM schema_migrations"))
    assert names[3] == "check history"


# -- the command line -----------------------------------------------------------------


class ThreadedRunner(CliRunner):
    """Invokes in a thread of its own: `check` starts Playwright, as it does for users."""

    def invoke(self, *args: Any, **kwargs: Any) -> Any:
        return in_own_thread(super().invoke, *args, **kwargs)


@pytest.fixture
def runner() -> CliRunner:
    return ThreadedRunner()


@pytest.fixture
def replayed(monkeypatch: pytest.MonkeyPatch) -> CheckScenario:
    """`check` launches its browser as usual, but the services are the replay; the test
    changes the scenario between runs."""
    scenario = CheckScenario()
    original = check_run.check_services

    def replaying(*args: Any, **kwargs: Any) -> list[CheckResult]:
        replay = CheckReplay(CheckScenario(**vars(scenario)))
        return original(*args, **{**kwargs, "prepare_context": replay.attach})

    # `run_check` calls it from its own module: patched there, the patch takes effect.
    monkeypatch.setattr(check_run, "check_services", replaying)
    return scenario


def test_check_json_exit_codes_and_history_across_runs(
    runner: CliRunner, replayed: CheckScenario, tmp_path: Path
) -> None:
    notified = tmp_path / "notified.json"
    append_stdin = "import sys; open(sys.argv[1], 'ab').write(sys.stdin.buffer.read())"
    notify = shlex.join([sys.executable, "-c", append_stdin, str(notified)])
    args = ["check", "--data-dir", str(tmp_path / "data"), "--notify-cmd", notify, "--json"]

    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    document = json.loads(first.stdout)
    assert document["ok"] is True
    assert [(r["service"], r["state"]) for r in document["results"]] == [
        ("facebook", "login_required"),
        ("instagram", "login_required"),
        ("meta-third-party", "form_ok"),  # a form for people without an account
        ("linkedin", "login_required"),
        ("whatsapp", "no_form"),
    ]
    assert document["alerts"] == []

    replayed.breaks = {"instagram": "404"}
    replayed.whatsapp_objection = True
    for run in range(2):
        broken = runner.invoke(app, [*args, "--alert-after", "2"])
        assert broken.exit_code == 1, broken.output
        document = json.loads(broken.stdout)
        states = {r["service"]: r["state"] for r in document["results"]}
        assert states == {
            "facebook": "login_required",
            "instagram": "unavailable",
            "meta-third-party": "form_ok",
            "linkedin": "login_required",
            "whatsapp": "form_found",
        }
        alerted = sorted(a["service"] for a in document["alerts"])
        assert alerted == ([] if run == 0 else ["instagram", "whatsapp"])
        assert [n["ok"] for n in document["notified"]] == ([] if run == 0 else [True])
    assert len(json.loads(notified.read_text("utf-8"))["alerts"]) == 2  # one document

    shown = runner.invoke(app, ["check", "--history", "--data-dir", str(tmp_path / "data")])
    assert shown.exit_code == 0, shown.output
    assert "instagram" in shown.stdout
    assert "unavailable" in shown.stdout
    timeline = runner.invoke(
        app, ["check", "instagram", "--history", "--json", "--data-dir", str(tmp_path / "data")]
    )
    [instagram] = json.loads(timeline.stdout)["history"]
    assert [(c["previous"], c["state"]) for c in instagram["changes"]] == [
        ("login_required", "unavailable"),
        (None, "login_required"),
    ]
    assert instagram["checks_30d"] == 3
    assert instagram["uptime_30d"] == pytest.approx(1 / 3, abs=1e-3)


def test_plain_output_is_a_table_with_alerts_on_stderr(
    runner: CliRunner, replayed: CheckScenario, tmp_path: Path
) -> None:
    replayed.breaks = {"facebook": "redirect"}
    result = runner.invoke(
        app,
        ["check", "facebook", "--alert-after", "1", "--data-dir", str(tmp_path)],
        env={"COLUMNS": "250"},  # one table row per line
    )
    assert result.exit_code == 1
    assert "moved" in result.stdout
    assert "https://www.facebook.com/privacy/center/" in result.stdout
    assert "alert: facebook: moved" in result.stderr


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            ["signal"],
            "unknown service 'signal'; known: facebook, instagram, meta-third-party, linkedin, "
            "whatsapp",
        ),
        (["--notify-cmd", ""], "--notify-cmd is empty"),
        (["--notify-cmd", "notify 'unclosed"], "--notify-cmd: No closing quotation"),
        (["--webhook", "ftp://example.org/"], "--webhook: 'ftp://example.org/' is not an http"),
        (["--alert-after", "0"], "--alert-after"),
        (["--apprise", "alerts.example.org"], "--apprise: not a URL"),
        (["--apprise", "nosuch://s3cr3t"], "--apprise: Apprise cannot send to this nosuch://"),
    ],
)
def test_usage_errors_exit_2_with_one_line(
    runner: CliRunner, tmp_path: Path, extra: list[str], message: str
) -> None:
    result = runner.invoke(app, ["check", "--data-dir", str(tmp_path), *extra])
    assert result.exit_code == 2
    assert message in result.output


def test_a_look_alike_form_behind_the_url_is_reported_as_changed(tmp_path: Path) -> None:
    root = tmp_path / "replicas"
    shutil.copytree(fixtures_dir(), root)
    look_alike = (
        '<!DOCTYPE html><html lang="en"><body><h2>Report a login problem</h2>'
        '<form><label>Email address <input type="email" name="email"></label>'
        '<label>Please describe the problem <textarea name="text"></textarea></label>'
        '<div role="button" tabindex="0">Send</div></form></body></html>'
    )
    for service in ("facebook", "instagram"):
        (root / service / "look_alike.en.html").write_text(look_alike, "utf-8")
    checked = run_checks(
        "facebook", "instagram", root=root, language="en", form="look_alike", logged_in=True
    )
    for result in checked.results.values():
        assert result.state is CheckState.FORM_CHANGED, result.detail
        assert "not Meta's AI objection form" in result.detail
    assert checked.replay.meta.submissions == []
