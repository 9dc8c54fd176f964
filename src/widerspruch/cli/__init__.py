"""The command line: parse, call the library, print. Nothing else lives here.

One module per group of commands (submit, check, accounts, proof, inbox, batch, templates), the
options they share in ``options``, and what they print in ``render``. This module holds
the app, the handling of errors every command shares, and the list of commands.

Heavy imports (Playwright, structlog, rich) happen inside the commands, so that
``widerspruch --help`` starts as fast as typer itself.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from typer import completion  # typer.completion: its shell scripts and their answers

from widerspruch import __version__
from widerspruch.cli.options import NamesServices
from widerspruch.errors import UsageError

EXIT_OK, EXIT_NOT_CONFIRMED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130

app = typer.Typer(
    name="widerspruch",
    help="Object to Meta using your data to train AI (Art. 21(1) GDPR), "
    "through Meta's own forms, and keep proof. `widerspruch submit --help` names the "
    "services.\n\n"
    "Example:\n\n\b\n"
    "    widerspruch submit SERVICE --email jana@example.org --country DE",
    # Our own --install-completion and --show-completion (below) take the shell's name.
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
# Typer's completion for bash, zsh and fish answers a Tab (_WIDERSPRUCH_COMPLETE=...).
completion.completion_init()  # type: ignore[attr-defined]  # public, not re-exported


def _version(value: bool) -> None:
    if value:
        typer.echo(f"widerspruch {__version__}")
        raise typer.Exit()


SHELLS = ("bash", "zsh", "fish")


def _completion(action: Callable[[typer.Context, object, object], object]) -> Callable[..., None]:
    """A callback for --install-completion/--show-completion: the named shell, or (no
    name) the one this runs in; typer writes or prints the script and exits."""

    def callback(context: typer.Context, param: object, value: str | None) -> None:
        if value is None or context.resilient_parsing:
            return
        if value and value not in SHELLS:
            raise typer.BadParameter(f"{value!r} is not one of {', '.join(SHELLS)}")
        action(context, param, value or True)  # True: typer finds the shell itself

    return callback


def _completion_option(flag: str, action: str, callback: Callable[..., object]) -> Any:
    return typer.Option(
        flag,
        metavar="[SHELL]",
        is_eager=True,
        expose_value=False,
        callback=_completion(callback),
        help=f"{action} the completion script for bash, zsh or fish [default: the shell you use].",
    )


@app.callback(invoke_without_command=True)
def _main(
    context: typer.Context,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
    install_completion: Annotated[
        str | None,
        _completion_option("--install-completion", "Install", completion.install_callback),
    ] = None,
    show_completion: Annotated[
        str | None, _completion_option("--show-completion", "Print", completion.show_callback)
    ] = None,
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
        from widerspruch.files import NOT_WRITABLE_ERRNOS, not_writable_message
        from widerspruch.ledger.faults import DISK_FULL_ERRNOS, full_message

        if error.errno in NOT_WRITABLE_ERRNOS:
            # A read-only data dir (a mounted backup, another user's folder).
            _fail(not_writable_message(error))
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


def _done(ok: bool, *, interrupted: bool = False) -> NoReturn:
    """End a run: 0 if everything ended as hoped, 1 if not, 130 if it was stopped."""
    raise typer.Exit(EXIT_INTERRUPTED if interrupted else EXIT_OK if ok else EXIT_NOT_CONFIRMED)


@contextmanager
def _start_run(data_dir: Path, *, verbose: bool) -> Iterator[None]:
    """Around a run that opens a browser: log to the data dir, and take SIGTERM (systemd,
    kill) as Ctrl-C, so that the run ends with the ledger truthful."""
    from widerspruch.logs import configure
    from widerspruch.stoppable import sigterm_as

    configure(data_dir, verbose=verbose)
    with sigterm_as():
        yield


def _shell_named(args: list[str]) -> list[str]:
    """`--show-completion` without a shell means the one in use: typer's click takes no
    option with an optional value, so the empty name stands for it."""
    if args and args[-1] in ("--install-completion", "--show-completion"):
        return [*args, ""]
    return args


def main() -> None:
    try:
        code = app(args=_shell_named(sys.argv[1:]), standalone_mode=False)
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


# -- the commands, listed explicitly, in the order --help shows them ---------------------
# They use the error handling above, so they are imported after it.

from . import (  # noqa: E402
    accounts,
    batch,
    campaign,
    check,
    doctor,
    inbox,
    ledger,
    proof,
    submit,
    templates,
)


def _register(group: typer.Typer, command: Callable[..., None], name: str | None = None) -> None:
    group.command(name, cls=NamesServices)(command)


_register(app, submit.submit)
_register(app, submit.demo)
_register(app, check.check)
account_app = typer.Typer(help=accounts.HELP, no_args_is_help=True)
_register(account_app, accounts.add, "add")
_register(account_app, accounts.list_accounts, "list")
_register(account_app, accounts.remove, "remove")
_register(account_app, accounts.forget_session, "forget-session")
app.add_typer(account_app, name="account")
_register(app, proof.show_log, "log")
_register(app, proof.verify)
_register(app, proof.timestamp)
_register(app, proof.receipt)
_register(app, proof.confirm)
_register(app, inbox.inbox)
_register(app, proof.status)
_register(app, proof.followup)
_register(app, proof.export)
_register(app, batch.batch)
_register(app, batch.report)
ledger_app = typer.Typer(help=ledger.HELP, no_args_is_help=True)
_register(ledger_app, ledger.migrate, "migrate")
_register(ledger_app, ledger.copy, "copy")
app.add_typer(ledger_app, name="ledger")
campaign_app = typer.Typer(help=campaign.HELP, no_args_is_help=True)
_register(campaign_app, campaign.create, "create")
_register(campaign_app, campaign.status, "status")
_register(campaign_app, campaign.report, "report")
app.add_typer(campaign_app, name="campaign")
_register(app, templates.templates)
_register(app, doctor.doctor)
