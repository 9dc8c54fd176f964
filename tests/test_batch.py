"""`widerspruch batch` on the replays: isolation, the queue, Ctrl-C, resume, and the report."""

from __future__ import annotations

import csv
import io
import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest
from playwright.sync_api import BrowserContext, Page, Request, Route
from rich.console import Console
from typer.testing import CliRunner

from tests.claims import live_process, other_owner
from tests.conftest import Harness
from tests.records import make_objection
from widerspruch.batch import (
    BatchOutcome,
    BatchSettings,
    Choice,
    ConsoleOperator,
    ItemState,
    Progress,
    Review,
    run_batch,
)
from widerspruch.batch.report import build_report, to_csv, to_html
from widerspruch.browser import BrowserSession
from widerspruch.cli import app
from widerspruch.ledger import Ledger
from widerspruch.page.flow import Flow
from widerspruch.states import PageState, Status
from widerspruch.testing.operator import ScriptedOperator
from widerspruch.testing.person import StandInPerson
from widerspruch.testing.replay import SUBMIT_PATH, SentForm

HEADER = "member_id,email,country,language,services,mandate_ref\n"


def members(tmp_path: Path, *rows: str, name: str = "members.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + "".join(row + "\n" for row in rows), "utf-8")
    return path


def member(number: int, services: str = "", country: str = "DE") -> str:
    return f"{number:04d},m{number}@example.org,{country},,{services},MANDATE-{number}"


def run(
    harness: Harness, path: Path, operator: ScriptedOperator | None = None, **options: Any
) -> BatchOutcome:
    def prepare(context: BrowserContext, flow: Flow) -> None:
        harness.contexts.append(context)
        harness.replay.attach(context)
        if harness.context_hook is not None:
            harness.context_hook(context)

    session = BrowserSession(
        harness.playwright, harness.browser, attached=False, prepare_context=prepare
    )
    defaults: dict[str, Any] = {
        "services": "facebook",
        "template": "standard",
        "data_dir": harness.data_dir,
        "headless": True,
        "timeout": 20,
        "assume_yes": True,
    }
    defaults.update(options)
    settings = BatchSettings.from_options(file=path, **defaults)
    return run_batch(
        settings,
        person=harness.person,
        operator=operator if operator is not None else ScriptedOperator(),
        session=session,
    )


def states(outcome: BatchOutcome) -> list[tuple[str, str, ItemState]]:
    return [(item.member_id, item.service, item.state) for item in outcome.items]


def sent_emails(harness: Harness) -> list[str]:
    return [form.fields["email"] for form in harness.replay.submissions]


# -- isolation --------------------------------------------------------------------------


def test_each_member_starts_clean_and_meets_the_login_wall(
    harness: Harness, tmp_path: Path
) -> None:
    seen: list[dict[str, Any]] = []

    def watch(context: BrowserContext) -> None:
        record: dict[str, Any] = {"cookies at start": context.cookies(), "first form GET": None}
        storage = context.storage_state()
        record["storage at start"] = storage["cookies"] + storage["origins"]

        def on_request(request: Request) -> None:
            if "/help/contact/" in request.url and record["first form GET"] is None:
                record["first form GET"] = request.headers.get("cookie", "")

        context.on("request", on_request)
        seen.append(record)

    harness.context_hook = watch
    outcome = run(harness, members(tmp_path, member(1), member(2), member(3)))

    assert [state for *_, state in states(outcome)] == [ItemState.CONFIRMED] * 3
    # Member 1 logged in; members 2 and 3 still met Meta's login wall.
    assert harness.person.actions == ["login_wall"] * 3
    assert [login.fields["email"] for login in harness.replay.logins] == [
        "m1@example.org",
        "m2@example.org",
        "m3@example.org",
    ]
    for record in seen:
        assert record["cookies at start"] == []
        assert record["storage at start"] == []
        assert "xs=" not in record["first form GET"]
    assert sent_emails(harness) == ["m1@example.org", "m2@example.org", "m3@example.org"]
    assert harness.browser.contexts == []  # every member's context was closed


def test_an_item_moves_through_the_queue_states(harness: Harness, tmp_path: Path) -> None:
    outcome = run(harness, members(tmp_path, member(1)))
    [item] = outcome.items
    with Ledger.open(harness.data_dir) as ledger:
        trail = [event["state"] for event in ledger.batch_item_events(item.id)]
        objection = ledger.get(item.objection_id or 0)
    assert trail == [
        "pending",
        "in_progress",
        "awaiting_person",
        "in_progress",
        "submitted",
        "confirmed",
    ]
    assert objection.status is Status.CONFIRMED
    assert item.started_at
    assert item.finished_at
    assert outcome.ok


# -- nothing twice ----------------------------------------------------------------------


def test_an_account_confirmed_in_an_earlier_batch_is_skipped(
    harness: Harness, tmp_path: Path
) -> None:
    first = run(harness, members(tmp_path, member(1), member(2), name="first.csv"))
    assert first.ok
    again = "0099,M2@example.org,AT,,,other mandate"  # same account, another row
    second = run(harness, members(tmp_path, again, member(3), name="second.csv"))

    assert states(second) == [
        ("0099", "facebook", ItemState.SKIPPED),
        ("0003", "facebook", ItemState.CONFIRMED),
    ]
    skipped = second.items[0]
    assert skipped.reason
    assert skipped.reason.startswith("already confirmed on")
    assert skipped.objection_id == first.items[1].objection_id
    assert second.ok
    assert sent_emails(harness) == ["m1@example.org", "m2@example.org", "m3@example.org"]


def test_skip_invalid_goes_ahead_with_the_good_rows(harness: Harness, tmp_path: Path) -> None:
    path = members(tmp_path, member(1), "0002,not-an-email,DE,,,M-2", member(3))
    outcome = run(harness, path, skip_invalid=True)
    assert states(outcome) == [
        ("0001", "facebook", ItemState.CONFIRMED),
        ("0002", "facebook", ItemState.INVALID),
        ("0003", "facebook", ItemState.CONFIRMED),
    ]
    assert "line 3" in (outcome.items[1].reason or "")
    assert not outcome.ok
    assert sent_emails(harness) == ["m1@example.org", "m3@example.org"]


def lose_the_answer(harness: Harness) -> None:
    """Meta gets the form and takes it; its answer never reaches the browser."""

    def context_hook(context: BrowserContext) -> None:
        def received_then_lost(route: Route) -> None:
            fields = dict(parse_qsl(route.request.post_data or ""))
            harness.replay.submissions.append(SentForm(route.request.url, fields))
            harness.replay.objected[("facebook", fields["email"])] = "2026-05-04"
            route.abort("connectionreset")

        context.route(f"**{SUBMIT_PATH}", received_then_lost)

    harness.context_hook = context_hook


def test_resume_never_sends_what_may_have_reached_meta_and_lists_it_for_review(
    harness: Harness, tmp_path: Path
) -> None:
    path = members(tmp_path, member(1), member(2))
    lose_the_answer(harness)
    first = run(harness, path, timeout=5)
    assert [state for *_, state in states(first)] == [ItemState.SUBMITTED] * 2
    assert len(harness.replay.submissions) == 2

    harness.context_hook = None
    for _ in range(2):  # resumed twice: the same, and nothing sent
        operator = ScriptedOperator()
        again = run(harness, path, operator, resume=True)  # --yes: nobody decides
        assert [state for *_, state in states(again)] == [ItemState.SUBMITTED] * 2
        assert len(harness.replay.submissions) == 2
        review = [line for line in operator.lines if line.startswith("To review:")]
        assert [line.split(":")[1] for line in review] == [
            " member 0001, facebook",
            " member 0002, facebook",
        ]
        assert all("Not sent again (--yes)" in line for line in review)
        assert not again.ok
    with Ledger.open(harness.data_dir) as ledger:
        objections = ledger.objections()
    assert [(o.id, o.status) for o in objections] == [
        (1, Status.SUBMITTED_UNCONFIRMED),
        (2, Status.SUBMITTED_UNCONFIRMED),
    ]
    assert [item.objection_id for item in again.items] == [1, 2]


def test_what_the_member_says_is_their_statement_never_a_confirmation(
    harness: Harness, tmp_path: Path
) -> None:
    path = members(tmp_path, member(1))
    lose_the_answer(harness)
    run(harness, path, timeout=5)
    harness.context_hook = None
    operator = ScriptedOperator(reviews=[Review.MEMBER_SAYS_SENT])

    again = run(harness, path, operator, resume=True, assume_yes=False)

    assert states(again) == [("0001", "facebook", ItemState.MEMBER_SAYS_SENT)]
    assert operator.asked == ["0001/facebook: review"]
    assert len(harness.replay.submissions) == 1
    assert not again.ok  # the member's word is not Meta's confirmation
    with Ledger.open(harness.data_dir) as ledger:
        kept = ledger.get(1)
        statements = [e for e in ledger.events(1) if e.kind == "batch"]
    assert kept.status is Status.SUBMITTED_UNCONFIRMED
    assert [e.state for e in statements] == ["member_statement"]
    assert "not Meta's confirmation" in (statements[0].detail or "")
    assert "their statement" in (again.items[0].reason or "")


def test_resume_sends_again_only_on_the_operators_word_and_keeps_the_first_record(
    harness: Harness, tmp_path: Path
) -> None:
    path = members(tmp_path, member(1))
    lose_the_answer(harness)
    run(harness, path, timeout=5)
    harness.context_hook = None
    operator = ScriptedOperator(reviews=[Review.SEND_AGAIN])

    again = run(harness, path, operator, resume=True, assume_yes=False)

    assert states(again) == [("0001", "facebook", ItemState.CONFIRMED)]
    assert again.items[0].objection_id == 2
    assert operator.handed_over == ["0001"]  # the member gets the keyboard for it
    assert any("may already have reached Meta" in line for line in operator.lines)
    assert len(harness.replay.submissions) == 2
    with Ledger.open(harness.data_dir) as ledger:
        first = ledger.get(1)
        notes = [e for e in ledger.events(1) if e.kind == "batch"]
    assert first.status is Status.SUBMITTED_UNCONFIRMED  # it may still have reached Meta
    assert [n.state for n in notes] == ["sent_again"]
    assert "the operator chose to send it again" in (notes[0].detail or "")
    assert "as objection #2" in (notes[0].detail or "")


def test_the_operator_may_leave_it_and_nothing_is_sent(harness: Harness, tmp_path: Path) -> None:
    path = members(tmp_path, member(1))
    lose_the_answer(harness)
    run(harness, path, timeout=5)
    harness.context_hook = None
    operator = ScriptedOperator(reviews=[Review.LEAVE])

    again = run(harness, path, operator, resume=True, assume_yes=False)

    assert states(again) == [("0001", "facebook", ItemState.SUBMITTED)]
    assert "left as it is by the operator" in (again.items[0].reason or "")
    assert len(harness.replay.submissions) == 1


def test_a_failed_objection_whose_request_reached_meta_is_not_sent_by_a_batch(
    harness: Harness, tmp_path: Path
) -> None:
    # Meta answered the submission with an error page: it may still have it.
    failed = make_objection(harness.data_dir, status=Status.FAILED, email="m1@example.org")
    with Ledger.open(harness.data_dir) as ledger:
        ledger.record_submission(failed.id, {"phase": "answered", "status": 500})
    operator = ScriptedOperator()
    outcome = run(harness, members(tmp_path, member(1), member(2)), operator)
    assert states(outcome) == [
        ("0001", "facebook", ItemState.SUBMITTED),
        ("0002", "facebook", ItemState.CONFIRMED),
    ]
    assert outcome.items[0].objection_id == failed.id
    assert sent_emails(harness) == ["m2@example.org"]
    assert any(line.startswith("To review: member 0001") for line in operator.lines)


def test_a_member_another_live_run_is_objecting_for_is_left_pending(
    harness: Harness, tmp_path: Path
) -> None:
    harness.data_dir.mkdir(parents=True)
    with Ledger.open(harness.data_dir) as mine, other_owner(mine, live_process()) as other:
        other.claim(
            service="facebook",
            account_email="m1@example.org",
            country="DE",
            language="de",
            template="standard",
            template_version="1",
            justification="Ich widerspreche.",
            form_url="https://www.facebook.com/help/contact/712876720715583",
            force=False,
        )
    operator = ScriptedOperator()
    outcome = run(harness, members(tmp_path, member(1), member(2)), operator)
    assert states(outcome) == [
        ("0001", "facebook", ItemState.PENDING),
        ("0002", "facebook", ItemState.CONFIRMED),
    ]
    line = "another widerspruch run is objecting for m***@example.org on facebook since "
    assert (outcome.items[0].reason or "").startswith(line)
    assert any(line in said for said in operator.lines)
    assert sent_emails(harness) == ["m2@example.org"]
    assert not outcome.ok


# -- the person, the operator, Ctrl-C -----------------------------------------------------


class InterruptedPerson(StandInPerson):
    """Presses Ctrl-C the first time each of these accounts meets the login wall."""

    def __init__(self, *emails: str) -> None:
        super().__init__()
        self.interrupt_for = set(emails)

    def act(self, need: PageState, page: Page, flow: Flow, email: str) -> None:
        if need is PageState.LOGIN_WALL and email in self.interrupt_for:
            self.interrupt_for.discard(email)
            self.actions.append("ctrl-c")
            raise KeyboardInterrupt
        super().act(need, page, flow, email)


def test_ctrl_c_then_retry_sends_it_once(harness: Harness, tmp_path: Path) -> None:
    harness.person = InterruptedPerson("m1@example.org")
    operator = ScriptedOperator(choices=[Choice.RETRY])
    outcome = run(harness, members(tmp_path, member(1)), operator, assume_yes=False)
    assert states(outcome) == [("0001", "facebook", ItemState.CONFIRMED)]
    assert operator.asked == ["0001/facebook: stopped before sending; nothing sent"]
    assert sent_emails(harness) == ["m1@example.org"]
    with Ledger.open(harness.data_dir) as ledger:
        assert [o.status for o in ledger.objections()] == [Status.CANCELLED, Status.CONFIRMED]


def test_ctrl_c_then_skip_skips_the_member_and_goes_on(harness: Harness, tmp_path: Path) -> None:
    harness.person = InterruptedPerson("m1@example.org")
    operator = ScriptedOperator(choices=[Choice.SKIP])
    path = members(tmp_path, member(1, "facebook instagram"), member(2))
    outcome = run(harness, path, operator, assume_yes=False)
    assert states(outcome) == [
        ("0001", "facebook", ItemState.SKIPPED),
        ("0001", "instagram", ItemState.SKIPPED),
        ("0002", "facebook", ItemState.CONFIRMED),
    ]
    assert all("skipped by the operator" in (i.reason or "") for i in outcome.items[:2])
    assert operator.handed_over == ["0001", "0002"]
    assert sent_emails(harness) == ["m2@example.org"]
    assert not outcome.ok


@pytest.mark.parametrize("ask", [True, False], ids=["asked-stop", "yes-stops"])
def test_ctrl_c_then_stop_and_resume_finishes(harness: Harness, tmp_path: Path, ask: bool) -> None:
    harness.person = InterruptedPerson("m2@example.org")
    operator = ScriptedOperator(choices=[Choice.STOP])
    path = members(tmp_path, member(1), member(2), member(3))
    outcome = run(harness, path, operator, assume_yes=not ask)

    assert outcome.interrupted
    assert states(outcome) == [
        ("0001", "facebook", ItemState.CONFIRMED),
        ("0002", "facebook", ItemState.PENDING),
        ("0003", "facebook", ItemState.PENDING),
    ]
    assert outcome.items[1].reason == "stopped before sending; nothing sent"
    assert len(operator.asked) == (1 if ask else 0)

    again = run(harness, path, resume=True)
    assert [state for *_, state in states(again)] == [ItemState.CONFIRMED] * 3
    assert again.ok
    assert sent_emails(harness) == ["m1@example.org", "m2@example.org", "m3@example.org"]


def test_a_finished_batch_is_not_resumed_and_an_open_one_not_restarted(
    harness: Harness, tmp_path: Path
) -> None:
    harness.person = InterruptedPerson("m1@example.org")
    path = members(tmp_path, member(1))
    run(harness, path)  # --yes: Ctrl-C stops
    with pytest.raises(Exception, match=r"has not finished .* continue it with --resume"):
        run(harness, path)
    assert run(harness, path, resume=True).ok
    with pytest.raises(Exception, match="no unfinished batch"):
        run(harness, path, resume=True)


def test_progress_is_a_plain_line(harness: Harness, tmp_path: Path) -> None:
    operator = ScriptedOperator()
    run(harness, members(tmp_path, member(1), member(2)), operator)
    progress = [line for line in operator.lines if line.startswith("batch #1:")]
    assert progress[-1].startswith("batch #1: 2 of 2 done (2 confirmed, 0 failed), 0 remaining, 0:")
    assert progress[-1].endswith("elapsed, about 0:00 left")

    out = io.StringIO()
    plain = ConsoleOperator(assume_yes=True, console=Console(file=out, force_terminal=False))
    plain.progress(Progress(7, 10, {ItemState.CONFIRMED: 3, ItemState.FAILED: 1}, 125.0, 190.0))
    assert out.getvalue() == (
        "batch #7: 4 of 10 done (3 confirmed, 1 failed), 6 remaining, 2:05 elapsed, "
        "about 3:10 left\n"
    )


# -- the report ---------------------------------------------------------------------------


def test_report_has_each_member_and_service_with_dates_evidence_and_mandate(
    harness: Harness, tmp_path: Path
) -> None:
    path = members(tmp_path, member(1, "facebook instagram"), "0002,bad,DE,,,M-2")
    run(harness, path, skip_invalid=True)

    report = build_report(harness.data_dir, None, redact=False)
    rows = list(csv.DictReader(io.StringIO(to_csv(report))))
    with Ledger.open(harness.data_dir) as ledger:
        hashes = {o.service: o.manifest_sha256 for o in ledger.objections()}
    assert [(r["member_id"], r["service"], r["state"]) for r in rows] == [
        ("0001", "facebook", "confirmed"),
        ("0001", "instagram", "confirmed"),
        ("0002", "facebook", "invalid"),
    ]
    for row in rows[:2]:
        assert row["account"] == "m1@example.org"
        assert row["mandate_ref"] == "MANDATE-1"
        assert row["manifest_sha256"] == hashes[row["service"]]
        assert len(row["manifest_sha256"]) == 64
        assert row["submitted_at"] <= row["finished_at"]
        assert row["objection_status"] == "confirmed"
    assert "bad email 'bad'" in rows[2]["detail"]

    html = to_html(report, generated_at="2026-05-04T10:00:00+00:00")
    assert html.count("<tr>") == 4  # the head and three rows
    assert "<style>" in html
    assert "src=" not in html
    assert "http" not in html.split("<body>")[1]
    assert hashes["facebook"] is not None  # for mypy: the hash is in the ledger (checked above)
    assert hashes["facebook"] in html
    assert "MANDATE-1" in html
    assert [r["demo"] for r in rows] == ["", "", ""]
    assert "DEMO" not in html

    # A demo record behind an item (a batch never makes one) would be marked as such.
    with sqlite3.connect(harness.data_dir / "ledger.sqlite3") as db:
        db.execute("UPDATE objections SET demo = 1 WHERE service = 'instagram'")
    db.close()
    report = build_report(harness.data_dir, None, redact=False)
    rows = list(csv.DictReader(io.StringIO(to_csv(report))))
    assert [r["demo"] for r in rows] == ["", "yes", ""]
    assert "(DEMO, not sent to Meta)" in to_html(report, generated_at="2026-05-04T10:00:00+00:00")


def test_redacted_report_shows_no_email_address(harness: Harness, tmp_path: Path) -> None:
    path = members(
        tmp_path,
        member(1),
        "0002,jana.schmidt@example.org,XY,,,M-2",
        "0003,jürgen.müller@bäckerei-müller.de,XY,,,M-3",
    )
    run(harness, path, skip_invalid=True)
    data_dir = str(harness.data_dir)
    runner = CliRunner()
    for fmt in ("csv", "html"):
        out = tmp_path / f"report.{fmt}"
        done = runner.invoke(
            app,
            ["report", "--format", fmt, "--redact", "--output", str(out), "--data-dir", data_dir],
        )
        assert done.exit_code == 0, done.output
        text = out.read_text("utf-8")
        assert "m1@example.org" not in text
        assert "jana.schmidt@example.org" not in text
        assert "m***@example.org" in text
        assert "j***@example.org" in text
        assert "jürgen" not in text
        assert "j***@bäckerei-müller.de" in text
        assert out.stat().st_mode & 0o777 == 0o600
    done = runner.invoke(app, ["report", "--batch", "9", "--data-dir", data_dir])
    assert done.exit_code == 2


def test_report_keeps_spreadsheet_formulas_as_text(harness: Harness, tmp_path: Path) -> None:
    run(harness, members(tmp_path, "=1+1,m1@example.org,DE,,,=HYPERLINK(1)"))
    [row] = list(
        csv.DictReader(io.StringIO(to_csv(build_report(harness.data_dir, 1, redact=False))))
    )
    assert (row["member_id"], row["mandate_ref"]) == ("'=1+1", "'=HYPERLINK(1)")


def test_batch_tables_are_migration_4(harness: Harness) -> None:
    harness.data_dir.mkdir(parents=True)
    Ledger.open(harness.data_dir).close()
    db = sqlite3.connect(harness.data_dir / "ledger.sqlite3")
    assert db.execute("SELECT name FROM schema_migrations WHERE version = 4").fetchone() == (
        "batch queues",
    )


def test_the_operator_is_told_who_is_next_and_asked_to_hand_over(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    answers = iter(["", "retry", "member-says-sent"])
    monkeypatch.setattr("builtins.input", lambda *args: next(answers))
    out = io.StringIO()
    console = Console(file=out, force_terminal=False, width=200)
    operator = ConsoleOperator(assume_yes=False, console=console)

    operator.hand_over("0042", "jana@example.org", ["facebook", "instagram"], 3)
    choice = operator.interrupted("0042", "facebook", "stopped before sending; nothing sent")
    said = operator.review(
        "0042", "facebook", ["Objection #7 for j***@example.org on facebook may have reached Meta"]
    )

    shown = out.getvalue()
    assert "Next: member 0042 (j***@example.org), facebook, instagram" in shown
    assert "Hand the keyboard to member 0042 and press Enter" in shown
    assert "jana@example.org" not in shown
    assert "Skip this member, retry, or stop the batch?" in shown
    assert choice is Choice.RETRY
    assert said is Review.MEMBER_SAYS_SENT
    assert "To review: member 0042, facebook" in shown
    assert "Objection #7 for j***@example.org on facebook may have reached Meta" in shown
    assert "Send it again (member 0042 needs the keyboard), leave it" in shown
