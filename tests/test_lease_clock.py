"""On a shared ledger, leases are set and judged by the database's clock (its now()), not
by each desk's: a desk whose clock runs an hour behind loses neither its member nor its
claim to a desk with the right time, and one an hour ahead holds them no longer than
the lease."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.claims import CLAIM, on_another_machine, other_owner
from tests.test_desks import campaign_of
from widerspruch.ledger import ClaimHeld, Ledger, claims
from widerspruch.ledger.desks import AT_DESK
from widerspruch.settings import prepare_data_dir

HOUR = 3600


@pytest.fixture
def shared(tmp_path: Path, postgres_url: str) -> Iterator[Ledger]:
    with Ledger.open(prepare_data_dir(tmp_path / "data"), url=postgres_url) as opened:
        yield opened


def clock_off(monkeypatch: pytest.MonkeyPatch, seconds: int) -> None:
    """This machine's clock, as widerspruch reads it, `seconds` off."""
    real = claims.now_epoch
    monkeypatch.setattr(claims, "now_epoch", lambda: real() + seconds)


def test_the_lease_clock_of_a_shared_ledger_is_the_database_s(
    shared: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    right = shared.lease_clock()
    clock_off(monkeypatch, -HOUR)
    assert abs(shared.lease_clock() - right) <= 2


@pytest.mark.parametrize("off", [-HOUR, HOUR])
def test_a_member_s_lease_runs_from_the_database_s_now(
    shared: Ledger, monkeypatch: pytest.MonkeyPatch, off: int
) -> None:
    campaign = campaign_of(shared, 1)
    with monkeypatch.context() as wrong_clock:
        clock_off(wrong_clock, off)
        taken = shared.take_member(campaign, "desk-1")
    assert taken is not None
    assert 0 <= taken.lease_expires - shared.lease_clock() <= shared.lease


def test_a_desk_whose_clock_is_behind_keeps_its_member(
    shared: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    campaign = campaign_of(shared, 2)
    with other_owner(shared, on_another_machine()) as slow_desk:
        with monkeypatch.context() as wrong_clock:
            clock_off(wrong_clock, -HOUR)
            taken = slow_desk.take_member(campaign, "desk-slow")
        assert taken is not None
        other = shared.take_member(campaign, "desk-2")  # the right time
        assert other is not None
        assert (taken.member_id, other.member_id) == ("m000", "m001")
    states = {r["member_id"]: (r["state"], r["desk"]) for r in shared.campaign_members(campaign)}
    assert states == {"m000": (AT_DESK, "desk-slow"), "m001": (AT_DESK, "desk-2")}


def test_a_desk_whose_clock_is_behind_keeps_its_claim(
    shared: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    with other_owner(shared, on_another_machine()) as slow_desk:
        with monkeypatch.context() as wrong_clock:
            clock_off(wrong_clock, -HOUR)
            held, _ = slow_desk.claim(**CLAIM, force=False)
        with pytest.raises(ClaimHeld) as met:
            shared.claim(**CLAIM, force=False)
    assert met.value.objection.id == held.id


def test_a_desk_whose_clock_is_ahead_takes_no_live_claim_over(
    shared: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    with other_owner(shared, on_another_machine()) as desk:
        held, _ = desk.claim(**CLAIM, force=False)
    clock_off(monkeypatch, HOUR)
    with pytest.raises(ClaimHeld):
        shared.claim(**CLAIM, force=False)
    assert shared.get(held.id).claim_token == desk.owner.token
