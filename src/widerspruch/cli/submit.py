"""`widerspruch submit` and `widerspruch demo`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from widerspruch.cli import _done, _start_run, _user_errors, complete
from widerspruch.cli.options import (
    Browser,
    DataDir,
    Headless,
    Json,
    LedgerUrl,
    Name,
    Phone,
    TimestampCa,
    TimestampUrl,
    Verbose,
    Where,
    timeout_option,
    yes_option,
)
from widerspruch.errors import UsageError

if TYPE_CHECKING:
    from widerspruch.settings import Settings


def submit(
    services: Annotated[
        list[str],
        typer.Argument(help="Services to object on: {SERVICES}.", autocompletion=complete.services),
    ],
    country: Annotated[str, typer.Option(help="Country of residence, ISO code (DE, AT, FR…).")],
    email: Annotated[
        str | None,
        typer.Option(
            help="Your email address: the account's where you log in (or use --all-accounts)."
        ),
    ] = None,
    name: Name = None,
    where: Where = None,
    phone: Phone = None,
    language: Annotated[
        str | None,
        typer.Option(
            help="Language of the justification: de, en, es, fr, it, nl, pl, pt "
            "[default: from --country]."
        ),
    ] = None,
    template: Annotated[
        str,
        typer.Option(
            help="Justification template: a name (see `templates`) or a file.",
            autocompletion=complete.templates,
        ),
    ] = "standard",
    justification: Annotated[
        str | None, typer.Option(help="Send this text instead of the template.")
    ] = None,
    review: Annotated[
        bool, typer.Option(help="Fill the form, then let you check it and click Send yourself.")
    ] = False,
    timeout: Annotated[
        float, timeout_option("Seconds to wait for you to log in or solve a check.", minimum=1)
    ] = 600,
    headless: Headless = False,
    form_url: Annotated[
        str | None,
        typer.Option(help="Start at this URL instead of the built-in one (one service only)."),
    ] = None,
    cdp: Annotated[
        str | None,
        typer.Option(help="Attach to your running Chromium/Chrome (--remote-debugging-port)."),
    ] = None,
    browser: Browser = None,
    data_dir: DataDir = None,
    ledger: LedgerUrl = None,
    json_output: Json = False,
    yes: Annotated[bool, yes_option("Never ask; fail where a question would be needed.")] = False,
    force: Annotated[
        bool, typer.Option(help="Object again even if an objection was already sent.")
    ] = False,
    keep_session: Annotated[
        bool,
        typer.Option(help="Save the login, encrypted, so the next run starts logged in."),
    ] = False,
    all_accounts: Annotated[
        bool,
        typer.Option(help="Object for every account stored with `widerspruch account add`."),
    ] = False,
    also_setting: Annotated[
        bool,
        typer.Option(
            help="Also switch off the service's own setting for its AI (where it has one), "
            "with a screenshot before and after."
        ),
    ] = False,
    timestamp_url: TimestampUrl = None,
    timestamp_ca: TimestampCa = None,
    verbose: Verbose = False,
) -> None:
    """Object on each service in turn, and record the outcome in the ledger.

    A browser window opens at Meta's official form. widerspruch declines optional
    cookies, waits while you log in or solve a check, fills in the form and sends it.
    Exit code 0 only if every service ended confirmed (or was confirmed before).

    What each service needs:

    \b
    {SERVICE_NEEDS}

    Example:

    \b
        widerspruch submit {SERVICE} --email jana@example.org --country DE
    """
    with _user_errors():
        from widerspruch.proof.timestamp import Timestamping
        from widerspruch.settings import Settings

        timestamping = Timestamping.from_options(timestamp_url, timestamp_ca)

        def settings_for(account: str, for_services: list[str]) -> Settings:
            return Settings.from_options(
                services=for_services,
                email=account,
                country=country,
                language=language,
                template=template,
                justification=justification,
                data_dir=data_dir,
                form_url=form_url,
                cdp_url=cdp,
                browser=browser,
                review=review,
                timeout=timeout,
                headless=headless,
                json=json_output,
                assume_yes=yes,
                force=force,
                keep_session=keep_session,
                also_setting=also_setting,
                timestamping=timestamping,
                details={"name": name, "where": where, "phone": phone},
                ledger=ledger,
            )

        if all_accounts:
            from widerspruch.accounts import Accounts
            from widerspruch.settings import resolve_data_dir

            stored = Accounts(resolve_data_dir(data_dir)).on(services)
            runs = [settings_for(a.email, [a.service]) for a in stored]
        elif email is None:
            raise UsageError("--email is required (or --all-accounts)")
        else:
            runs = [settings_for(email, services)]
        from widerspruch.submit import submit_all, submit_many
        from widerspruch.submit.person import ConsolePerson

        person = ConsolePerson(headless=headless, assume_yes=yes)
        with _start_run(runs[0].data_dir, verbose=verbose):
            outcome = submit_all(runs[0], person) if len(runs) == 1 else submit_many(runs, person)
    from widerspruch.cli.render import print_results

    print_results(outcome, json_output=json_output)
    _done(outcome.ok, interrupted=outcome.interrupted)


def demo(
    data_dir: Annotated[
        Path | None,
        typer.Option(
            help="Write the demo's ledger here, a folder with no real records "
            "[default: a temporary folder, removed afterwards]."
        ),
    ] = None,
    country: Annotated[
        str, typer.Option(help="Country of residence the demo objects from, ISO code.")
    ] = "DE",
    language: Annotated[
        str | None,
        typer.Option(
            help="Language of the pages, the text and the receipt: de, en "
            "[default: from --country]."
        ),
    ] = None,
    keep: Annotated[
        bool, typer.Option(help="Keep the temporary folder, to look at the receipts and evidence.")
    ] = False,
    browser: Browser = None,
    json_output: Json = False,
) -> None:
    """Run the real submit flow offline, on the bundled replicas of Meta's pages.

    A stand-in plays the person (logs in, solves the check, types the emailed code).
    Nothing leaves this machine; every record it writes is marked as the demo's. Prints
    the outcome and the ledger it wrote.

    Example:

    \b
        widerspruch demo --language en --keep
    """
    with _user_errors():
        from widerspruch.proof.export import objections_with_events
        from widerspruch.stoppable import sigterm_as
        from widerspruch.testing.demo import demo_run  # product code's one use of testing

        # SIGTERM stops the demo as Ctrl-C does: its temporary folder goes (unless kept),
        # and one line says it stopped.
        with (
            sigterm_as(),
            demo_run(
                data_dir=data_dir,
                browser=browser,
                country=country,
                language=language,
                keep=keep,
            ) as (outcome, ledger_dir),
        ):
            if outcome.interrupted:
                raise KeyboardInterrupt  # nothing to show of a demo cut short
            logged = objections_with_events(ledger_dir)
    from widerspruch.cli.render import (
        log_document,
        print_json,
        print_log,
        print_results,
        results_document,
    )
    from widerspruch.settings import LedgerSettings

    kept = data_dir is not None or keep
    chosen = LedgerSettings(ledger_dir)  # the demo's own folder, never a shared ledger
    if json_output:
        print_json({**results_document(outcome), **log_document(chosen, logged), "kept": kept})
    else:
        print_results(outcome, json_output=False)
        typer.echo(f"\nWhat the demo's ledger {ledger_dir} holds:\n")
        print_log(chosen, logged, json_output=False)
        if not kept:
            typer.echo(
                f"\nThe demo's folder {ledger_dir} is removed again; "
                "keep it with --keep to look at the receipts."
            )
    _done(outcome.ok)
