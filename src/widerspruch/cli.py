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
    from widerspruch.engine import Result
    from widerspruch.submit import Outcome

EXIT_OK, EXIT_NOT_CONFIRMED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130

app = typer.Typer(
    name="widerspruch",
    help="Object to Meta using your data to train AI (Art. 21(1) GDPR), "
    "through Meta's own forms, and keep proof.\n\n"
    "Example:\n\n\b\n"
    "    widerspruch submit facebook instagram --email jana@example.org --country DE",
    no_args_is_help=True,
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


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    pass


@contextmanager
def _user_errors() -> Iterator[None]:
    """A user mistake ends in one line on stderr and exit code 2, never a traceback."""
    try:
        yield
    except UsageError as error:
        _fail(str(error))


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
    email: Annotated[str, typer.Option(help="The account's email address.")],
    country: Annotated[str, typer.Option(help="Country of residence, ISO code (DE, AT, FR…).")],
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

        settings = Settings.from_options(
            services=services,
            email=email,
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
        )
        from widerspruch.logs import configure
        from widerspruch.person import ConsolePerson
        from widerspruch.submit import submit_all

        configure(settings.data_dir, verbose=verbose)

        _stop_on_sigterm()
        outcome = submit_all(settings, ConsolePerson(headless=headless, assume_yes=yes))
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

        _show_log(resolve_data_dir(data_dir), json_output=json_output, service=service)


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


def _log_document(data_dir: Path, service: str | None) -> dict[str, object]:
    from widerspruch.ledger import LEDGER_FILE, Ledger

    if not (data_dir / LEDGER_FILE).exists():
        return {"ledger": None, "objections": []}
    with Ledger.open(data_dir) as ledger:
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
        app()
    except KeyboardInterrupt:
        sys.stderr.write("widerspruch: stopped\n")
        raise SystemExit(EXIT_INTERRUPTED) from None
