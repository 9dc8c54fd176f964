"""A desk whose database goes away mid-batch: it says so in one line, waits visibly
(a bounded wait), reconnects when the database is back and goes on where it was. The
database here is the real PostgreSQL, stopped and started again with pg_ctl."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from tests.postgres import Postgres
from tests.test_desks import campaign_of
from widerspruch.ledger import Ledger
from widerspruch.ledger.desks import AT_DESK, DONE
from widerspruch.ledger.errors import LedgerUnreachable
from widerspruch.ledger.reachable import patiently
from widerspruch.settings import prepare_data_dir


def test_a_desk_waits_for_its_database_and_goes_on_when_it_is_back(
    tmp_path: Path, postgres_server: Postgres, postgres_url: str
) -> None:
    said: list[str] = []
    with Ledger.open(prepare_data_dir(tmp_path / "desk"), url=postgres_url) as ledger:
        campaign = campaign_of(ledger, 2)
        first = ledger.take_member(campaign, "desk-1")
        assert first is not None
        postgres_server.stop()
        back = threading.Timer(4.0, postgres_server.start)
        back.start()
        try:
            ended = patiently(
                ledger, lambda: ledger.end_member(first, DONE), say=said.append, retry_s=1.0
            )
            taken = patiently(
                ledger, lambda: ledger.take_member(campaign, "desk-1"), say=said.append
            )
        finally:
            back.join()
        assert ended
        assert taken is not None
        assert taken.member_id != first.member_id  # the first one was ended, once
        states = {str(m["member_id"]): str(m["state"]) for m in ledger.campaign_members(campaign)}
    assert states == {first.member_id: DONE, taken.member_id: AT_DESK}
    assert "cannot be reached; waiting for it" in said[0]
    assert "host=" not in said[0]  # the URL as shown
    assert any(line.startswith("still waiting") for line in said[1:-1])
    assert said[-1] == "the ledger database is reachable again; going on"


def test_a_desk_stops_in_one_line_after_the_bounded_wait(
    tmp_path: Path, postgres_server: Postgres, postgres_url: str
) -> None:
    said: list[str] = []
    with Ledger.open(prepare_data_dir(tmp_path / "desk"), url=postgres_url) as ledger:
        campaign = campaign_of(ledger, 1)
        postgres_server.stop()
        try:
            with pytest.raises(LedgerUnreachable, match="this desk stopped"):
                patiently(
                    ledger,
                    lambda: ledger.take_member(campaign, "desk-1"),
                    say=said.append,
                    wait_s=2.0,
                    retry_s=0.5,
                )
        finally:
            postgres_server.start()
        ledger.reconnect()
        [member] = ledger.campaign_members(campaign)
        assert member["state"] == "queued"  # nothing was taken while it was away
