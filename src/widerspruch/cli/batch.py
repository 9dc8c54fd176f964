"""`widerspruch batch` and its `widerspruch report`: many members, one queue."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from widerspruch.cli import _done, _start_run, _user_errors, complete
from widerspruch.cli.options import (
    Browser,
    DataDir,
    Headless,
    Json,
    LedgerUrl,
    Output,
    TimestampCa,
    TimestampUrl,
    Verbose,
    chosen_format,
    format_option,
    timeout_option,
    yes_option,
)
from widerspruch.errors import UsageError


def batch(
    members: Annotated[
        Path | None,
        typer.Argument(help="The members file: CSV or JSON, one row per member."),
    ] = None,
    services: Annotated[
        str | None,
        typer.Option(
            help="Services for rows without a services column, comma-separated: {SERVICES}."
        ),
    ] = None,
    resume: Annotated[
        bool, typer.Option("--resume", help="Continue this file's unfinished batch.")
    ] = False,
    skip_invalid: Annotated[
        bool,
        typer.Option("--skip-invalid", help="Go on with the good rows; record bad ones invalid."),
    ] = False,
    template: Annotated[
        str,
        typer.Option(
            help="Justification template for rows without a template column.",
            autocompletion=complete.templates,
        ),
    ] = "standard",
    timeout: Annotated[
        float, timeout_option("Seconds to wait for each member to log in.", minimum=1)
    ] = 600,
    receipts: Annotated[
        bool, typer.Option("--receipts", help="Write each confirmed objection's PDF receipt.")
    ] = False,
    headless: Headless = False,
    browser: Browser = None,
    data_dir: DataDir = None,
    json_output: Json = False,
    yes: Annotated[bool, yes_option("No handover prompts; Ctrl-C stops the batch.")] = False,
    timestamp_url: TimestampUrl = None,
    timestamp_ca: TimestampCa = None,
    campaign: Annotated[
        str | None,
        typer.Option(help="Be a desk of this campaign: take its members from the shared ledger."),
    ] = None,
    desk: Annotated[
        str | None, typer.Option(help="This desk's name in the campaign (with --campaign).")
    ] = None,
    ledger: LedgerUrl = None,
    verbose: Verbose = False,
) -> None:
    """Object for many members in a row (for NGOs and advice centres), as a resumable queue.

    The whole members file is checked before the browser opens. Each member gets a
    fresh browser context; before each one, widerspruch asks you to hand over the
    keyboard. Ctrl-C during a member offers: skip, retry, or stop. After a crash or a
    stop, --resume continues; what may have reached Meta is never sent again by itself:
    it is on the review list at the end, where you decide for each member. Exit code 0
    only if every member and service ended confirmed.

    Example:

    With --campaign, this is one desk of a campaign that several desks work through
    together (`widerspruch campaign create`): it takes the next member from the shared
    ledger, never one another desk has.

    \b
        widerspruch batch members.csv --services {SERVICE}
        widerspruch batch members.csv --resume
        widerspruch batch --campaign day-1 --desk desk-3 --ledger postgresql://desk@db/ngo
    """
    with _user_errors():
        from widerspruch import batch as batches
        from widerspruch.proof.timestamp import Timestamping

        if not yes and not sys.stdin.isatty():
            raise UsageError("batch asks before each member: run it in a terminal, or use --yes")
        flags = {
            "timeout": timeout,
            "receipts": receipts,
            "headless": headless,
            "assume_yes": yes,
            "timestamping": Timestamping.from_options(timestamp_url, timestamp_ca),
        }
        if campaign is not None:
            if members is not None or desk is None:
                raise UsageError("--campaign takes no members file, and needs --desk NAME")
            settings = batches.BatchSettings.for_desk(
                data_dir=data_dir, browser=browser, ledger=ledger, **flags
            )
        elif members is None:
            raise UsageError("name the members file, or a campaign with --campaign")
        else:
            settings = batches.BatchSettings.from_options(
                file=members,
                services=services,
                template=template,
                data_dir=data_dir,
                browser=browser,
                ledger=ledger,
                resume=resume,
                skip_invalid=skip_invalid,
                **flags,
            )
        from widerspruch.submit.person import ConsolePerson

        person = ConsolePerson(headless=headless, assume_yes=yes)
        operator = batches.ConsoleOperator(assume_yes=yes)
        # SIGTERM as Ctrl-C until the batch takes it over (it stops at once on SIGTERM).
        with _start_run(settings.data_dir, verbose=verbose):
            if campaign is not None:
                from widerspruch.batch.campaign import run_desk

                outcome = run_desk(
                    settings, campaign=campaign, desk=str(desk), person=person, operator=operator
                )
            else:
                outcome = batches.run_batch(settings, person=person, operator=operator)
    from widerspruch.cli.render_batch import print_outcome

    print_outcome(outcome, json_output=json_output)
    _done(outcome.ok, interrupted=outcome.interrupted)


def report(
    fmt: Annotated[str | None, format_option("csv, html or json")] = None,
    json_output: Json = False,
    redact: Annotated[bool, typer.Option("--redact", help="Mask email addresses.")] = False,
    batch_id: Annotated[
        int | None,
        typer.Option("--batch", help="Which batch [default: the newest].", min=1, max=2**63 - 1),
    ] = None,
    output: Output = None,
    data_dir: DataDir = None,
    ledger: LedgerUrl = None,
) -> None:
    """Report what a batch did: per member and service, its state, dates and evidence.

    Each row holds the member, the service, the state and why, the objection's number
    and status, when it was sent and finished, the SHA-256 of its sealed evidence
    manifest and the mandate reference. CSV for spreadsheets; HTML is one printable
    page; JSON holds the same rows. --redact masks email addresses.

    Example:

    \b
        widerspruch report --format html --redact --output batch.html
        widerspruch report --json
    """
    from datetime import UTC, datetime

    with _user_errors():
        from widerspruch.batch.report import render
        from widerspruch.cli.render import print_or_write
        from widerspruch.settings import LedgerSettings

        chosen = LedgerSettings.from_options(data_dir, ledger)
        text = render(
            chosen.data_dir,
            fmt=chosen_format(fmt, json_output),
            batch_id=batch_id,
            redact=redact,
            now=datetime.now(UTC).isoformat(timespec="seconds"),
            url=chosen.ledger,
        )
        print_or_write(text, output, "report")
