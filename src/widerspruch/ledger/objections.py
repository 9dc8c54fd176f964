"""`Ledger` itself: objections, the claims on them, their status changes, events,
evidence and attachments. The check history (checks.py) and the batch queues
(batches.py) are mixed in; opening, transactions and faults are the Store's (store.py).

The rules for claims and status changes are plain SQL: a compare-and-set UPDATE
(WHERE id = ? AND status = ? [AND claim_token = ?]) checked by its row count, and an
INSERT that the partial unique index objections_one_claim guards. Times are ISO text
and epoch seconds from Python. So they hold on any SQL database that has transactions
and partial unique indexes, not only in SQLite.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from widerspruch.ledger import claims
from widerspruch.ledger.chain import BUNDLE, seal
from widerspruch.ledger.checks import CheckHistory
from widerspruch.ledger.desks import AT_DESK, Desks
from widerspruch.ledger.engine import Db
from widerspruch.ledger.errors import ClaimHeld, LedgerError, TransitionRefused
from widerspruch.ledger.kept import KeptFiles
from widerspruch.ledger.rows import Attachment, Event, Objection, Seal, utc_now
from widerspruch.states import CLAIM_STATES, Status, may_follow

# SQLite's integers are 64-bit: a larger id cannot name an objection.
MAX_ID = 2**63 - 1


class Ledger(CheckHistory, Desks, KeptFiles):
    """Open with ``Ledger.open(data_dir)``; use as a context manager to close."""

    def latest_sent(
        self, service: str, account_email: str, *, demo: bool = False
    ) -> Objection | None:
        """The objection for this account and service that may have reached Meta: a
        confirmed one first, else the newest that may have been sent (by its status, or
        because its submission request left the browser). Real records only, or (`demo`)
        only the demo's: the one never stands for the other."""
        states = [s.value for s in Status if s.may_have_been_sent]
        rows = self._db.execute(
            # Only "?" placeholders are formatted in; every value is bound.
            "SELECT * FROM objections WHERE service = ? AND account_email = ? "  # noqa: S608
            f"AND (status IN ({','.join('?' * len(states))}) OR submission IS NOT NULL) "
            "AND demo = ? ORDER BY id DESC",
            (service, account_email.casefold(), *states, int(demo)),
        )
        found = [o for o in map(self._objection, rows) if o.may_have_been_sent]
        confirmed = [o for o in found if o.status.was_confirmed]
        return next(iter(confirmed or found), None)

    def claim(
        self,
        *,
        service: str,
        account_email: str,
        country: str,
        language: str,
        template: str,
        template_version: str,
        justification: str,
        form_url: str,
        force: bool,
        allow_resend_of: int | None = None,
        demo: bool = False,
    ) -> tuple[Objection, Objection | None]:
        """Start a new objection, owned by this run, unless one may already have been sent.

        Returns (new objection, None), or (earlier objection, earlier objection) when it
        blocks a new one; `allow_resend_of` names the one earlier objection that the
        person agreed to send again, `force` lets any through. Raises ClaimHeld if another
        live run is objecting for this account and service; a claim whose owner is gone
        is taken over first (see `_take_over`). All in one transaction. A `demo` record
        meets only the demo's own records, and a real one only real ones.
        """
        now = utc_now()
        email = account_email.casefold()
        with self._transaction() as db:
            self._lock(db, service, email, str(demo))  # desks claim one at a time
            live = self._settle_claim(db, service, email, now, demo=demo)
            if live is not None:
                raise ClaimHeld(claims.describe(live, self.owner), live)
            if not force:
                earlier = self.latest_sent(service, email, demo=demo)
                if earlier is not None and earlier.id != allow_resend_of:
                    return earlier, earlier
            owner = self.owner
            db.execute("SAVEPOINT new_claim")  # a refused row leaves the transaction usable
            try:
                cursor = db.execute(
                    "INSERT INTO objections (service, account_email, country, language, "
                    "template, template_version, justification, form_url, status, created_at, "
                    "updated_at, claim_pid, claim_host, claim_started, claim_token, claimed_at, "
                    "claim_expires, demo) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        service,
                        email,
                        country,
                        language,
                        template,
                        template_version,
                        justification,
                        form_url,
                        Status.IN_PROGRESS.value,
                        now,
                        now,
                        owner.pid,
                        owner.host,
                        owner.started,
                        owner.token,
                        now,
                        self._epoch(db) + self.lease,
                        int(demo),
                    ),
                )
            except Exception as error:
                if not self._is_conflict(error):
                    raise
                # The index: another run's claim came in between (where reads take no lock).
                db.execute("ROLLBACK TO SAVEPOINT new_claim")
                other = self._open_claims(db, service, email, demo=demo)
                if not other:
                    raise
                raise ClaimHeld(claims.describe(other[0], self.owner), other[0]) from None
            db.execute("RELEASE SAVEPOINT new_claim")
            objection_id = int(cursor.lastrowid or 0)
            self._event(db, objection_id, "status", Status.IN_PROGRESS.value, None, now)
        return self.get(objection_id), None

    def live_claim(
        self, service: str, account_email: str, *, demo: bool = False
    ) -> Objection | None:
        """The open claim of another live run for this account and service (a real one,
        or with `demo` the demo's), if any. A claim whose owner is gone is taken over
        now, truthfully (see `_take_over`)."""
        email = account_email.casefold()
        with self._transaction() as db:
            self._lock(db, service, email, str(demo))
            return self._settle_claim(db, service, email, utc_now(), demo=demo)

    def describe_claim(self, objection: Objection) -> str:
        return claims.describe(objection, self.owner)

    def release(self, objection_id: int) -> Objection:
        """End this run's claim, if it still holds it, the way a crash would be read:
        before Send "nothing sent", after it "Meta may have it"."""
        with self._transaction() as db:
            current = self._row(db, objection_id)
            if current.status in CLAIM_STATES and current.claim_token == self.owner.token:
                self._take_over(db, current, None, utc_now())
        return self.get(objection_id)

    def renew_leases(self, expires: int) -> int:
        """Extend the lease of every claim this owner holds, and of every campaign member
        at its desk (widerspruch.ledger.desks); returns how many."""
        with self._transaction() as db:
            cursor = db.execute(
                "UPDATE objections SET claim_expires = ? "
                "WHERE claim_token = ? AND status IN (?, ?)",
                (expires, self.owner.token, *sorted(s.value for s in CLAIM_STATES)),
            )
            members = db.execute(
                "UPDATE campaign_members SET lease_expires = ? WHERE lease_token = ? AND state = ?",
                (expires, self.owner.token, AT_DESK),
            )
        return int(cursor.rowcount) + int(members.rowcount)

    def set_status(
        self,
        objection_id: int,
        status: Status,
        detail: str | None = None,
        *,
        final_url: str | None = None,
        expected: Status | None = None,
        reason: str | None = None,
    ) -> Objection:
        """Move an objection to `status`, from `expected` (if given) or from what it is now.

        Only a change that widerspruch.states.TRANSITIONS allows, and out of a claim
        state only by the run that holds the claim (a claim whose owner is gone is taken
        over first). Anything else raises TransitionRefused, is logged, and changes nothing.
        """
        now = utc_now()
        with self._transaction() as db:
            current = self._row(db, objection_id)
            if expected is not None and current.status is not expected:
                self._refuse(current, status, f"it is {current.status.value}, not {expected}")
            if current.status in CLAIM_STATES and current.claim_token != self.owner.token:
                why = claims.gone(claims.Claim.of(current), self.owner, self._epoch(db))
                if why is None:
                    self._refuse(current, status, claims.describe(current, self.owner))
                current = self._take_over(db, current, why, now)
            if not may_follow(current.status, status):
                self._refuse(current, status, "the state machine does not allow it")
            self._set_status(db, current, status, detail, now, final_url=final_url, reason=reason)
        return self.get(objection_id)

    def _refuse(self, current: Objection, status: Status, why: str) -> None:
        from widerspruch.logs import get_logger

        message = (
            f"objection #{current.id}: {current.status.value} -> {status.value} refused ({why})"
        )
        get_logger("widerspruch.ledger").warning(
            "transition_refused",
            objection=current.id,
            current=current.status.value,
            wanted=status.value,
            why=why,
        )
        raise TransitionRefused(message)

    def _row(self, db: Db, objection_id: int) -> Objection:
        row = db.execute("SELECT * FROM objections WHERE id = ?", (objection_id,)).fetchone()
        if row is None:
            raise LedgerError(f"no objection with id {objection_id}")
        return self._objection(row)

    def _open_claims(self, db: Db, service: str, email: str, *, demo: bool) -> list[Objection]:
        rows = db.execute(
            "SELECT * FROM objections WHERE service = ? AND account_email = ? "
            "AND status IN (?, ?) AND demo = ? ORDER BY id",
            (service, email, *sorted(s.value for s in CLAIM_STATES), int(demo)),
        )
        return [self._objection(row) for row in rows]

    def _settle_claim(
        self, db: Db, service: str, email: str, now: str, *, demo: bool
    ) -> Objection | None:
        """The live open claim for this account and service; gone owners' are taken over."""
        for open_claim in self._open_claims(db, service, email, demo=demo):
            why = claims.gone(claims.Claim.of(open_claim), self.owner, self._epoch(db))
            if why is None:
                return open_claim
            self._take_over(db, open_claim, why, now)
        return None

    def _take_over(self, db: Db, claimed: Objection, why: str | None, now: str) -> Objection:
        """End a claim whose run is over, truthfully: never reached Send, so "cancelled";
        marked for Send, so it may have reached Meta: "submitted_unconfirmed"."""
        because = f" ({why})" if why else ""
        if claimed.status is Status.SUBMITTING:
            status = Status.SUBMITTED_UNCONFIRMED
            detail = f"the run ended after Send was clicked; Meta may have it{because}"
        else:
            status = Status.CANCELLED
            detail = f"the run ended before sending; nothing sent{because}"
        self._set_status(db, claimed, status, detail, now)
        return self._row(db, claimed.id)

    def _set_status(
        self,
        db: Db,
        current: Objection,
        status: Status,
        detail: str | None,
        now: str,
        *,
        final_url: str | None = None,
        reason: str | None = None,
    ) -> None:
        """The compare-and-set: from `current` exactly as read (status, and the claim's
        owner while it holds one), or not at all."""
        finished = status not in (Status.PENDING, *CLAIM_STATES)
        guard, args = "id = ? AND status = ?", [current.id, current.status.value]
        if current.status in CLAIM_STATES:
            if current.claim_token is None:
                guard += " AND claim_token IS NULL"
            else:
                guard, args = guard + " AND claim_token = ?", [*args, current.claim_token]
        cursor = db.execute(
            # Only the fixed guard above is formatted in; every value is bound.
            "UPDATE objections SET status = ?, detail = ?, reason = ?, updated_at = ?, "  # noqa: S608
            "final_url = COALESCE(?, final_url), "
            "submitted_at = CASE WHEN ? = 1 THEN COALESCE(submitted_at, ?) ELSE submitted_at END, "
            f"finished_at = CASE WHEN ? = 1 THEN ? ELSE finished_at END WHERE {guard}",
            (
                status.value,
                detail,
                reason,
                now,
                final_url,
                status is Status.SUBMITTING,
                now,
                finished,
                now,
                *args,
            ),
        )
        if cursor.rowcount != 1:
            self._refuse(current, status, "it changed in the meantime")
        self._event(db, current.id, "status", status.value, detail, now)

    def record_submission(self, objection_id: int, submission: dict[str, object]) -> None:
        """Keep the submission request and its answer (no body, no headers: no secrets)."""
        import json

        with self._transaction() as db:
            db.execute(
                "UPDATE objections SET submission = ? WHERE id = ?",
                (json.dumps(submission, sort_keys=True), objection_id),
            )
            self._event(
                db, objection_id, "submission", str(submission.get("phase")), None, utc_now()
            )

    def record_reading(
        self, objection_id: int, *, page_language: str | None, result_text: str | None
    ) -> None:
        """The page's language, and the text after Meta's answer that the outcome rests on."""
        with self._transaction() as db:
            db.execute(
                "UPDATE objections SET page_language = COALESCE(?, page_language), "
                "result_text = COALESCE(?, result_text) WHERE id = ?",
                (page_language, result_text, objection_id),
            )

    def set_evidence(self, objection_id: int, folder: str | Path, manifest_sha256: str) -> None:
        """The sealed bundle's folder and manifest hash, and the seal as the chain's
        next link (widerspruch.ledger.chain); a shared ledger keeps the bundle's files
        too (widerspruch.ledger.kept)."""
        with self._transaction() as db:
            now = utc_now()
            if self.keeps_files:
                files = sorted(p for p in Path(folder).iterdir() if p.is_file())
                self._keep_files(db, objection_id, files, now)
            db.execute(
                "UPDATE objections SET evidence_dir = ?, manifest_sha256 = ? WHERE id = ?",
                (self.stored_path(folder), manifest_sha256, objection_id),
            )
            self._seal(db, objection_id, manifest_sha256, now)
            self._event(db, objection_id, "evidence", "sealed", manifest_sha256, now)

    def _seal(
        self,
        db: Db,
        objection_id: int,
        sha256: str,
        now: str,
        kind: str = BUNDLE,
        path: str | None = None,
    ) -> None:
        """The chain's next link, one writer at a time: on PostgreSQL two desks sealing at
        once would both link to the same last seal."""
        self._lock(db, "widerspruch chain of seals")
        seal(db, objection_id, sha256, now, kind, path)

    def seals(self) -> list[Seal]:
        """Every seal in the chain, first first."""
        rows = self._db.execute(
            "SELECT seq, objection_id, kind, path, sha256, chain_sha256, sealed_at FROM seals "
            "ORDER BY seq"
        )
        return [Seal(**dict(row)) for row in rows]

    def attach(
        self,
        objection_id: int,
        kind: str,
        path: str | Path,
        sha256: str,
        detail: str | None = None,
    ) -> None:
        """Record a file added to the objection after its bundle was sealed, seal its
        hash as the chain's next link, and, in a shared ledger, keep its content."""
        with self._transaction() as db:
            now, stored = utc_now(), self.stored_path(path)
            db.execute(
                "INSERT INTO attachments (objection_id, kind, path, sha256, added_at, detail) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (objection_id, kind, stored, sha256, now, detail),
            )
            self._seal(db, objection_id, sha256, now, kind, stored or str(path))
            if self.keeps_files:
                self._keep_files(db, objection_id, [Path(path)], now)
            self._event(db, objection_id, "attachment", kind, sha256, now)

    def attachments(self, objection_id: int) -> list[Attachment]:
        rows = self._db.execute(
            "SELECT objection_id, kind, path, sha256, added_at, detail FROM attachments "
            "WHERE objection_id = ? ORDER BY id",
            (objection_id,),
        )
        found = []
        for row in rows:
            values = dict(row)
            values["path"] = self.resolved_path(values["path"])
            found.append(Attachment(**values))
        return found

    def record_page(self, objection_id: int, page_state: str, detail: str | None = None) -> None:
        with self._transaction() as db:
            self._event(db, objection_id, "page", page_state, detail, utc_now())

    def note(self, objection_id: int, what: str, detail: str) -> None:
        """An event on an objection that is not a change of its status (kind "batch")."""
        with self._transaction() as db:
            self._event(db, objection_id, "batch", what, detail, utc_now())

    @staticmethod
    def _event(
        db: Db,
        objection_id: int,
        kind: str,
        state: str,
        detail: str | None,
        now: str,
    ) -> None:
        db.execute(
            "INSERT INTO events (objection_id, at, kind, state, detail) VALUES (?, ?, ?, ?, ?)",
            (objection_id, now, kind, state, detail),
        )

    def _objection(self, row: Any) -> Objection:
        return Objection.from_row(row, self.resolved_path)

    def get(self, objection_id: int) -> Objection:
        if not 0 < objection_id <= MAX_ID:  # no engine could even look such a number up
            raise LedgerError(f"no objection with id {objection_id}")
        return self._row(self._db, objection_id)

    def objections(self, service: str | None = None) -> list[Objection]:
        query, args = "SELECT * FROM objections", tuple[str, ...]()
        if service:
            query, args = query + " WHERE service = ?", (service,)
        return [self._objection(row) for row in self._db.execute(query + " ORDER BY id", args)]

    def events(self, objection_id: int) -> list[Event]:
        rows = self._db.execute(
            "SELECT objection_id, at, kind, state, detail FROM events "
            "WHERE objection_id = ? ORDER BY id",
            (objection_id,),
        )
        return [Event(**dict(row)) for row in rows]
