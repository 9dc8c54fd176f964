"""The options several commands share, each declared once, and the help that names the
services."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperArgument, TyperCommand, TyperOption

from widerspruch.cli import complete
from widerspruch.errors import UsageError

if TYPE_CHECKING:
    from typer._click import Context  # typer's own copy of click: what a command receives


def _folder(value: str) -> Path:
    # Path("") is the current directory: an empty value is a mistake, not a choice.
    if not value.strip():
        raise typer.BadParameter("is empty; name a folder, or leave the option out")
    return Path(value)


DataDir = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        envvar="WIDERSPRUCH_HOME",
        parser=_folder,
        metavar="DIR",
        help="Where the ledger, log and screenshots go [default: your user data dir].",
        show_default=False,
    ),
]
Json = Annotated[bool, typer.Option("--json", help="Print one JSON document and nothing else.")]
# Not envvar=: settings.resolve_ledger reads WIDERSPRUCH_LEDGER itself, and checks both.
LedgerUrl = Annotated[
    str | None,
    typer.Option(
        "--ledger",
        metavar="URL",
        help="A shared PostgreSQL ledger (postgresql://user@host/database), no password in "
        "it [env var: WIDERSPRUCH_LEDGER; default: the ledger in the data dir].",
    ),
]


def format_option(formats: str) -> Any:
    """--format of a command that writes several formats; --json is the same as json."""
    return typer.Option("--format", help=f"{formats} [default: csv]; --json is --format json.")


def chosen_format(fmt: str | None, json_output: bool) -> str:
    """The format --format and --json ask for together (csv if neither)."""
    if json_output and fmt not in (None, "json"):
        raise UsageError(f"--json and --format {fmt} ask for two formats; give one")
    return "json" if json_output else fmt or "csv"


Verbose = Annotated[bool, typer.Option("--verbose", "-v", help="Log every step.")]
Headless = Annotated[
    bool, typer.Option(help="Hide the browser (only works when no login is needed).")
]
Output = Annotated[
    Path | None,
    typer.Option("--output", "-o", help="Write to this file (readable by you only)."),
]
ObjectionId = Annotated[
    str,
    typer.Argument(
        metavar="ID",
        help="The objection's number, as `widerspruch log` shows.",
        autocompletion=complete.objection_ids,
    ),
]
# A trusted timestamp on each sealed bundle (submit, batch).
TimestampUrl = Annotated[
    str | None,
    typer.Option(
        "--timestamp-url",
        help="Have each sealed bundle's manifest hash time-stamped (RFC 3161) by this "
        "authority; needs the network, so off by default.",
    ),
]
TimestampCa = Annotated[
    Path | None,
    typer.Option(
        "--timestamp-ca",
        help="The time-stamping authority's CA certificate (PEM), to check its answer.",
    ),
]
# An account is on one service one can object on.
Service = Annotated[
    str,
    typer.Option(
        "--service",
        help="The account's service: {SERVICES}.",
        autocompletion=complete.services,
    ),
]
# A listing's filter (log, status).
OnlyService = Annotated[
    str | None, typer.Option(help="Only this service.", autocompletion=complete.all_services)
]


def _browser(purpose: str) -> Any:
    # Not envvar=: settings.check_browser_path reads WIDERSPRUCH_BROWSER itself, so that a
    # bad path blames the variable, not --browser.
    return typer.Option(
        "--browser",
        metavar="PATH",
        help=f"The Chromium or Chrome to {purpose} [env var: WIDERSPRUCH_BROWSER].",
    )


Browser = Annotated[str | None, _browser("launch")]
PrintBrowser = Annotated[str | None, _browser("print with")]


def yes_option(meaning: str) -> Any:
    """--yes/-y, with what it means for this command."""
    return typer.Option("--yes", "-y", help=meaning)


# The fields some forms ask for beyond email and country (`Flow.details`, by key).
Name = Annotated[
    str | None, typer.Option("--name", help="Your full name (for forms that ask for it).")
]
Where = Annotated[
    str | None,
    typer.Option("--where", help='Where your data appeared, e.g. "photos posted by others".'),
]
Phone = Annotated[
    str | None,
    typer.Option("--phone", help="Your phone number with country code, e.g. +4915112345678."),
]


def timeout_option(meaning: str, *, minimum: float) -> Any:
    """--timeout in seconds, with what it waits for."""
    return typer.Option("--timeout", help=meaning, min=minimum)


PLACEHOLDERS = ("{SERVICES}", "{ALL_SERVICES}", "{SERVICE}", "{SERVICE_NEEDS}")


class NamesServices(TyperCommand):
    """A command whose help may name the services: in its docstring and its parameters'
    help, {SERVICES} (one can object on), {ALL_SERVICES} (also the watched ones) and
    {SERVICE} (the first of them, for examples) and {SERVICE_NEEDS} (each service on a line,
    with the login and options it needs) are filled in as the help is shown.

    Not at import time: the names come from the flows, and loading those takes longer
    than all the rest of `widerspruch --help`.
    """

    def get_help(self, ctx: Context) -> str:
        params = [p for p in self.params if isinstance(p, TyperArgument | TyperOption)]
        for param in params:
            _name_the_value(param)
        texts = [self.help or "", *(p.help or "" for p in params)]
        if any(placeholder in text for placeholder in PLACEHOLDERS for text in texts):
            from widerspruch.services import (
                known_services_text,
                service_names,
                services_needs_text,
            )

            names = {
                "{SERVICES}": known_services_text(),
                "{ALL_SERVICES}": known_services_text(watched=True),
                "{SERVICE}": service_names()[0],
                "{SERVICE_NEEDS}": services_needs_text(),
            }
            self.help = _filled(self.help, names)
            for param in params:
                param.help = _filled(param.help, names)
        return super().get_help(ctx)


def _name_the_value(param: TyperArgument | TyperOption) -> None:
    """A value's placeholder in the help says what it is (EMAIL, SERVICE), never the
    Python type typer would show (<str>, <list[str]>)."""
    if isinstance(param, TyperArgument):
        # An argument's help already starts with its name (SERVICES, ID): no type after it.
        param.display_type_rich = lambda ctx: None  # type: ignore[method-assign]
        return
    if param.metavar is not None or getattr(param, "is_flag", False):
        return
    longest = max(param.opts, key=len).lstrip("-") if param.opts else str(param.name)
    param.metavar = longest.upper()


def _filled(text: str | None, names: dict[str, str]) -> str | None:
    for placeholder, value in names.items():
        text = text.replace(placeholder, value) if text else text
    return text
