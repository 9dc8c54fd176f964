"""The command line: parse, call the library, print. Nothing else lives here.

Heavy imports (Playwright, structlog, rich) happen inside the commands, so that
``widerspruch --help`` starts as fast as typer itself.
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from widerspruch import __version__
from widerspruch.errors import UsageError

if TYPE_CHECKING:
    from datetime import datetime

    from widerspruch.engine import Result
    from widerspruch.submit import Outcome

EXIT_OK, EXIT_NOT_CONFIRMED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130

app = typer.Typer(
    name="widerspruch",
    help="Object to Meta using your data to train AI (Art. 21(1) GDPR), "
    "through Meta's own forms, and keep proof.\n\n"
    "Example:\n\n\b\n"
    "    widerspruch submit facebook instagram --email jana@example.org --country DE",
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

DataDir = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        envvar="WIDERSPRUCH_HOME",
        help="Where the ledger, log and screenshots go [default: your user data dir].",
        show_default=False,
    ),
]
Json = Annotated[bool, typer.Option("--json", help="Print one JSON document and nothing else.")]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"widerspruch {__version__}")
        raise typer.Exit()


@app.callback(invoke_without_command=True)
def _main(
    context: typer.Context,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    if context.invoked_subcommand is None:
        typer.echo(context.get_help())
        raise typer.Exit()


@contextmanager
def _user_errors() -> Iterator[None]:
    """A user mistake ends in one line on stderr and exit code 2, never a traceback;
    Ctrl-C (or SIGTERM) that reaches here, in one line and exit code 130."""
    try:
        yield
    except UsageError as error:
        _fail(str(error))
    except OSError as error:
        from widerspruch.ledger_faults import DISK_FULL_ERRNOS, full_message

        if error.errno not in DISK_FULL_ERRNOS:
            raise
        # An evidence file, a log line, a receipt: whatever was being written, say so.
        _fail(full_message(Path(str(error.filename or "the data dir"))))
    except KeyboardInterrupt:
        # Typer would end silently with 130; say that the run was stopped.
        typer.echo("widerspruch: stopped", err=True)
        raise typer.Exit(EXIT_INTERRUPTED) from None


def _fail(message: str) -> NoReturn:
    typer.echo(f"widerspruch: error: {message}", err=True)
    raise typer.Exit(EXIT_USAGE)


def _stop_on_sigterm() -> None:
    # systemd and kill send SIGTERM: end the way Ctrl-C does, with the ledger truthful.
    def handler(signum: int, frame: FrameType | None) -> NoReturn:
        raise KeyboardInterrupt

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, handler)


@app.command()
def submit(
    services: Annotated[
        list[str], typer.Argument(help="Services to object on: facebook, instagram.")
    ],
    country: Annotated[str, typer.Option(help="Country of residence, ISO code (DE, AT, FR…).")],
    email: Annotated[
        str | None,
        typer.Option(help="The account's email address (or use --all-accounts)."),
    ] = None,
    language: Annotated[
        str | None,
        typer.Option(help="Language of the justification: de, en [default: from --country]."),
    ] = None,
    template: Annotated[
        str, typer.Option(help="Justification template: a name (see `templates`) or a file.")
    ] = "standard",
    justification: Annotated[
        str | None, typer.Option(help="Send this text instead of the template.")
    ] = None,
    review: Annotated[
        bool, typer.Option(help="Fill the form, then let you check it and click Send yourself.")
    ] = False,
    timeout: Annotated[
        float, typer.Option(help="Seconds to wait for you to log in or solve a check.", min=1)
    ] = 600,
    headless: Annotated[
        bool, typer.Option(help="Hide the browser (only works when no login is needed).")
    ] = False,
    form_url: Annotated[
        str | None,
        typer.Option(help="Start at this URL instead of the built-in one (one service only)."),
    ] = None,
    cdp: Annotated[
        str | None,
        typer.Option(help="Attach to your running Chromium/Chrome (--remote-debugging-port)."),
    ] = None,
    browser: Annotated[
        str | None,
        typer.Option(envvar="WIDERSPRUCH_BROWSER", help="The Chromium or Chrome to launch."),
    ] = None,
    data_dir: DataDir = None,
    json_output: Json = False,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Never ask; fail where a question would be needed.")
    ] = False,
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
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log every step.")] = False,
) -> None:
    """Object on each service in turn, and record the outcome in the ledger.

    A browser window opens at Meta's official form. widerspruch declines optional
    cookies, waits while you log in or solve a check, fills in the form and sends it.
    Exit code 0 only if every service ended confirmed (or was confirmed before).

    Example:

    \b
        widerspruch submit facebook instagram --email jana@example.org --country DE
    """
    with _user_errors():
        from widerspruch.settings import Settings

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
            )

        if all_accounts:
            from widerspruch.accounts import Accounts
            from widerspruch.settings import resolve_data_dir

            stored = Accounts(resolve_data_dir(data_dir)).all()
            runs = [settings_for(a.email, [a.service]) for a in stored if a.service in services]
            if not runs:
                raise UsageError(
                    "no stored accounts for these services; add one with "
                    "`widerspruch account add EMAIL --service SERVICE`"
                )
        elif email is None:
            raise UsageError("--email is required (or --all-accounts)")
        else:
            runs = [settings_for(email, services)]
        from widerspruch.logs import configure
        from widerspruch.person import ConsolePerson
        from widerspruch.submit import submit_all, submit_many

        configure(runs[0].data_dir, verbose=verbose)

        _stop_on_sigterm()
        person = ConsolePerson(headless=headless, assume_yes=yes)
        outcome = submit_all(runs[0], person) if len(runs) == 1 else submit_many(runs, person)
    _report(outcome, json_output=json_output)


@app.command()
def demo(
    data_dir: Annotated[
        Path | None,
        typer.Option(help="Keep the demo's ledger here [default: a new temporary folder]."),
    ] = None,
    browser: Annotated[
        str | None,
        typer.Option(envvar="WIDERSPRUCH_BROWSER", help="The Chromium or Chrome to launch."),
    ] = None,
    json_output: Json = False,
) -> None:
    """Run the real submit flow offline, on the bundled replicas of Meta's pages.

    A stand-in plays the person (logs in, solves the check, types the emailed code).
    Nothing leaves this machine. Prints the outcome and the ledger it wrote.

    Example:

    \b
        widerspruch demo
    """
    with _user_errors():
        from widerspruch.demo import run_demo

        outcome, ledger_dir = run_demo(data_dir=data_dir, browser=browser, verbose=False)
    if json_output:
        from widerspruch.output import print_json

        print_json({**_results_document(outcome), **_log_document(ledger_dir, None)})
    else:
        _report(outcome, json_output=False, exit_when_done=False)
        typer.echo(f"\nThe demo's ledger is in {ledger_dir}. What it holds:\n")
        _show_log(ledger_dir, json_output=False, service=None)
    raise typer.Exit(EXIT_OK if outcome.ok else EXIT_NOT_CONFIRMED)


@app.command()
def check(
    services: Annotated[
        list[str] | None,
        typer.Argument(help="Services to check: facebook, instagram, whatsapp [default: all]."),
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
        float, typer.Option(help="Seconds each service's check may take.", min=0.1)
    ] = 30,
    account: Annotated[
        list[str] | None,
        typer.Option(
            help="Check behind the login wall with this account's saved login "
            "(submit --keep-session saves one). Repeat for several accounts.",
        ),
    ] = None,
    browser: Annotated[
        str | None,
        typer.Option(envvar="WIDERSPRUCH_BROWSER", help="The Chromium or Chrome to launch."),
    ] = None,
    data_dir: DataDir = None,
    json_output: Json = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log every step.")] = False,
) -> None:
    """Check that each service's objection form is still there and unchanged (for cron).

    Opens the official form URLs headless, all services at once, and reports form_ok,
    login_required, form_changed, moved, unavailable or error (WhatsApp: no_form until
    an objection appears, then form_found). Records each result; announces a change of
    state once, after --alert-after checks. Exit code 0 if all are as expected, else 1.
    With --account, a saved login lets the check read the form itself behind the login
    wall; login_required then means the saved login has expired.

    Examples:

    \b
        widerspruch check --webhook https://hooks.example.org/widerspruch
        widerspruch check facebook --account jana@example.org --json
        widerspruch check --apprise ntfy://ntfy.sh/my-widerspruch-alerts
    """
    with _user_errors():
        from widerspruch import check as checks

        if history:
            from widerspruch.settings import resolve_data_dir

            checks.print_history(resolve_data_dir(data_dir), services, json_output=json_output)
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
        )
        from widerspruch.logs import configure

        configure(settings.data_dir, verbose=verbose)
        _stop_on_sigterm()
        report = checks.run_check(settings)
    checks.print_report(report, json_output=json_output)
    raise typer.Exit(EXIT_OK if report.ok else EXIT_NOT_CONFIRMED)


account_app = typer.Typer(
    help="Accounts widerspruch may log in to for you: passwords in the OS keyring, "
    "saved logins encrypted.",
    no_args_is_help=True,
)
app.add_typer(account_app, name="account")
Service = Annotated[str, typer.Option("--service", help="facebook or instagram.")]


@account_app.command("add")
def account_add(
    email: Annotated[str, typer.Argument(help="The account's email address.")],
    service: Service,
    password_stdin: Annotated[
        bool, typer.Option(help="Read the password from standard input (for scripts).")
    ] = False,
    data_dir: DataDir = None,
) -> None:
    """Store an account's password in the OS keyring; widerspruch then logs in itself.

    Asks for the password without echo. It is kept only in the keyring, never in a
    file, a log or the ledger. You still handle any captcha or 2FA yourself.

    Example:

    \b
        widerspruch account add jana@example.org --service facebook
    """
    with _user_errors():
        from widerspruch.accounts import Accounts, Secret, keyring_usable
        from widerspruch.flows import get_flow
        from widerspruch.settings import check_email, prepare_data_dir, resolve_data_dir

        flow = get_flow(service)
        email = check_email(email, "EMAIL")
        if not keyring_usable():
            from widerspruch.accounts import NoKeyring

            raise NoKeyring()
        if password_stdin:
            secret = Secret(sys.stdin.readline().rstrip("\n"))
        else:
            secret = Secret(typer.prompt(f"{flow.display_name} password", hide_input=True))
        if not secret.reveal():
            raise UsageError("the password is empty; nothing stored")
        Accounts(prepare_data_dir(resolve_data_dir(data_dir))).add(email, flow.service, secret)
    typer.echo(f"Stored: {email} on {flow.display_name} (password in the OS keyring).")


@account_app.command("list")
def account_list(data_dir: DataDir = None, json_output: Json = False) -> None:
    """List the stored accounts (never their passwords), and which have a saved login.

    Example:

    \b
        widerspruch account list
    """
    with _user_errors():
        from widerspruch.accounts import Accounts
        from widerspruch.output import print_json, print_table
        from widerspruch.settings import resolve_data_dir

        accounts = Accounts(resolve_data_dir(data_dir))
        rows = [
            {
                "email": a.email,
                "service": a.service,
                "added_at": a.added_at,
                "saved_login": accounts.session_file(a.email, a.service).exists(),
            }
            for a in accounts.all()
        ]
    if json_output:
        print_json({"accounts": rows})
    elif not rows:
        typer.echo("No stored accounts. Add one with `widerspruch account add EMAIL --service S`.")
    else:
        print_table(
            "Stored accounts",
            ("email", "service", "added", "saved login"),
            [
                (
                    str(r["email"]),
                    str(r["service"]),
                    str(r["added_at"]),
                    "yes" if r["saved_login"] else "no",
                )
                for r in rows
            ],
        )


@account_app.command("remove")
def account_remove(
    email: Annotated[str, typer.Argument(help="The account's email address.")],
    service: Service,
    data_dir: DataDir = None,
) -> None:
    """Forget an account: its password in the keyring and its saved login.

    Example:

    \b
        widerspruch account remove jana@example.org --service facebook
    """
    with _user_errors():
        from widerspruch.accounts import Accounts
        from widerspruch.flows import get_flow
        from widerspruch.settings import check_email, resolve_data_dir

        flow = get_flow(service)
        email = check_email(email, "EMAIL")
        if not Accounts(resolve_data_dir(data_dir)).remove(email, flow.service):
            raise UsageError(f"no stored account {email} on {flow.display_name}")
    typer.echo(f"Removed: {email} on {flow.display_name}.")


@account_app.command("forget-session")
def account_forget_session(
    email: Annotated[str, typer.Argument(help="The account's email address.")],
    service: Service,
    data_dir: DataDir = None,
) -> None:
    """Delete an account's saved login; the next run logs in again.

    Example:

    \b
        widerspruch account forget-session jana@example.org --service facebook
    """
    with _user_errors():
        from widerspruch.accounts import Accounts
        from widerspruch.flows import get_flow
        from widerspruch.settings import check_email, resolve_data_dir

        flow = get_flow(service)
        email = check_email(email, "EMAIL")
        forgotten = Accounts(resolve_data_dir(data_dir)).forget_session(email, flow.service)
    typer.echo(
        f"Forgot the saved login for {email} on {flow.display_name}."
        if forgotten
        else f"There was no saved login for {email} on {flow.display_name}."
    )


@app.command("log")
def show_log(
    data_dir: DataDir = None,
    service: Annotated[str | None, typer.Option(help="Only this service.")] = None,
    json_output: Json = False,
) -> None:
    """List every objection in the ledger, with its state and times.

    Example:

    \b
        widerspruch log --json
    """
    with _user_errors():
        from widerspruch.settings import resolve_data_dir

        _show_log(resolve_data_dir(data_dir), json_output=json_output, service=_service(service))


@app.command()
def verify(
    target: Annotated[str, typer.Argument(help="An objection's number, or a bundle folder.")],
    data_dir: DataDir = None,
    json_output: Json = False,
) -> None:
    """Check that an objection's evidence bundle is exactly as it was sealed.

    Recomputes the SHA-256 of every file in the bundle's manifest, and the manifest's
    own against the ledger. Prints "intact", or names each changed or missing file
    (exit 1).

    Example:

    \b
        widerspruch verify 3
    """
    with _user_errors():
        from widerspruch.proof import verify_bundle

        verdict = verify_bundle(target, data_dir)
    if json_output:
        from widerspruch.output import print_json

        print_json(
            {
                "bundle": str(verdict.folder),
                "intact": verdict.intact,
                "changed": verdict.changed,
                "missing": verdict.missing,
            }
        )
    elif verdict.intact:
        typer.echo(f"intact: {verdict.folder}")
    else:
        for name in verdict.changed:
            typer.echo(f"changed: {name}")
        for name in verdict.missing:
            typer.echo(f"missing: {name}")
    raise typer.Exit(EXIT_OK if verdict.intact else EXIT_NOT_CONFIRMED)


ObjectionId = Annotated[
    str, typer.Argument(metavar="ID", help="The objection's number, as `widerspruch log` shows.")
]
Output = Annotated[
    Path | None,
    typer.Option("--output", "-o", help="Write to this file (readable by you only)."),
]


@app.command()
def receipt(
    objection_id: ObjectionId,
    browser: Annotated[
        str | None,
        typer.Option(envvar="WIDERSPRUCH_BROWSER", help="The Chromium or Chrome to print with."),
    ] = None,
    data_dir: DataDir = None,
    json_output: Json = False,
) -> None:
    """Write an objection's PDF receipt, receipt.pdf in its evidence bundle.

    The receipt, in the objection's language, holds the service, the account, the
    date and time, the text sent, Meta's page after sending, the manifest's SHA-256
    and what it all means. It is written by itself after a confirmed submission; this
    writes it again, for instance to add Meta's reply. Its SHA-256 goes into the ledger.

    Example:

    \b
        widerspruch receipt 1
    """
    with _user_errors():
        from widerspruch.logs import configure
        from widerspruch.proof import objection_by_id
        from widerspruch.receipt import receipt_for
        from widerspruch.settings import resolve_data_dir

        folder = resolve_data_dir(data_dir)
        objection = objection_by_id(folder, objection_id)
        configure(folder)
        path = receipt_for(folder, objection, browser)
    if json_output:
        from widerspruch.evidence import sha256_file
        from widerspruch.output import print_json

        print_json(
            {"objection_id": objection.id, "receipt": str(path), "sha256": sha256_file(path)}
        )
    else:
        typer.echo(f"receipt: {path}")


@app.command()
def confirm(
    objection_id: ObjectionId,
    eml: Annotated[Path, typer.Option("--eml", help="Meta's email, saved as a .eml file.")],
    data_dir: DataDir = None,
    json_output: Json = False,
) -> None:
    """Import Meta's reply to an objection, and record what it says.

    The email must come from Meta, be addressed to the objection's account and be dated
    after the objection was sent; otherwise nothing is stored and the reason is shown.
    It is kept unchanged in the evidence bundle (reply-N.eml) with its SHA-256 in the
    ledger, and the objection becomes acknowledged, rejected or info_requested.

    Example:

    \b
        widerspruch confirm 1 --eml ~/Downloads/meta-reply.eml
    """
    with _user_errors():
        from widerspruch.proof import objection_by_id
        from widerspruch.replies import import_reply
        from widerspruch.settings import resolve_data_dir

        folder = resolve_data_dir(data_dir)
        imported = import_reply(folder, objection_by_id(folder, objection_id), eml)
    if json_output:
        from widerspruch.output import print_json

        print_json(
            {
                "objection_id": imported.objection.id,
                "status": imported.objection.status.value,
                "previous_status": imported.previous.value,
                "reply_says": imported.reading.status.value,
                "phrase": imported.reading.phrase,
                "date": imported.date.isoformat(),
                "sender": imported.sender,
                "stored": str(imported.path),
                "sha256": imported.sha256,
                "dkim": imported.dkim,
                "message": imported.explanation(),
            }
        )
    else:
        for line in imported.explanation():
            typer.echo(line)


@app.command()
def status(
    data_dir: DataDir = None,
    service: Annotated[str | None, typer.Option(help="Only this service.")] = None,
    json_output: Json = False,
) -> None:
    """List every objection with its age and state, and flag the overdue ones.

    Meta has one calendar month to answer an objection (Art. 12(3) GDPR). One that was
    sent, with no reply from Meta imported (`widerspruch confirm`) a month later, is
    flagged overdue, with what to do next.

    Example:

    \b
        widerspruch status --json
    """
    from datetime import UTC, datetime

    with _user_errors():
        from widerspruch.settings import resolve_data_dir

        _show_status(resolve_data_dir(data_dir), datetime.now(UTC), json_output, _service(service))


@app.command()
def followup(
    objection_id: ObjectionId,
    kind: Annotated[
        str,
        typer.Option(help="reminder (to Meta) or complaint (to the data protection authority)."),
    ],
    language: Annotated[
        str | None, typer.Option(help="de or en [default: the objection's language].")
    ] = None,
    output: Output = None,
    data_dir: DataDir = None,
) -> None:
    """Write a reminder to Meta, or a complaint to a data protection authority.

    The text is filled from the ledger: the submission date, service, account, the
    one-month deadline and how far past it is, Meta's reply if any, and the manifest's
    SHA-256. A complaint is addressed to the authority of the objection's country (or
    Meta's lead authority, the Irish DPC). It goes to stdout, or to --output.

    Example:

    \b
        widerspruch followup 1 --kind complaint --output complaint.txt
    """
    from datetime import UTC, datetime

    with _user_errors():
        from widerspruch.followup import write_followup
        from widerspruch.ledger import Ledger
        from widerspruch.proof import objection_by_id
        from widerspruch.settings import resolve_data_dir

        folder = resolve_data_dir(data_dir)
        objection = objection_by_id(folder, objection_id)
        with Ledger.open(folder, read_only=True) as ledger:
            attachments = ledger.attachments(objection.id)
        text = write_followup(
            objection, attachments, kind=kind, language=language, now=datetime.now(UTC)
        )
    _print_or_write(text.text, output, text.kind)
    for hint in text.hints:
        typer.echo(f"→ {hint}", err=True)


@app.command()
def export(
    fmt: Annotated[str, typer.Option("--format", help="csv or json.")] = "csv",
    redact: Annotated[
        bool, typer.Option("--redact", help="Mask email addresses and cut paths to the data dir.")
    ] = False,
    output: Output = None,
    data_dir: DataDir = None,
) -> None:
    """Export every objection with its state, dates and evidence hashes.

    One row (CSV) or object (JSON) per objection: service, account, state, dates, the
    one-month deadline, the evidence folder, the manifest's SHA-256 and the SHA-256 of
    every file added later (receipt, Meta's replies). --redact makes it fit to share.

    Example:

    \b
        widerspruch export --format csv --redact --output objections.csv
    """
    from datetime import UTC, datetime

    with _user_errors():
        from widerspruch.export import FORMATS
        from widerspruch.export import export as export_ledger
        from widerspruch.ledger import LEDGER_FILE
        from widerspruch.settings import resolve_data_dir

        if fmt not in FORMATS:
            raise UsageError(f"--format: {fmt!r} is not one of {', '.join(FORMATS)}")
        folder = resolve_data_dir(data_dir)
        if not (folder / LEDGER_FILE).exists():
            raise UsageError(f"no ledger in {folder}; use --data-dir")
        text = export_ledger(folder, fmt=fmt, redact=redact, now=datetime.now(UTC))
    _print_or_write(text, output, "exported")


@app.command()
def batch(
    members: Annotated[
        Path, typer.Argument(help="The members file: CSV or JSON, one row per member.")
    ],
    services: Annotated[
        str | None,
        typer.Option(help="Services for rows without a services column: facebook,instagram."),
    ] = None,
    resume: Annotated[
        bool, typer.Option("--resume", help="Continue this file's unfinished batch.")
    ] = False,
    skip_invalid: Annotated[
        bool,
        typer.Option("--skip-invalid", help="Go on with the good rows; record bad ones invalid."),
    ] = False,
    template: Annotated[
        str, typer.Option(help="Justification template for rows without a template column.")
    ] = "standard",
    timeout: Annotated[
        float, typer.Option(help="Seconds to wait for each member to log in.", min=1)
    ] = 600,
    receipts: Annotated[
        bool, typer.Option("--receipts", help="Write each confirmed objection's PDF receipt.")
    ] = False,
    headless: Annotated[
        bool, typer.Option(help="Hide the browser (only works when no login is needed).")
    ] = False,
    browser: Annotated[
        str | None,
        typer.Option(envvar="WIDERSPRUCH_BROWSER", help="The Chromium or Chrome to launch."),
    ] = None,
    data_dir: DataDir = None,
    json_output: Json = False,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="No handover prompts; Ctrl-C stops the batch.")
    ] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log every step.")] = False,
) -> None:
    """Object for many members in a row (for NGOs and advice centres), as a resumable queue.

    The whole members file is checked before the browser opens. Each member gets a
    fresh browser context; before each one, widerspruch asks you to hand over the
    keyboard. Ctrl-C during a member offers: skip, retry, or stop. After a crash or a
    stop, --resume continues; what may have reached Meta is never sent again by itself:
    it is on the review list at the end, where you decide for each member. Exit code 0
    only if every member and service ended confirmed.

    Example:

    \b
        widerspruch batch members.csv --services facebook,instagram
        widerspruch batch members.csv --resume
    """
    with _user_errors():
        from widerspruch import batch as batches

        if not yes and not sys.stdin.isatty():
            raise UsageError("batch asks before each member: run it in a terminal, or use --yes")
        settings = batches.BatchSettings.from_options(
            file=members,
            services=services,
            template=template,
            data_dir=data_dir,
            browser=browser,
            resume=resume,
            skip_invalid=skip_invalid,
            timeout=timeout,
            receipts=receipts,
            headless=headless,
            assume_yes=yes,
        )
        from widerspruch.logs import configure
        from widerspruch.person import ConsolePerson

        configure(settings.data_dir, verbose=verbose)
        _stop_on_sigterm()  # until the batch takes SIGTERM over itself
        outcome = batches.run_batch(
            settings,
            person=ConsolePerson(headless=headless, assume_yes=yes),
            operator=batches.ConsoleOperator(assume_yes=yes),
        )
    batches.print_outcome(outcome, json_output=json_output)
    if outcome.interrupted:
        raise typer.Exit(EXIT_INTERRUPTED)
    raise typer.Exit(EXIT_OK if outcome.ok else EXIT_NOT_CONFIRMED)


@app.command()
def report(
    fmt: Annotated[str, typer.Option("--format", help="csv or html.")] = "csv",
    redact: Annotated[bool, typer.Option("--redact", help="Mask email addresses.")] = False,
    batch_id: Annotated[
        int | None,
        typer.Option("--batch", help="Which batch [default: the newest].", min=1, max=2**63 - 1),
    ] = None,
    output: Output = None,
    data_dir: DataDir = None,
) -> None:
    """Report what a batch did: per member and service, its state, dates and evidence.

    Each row holds the member, the service, the state and why, the objection's number
    and status, when it was sent and finished, the SHA-256 of its sealed evidence
    manifest and the mandate reference. CSV for spreadsheets; HTML is one printable
    page. --redact masks email addresses.

    Example:

    \b
        widerspruch report --format html --redact --output batch.html
    """
    from datetime import UTC, datetime

    with _user_errors():
        from widerspruch.batch_report import render
        from widerspruch.settings import resolve_data_dir

        text = render(
            resolve_data_dir(data_dir),
            fmt=fmt,
            batch_id=batch_id,
            redact=redact,
            now=datetime.now(UTC).isoformat(timespec="seconds"),
        )
    _print_or_write(text, output, "report")


@app.command()
def templates(
    name: Annotated[str | None, typer.Argument(help="Show this template's text.")] = None,
    language: Annotated[str, typer.Option(help="Language of the text to show.")] = "de",
    json_output: Json = False,
) -> None:
    """List the justification templates, or show one filled with sample values.

    Placeholders: {email}, {country}, {country_code}, {date}, {service}.

    Example:

    \b
        widerspruch templates standard --language en
    """
    from widerspruch import justification as justifications
    from widerspruch.output import print_json, print_table

    with _user_errors():
        if name is None:
            found = justifications.bundled()
            if json_output:
                print_json(
                    {
                        "templates": [
                            {
                                "name": t.name,
                                "language": t.language,
                                "version": t.version,
                                "description": t.description,
                            }
                            for t in found
                        ]
                    }
                )
            else:
                print_table(
                    "Justification templates",
                    ("name", "language", "version", "description"),
                    [(t.name, t.language, t.version, t.description) for t in found],
                )
            return
        template = justifications.load(name, language)
        if json_output:
            print_json(
                {
                    "name": template.name,
                    "language": template.language,
                    "version": template.version,
                    "text": template.body,
                }
            )
        else:
            typer.echo(template.body)


def _service(name: str | None) -> str | None:
    """--service of a listing: a known service (a typo would list nothing, and exit 0)."""
    if name is None:
        return None
    from widerspruch.flows import get_flow

    return get_flow(name).service


def _log_document(data_dir: Path, service: str | None) -> dict[str, object]:
    from widerspruch.ledger import LEDGER_FILE, Ledger

    if not (data_dir / LEDGER_FILE).exists():
        return {"ledger": None, "objections": []}
    with Ledger.open(data_dir, read_only=True) as ledger:
        return {
            "ledger": str(ledger.path),
            "objections": [
                {
                    **vars(o),
                    "status": o.status.value,
                    "events": [vars(e) for e in ledger.events(o.id)],
                }
                for o in ledger.objections(service)
            ],
        }


def _show_log(data_dir: Path, *, json_output: bool, service: str | None) -> None:
    from widerspruch.output import print_json, print_table, short_time, styled
    from widerspruch.states import Status

    document = _log_document(data_dir, service)
    if json_output:
        print_json(document)
        return
    if document["ledger"] is None:
        typer.echo(f"No ledger yet in {data_dir}.")
        return
    objections: list[dict[str, str]] = document["objections"]  # type: ignore[assignment]
    print_table(
        f"Ledger: {document['ledger']}",
        ("#", "service", "account", "status", "created", "finished", "detail"),
        [
            (
                str(o["id"]),
                o["service"],
                o["account_email"],
                styled(Status(o["status"])),
                short_time(o["created_at"]),
                short_time(o["finished_at"]),
                o["detail"] or "",
            )
            for o in objections
        ],
    )


def _show_status(data_dir: Path, now: datetime, json_output: bool, service: str | None) -> None:
    from widerspruch.deadline import standings
    from widerspruch.ledger import LEDGER_FILE, Ledger
    from widerspruch.output import print_json, print_table, styled

    if not (data_dir / LEDGER_FILE).exists():
        if json_output:
            print_json({"ledger": None, "now": now.isoformat(timespec="seconds"), "objections": []})
        else:
            typer.echo(f"No ledger yet in {data_dir}.")
        return
    with Ledger.open(data_dir, read_only=True) as ledger:
        found = standings(ledger, now, service)
        where = str(ledger.path)
    if json_output:
        print_json(
            {
                "ledger": where,
                "now": now.isoformat(timespec="seconds"),
                "objections": [s.to_json() for s in found],
            }
        )
        return
    print_table(
        f"Objections on {now:%Y-%m-%d}",
        ("#", "service", "account", "status", "sent", "age", "reply due", "flag", "next"),
        [
            (
                str(s.objection.id),
                s.objection.service,
                s.objection.account_email,
                styled(s.objection.status),
                (s.objection.submitted_at or "")[:10],
                f"{s.age_days} d",
                s.deadline.isoformat() if s.deadline else "",
                f"[red]overdue[/red] {s.days_overdue} d" if s.overdue else "",
                s.next_step,
            )
            for s in found
        ],
    )


def _print_or_write(text: str, output: Path | None, written: str) -> None:
    """Print `text`, or write it to `output`, readable by its owner only, and say so."""
    if output is None:
        typer.echo(text, nl=False)
        return
    with _user_errors():
        from widerspruch.followup import write_private

        write_private(output, text)
    typer.echo(f"{written}: {output}")


def _results_document(outcome: Outcome) -> dict[str, object]:
    return {
        "results": [r.to_json() for r in outcome.results],
        "interrupted": outcome.interrupted,
    }


def _report(outcome: Outcome, *, json_output: bool, exit_when_done: bool = True) -> None:
    from widerspruch.output import print_json, print_table, short_time, styled

    if json_output:
        print_json(_results_document(outcome))
    else:
        print_table(
            "widerspruch",
            ("service", "status", "time", "record"),
            [
                (r.service, styled(r.status), short_time(r.finished_at), _record(r))
                for r in outcome.results
            ],
        )
        for result in outcome.results:
            typer.echo(f"{result.service}: {result.message}", err=not result.status.is_success)
    if not exit_when_done:
        return
    if outcome.interrupted:
        raise typer.Exit(EXIT_INTERRUPTED)
    raise typer.Exit(EXIT_OK if outcome.ok else EXIT_NOT_CONFIRMED)


def _record(result: Result) -> str:
    where = f"{result.ledger} #{result.objection_id}" if result.ledger else "-"
    return where + (f"\n{result.screenshot}" if result.screenshot else "")


def main() -> None:
    try:
        code = app(standalone_mode=False)
    except typer.TyperException as error:
        # Typer's own complaints (a missing option, a bad value) in one line too.
        format_message = getattr(error, "format_message", None)
        message = format_message() if format_message else str(error)
        sys.stderr.write(f"widerspruch: error: {message} (see --help)\n")
        raise SystemExit(EXIT_USAGE) from None
    except (KeyboardInterrupt, typer.Abort):
        sys.stderr.write("widerspruch: stopped\n")
        raise SystemExit(EXIT_INTERRUPTED) from None
    raise SystemExit(code or 0)
