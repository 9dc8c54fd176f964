"""Who may do what in a shared PostgreSQL ledger.

The coordinator's role owns the ledger's tables (it runs ``widerspruch ledger migrate``):
it migrates, creates campaigns and exports. A desk's role is granted with ``widerspruch
ledger migrate --grant-desk ROLE``: it reads the ledger, claims members, records
objections, their events, seals and files, and ends members; it creates no campaign and
no batch, and deletes nothing anywhere (no DELETE, no TRUNCATE). The database enforces
the grants. A desk must read the records to claim them, so no grant can keep it from
reading; `require_coordinator` has widerspruch itself refuse a desk's export, judged by
the same grants (whoever may create campaigns is the coordinator).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from widerspruch.errors import UsageError

if TYPE_CHECKING:
    from widerspruch.ledger.store import Store

# A role's name as `createuser` makes it without quotes: nothing to escape.
ROLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
# What a desk may write, per table; every other table (campaigns, schema_migrations) it
# may only read.
DESK_WRITES = {
    "objections": "INSERT, UPDATE",
    "events": "INSERT",
    "attachments": "INSERT",
    "evidence_files": "INSERT",
    "seals": "INSERT",
    "checks": "INSERT",
    "batches": "UPDATE",
    "batch_items": "UPDATE",
    "batch_item_events": "INSERT",
    "campaign_members": "UPDATE",
    "campaign_member_events": "INSERT",
}


def checked_role(name: str) -> str:
    if not ROLE_NAME.fullmatch(name):
        raise UsageError(
            f"--grant-desk: {name!r} is not a role name (lower-case letters, digits and _, "
            "as createuser makes them)"
        )
    return name


def grant_desk(ledger: Store, role: str) -> None:
    """Give `role` (which exists already) a desk's rights on `ledger`'s tables, and no
    more: whatever it had on them before is revoked first. Run again after a migration
    adds a table."""
    if ledger.url is None:
        raise UsageError("--grant-desk works with a shared ledger (--ledger postgresql://…)")
    name = checked_role(role)
    with ledger._faults(), ledger._transaction() as db:
        if db.execute("SELECT 1 FROM pg_roles WHERE rolname = ?", (name,)).fetchone() is None:
            raise UsageError(
                f"--grant-desk: the database has no role {name}; create it first "
                f"(createuser --pwprompt {name})"
            )
        schema = str(db.execute("SELECT current_schema()").fetchone()[0])
        quoted = '"' + schema.replace('"', '""') + '"'
        # Only the checked role name, the quoted schema and fixed table names go in.
        db.execute(f"GRANT USAGE ON SCHEMA {quoted} TO {name}")
        db.execute(f"REVOKE ALL ON ALL TABLES IN SCHEMA {quoted} FROM {name}")
        db.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA {quoted} TO {name}")
        for table, rights in DESK_WRITES.items():
            db.execute(f"GRANT {rights} ON {quoted}.{table} TO {name}")


def is_coordinator(ledger: Store) -> bool:
    """The data dir's own ledger is its owner's; a shared one, the role that may create
    campaigns in it."""
    if ledger.url is None:
        return True
    with ledger._faults():
        row = ledger._db.execute("SELECT has_table_privilege('campaigns', 'INSERT')").fetchone()
    return bool(row[0])


def require_coordinator(ledger: Store, what: str) -> None:
    """A UsageError unless this ledger's role is the coordinator's (see the module)."""
    if is_coordinator(ledger):
        return
    role = urlsplit(ledger.url or "").username or "this role"
    raise UsageError(
        f"only the coordinator {what} from the shared ledger {ledger.where}: the role "
        f"{role} is a desk's (it may not create campaigns)"
    )
