"""`widerspruch check`: is each objection form still there, and unchanged?"""

from __future__ import annotations

from typing import Annotated

import typer

from widerspruch.cli import _done, _start_run, _user_errors, complete
from widerspruch.cli.options import Browser, DataDir, Json, LedgerUrl, Verbose, timeout_option


def check(
    services: Annotated[
        list[str] | None,
        typer.Argument(
            help="Services to check: {ALL_SERVICES} [default: all].",
            autocompletion=complete.all_services,
        ),
    ] = None,
    history: Annotated[
        bool, typer.Option("--history", help="Show the recorded timeline instead of checking.")
    ] = False,
    alert_after: Annotated[
        int, typer.Option(help="Announce a failure once it held for this many checks.", min=1)
    ] = 2,
    notify_cmd: Annotated[
        str | None,
        typer.Option(help="On a change of state, run this command with the JSON on stdin."),
    ] = None,
    webhook: Annotated[
        str | None, typer.Option(help="On a change of state, POST the JSON to this URL.")
    ] = None,
    apprise: Annotated[
        list[str] | None,
        typer.Option(
            help="On a change of state, send a short text to this Apprise URL (ntfy://, "
            "mailto://, tgram://, ...; needs widerspruch[apprise]). Repeat for several.",
        ),
    ] = None,
    timeout: Annotated[
        float, timeout_option("Seconds each service's check may take.", minimum=0.1)
    ] = 30,
    account: Annotated[
        list[str] | None,
        typer.Option(
            help="Check behind the login wall with this account's saved login "
            "(submit --keep-session saves one). Repeat for several accounts.",
        ),
    ] = None,
    browser: Browser = None,
    data_dir: DataDir = None,
    ledger: LedgerUrl = None,
    json_output: Json = False,
    verbose: Verbose = False,
) -> None:
    """Check that each service's objection form is still there and unchanged (for cron).

    Opens the official form URLs headless, all services at once, and reports form_ok,
    login_required, form_changed, moved, unavailable or error (a watched service, with
    no objection form yet: no_form until one appears, then form_found). Records each
    result; announces a change of state once, after --alert-after checks. Exit code 0
    if all are as expected, else 1. With --account, a saved login lets the check read
    the form itself behind the login wall; login_required then means the saved login
    has expired.

    Examples:

    \b
        widerspruch check --webhook https://hooks.example.org/widerspruch
        widerspruch check {SERVICE} --account jana@example.org --json
        widerspruch check --apprise ntfy://ntfy.sh/my-widerspruch-alerts
    """
    with _user_errors():
        from widerspruch import check as checks
        from widerspruch.cli.render_check import print_history, print_report

        if history:
            from widerspruch.settings import LedgerSettings

            chosen = LedgerSettings.from_options(data_dir, ledger)
            print_history(chosen, services, json_output=json_output)
            return
        settings = checks.CheckSettings.from_options(
            services=services,
            data_dir=data_dir,
            timeout=timeout,
            alert_after=alert_after,
            notify_cmd=notify_cmd,
            webhook=webhook,
            apprise_urls=apprise,
            browser=browser,
            accounts=account,
            ledger=ledger,
        )
        with _start_run(settings.data_dir, verbose=verbose):
            report = checks.run_check(settings)
    print_report(report, json_output=json_output)
    _done(report.ok)
