"""The check history (`widerspruch check`, see widerspruch.check), part of the Ledger.

One row per service and run: the state found, where and what the page was, the files
saved for an anomaly, and `reported_state`, the state last announced for the service
(an alert goes out when it changes; `alerted` marks the runs that sent one).
"""

from __future__ import annotations

from widerspruch.ledger.rows import CheckRow, as_row
from widerspruch.ledger.store import Store

# The columns that hold a path (of the files saved for an anomaly).
PATH_COLUMNS = ("screenshot", "html")


class CheckHistory(Store):
    """The Ledger's methods for the checks table."""

    CHECK_COLUMNS = (
        "service",
        "checked_at",
        "state",
        "expected",
        "final_url",
        "http_status",
        "language",
        "detail",
        "reason",
        "link",
        "screenshot",
        "html",
        "reported_state",
        "alerted",
    )

    def add_check(self, values: dict[str, object]) -> int:
        """Record one service's check result; returns its row id."""
        unknown = set(values) - set(self.CHECK_COLUMNS)
        if unknown:
            raise ValueError(f"not check columns: {sorted(unknown)}")
        columns = [name for name in self.CHECK_COLUMNS if name in values]
        values = {
            **values,
            **{k: self.stored_path(str(values[k])) for k in PATH_COLUMNS if values.get(k)},
        }
        with self._transaction() as db:
            cursor = db.execute(
                # Only known column names and "?" placeholders are formatted in.
                f"INSERT INTO checks ({', '.join(columns)}) "  # noqa: S608
                f"VALUES ({', '.join('?' * len(columns))})",
                [values[name] for name in columns],
            )
        return int(cursor.lastrowid or 0)

    def checks(
        self, service: str | None = None, *, since: str | None = None, newest: int | None = None
    ) -> list[CheckRow]:
        """Recorded check results, oldest first: all, those at or after `since` (ISO UTC),
        or only the `newest` few."""
        where, args = [], list[object]()
        if service is not None:
            where.append("service = ?")
            args.append(service)
        if since is not None:
            where.append("checked_at >= ?")
            args.append(since)
        # Only fixed conditions with "?" placeholders are joined in; every value is bound.
        query = "SELECT * FROM checks" + (" WHERE " + " AND ".join(where) if where else "")  # noqa: S608
        if newest is not None:
            query = f"SELECT * FROM ({query} ORDER BY id DESC LIMIT ?) AS newest"  # noqa: S608
            args.append(newest)
        found = []
        for row in self._db.execute(query + " ORDER BY id", args):
            check = as_row(CheckRow, row)
            check["screenshot"] = self.resolved_path(check["screenshot"])
            check["html"] = self.resolved_path(check["html"])
            found.append(check)
        return found

    def checked_services(self) -> list[str]:
        """Every service with a recorded check, in order of its first check."""
        rows = self._db.execute("SELECT service FROM checks GROUP BY service ORDER BY MIN(id)")
        return [str(row[0]) for row in rows]
