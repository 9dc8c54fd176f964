"""Campaigns: one members list that several desks work through together, part of the
Ledger (on PostgreSQL, shared by the desks; on SQLite, by the processes of one machine).

A campaign is a named batch (batches.py) plus one row per member in campaign_members.
A desk takes the next queued member in a short transaction (``SELECT … FOR UPDATE SKIP
LOCKED`` on PostgreSQL: two desks never wait for each other, and never get the same
member) and holds a lease on it, which the desk's Renewer extends with its claims
(``Ledger.renew_leases``). The member is ``at_desk`` until the desk ends it ``done``,
or ``review`` when something may have reached the service unconfirmed.

A desk that crashes or loses the network renews nothing: when its lease has expired,
the next desk to take a member looks at what the member's items and objections say. If
nothing can have been sent, the member is ``queued`` again (its open items ``pending``);
if something may have been sent, the member goes to the coordinator's ``review`` list,
and never back to the queue.
"""

from __future__ import annotations

from dataclasses import dataclass

from widerspruch.ledger.batches import BatchQueues
from widerspruch.ledger.engine import Db
from widerspruch.ledger.errors import LedgerError
from widerspruch.ledger.rows import SENT_PHASES, submission_phase, utc_now
from widerspruch.states import Status

QUEUED, AT_DESK, DONE, REVIEW = "queued", "at_desk", "done", "review"
MEMBER_STATES = (QUEUED, AT_DESK, DONE, REVIEW)
# Item states (widerspruch.batch.ItemState) that say the member's objection may have
# reached the service, and those a returned member's items go back to pending from.
SENT_ITEM_STATES = ("submitted", "confirmed", "confirmed_by_person", "member_says_sent")
STARTED_ITEM_STATES = ("in_progress", "awaiting_person")


@dataclass(frozen=True)
class Campaign:
    id: int
    name: str
    batch_id: int
    created_at: str


@dataclass(frozen=True)
class AtDesk:
    """A member a desk has taken: its row in campaign_members, and the lease's end."""

    row: int
    member_id: str
    desk: str
    lease_expires: int


class Desks(BatchQueues):
    """The Ledger's methods for the campaigns and campaign_members tables."""

    def _skip_locked(self) -> str:
        return " FOR UPDATE SKIP LOCKED" if self.url is not None else ""

    def create_campaign(
        self,
        name: str,
        *,
        file: str,
        file_sha256: str,
        services: str,
        template: str,
        items: list[dict[str, object]],
    ) -> Campaign:
        """The campaign, its batch and items, and one queued row per member, in one
        transaction; a name that is taken already is refused."""
        now = utc_now()
        with self._transaction() as db:
            self._lock(db, "campaign", name)
            if self.campaign(name) is not None:
                raise LedgerError(f"a campaign named {name!r} exists already in {self.where}")
            batch_id = self.create_batch(
                file=file,
                file_sha256=file_sha256,
                services=services,
                template=template,
                items=items,
            )
            cursor = db.execute(
                "INSERT INTO campaigns (name, batch_id, created_at) VALUES (?, ?, ?)",
                (name, batch_id, now),
            )
            campaign_id = int(cursor.lastrowid or 0)
            members: dict[str, int] = {}
            for item in sorted(items, key=lambda i: int(str(i["position"]))):
                if item["state"] == "pending":
                    members.setdefault(str(item["member_id"]), len(members))
            for member_id, position in members.items():
                cursor = db.execute(
                    "INSERT INTO campaign_members (campaign_id, member_id, position, state, "
                    "updated_at) VALUES (?, ?, ?, ?, ?)",
                    (campaign_id, member_id, position, QUEUED, now),
                )
                self._member_event(db, cursor.lastrowid, QUEUED, None, None, now)
        found = self.campaign(name)
        assert found is not None
        return found

    def campaign(self, name: str) -> Campaign | None:
        row = self._db.execute(
            "SELECT id, name, batch_id, created_at FROM campaigns WHERE name = ?", (name,)
        ).fetchone()
        return Campaign(**dict(row)) if row else None

    def campaigns(self) -> list[Campaign]:
        rows = self._db.execute("SELECT id, name, batch_id, created_at FROM campaigns ORDER BY id")
        return [Campaign(**dict(row)) for row in rows]

    def take_member(self, campaign: Campaign, desk: str) -> AtDesk | None:
        """The next queued member, now at `desk` under this owner's lease; None when the
        queue is empty. Members whose desk's lease ran out are settled first."""
        now = utc_now()
        with self._transaction() as db:
            epoch = self._epoch(db)
            expires = epoch + self.lease
            self._settle_expired(db, campaign, epoch, now)
            row = db.execute(
                # Only the fixed locking clause (or nothing) is added; values are bound.
                "SELECT id, member_id FROM campaign_members "  # noqa: S608
                "WHERE campaign_id = ? AND state = ? ORDER BY position, id LIMIT 1"
                + self._skip_locked(),
                (campaign.id, QUEUED),
            ).fetchone()
            if row is None:
                return None
            cursor = db.execute(
                "UPDATE campaign_members SET state = ?, desk = ?, lease_token = ?, "
                "lease_expires = ?, reason = NULL, updated_at = ? WHERE id = ? AND state = ?",
                (AT_DESK, desk, self.owner.token, expires, now, row[0], QUEUED),
            )
            if cursor.rowcount != 1:  # SQLite: impossible under its write lock
                return None
            self._member_event(db, row[0], AT_DESK, desk, None, now)
        return AtDesk(int(row[0]), str(row[1]), desk, expires)

    def end_member(self, taken: AtDesk, state: str, reason: str | None = None) -> bool:
        """End this desk's hold on the member as `state` (done or review); False if the
        lease was lost in the meantime (the member was settled by another desk)."""
        if state not in (DONE, REVIEW, QUEUED):
            raise ValueError(f"not an end of a member's turn: {state}")
        now = utc_now()
        with self._transaction() as db:
            cursor = db.execute(
                "UPDATE campaign_members SET state = ?, reason = ?, lease_expires = NULL, "
                "updated_at = ? WHERE id = ? AND state = ? AND lease_token = ?",
                (state, reason, now, taken.row, AT_DESK, self.owner.token),
            )
            if cursor.rowcount != 1:
                return False
            self._member_event(db, taken.row, state, taken.desk, reason, now)
        return True

    def _settle_expired(self, db: Db, campaign: Campaign, epoch: int, now: str) -> None:
        rows = db.execute(
            "SELECT id, member_id, desk FROM campaign_members "  # noqa: S608
            "WHERE campaign_id = ? AND state = ? AND lease_expires < ?" + self._skip_locked(),
            (campaign.id, AT_DESK, epoch),
        ).fetchall()
        for row_id, member_id, desk in rows:
            sent = self._may_have_been_sent(db, campaign.batch_id, str(member_id))
            if sent is None:
                state, reason = QUEUED, f"the lease of {desk} expired before Send; queued again"
                started = db.execute(
                    "SELECT id FROM batch_items WHERE batch_id = ? AND member_id = ? "
                    "AND state IN (?, ?)",
                    (campaign.batch_id, member_id, *STARTED_ITEM_STATES),
                ).fetchall()
                for (item_id,) in started:
                    db.execute(
                        "UPDATE batch_items SET state = 'pending', reason = ?, updated_at = ? "
                        "WHERE id = ?",
                        (reason, now, item_id),
                    )
                    self._item_event(db, item_id, "pending", reason, now)
            else:
                state, reason = REVIEW, f"the lease of {desk} expired; {sent}"
            db.execute(
                "UPDATE campaign_members SET state = ?, reason = ?, lease_token = NULL, "
                "lease_expires = NULL, updated_at = ? WHERE id = ? AND state = ?",
                (state, reason, now, row_id, AT_DESK),
            )
            self._member_event(db, row_id, state, desk, reason, now)

    @staticmethod
    def _may_have_been_sent(db: Db, batch_id: int, member_id: str) -> str | None:
        """Why the member's objection may have reached the service, or None if nothing
        of it can have: no item got to Send, and no objection of it may have been sent."""
        rows = db.execute(
            "SELECT i.service, i.state, o.id, o.status, o.submission FROM batch_items i "
            "LEFT JOIN objections o ON o.id = i.objection_id "
            "WHERE i.batch_id = ? AND i.member_id = ? ORDER BY i.position",
            (batch_id, member_id),
        ).fetchall()
        for service, item_state, objection_id, status, submission in rows:
            if item_state in SENT_ITEM_STATES:
                return f"{service} got to Send ({item_state})"
            if status is not None and (
                Status(status).may_have_been_sent or submission_phase(submission) in SENT_PHASES
            ):
                return f"objection #{objection_id} on {service} may have been sent ({status})"
        return None

    def campaign_members(self, campaign: Campaign) -> list[dict[str, object]]:
        rows = self._db.execute(
            "SELECT id, member_id, position, state, desk, lease_expires, reason, updated_at "
            "FROM campaign_members WHERE campaign_id = ? ORDER BY position, id",
            (campaign.id,),
        )
        return [dict(row) for row in rows]

    def campaign_member_events(self, row: int) -> list[dict[str, object]]:
        rows = self._db.execute(
            "SELECT at, state, desk, reason FROM campaign_member_events WHERE member_row = ? "
            "ORDER BY id",
            (row,),
        )
        return [dict(r) for r in rows]

    @staticmethod
    def _member_event(
        db: Db, row: object, state: str, desk: str | None, reason: str | None, now: str
    ) -> None:
        db.execute(
            "INSERT INTO campaign_member_events (member_row, at, state, desk, reason) "
            "VALUES (?, ?, ?, ?, ?)",
            (row, now, state, desk, reason),
        )
