"""`widerspruch templates`: the justification texts one can send."""

from __future__ import annotations

from typing import Annotated

import typer

from widerspruch.cli import _user_errors, complete
from widerspruch.cli.options import Json


def templates(
    name: Annotated[
        str | None,
        typer.Argument(help="Show this template's text.", autocompletion=complete.templates),
    ] = None,
    language: Annotated[str, typer.Option(help="Language of the text to show.")] = "de",
    json_output: Json = False,
) -> None:
    """List the justification templates, or show one filled with sample values.

    Placeholders: {email}, {country}, {country_code}, {date}, {service}.

    Example:

    \b
        widerspruch templates standard --language en
    """
    from widerspruch.cli.render import print_template, print_templates
    from widerspruch.submit import justification as justifications

    with _user_errors():
        if name is None:
            print_templates(justifications.bundled(), json_output=json_output)
        else:
            print_template(justifications.load(name, language), json_output=json_output)
