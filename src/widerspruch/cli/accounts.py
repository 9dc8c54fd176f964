"""`widerspruch account add|list|remove|forget-session`."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from widerspruch.cli import _user_errors
from widerspruch.cli.options import DataDir, Json, Service
from widerspruch.errors import UsageError

if TYPE_CHECKING:
    from widerspruch.page.flow import Flow

HELP = (
    "Accounts widerspruch may log in to for you: passwords in the OS keyring, "
    "saved logins encrypted."
)
Email = Annotated[str, typer.Argument(help="The account's email address.")]


def _account(email: str, service: str) -> tuple[str, Flow]:
    """EMAIL and --service, checked: the address, and the service's flow."""
    from widerspruch.services import get_flow
    from widerspruch.settings import check_email

    flow = get_flow(service)
    return check_email(email, "EMAIL"), flow


def add(
    email: Email,
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
        widerspruch account add jana@example.org --service {SERVICE}
    """
    with _user_errors():
        from widerspruch.accounts import Accounts, NoKeyring, Secret, keyring_usable
        from widerspruch.settings import prepare_data_dir, resolve_data_dir

        email, flow = _account(email, service)
        # Before asking for a password that could not be kept.
        if not keyring_usable():
            raise NoKeyring()
        if password_stdin:
            secret = Secret(sys.stdin.readline().rstrip("\n"))
        else:
            secret = Secret(typer.prompt(f"{flow.display_name} password", hide_input=True))
        if not secret.reveal():
            raise UsageError("the password is empty; nothing stored")
        from widerspruch.logs import configure

        folder = prepare_data_dir(resolve_data_dir(data_dir))
        configure(folder)  # the event goes to the log file, not the terminal
        Accounts(folder).add(email, flow.service, secret)
    typer.echo(f"Stored: {email} on {flow.display_name} (password in the OS keyring).")


def list_accounts(data_dir: DataDir = None, json_output: Json = False) -> None:
    """List the stored accounts (never their passwords), and which have a saved login.

    Example:

    \b
        widerspruch account list
    """
    with _user_errors():
        from widerspruch.accounts import Accounts
        from widerspruch.cli.render import print_accounts
        from widerspruch.settings import resolve_data_dir

        accounts = Accounts(resolve_data_dir(data_dir))
        found = [(a, accounts.has_saved_login(a.email, a.service)) for a in accounts.all()]
    print_accounts(found, json_output=json_output)


def remove(email: Email, service: Service, data_dir: DataDir = None) -> None:
    """Forget an account: its password in the keyring and its saved login.

    Example:

    \b
        widerspruch account remove jana@example.org --service {SERVICE}
    """
    with _user_errors():
        from widerspruch.accounts import Accounts
        from widerspruch.settings import resolve_data_dir

        email, flow = _account(email, service)
        if not Accounts(resolve_data_dir(data_dir)).remove(email, flow.service):
            raise UsageError(f"no stored account {email} on {flow.display_name}")
    typer.echo(f"Removed: {email} on {flow.display_name}.")


def forget_session(email: Email, service: Service, data_dir: DataDir = None) -> None:
    """Delete an account's saved login; the next run logs in again.

    Example:

    \b
        widerspruch account forget-session jana@example.org --service {SERVICE}
    """
    with _user_errors():
        from widerspruch.accounts import Accounts
        from widerspruch.settings import resolve_data_dir

        email, flow = _account(email, service)
        forgotten = Accounts(resolve_data_dir(data_dir)).forget_session(email, flow.service)
    typer.echo(
        f"Forgot the saved login for {email} on {flow.display_name}."
        if forgotten
        else f"There was no saved login for {email} on {flow.display_name}."
    )
