"""A desk whose database goes away mid-batch: it says so in one line, waits visibly
(a bounded wait), reconnects when the database is back and goes on where it was. The
database here is the real PostgreSQL, stopped and started again with pg_ctl."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from tests.conftest import Harness
from tests.postgres import Postgres
from tests.test_batch import member, members
from tests.test_campaign import desk
from tests.test_desks import campaign_of
from widerspruch.batch.campaign import create, status
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


def test_a_batch_on_the_replay_goes_on_after_the_database_was_away_and_sends_once(
    harness: Harness,
    tmp_path: Path,
    postgres_server: Postgres,
    postgres_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    coordinator_dir = prepare_data_dir(tmp_path / "coordinator")
    path = members(tmp_path, member(1), member(2))
    create(
        coordinator_dir,
        postgres_url,
        "day-1",
        members_file=path,
        services=("facebook",),
        template="standard",
    )
    original = Ledger.end_member
    away: list[threading.Timer] = []

    def database_goes_away_first(self: Ledger, *args: object, **kwargs: object) -> bool:
        if not away:  # as the first member's turn ends: the database stops, and comes back
            postgres_server.stop()
            away.append(threading.Timer(4.0, postgres_server.start))
            away[0].start()
        return original(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Ledger, "end_member", database_goes_away_first)
    try:
        outcome = desk(harness, postgres_url, "desk-1", prepare_data_dir(tmp_path / "desk-1"))
    finally:
        for timer in away:
            timer.join()
    assert [item.state.value for item in outcome.items] == ["confirmed", "confirmed"]  # type: ignore[attr-defined]
    emails = sorted(f.fields["email"] for f in harness.replay.submissions)
    assert emails == ["m1@example.org", "m2@example.org"]  # each exactly once
    err = capsys.readouterr().err
    assert "cannot be reached; waiting for it" in err
    assert "reachable again; going on" in err
    seen = status(coordinator_dir, postgres_url, "day-1")
    assert seen.members["done"] == 2
