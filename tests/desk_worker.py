"""A desk in a process of its own, for the tests that race desks against one ledger:
``python -m tests.desk_worker DATA_DIR URL|- CAMPAIGN DESK members|claims``.

It opens the ledger, says "ready", waits for "go" on stdin (so that every desk starts
at once), then takes members until the queue is empty (printing each member id), or
claims one account's objection until one may have been sent (printing what it got)."""

from __future__ import annotations

import sys
from pathlib import Path

from tests.claims import CLAIM
from widerspruch.ledger import ClaimHeld, Ledger
from widerspruch.states import Status


def main(data_dir: str, url: str, campaign_name: str, desk: str, job: str) -> None:
    with Ledger.open(Path(data_dir), url=None if url == "-" else url) as ledger:
        print("ready", flush=True)
        assert sys.stdin.readline().strip() == "go"
        if job == "members":
            campaign = ledger.campaign(campaign_name)
            assert campaign is not None
            while (taken := ledger.take_member(campaign, desk)) is not None:
                print(taken.member_id, flush=True)
                ledger.end_member(taken, "done")
            return
        while True:
            try:
                objection, earlier = ledger.claim(**CLAIM, force=False)
            except ClaimHeld:
                continue  # another desk has it now: ask again
            if earlier is not None:
                print("blocked", flush=True)
                return
            ledger.set_status(objection.id, Status.SUBMITTING, "clicking Send")
            ledger.set_status(objection.id, Status.CONFIRMED, "seen")
            print(f"sent {objection.id}", flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:6])
