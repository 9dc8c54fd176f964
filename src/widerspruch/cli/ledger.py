"""`widerspruch ledger`: the ledger as a whole (its schema, where it lives)."""

from __future__ import annotations

from typing import Annotated

import typer

from widerspruch.cli import _user_errors
from widerspruch.cli.options import DataDir, Json, LedgerUrl

HELP = (
    "The ledger itself: the SQLite file in the data dir, or (with --ledger URL or "
    "WIDERSPRUCH_LEDGER) a PostgreSQL database that several desks share."
)


def migrate(
    ledger: LedgerUrl = None,
    grant_desk: Annotated[
        list[str] | None,
        typer.Option(
            "--grant-desk",
            metavar="ROLE",
            help="Give this PostgreSQL role a desk's rights on the shared ledger: read, "
            "claim and record, never delete, create campaigns or export. Repeat for "
            "several.",
        ),
    ] = None,
    data_dir: DataDir = None,
    json_output: Json = False,
) -> None:
    """Create the ledger, or bring it up to this widerspruch's schema.

    The same migrations make the ledger on SQLite and on PostgreSQL. Every command does
    this by itself when it opens an older ledger; for a shared database, the coordinator
    runs it once, before the desks start, with --grant-desk for each desk's role (again
    after an upgrade). A ledger written by a newer widerspruch is refused and left as
    it is.

    Example:

    \b
        widerspruch ledger migrate --ledger postgresql://coordinator@db.example.org/ngo \\
            --grant-desk desk
    """
    with _user_errors():
        from widerspruch.cli.render_ledger import print_migrated
        from widerspruch.ledger.upkeep import migrate as migrate_ledger
        from widerspruch.settings import LedgerSettings, prepare_data_dir

        chosen = LedgerSettings.from_options(data_dir, ledger)
        url, data = chosen.ledger, chosen.data_dir
        done = migrate_ledger(
            prepare_data_dir(data) if url is None else data, url, desks=grant_desk or ()
        )
    print_migrated(done, json_output=json_output)


def _end(flag: str) -> object:
    return typer.Option(
        flag,
        metavar="URL",
        help="A PostgreSQL ledger's URL [default: the SQLite ledger in the data dir].",
    )


def copy(
    source: Annotated[str | None, _end("--from")] = None,
    target: Annotated[str | None, _end("--to")] = None,
    data_dir: DataDir = None,
    json_output: Json = False,
) -> None:
    """Copy every record of one ledger into a new, empty one: the SQLite file into a
    PostgreSQL database, or back.

    Ids, events, seals and batches are kept as they are; the evidence stays in the data
    dir (the ledger's paths are relative to it), so `widerspruch verify --all` checks
    it against either ledger. A target that holds records already is refused.

    Example:

    \b
        widerspruch ledger copy --to postgresql://coordinator@db.example.org/ngo
        widerspruch ledger copy --from postgresql://coordinator@db.example.org/ngo --data-dir COPY
    """
    with _user_errors():
        from widerspruch.cli.render_ledger import print_copied
        from widerspruch.ledger.upkeep import copy as copy_ledger
        from widerspruch.settings import check_ledger_url, prepare_data_dir, resolve_data_dir

        done = copy_ledger(
            prepare_data_dir(resolve_data_dir(data_dir)),
            check_ledger_url(source, "--from") if source else None,
            check_ledger_url(target, "--to") if target else None,
        )
    print_copied(done, json_output=json_output)
