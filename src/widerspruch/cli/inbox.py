"""`inbox`: fetch Meta's replies to the open objections from a mailbox over IMAP."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from widerspruch.cli import _user_errors
from widerspruch.cli.options import DataDir, Json, LedgerUrl
from widerspruch.errors import UsageError

if TYPE_CHECKING:
    from widerspruch.accounts import Secret
    from widerspruch.proof.inbox import Poll


def inbox(
    imap: Annotated[
        str,
        typer.Option(
            "--imap",
            help="The mailbox: imaps://user@host[:port][/folder] (imap:// only to localhost).",
        ),
    ],
    password_stdin: Annotated[
        bool,
        typer.Option(
            "--password-stdin", help="Read the mailbox password from stdin (for scripts)."
        ),
    ] = False,
    ca_file: Annotated[
        Path | None,
        typer.Option("--ca-file", help="Trust this certificate (PEM) for the server's TLS."),
    ] = None,
    watch: Annotated[
        bool, typer.Option("--watch", help="Look again and again, every --every minutes.")
    ] = False,
    every: Annotated[
        float, typer.Option("--every", help="Minutes between looks with --watch.", min=0)
    ] = 15.0,
    rounds: Annotated[
        int | None,
        typer.Option("--rounds", help="With --watch: stop after this many looks.", min=1),
    ] = None,
    data_dir: DataDir = None,
    ledger: LedgerUrl = None,
    json_output: Json = False,
) -> None:
    """Look in a mailbox for Meta's replies to open objections, and import them.

    Mail from the services' mail domains since the oldest open objection was sent is
    checked as `widerspruch confirm` checks it: each email answers the objection it
    matches, or is listed with the reason it answers none. The mailbox is only read;
    nothing is marked or moved. The password comes from the keyring (asked once in a
    terminal and kept there), or from --password-stdin; never from the URL or a file.

    Example:

    \b
        widerspruch inbox --imap imaps://jana@mail.example.org --watch --every 30
    """
    with _user_errors():
        from widerspruch.cli.render_inbox import print_poll
        from widerspruch.proof.inbox import Mailbox, poll
        from widerspruch.proof.inbox import watch as watch_polls
        from widerspruch.settings import LedgerSettings

        mailbox = Mailbox.parse(imap)
        if ca_file is not None and not ca_file.expanduser().is_file():
            raise UsageError(f"--ca-file: there is no file {ca_file}")
        if rounds is not None and not watch:
            raise UsageError("--rounds goes with --watch")
        chosen = LedgerSettings.from_options(data_dir, ledger).keeping_files()
        password = _password(mailbox.name, from_stdin=password_stdin)
        ca = ca_file.expanduser() if ca_file else None

        def once() -> Poll:
            return poll(chosen.data_dir, mailbox, password, ca_file=ca, url=chosen.ledger)

        def report(found: Poll) -> None:
            print_poll(found, json_output=json_output)

        if watch:
            watch_polls(once, report, every_s=every * 60, rounds=rounds)
        else:
            report(once())


def _password(name: str, *, from_stdin: bool) -> Secret:
    from widerspruch.accounts import (
        NoKeyring,
        Secret,
        mailbox_password,
        store_mailbox_password,
    )

    if from_stdin:
        line = sys.stdin.readline().rstrip("\r\n")
        if not line:
            raise UsageError("--password-stdin: stdin gave no password")
        return Secret(line)
    stored = mailbox_password(name)
    if stored is not None:
        return stored
    if not sys.stdin.isatty():
        raise UsageError(
            f"no password for {name} in the keyring; run this once in a terminal to store "
            "it, or pass --password-stdin"
        )
    password = Secret(typer.prompt(f"Password for {name}", hide_input=True))
    try:
        store_mailbox_password(name, password)
        typer.echo(f"Kept in the keyring for {name}.", err=True)
    except NoKeyring as error:
        typer.echo(f"Note: {error}.", err=True)
    return password
