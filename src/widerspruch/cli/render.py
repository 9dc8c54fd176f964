"""What the commands print: tables for people, one JSON document for scripts.

The commands hand over what the library returned; nothing here reads or changes the
ledger. `check` and `batch` print through render_check and render_batch.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from widerspruch.states import Status
from widerspruch.text import local_time

if TYPE_CHECKING:
    from datetime import datetime

    from widerspruch.accounts import Account
    from widerspruch.doctor import Finding
    from widerspruch.ledger import Event, Objection
    from widerspruch.proof.deadline import Standing
    from widerspruch.proof.followup import Followup
    from widerspruch.proof.replies import ImportedReply
    from widerspruch.settings import LedgerSettings
    from widerspruch.submit import Outcome
    from widerspruch.submit.justification import Template
    from widerspruch.submit.result import Result

STATUS_STYLE = {
    Status.CONFIRMED: "green",
    Status.ALREADY_CONFIRMED: "green",
    Status.SUBMITTED_UNCONFIRMED: "yellow",
    Status.SUBMITTING: "yellow",
    Status.TIMED_OUT: "yellow",
    Status.CANCELLED: "yellow",
    Status.FAILED: "red",
    Status.UNAVAILABLE: "red",
    Status.ACKNOWLEDGED: "green",
    Status.REJECTED: "red",
    Status.INFO_REQUESTED: "yellow",
}


def print_json(document: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")


def print_table(title: str, columns: Sequence[str], rows: Iterable[Sequence[str]]) -> None:
    """A table in the terminal; piped (cron mail, the journal, `cut`), plain tab-separated
    rows under a header row, so that no word is ever split to fit 80 columns."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    if not sys.stdout.isatty():
        for cells in (columns, *rows):
            plain = (" ".join(Text.from_markup(cell).plain.split()) for cell in cells)
            sys.stdout.write("\t".join(plain) + "\n")
        return
    table = Table(title=title, title_justify="left", show_lines=False)
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*row)
    Console(highlight=False).print(table)


def styled(status: Status) -> str:
    style = STATUS_STYLE.get(status)
    return f"[{style}]{status.value}[/{style}]" if style else status.value


def print_or_write(text: str, output: Path | None, written: str) -> None:
    """Print `text`, or write it to `output`, readable by its owner only, and say so."""
    if output is None:
        typer.echo(text, nl=False)
        return
    from widerspruch.proof.followup import write_private

    write_private(output, text)
    typer.echo(f"{written}: {output}")


def print_followup(
    objection: Objection, followup: Followup, output: Path | None, kept: Path
) -> None:
    """`followup --json`: the text and the hints in one document (the text also written
    to `output`, if given; `kept`: its copy in the archive)."""
    if output is not None:
        from widerspruch.proof.followup import write_private

        write_private(output, followup.text)
    print_json(
        {
            "objection_id": objection.id,
            "service": objection.service,
            "account": objection.account_email,
            "kind": followup.kind,
            "language": followup.language,
            "authority": followup.authority.name if followup.authority else None,
            "output": str(output) if output else None,
            "kept": str(kept),
            "text": followup.text,
            "hints": followup.hints,
        }
    )


# -- submit and demo -----------------------------------------------------------------------


def results_document(outcome: Outcome) -> dict[str, object]:
    return {
        "results": [r.to_json() for r in outcome.results],
        "interrupted": outcome.interrupted,
    }


def print_results(outcome: Outcome, *, json_output: bool) -> None:
    if json_output:
        print_json(results_document(outcome))
        return
    several = len({r.account for r in outcome.results}) > 1  # --all-accounts
    print_table(
        "widerspruch",
        ("service", "account", "status", "time", "record"),
        [
            (r.service, r.account, styled(r.status), local_time(r.finished_at), _record(r))
            for r in outcome.results
        ],
    )
    for result in outcome.results:
        who = f"{result.service} ({result.account})" if several else result.service
        typer.echo(f"{who}: {result.message}", err=not result.status.is_success)


def _record(result: Result) -> str:
    where = f"{result.ledger} #{result.objection_id}" if result.ledger else "-"
    return where + (f"\n{result.screenshot}" if result.screenshot else "")


# -- the ledger: log and status -------------------------------------------------------------


def nothing_yet(chosen: LedgerSettings) -> str:
    """The same words for a ledger that is missing and one that is empty."""
    return f"No objections recorded yet in {chosen.home}."


def log_document(
    chosen: LedgerSettings, found: list[tuple[Objection, list[Event]]] | None
) -> dict[str, object]:
    if found is None:
        return {"ledger": None, "objections": []}
    return {
        "ledger": chosen.where,
        "objections": [_objection_json(o, [vars(e) for e in events]) for o, events in found],
    }


def _objection_json(objection: Objection, events: list[dict[str, Any]]) -> dict[str, Any]:
    """One objection in `log --json`: the ledger's columns, with the key names `status`
    and `export` use for the same things (`account`, not the column's `account_email`)."""
    document = {**vars(objection), "status": objection.status.value, "events": events}
    document["account"] = document.pop("account_email")
    return document


def print_log(
    chosen: LedgerSettings,
    found: list[tuple[Objection, list[Event]]] | None,
    *,
    json_output: bool,
) -> None:
    if json_output:
        print_json(log_document(chosen, found))
    elif not found:
        typer.echo(nothing_yet(chosen))
    else:
        print_table(
            f"Ledger: {chosen.where}",
            ("#", "service", "account", "status", "created", "finished", "detail"),
            [
                (
                    str(o.id),
                    o.service,
                    o.account_email,
                    styled(o.status) + (" (demo)" if o.demo else ""),
                    local_time(o.created_at),
                    local_time(o.finished_at),
                    o.detail or "",
                )
                for o, _ in found
            ],
        )


def print_status(
    chosen: LedgerSettings, now: datetime, found: list[Standing] | None, *, json_output: bool
) -> None:
    if json_output:
        print_json(
            {
                "ledger": None if found is None else chosen.where,
                "now": now.isoformat(timespec="seconds"),
                "objections": [s.to_json() for s in found or []],
            }
        )
    elif not found:
        typer.echo(nothing_yet(chosen))
    else:
        print_table(
            f"Objections on {local_time(now)}",
            ("#", "service", "account", "status", "sent", "age", "reply due", "flag", "next"),
            [
                (
                    str(s.objection.id),
                    s.objection.service,
                    s.objection.account_email,
                    styled(s.objection.status),
                    local_time(s.objection.submitted_at),
                    f"{s.age_days} d",
                    s.deadline.isoformat() if s.deadline else "",
                    f"[red]overdue[/red] {s.days_overdue} d" if s.overdue else "",
                    s.next_step,
                )
                for s in found
            ],
        )


# -- proof: verify, receipt, confirm --------------------------------------------------------


def print_receipt(objection: Objection, path: Path, *, json_output: bool) -> None:
    if json_output:
        from widerspruch.proof.evidence import sha256_file

        print_json(
            {
                "objection_id": objection.id,
                "service": objection.service,
                "account": objection.account_email,
                "receipt": str(path),
                "sha256": sha256_file(path),
            }
        )
    else:
        typer.echo(f"receipt: {path}")


def print_reply(imported: ImportedReply, *, json_output: bool) -> None:
    if json_output:
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
                "message_id": imported.message_id,
                "dkim": imported.dkim.to_json(),
                "meta_signed": imported.meta_signed,
                "message": " ".join(imported.explanation()),  # plain words, one text as elsewhere
            }
        )
    else:
        for line in imported.explanation():
            typer.echo(line)


# -- accounts and templates -----------------------------------------------------------------


def print_accounts(found: list[tuple[Account, bool]], *, json_output: bool) -> None:
    """The stored accounts, each with whether it has a saved login."""
    if json_output:
        print_json(
            {
                "accounts": [
                    {
                        "account": a.email,
                        "service": a.service,
                        "added_at": a.added_at,
                        "saved_login": saved,
                    }
                    for a, saved in found
                ]
            }
        )
    elif not found:
        typer.echo("No stored accounts. Add one with `widerspruch account add EMAIL --service S`.")
    else:
        print_table(
            "Stored accounts",
            ("account", "service", "added", "saved login"),
            [
                (a.email, a.service, local_time(a.added_at), "yes" if saved else "no")
                for a, saved in found
            ],
        )


def print_templates(found: list[Template], *, json_output: bool) -> None:
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


def print_template(template: Template, *, json_output: bool) -> None:
    if json_output:
        print_json(
            {
                "name": template.name,
                "language": template.language,
                "version": template.version,
                "text": template.sample(),
            }
        )
    else:
        typer.echo(template.sample())


def print_findings(findings: list[Finding], *, json_output: bool) -> None:
    """`doctor`: one line per check, ✓ or ✗, and the fix under a failed one."""
    if json_output:
        print_json({"ok": all(f.ok for f in findings), "checks": [f.to_json() for f in findings]})
        return
    for finding in findings:
        mark = "✓" if finding.ok else "✗"
        line = f"{mark} {finding.check}: {finding.detail}"
        if finding.fix:
            line += f"; fix: {finding.fix}"
        typer.echo(line)
