"""A claim is a lock with an owner, and the ledger enforces the state machine: one open
claim per account and service, a second run refused while the first lives, a run that
is gone taken over truthfully, and every status change a compare-and-set."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import pytest
from structlog.testing import capture_logs

from tests.claims import (
    CLAIM,
    ended_process,
    live_process,
    on_another_machine,
    other_owner,
    refused_row,
    run_sql,
)
from widerspruch.ledger import ClaimHeld, Ledger, Objection, TransitionRefused
from widerspruch.ledger.claims import Owner, Renewer, now_epoch, process_alive, process_start
from widerspruch.settings import prepare_data_dir
from widerspruch.states import CLAIM_STATES, TRANSITIONS, Status, may_follow


@pytest.fixture
def ledger(tmp_path: Path, ledger_url: str | None) -> Iterator[Ledger]:
    """A new ledger on each engine: the SQLite file, and a PostgreSQL database."""
    with Ledger.open(prepare_data_dir(tmp_path / "data"), url=ledger_url) as opened:
        yield opened


def wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    """Wait for a state, with a timeout (never a fixed sleep)."""
    done = threading.Event()
    for _ in range(int(timeout / 0.02)):
        if condition():
            return
        done.wait(0.02)
    raise AssertionError("the state was not reached in time")


# -- the claim and its owner ------------------------------------------------------------


def test_a_claim_names_its_owner_and_a_lease(ledger: Ledger) -> None:
    objection, _ = ledger.claim(**CLAIM, force=False)
    me = ledger.owner
    assert (objection.claim_pid, objection.claim_host) == (me.pid, me.host)
    assert objection.claim_started == process_start(me.pid)
    assert objection.claim_token == me.token
    assert objection.claimed_at == objection.created_at
    assert objection.claim_expires is not None
    assert now_epoch() < objection.claim_expires <= now_epoch() + ledger.lease


def test_a_second_run_meets_a_live_claim_and_stops_with_one_clear_line(ledger: Ledger) -> None:
    with other_owner(ledger, live_process()) as first_run:
        first, _ = first_run.claim(**CLAIM, force=False)
    with pytest.raises(ClaimHeld) as held:
        ledger.claim(**CLAIM, force=True)  # not even --force takes a live claim
    since = datetime.fromisoformat(first.created_at).astimezone().strftime("%H:%M")
    assert str(held.value) == (
        f"another widerspruch run is objecting for j***@example.org on facebook since {since} "
        f"(pid {first.claim_pid} on this machine)"
    )
    assert held.value.objection.id == first.id
    assert [o.status for o in ledger.objections()] == [Status.IN_PROGRESS]


def test_a_live_run_marked_submitting_is_not_taken_over(ledger: Ledger) -> None:
    with other_owner(ledger, live_process()) as first_run:
        first, _ = first_run.claim(**CLAIM, force=False)
        first_run.set_status(first.id, Status.SUBMITTING, "clicking Send")
    with pytest.raises(ClaimHeld):
        ledger.claim(**CLAIM, force=False)
    assert ledger.live_claim("facebook", "jana@example.org") is not None
    assert ledger.get(first.id).status is Status.SUBMITTING


def test_a_run_that_died_after_marking_send_becomes_submitted_unconfirmed_and_blocks(
    ledger: Ledger,
) -> None:
    with other_owner(ledger, ended_process()) as killed_run:
        first, _ = killed_run.claim(**CLAIM, force=False)
        killed_run.set_status(first.id, Status.SUBMITTING, "clicking Send")
    earlier, blocking = ledger.claim(**CLAIM, force=False)
    assert blocking is not None
    assert earlier.id == first.id
    assert earlier.status is Status.SUBMITTED_UNCONFIRMED
    assert (earlier.detail or "").startswith(
        "the run ended after Send was clicked; Meta may have it"
    )
    assert "has ended" in (earlier.detail or "")
    assert len(ledger.objections()) == 1  # nothing new: never re-sent automatically


def test_live_claim_takes_over_a_gone_owners_claim_without_starting_one(ledger: Ledger) -> None:
    with other_owner(ledger, ended_process()) as killed_run:
        first, _ = killed_run.claim(**CLAIM, force=False)
    assert ledger.live_claim("facebook", "JANA@example.org") is None
    assert ledger.get(first.id).status is Status.CANCELLED
    assert len(ledger.objections()) == 1


def test_a_lease_that_expired_is_a_gone_owner_even_on_another_machine(ledger: Ledger) -> None:
    with other_owner(ledger, on_another_machine(), lease=-1) as far_run:
        first, _ = far_run.claim(**CLAIM, force=False)
    new, blocking = ledger.claim(**CLAIM, force=False)
    assert blocking is None
    assert "its lease expired" in (ledger.get(first.id).detail or "")
    assert ledger.get(first.id).status is Status.CANCELLED
    assert new.id != first.id


def test_a_claim_on_another_machine_is_live_while_its_lease_runs(ledger: Ledger) -> None:
    with other_owner(ledger, on_another_machine(4711)) as far_run:
        far_run.claim(**CLAIM, force=False)
    with pytest.raises(ClaimHeld, match=r"\(pid 4711 on desk-2\.example\.org\)$"):
        ledger.claim(**CLAIM, force=False)


def test_a_reused_process_id_with_another_start_time_is_a_gone_owner(ledger: Ledger) -> None:
    me = ledger.owner
    reused = Owner(me.pid, me.host, "0+0", uuid.uuid4().hex)  # same pid, other process
    with other_owner(ledger, reused) as old_run:
        first, _ = old_run.claim(**CLAIM, force=False)
    ledger.claim(**CLAIM, force=False)
    assert ledger.get(first.id).status is Status.CANCELLED


def test_a_killed_process_not_yet_reaped_is_not_alive() -> None:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        started = process_start(child.pid)
        assert process_alive(child.pid, started)
        child.kill()
        wait_until(lambda: not process_alive(child.pid, started))  # a zombie runs nothing
    finally:
        child.wait()
    assert not process_alive(child.pid, started)


def test_the_index_allows_one_open_claim_per_account_and_service(ledger: Ledger) -> None:
    ledger.claim(**CLAIM, force=False)
    with pytest.raises(refused_row(ledger)):
        run_sql(
            ledger,
            "INSERT INTO objections (service, account_email, country, language, template, "
            "template_version, justification, form_url, status, created_at, updated_at) "
            "SELECT service, account_email, country, language, template, template_version, "
            "justification, form_url, 'submitting', created_at, updated_at FROM objections",
        )


def test_the_renewer_extends_this_runs_leases_and_no_one_elses(ledger: Ledger) -> None:
    mine, _ = ledger.claim(**CLAIM, force=False)
    with other_owner(ledger, live_process()) as other_run:
        theirs, _ = other_run.claim(**(CLAIM | {"service": "instagram"}), force=False)
    before = mine.claim_expires or 0
    with Renewer(ledger.data_dir, ledger.owner, url=ledger.url, lease=3600, every=0.02) as renewer:
        wait_until(lambda: renewer.renewals >= 2)
    assert (ledger.get(mine.id).claim_expires or 0) > before + 3000
    assert ledger.get(theirs.id).claim_expires == theirs.claim_expires


def test_release_ends_a_run_s_own_claim_the_way_a_crash_is_read(ledger: Ledger) -> None:
    before, _ = ledger.claim(**CLAIM, force=False)
    assert ledger.release(before.id).status is Status.CANCELLED
    after, _ = ledger.claim(**CLAIM, force=False)
    ledger.set_status(after.id, Status.SUBMITTING, "clicking Send")
    assert ledger.release(after.id).status is Status.SUBMITTED_UNCONFIRMED
    assert ledger.release(after.id).status is Status.SUBMITTED_UNCONFIRMED  # once only


# -- what blocks a new objection -------------------------------------------------------------


def sent_then(ledger: Ledger, status: Status, phase: str | None) -> Objection:
    objection, _ = ledger.claim(**CLAIM, force=False)
    ledger.set_status(objection.id, Status.SUBMITTING, "clicking Send")
    if phase is not None:
        ledger.record_submission(
            objection.id,
            {"phase": phase, "url": "https://www.facebook.com/help/contact/submit/"},
        )
    return ledger.set_status(objection.id, status, "Meta showed an error page")


@pytest.mark.parametrize("phase", ["sent", "answered", "lost"])
def test_a_failed_record_whose_request_left_the_browser_blocks_a_new_one(
    ledger: Ledger, phase: str
) -> None:
    failed = sent_then(ledger, Status.FAILED, phase)
    earlier, blocking = ledger.claim(**CLAIM, force=False)
    assert blocking is not None
    assert earlier.id == failed.id
    assert ledger.latest_sent("facebook", "jana@example.org") == failed


def test_a_failed_record_that_sent_nothing_leaves_the_ledger_free(ledger: Ledger) -> None:
    sent_then(ledger, Status.FAILED, None)
    _, blocking = ledger.claim(**CLAIM, force=False)
    assert blocking is None


def test_only_the_objection_the_person_agreed_to_is_sent_again(ledger: Ledger) -> None:
    unsure = sent_then(ledger, Status.SUBMITTED_UNCONFIRMED, "lost")
    _, blocking = ledger.claim(**CLAIM, force=False, allow_resend_of=unsure.id + 1)
    assert blocking is not None
    again, blocking = ledger.claim(**CLAIM, force=False, allow_resend_of=unsure.id)
    assert blocking is None
    assert again.id != unsure.id


# -- the state machine ---------------------------------------------------------------


def in_state(ledger: Ledger, status: Status, number: int) -> int:
    """A row in `status` (a claim state: held by this run), for its own account."""
    objection, _ = ledger.claim(**(CLAIM | {"account_email": f"m{number}@example.org"}), force=True)
    run_sql(ledger, "UPDATE objections SET status = ? WHERE id = ?", (status.value, objection.id))
    return objection.id


PAIRS = [(old, new) for old in Status for new in Status]


def test_every_pair_of_states_is_allowed_or_refused_as_declared(ledger: Ledger) -> None:
    refused_pairs = []
    for number, (old, new) in enumerate(PAIRS):
        objection_id = in_state(ledger, old, number)
        if may_follow(old, new):
            assert ledger.set_status(objection_id, new, "walked").status is new, (old, new)
        else:
            with pytest.raises(TransitionRefused):
                ledger.set_status(objection_id, new, "walked")
            assert ledger.get(objection_id).status is old, (old, new)
            refused_pairs.append((old, new))
    assert len(refused_pairs) == len(PAIRS) - sum(len(after) for after in TRANSITIONS.values())
    must_be_refused = {
        (Status.CANCELLED, Status.SUBMITTING),
        (Status.IN_PROGRESS, Status.CONFIRMED),  # confirmed only after Send
        (Status.SUBMITTED_UNCONFIRMED, Status.CONFIRMED),  # a later run cannot see it
        (Status.SUBMITTED_UNCONFIRMED, Status.SUBMITTING),
        (Status.FAILED, Status.CONFIRMED),
    } | {(Status.CONFIRMED, new) for new in Status if new not in TRANSITIONS[Status.CONFIRMED]}
    assert must_be_refused <= set(refused_pairs)
    assert {new for old, new in PAIRS if may_follow(old, new)} >= {Status.SUBMITTING}
    assert not any(may_follow(old, Status.IN_PROGRESS) for old in Status)  # only a claim


@pytest.mark.parametrize("held", sorted(CLAIM_STATES))
def test_a_state_another_live_run_holds_is_refused_and_logged(ledger: Ledger, held: Status) -> None:
    with other_owner(ledger, live_process()) as running:
        objection, _ = running.claim(**CLAIM, force=False)
        if held is Status.SUBMITTING:
            running.set_status(objection.id, Status.SUBMITTING, "clicking Send")
    with capture_logs() as events, pytest.raises(TransitionRefused, match="another widerspruch"):
        ledger.set_status(objection.id, Status.CANCELLED, "not mine to change")
    assert ledger.get(objection.id).status is held
    assert [e["event"] for e in events] == ["transition_refused"]


def test_a_gone_runs_claim_is_taken_over_before_another_change(ledger: Ledger) -> None:
    with other_owner(ledger, ended_process()) as killed_run:
        objection, _ = killed_run.claim(**CLAIM, force=False)
        killed_run.set_status(objection.id, Status.SUBMITTING, "clicking Send")
    # Meta's email arrives for it (`widerspruch confirm`): the claim is closed first.
    done = ledger.set_status(objection.id, Status.ACKNOWLEDGED, "Meta's email")
    assert done.status is Status.ACKNOWLEDGED
    trail = [e.state for e in ledger.events(objection.id) if e.kind == "status"]
    assert trail == ["in_progress", "submitting", "submitted_unconfirmed", "acknowledged"]


def test_a_run_whose_claim_was_taken_over_cannot_click_send(ledger: Ledger) -> None:
    # Its lease ran out (a suspended laptop); another run took over in the meantime.
    with other_owner(ledger, live_process(), lease=-1) as sleeper:
        objection, _ = sleeper.claim(**CLAIM, force=False)
        ledger.claim(**CLAIM, force=False)
        with pytest.raises(TransitionRefused):
            sleeper.set_status(objection.id, Status.SUBMITTING, "clicking Send")
    assert ledger.get(objection.id).status is Status.CANCELLED


def test_a_change_from_an_expected_state_is_a_compare_and_set(ledger: Ledger) -> None:
    objection, _ = ledger.claim(**CLAIM, force=False)
    ledger.set_status(objection.id, Status.SUBMITTING, expected=Status.IN_PROGRESS)
    with pytest.raises(TransitionRefused, match="not in_progress"):
        ledger.set_status(objection.id, Status.FAILED, expected=Status.IN_PROGRESS)
    assert ledger.get(objection.id).status is Status.SUBMITTING


# -- old ledgers ---------------------------------------------------------------------


def test_an_old_ledger_with_several_open_rows_keeps_only_the_newest_open(tmp_path: Path) -> None:
    from widerspruch.ledger import LEDGER_FILE, migrations

    data = prepare_data_dir(tmp_path / "data")
    db = sqlite3.connect(data / LEDGER_FILE)
    migrations.run(db, data, until=5)
    for status in ("submitting", "in_progress", "submitting", "in_progress"):
        db.execute(
            "INSERT INTO objections (service, account_email, country, language, template, "
            "template_version, justification, form_url, status, created_at, updated_at) "
            "VALUES ('facebook', 'a@b.de', 'DE', 'de', 'standard', '1', 't', 'u', ?, "
            "'2025-06-01T10:00:00+00:00', '2025-06-01T10:00:00+00:00')",
            (status,),
        )
    db.execute("PRAGMA user_version = 5")
    db.commit()
    db.close()
    with Ledger.open(data) as ledger:
        kept = [o.status for o in ledger.objections()]
        # The newest is open still, with no owner: the next claim takes it over.
        assert ledger.live_claim("facebook", "a@b.de") is None
        after = [o.status for o in ledger.objections()]
    assert kept == [
        Status.SUBMITTED_UNCONFIRMED,
        Status.CANCELLED,
        Status.SUBMITTED_UNCONFIRMED,
        Status.IN_PROGRESS,
    ]
    assert after[-1] is Status.CANCELLED
