"""Several desks, one campaign: a desk takes the next member in a short transaction
(FOR UPDATE SKIP LOCKED on PostgreSQL) under a lease it renews; no member goes to two
desks, and the one open claim per account and service holds across desks. A desk whose
lease expired gives its member back to the queue only if nothing can have been sent;
otherwise the member goes to the review list, never back to the queue."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.claims import CLAIM, live_process, other_owner, run_sql
from widerspruch.ledger import Ledger, LedgerError
from widerspruch.ledger.claims import now_epoch
from widerspruch.ledger.desks import AT_DESK, DONE, QUEUED, REVIEW, Campaign
from widerspruch.settings import prepare_data_dir
from widerspruch.states import Status

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def ledger(tmp_path: Path, ledger_url: str | None) -> Iterator[Ledger]:
    with Ledger.open(prepare_data_dir(tmp_path / "data"), url=ledger_url) as opened:
        yield opened


def items(members: int, services: tuple[str, ...] = ("facebook", "instagram")) -> list[dict]:
    rows: list[dict] = []
    for number in range(members):
        for service in services:
            rows.append(
                {
                    "position": len(rows),
                    "line": number + 2,
                    "member_id": f"m{number:03}",
                    "email": f"m{number}@example.org",
                    "service": service,
                    "country": "DE",
                    "language": "de",
                    "template": "standard",
                    "mandate_ref": f"M-{number}",
                    "state": "pending",
                    "reason": None,
                }
            )
    return rows


def campaign_of(ledger: Ledger, members: int, name: str = "day-1") -> Campaign:
    return ledger.create_campaign(
        name,
        file="members.csv",
        file_sha256="0" * 64,
        services="facebook,instagram",
        template="standard",
        items=items(members),
    )


def test_a_campaign_queues_each_member_once_and_its_name_once(ledger: Ledger) -> None:
    campaign = campaign_of(ledger, 3)
    rows = ledger.campaign_members(campaign)
    assert [(r["member_id"], r["state"]) for r in rows] == [
        ("m000", QUEUED),
        ("m001", QUEUED),
        ("m002", QUEUED),
    ]
    assert len(ledger.batch_items(campaign.batch_id)) == 6
    with pytest.raises(LedgerError, match="exists already"):
        campaign_of(ledger, 1)


def test_two_desks_never_take_the_same_member(ledger: Ledger) -> None:
    campaign = campaign_of(ledger, 2)
    with other_owner(ledger, live_process()) as desk_2:
        first = ledger.take_member(campaign, "desk-1")
        second = desk_2.take_member(campaign, "desk-2")
        assert first is not None
        assert second is not None
        assert (first.member_id, second.member_id) == ("m000", "m001")
        assert desk_2.take_member(campaign, "desk-2") is None  # the queue is empty
    states = {r["member_id"]: (r["state"], r["desk"]) for r in ledger.campaign_members(campaign)}
    assert states == {"m000": (AT_DESK, "desk-1"), "m001": (AT_DESK, "desk-2")}


def test_the_desk_s_renewals_keep_its_member(ledger: Ledger) -> None:
    campaign = campaign_of(ledger, 1)
    taken = ledger.take_member(campaign, "desk-1")
    assert taken is not None
    assert ledger.renew_leases(now_epoch() + 3600) == 1
    [row] = ledger.campaign_members(campaign)
    assert int(str(row["lease_expires"])) > now_epoch() + 3000
    assert ledger.end_member(taken, DONE)
    assert [e["state"] for e in ledger.campaign_member_events(taken.row)] == [
        QUEUED,
        AT_DESK,
        DONE,
    ]


def test_a_member_whose_desk_died_before_send_goes_back_to_the_queue(ledger: Ledger) -> None:
    campaign = campaign_of(ledger, 1)
    with other_owner(ledger, live_process(), lease=-1) as dead_desk:
        taken = dead_desk.take_member(campaign, "desk-1")
        assert taken is not None
        item = ledger.batch_items(campaign.batch_id)[0]
        dead_desk.set_batch_item(int(str(item["id"])), "in_progress")
        again = ledger.take_member(campaign, "desk-2")
        assert not dead_desk.end_member(taken, DONE)  # its lease was lost: nothing changes
    assert again is not None
    assert again.member_id == "m000"
    events = ledger.campaign_member_events(again.row)
    assert [e["state"] for e in events] == [QUEUED, AT_DESK, QUEUED, AT_DESK]
    assert "expired before Send" in str(events[2]["reason"])
    assert [i["state"] for i in ledger.batch_items(campaign.batch_id)] == ["pending", "pending"]


@pytest.mark.parametrize("how", ["item submitted", "objection submitting"])
def test_a_member_who_may_have_been_sent_goes_to_review_never_to_the_queue(
    ledger: Ledger, how: str
) -> None:
    campaign = campaign_of(ledger, 1)
    with other_owner(ledger, live_process(), lease=-1) as dead_desk:
        assert dead_desk.take_member(campaign, "desk-1") is not None
        item = ledger.batch_items(campaign.batch_id)[0]
        objection, _ = dead_desk.claim(**(CLAIM | {"account_email": "m0@example.org"}), force=False)
        dead_desk.set_status(objection.id, Status.SUBMITTING, "clicking Send")
        state = "submitted" if how == "item submitted" else "in_progress"
        dead_desk.set_batch_item(int(str(item["id"])), state, objection_id=objection.id)
        assert ledger.take_member(campaign, "desk-2") is None  # not handed out again
    [row] = ledger.campaign_members(campaign)
    assert row["state"] == REVIEW
    assert "the lease of desk-1 expired" in str(row["reason"])
    assert ledger.take_member(campaign, "desk-2") is None


# -- desks in processes of their own, racing ---------------------------------------------


def start_desks(ledger: Ledger, count: int, campaign: str, job: str) -> list[subprocess.Popen]:
    desks = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.desk_worker",
                str(ledger.data_dir),
                ledger.url or "-",
                campaign,
                f"desk-{number}",
                job,
            ],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for number in range(1, count + 1)
    ]
    for desk in desks:  # every desk has its connection before any starts
        assert desk.stdout is not None
        assert desk.stdout.readline().strip() == "ready"
    for desk in desks:
        assert desk.stdin is not None
        desk.stdin.write("go\n")
        desk.stdin.flush()
    return desks


def outputs(desks: list[subprocess.Popen]) -> list[str]:
    lines: list[str] = []
    for desk in desks:
        out, _ = desk.communicate(timeout=120)
        assert desk.returncode == 0
        lines += out.split()
    return lines


def test_desks_in_four_processes_take_every_member_exactly_once(ledger: Ledger) -> None:
    campaign = campaign_of(ledger, 40)
    taken = outputs(start_desks(ledger, 4, campaign.name, "members"))
    assert sorted(taken) == [f"m{n:03}" for n in range(40)]  # each once, none left
    assert Counter(r["state"] for r in ledger.campaign_members(campaign)) == {DONE: 40}


def test_desks_racing_for_one_account_send_it_once(ledger: Ledger) -> None:
    said = outputs(start_desks(ledger, 4, "-", "claims"))
    # One desk sends; then every desk (that one too) meets the objection and stops.
    assert Counter(word for word in said if word in ("sent", "blocked")) == {
        "sent": 1,
        "blocked": 4,
    }
    rows = run_sql(ledger, "SELECT status FROM objections")
    assert [row[0] for row in rows] == ["confirmed"]
