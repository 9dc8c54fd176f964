"""`widerspruch campaign`: one members list that several desks work through together,
in a shared ledger (create, status, report)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from widerspruch.cli import _user_errors
from widerspruch.cli.options import DataDir, Json, LedgerUrl, Output, chosen_format, format_option

HELP = (
    "Campaigns: one members list, several desks (laptops), one shared ledger "
    "(--ledger postgresql://…). The coordinator creates the campaign and follows it; "
    "each desk runs `widerspruch batch --campaign NAME --desk NAME`."
)
Name = Annotated[str, typer.Argument(metavar="NAME", help="The campaign's name.")]


def create(
    name: Name,
    members: Annotated[
        Path, typer.Option(help="The members file: CSV or JSON, one row per member.")
    ],
    services: Annotated[
        str | None,
        typer.Option(help="Services for rows without a services column: {SERVICES}."),
    ] = None,
    template: Annotated[
        str, typer.Option(help="Justification template for rows without a template column.")
    ] = "standard",
    ledger: LedgerUrl = None,
    data_dir: DataDir = None,
    json_output: Json = False,
) -> None:
    """Create a campaign: every member of the file queued once, for the desks to take.

    The whole file is checked first; a bad row refuses it, and nothing is queued.

    Example:

    \b
        widerspruch campaign create day-1 --members members.csv --services {SERVICE} \\
            --ledger postgresql://coordinator@db.example.org/ngo
    """
    with _user_errors():
        from widerspruch.batch import campaign
        from widerspruch.batch.items import BatchSettings
        from widerspruch.cli.render_ledger import print_created

        settings = BatchSettings.from_options(
            file=members, services=services, template=template, data_dir=data_dir, ledger=ledger
        )
        created, count = campaign.create(
            settings.data_dir,
            settings.ledger,
            name,
            members_file=members,
            services=settings.services,
            template=template,
        )
    print_created(created.name, count, json_output=json_output)


def status(
    name: Name, ledger: LedgerUrl = None, data_dir: DataDir = None, json_output: Json = False
) -> None:
    """Show a campaign live: its members per state and per desk, and the review list.

    A member is queued, at_desk, done, or on the review list (something may have
    reached the service unconfirmed: the coordinator decides).

    Example:

    \b
        widerspruch campaign status day-1 --ledger postgresql://coordinator@db.example.org/ngo
    """
    with _user_errors():
        from widerspruch.batch import campaign
        from widerspruch.cli.render_ledger import print_campaign_status
        from widerspruch.settings import LedgerSettings

        chosen = LedgerSettings.from_options(data_dir, ledger)
        found = campaign.status(chosen.data_dir, chosen.ledger, name)
    print_campaign_status(found, json_output=json_output)


def report(
    name: Name,
    fmt: Annotated[str | None, format_option("csv, html or json")] = None,
    json_output: Json = False,
    redact: Annotated[bool, typer.Option("--redact", help="Mask email addresses.")] = False,
    output: Output = None,
    ledger: LedgerUrl = None,
    data_dir: DataDir = None,
) -> None:
    """Report a campaign from the shared ledger: per member and service, its state,
    dates and the hash of its evidence, whichever desk it was at.

    Example:

    \b
        widerspruch campaign report day-1 --format html --redact --output day-1.html
    """
    from datetime import UTC, datetime

    with _user_errors():
        from widerspruch.batch.campaign import find
        from widerspruch.batch.report import render
        from widerspruch.cli.render import print_or_write
        from widerspruch.ledger import Ledger
        from widerspruch.settings import LedgerSettings

        chosen = LedgerSettings.from_options(data_dir, ledger)
        url, folder = chosen.ledger, chosen.data_dir
        with Ledger.open(folder, url=url, read_only=True) as opened:
            batch_id = find(opened, name).batch_id
        text = render(
            folder,
            fmt=chosen_format(fmt, json_output),
            batch_id=batch_id,
            redact=redact,
            now=datetime.now(UTC).isoformat(timespec="seconds"),
            url=url,
        )
        print_or_write(text, output, "report")
