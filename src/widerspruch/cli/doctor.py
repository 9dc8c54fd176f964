"""`widerspruch doctor`: is this machine ready to object, check and keep proof?"""

from __future__ import annotations

import typer

from widerspruch.cli import EXIT_NOT_CONFIRMED, EXIT_OK, _user_errors
from widerspruch.cli.options import Browser, DataDir, Json, LedgerUrl


def doctor(
    browser: Browser = None,
    data_dir: DataDir = None,
    ledger: LedgerUrl = None,
    json_output: Json = False,
) -> None:
    """Check this machine: the browser (found, starts headless and with a window), the
    display, the keyring, the data dir, the ledger, and whether Meta's hosts resolve.

    One line each, ✓ or ✗ with how to fix it. Nothing is sent and nothing is changed.
    Exit code 0 only if every check passes.

    Example:

    \b
        widerspruch doctor
    """
    with _user_errors():
        from widerspruch.cli.render import print_findings
        from widerspruch.doctor import examine
        from widerspruch.settings import LedgerSettings, check_browser_path

        chosen = LedgerSettings.from_options(data_dir, ledger)
        findings = examine(chosen.data_dir, check_browser_path(browser), chosen.ledger)
        print_findings(findings, json_output=json_output)
    raise typer.Exit(EXIT_OK if all(f.ok for f in findings) else EXIT_NOT_CONFIRMED)
