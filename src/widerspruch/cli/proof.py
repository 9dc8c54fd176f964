"""The ledger and the proof it keeps: `log`, `verify`, `receipt`, `confirm`, `status`,
`followup` and `export`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from widerspruch.cli import _done, _user_errors, complete
from widerspruch.cli.options import (
    DataDir,
    Json,
    LedgerUrl,
    ObjectionId,
    OnlyService,
    Output,
    PrintBrowser,
    chosen_format,
    format_option,
)
from widerspruch.errors import UsageError


def _service(name: str | None) -> str | None:
    """--service of a listing: a known service (a typo would list nothing, and exit 0)."""
    if name is None:
        return None
    from widerspruch.services import get_flow

    return get_flow(name).service


def show_log(
    data_dir: DataDir = None,
    ledger: LedgerUrl = None,
    service: OnlyService = None,
    json_output: Json = False,
) -> None:
    """List every objection in the ledger, with its state and times.

    Example:

    \b
        widerspruch log --json
    """
    with _user_errors():
        from widerspruch.cli.render import print_log
        from widerspruch.proof.export import objections_with_events
        from widerspruch.settings import LedgerSettings

        chosen = LedgerSettings.from_options(data_dir, ledger)
        found = objections_with_events(chosen.data_dir, _service(service), chosen.ledger)
        print_log(chosen, found, json_output=json_output)


def verify(
    target: Annotated[
        str | None,
        typer.Argument(
            help="An objection's number, or a bundle folder.",
            autocompletion=complete.objection_ids,
        ),
    ] = None,
    all_objections: Annotated[
        bool, typer.Option("--all", help="Check the whole archive: every objection.")
    ] = False,
    tsa_ca: Annotated[
        Path | None,
        typer.Option(
            "--tsa-ca",
            help="Check trusted timestamps against this CA certificate (PEM) "
            "[default: the one kept with each timestamp].",
        ),
    ] = None,
    data_dir: DataDir = None,
    ledger: LedgerUrl = None,
    json_output: Json = False,
) -> None:
    """Check that everything the archive holds for an objection is as it was recorded.

    Recomputes the SHA-256 of every file in the sealed bundle's manifest, the
    manifest's own against the ledger and the ledger's chain of seals, and that of
    every file added later (receipt, Meta's replies, follow-ups, a trusted timestamp,
    whose signature is checked too), each against its seal in the chain. A file in
    the objection's folder that nothing records is named too. Prints "intact", or
    names each changed, missing or unrecorded file and each problem (exit 1). --all
    checks every objection: one line each, and a total. With a shared --ledger, the
    files are those in this data dir, and the copies the shared ledger keeps of them:
    an objection sent at another desk is verified from the shared ledger alone.

    Example:

    \b
        widerspruch verify 3
        widerspruch verify --all
    """
    with _user_errors():
        from widerspruch.proof.timestamp import read_ca
        from widerspruch.proof.verify import verify_all, verify_bundle
        from widerspruch.settings import LedgerSettings

        ca = read_ca(tsa_ca, "--tsa-ca") if tsa_ca is not None else None
        chosen = LedgerSettings.from_options(data_dir, ledger)
        if all_objections:
            if target is not None:
                raise UsageError("give an objection (or a folder), or --all, not both")
            archive = verify_all(chosen.data_dir, ca, chosen.ledger)
        elif target is None:
            raise UsageError("name an objection's number or a bundle folder, or use --all")
        else:
            verdict = verify_bundle(target, chosen.data_dir, ca, chosen.ledger)
    from widerspruch.cli.render_proof import print_archive, print_verdict

    if all_objections:
        print_archive(archive, json_output=json_output)
        _done(archive.intact)
    else:
        print_verdict(verdict, json_output=json_output)
        _done(verdict.intact)


def timestamp(
    objection_id: ObjectionId,
    url: Annotated[str, typer.Option("--url", help="The time-stamping authority (RFC 3161).")],
    ca: Annotated[
        Path, typer.Option("--ca", help="The authority's CA certificate (PEM), to check it.")
    ],
    data_dir: DataDir = None,
    ledger: LedgerUrl = None,
    json_output: Json = False,
) -> None:
    """Add a trusted timestamp (RFC 3161) to an objection's sealed bundle.

    Only the manifest's SHA-256 is sent to the authority. Its signed answer is checked,
    then kept in the bundle (manifest.tsr, with the CA as manifest.tsa-ca.pem) and in
    the ledger; `widerspruch verify` checks it from then on.

    Example:

    \b
        widerspruch timestamp 1 --url https://tsa.example.org/tsr --ca tsa-ca.pem
    """
    with _user_errors():
        from widerspruch.ledger import Ledger
        from widerspruch.logs import configure
        from widerspruch.proof.kept import evidence_here
        from widerspruch.proof.timestamp import TimestampFailed, Timestamping, add_timestamp
        from widerspruch.proof.verify import objection_by_id
        from widerspruch.settings import LedgerSettings

        options = Timestamping.from_options(url, ca)
        assert options is not None  # both are required options
        chosen = LedgerSettings.from_options(data_dir, ledger).keeping_files()
        folder = chosen.data_dir
        objection = objection_by_id(folder, objection_id, chosen.ledger)
        evidence_here(folder, objection, chosen.ledger, f"timestamp {objection.id}")
        configure(folder)
        try:
            with Ledger.open(folder, url=chosen.ledger) as opened:
                stamp = add_timestamp(opened, objection, options.url, options.ca_pem)
        except TimestampFailed as failed:
            raise UsageError(f"no timestamp: {failed}") from None
    from widerspruch.cli.render_proof import print_stamp

    print_stamp(objection, stamp, json_output=json_output)


def receipt(
    objection_id: ObjectionId,
    browser: PrintBrowser = None,
    data_dir: DataDir = None,
    ledger: LedgerUrl = None,
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
        from widerspruch.proof.kept import evidence_here
        from widerspruch.proof.receipt import receipt_for
        from widerspruch.proof.verify import objection_by_id
        from widerspruch.settings import LedgerSettings

        chosen = LedgerSettings.from_options(data_dir, ledger).keeping_files()
        folder = chosen.data_dir
        objection = objection_by_id(folder, objection_id, chosen.ledger)
        evidence_here(folder, objection, chosen.ledger, f"receipt {objection.id}")
        configure(folder)
        path = receipt_for(folder, objection, browser, chosen.ledger)
    from widerspruch.cli.render import print_receipt

    print_receipt(objection, path, json_output=json_output)


def confirm(
    objection_id: ObjectionId,
    eml: Annotated[Path, typer.Option("--eml", help="Meta's email, saved as a .eml file.")],
    data_dir: DataDir = None,
    ledger: LedgerUrl = None,
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
        from widerspruch.proof.replies import import_reply
        from widerspruch.proof.verify import objection_by_id
        from widerspruch.settings import LedgerSettings

        chosen = LedgerSettings.from_options(data_dir, ledger).keeping_files()
        objection = objection_by_id(chosen.data_dir, objection_id, chosen.ledger)
        imported = import_reply(chosen.data_dir, objection, eml, url=chosen.ledger)
    from widerspruch.cli.render import print_reply

    print_reply(imported, json_output=json_output)


def status(
    data_dir: DataDir = None,
    ledger: LedgerUrl = None,
    service: OnlyService = None,
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
        from widerspruch.cli.render import print_status
        from widerspruch.proof.deadline import ledger_standings
        from widerspruch.settings import LedgerSettings

        chosen, now = LedgerSettings.from_options(data_dir, ledger), datetime.now(UTC)
        found = ledger_standings(chosen.data_dir, now, _service(service), chosen.ledger)
        print_status(chosen, now, found, json_output=json_output)


def followup(
    objection_id: ObjectionId,
    kind: Annotated[
        str | None,
        typer.Option(
            help="reminder (to the service's controller) or complaint (to the data "
            "protection authority) [default: complaint after a refusal, else reminder]."
        ),
    ] = None,
    language: Annotated[
        str | None,
        typer.Option(
            help="de, en, es, fr, it, nl, pl or pt, as far as the controller's letters "
            "go [default: the objection's language, else English]."
        ),
    ] = None,
    output: Output = None,
    data_dir: DataDir = None,
    ledger: LedgerUrl = None,
    json_output: Json = False,
) -> None:
    """Write a reminder to the service's controller, or a complaint to an authority.

    The letter is to the controller of the objection's service, by its legal name and
    address. The text is filled from the ledger: the submission date, service, account,
    the one-month deadline and how far past it is, the company's reply if any, and the
    manifest's SHA-256. After a refusal it writes the complaint by default. A complaint
    is addressed to the authority of the objection's country (or the lead authority,
    the Irish DPC). It goes to stdout, or to --output, and a copy is kept in
    the objection's folder, recorded and sealed, so `widerspruch verify` checks it.

    Example:

    \b
        widerspruch followup 1 --kind complaint --output complaint.txt
    """
    from datetime import UTC, datetime

    with _user_errors():
        from widerspruch.cli.render import print_or_write
        from widerspruch.proof.followup import keep_followup, write_followup
        from widerspruch.proof.verify import attachments, objection_by_id
        from widerspruch.settings import LedgerSettings

        chosen = LedgerSettings.from_options(data_dir, ledger)
        objection = objection_by_id(chosen.data_dir, objection_id, chosen.ledger)
        text = write_followup(
            objection,
            attachments(chosen.data_dir, objection, chosen.ledger),
            kind=kind,
            language=language,
            now=datetime.now(UTC),
        )
        kept = keep_followup(chosen.data_dir, objection, text, chosen.ledger)
        if json_output:
            from widerspruch.cli.render import print_followup

            print_followup(objection, text, output, kept)
            return
        print_or_write(text.text, output, text.kind)
    for hint in text.hints:
        typer.echo(f"→ {hint}", err=True)
    typer.echo(f"→ A copy is kept in the archive: {kept}", err=True)


def export(
    fmt: Annotated[str | None, format_option("csv or json")] = None,
    json_output: Json = False,
    redact: Annotated[
        bool, typer.Option("--redact", help="Mask email addresses, for sharing.")
    ] = False,
    output: Output = None,
    data_dir: DataDir = None,
    ledger: LedgerUrl = None,
) -> None:
    """Export every objection with its state, dates and evidence hashes.

    One row (CSV) or object (JSON) per objection: service, account, state, dates, the
    one-month deadline, the evidence folder, the manifest's SHA-256 and the SHA-256 of
    every file added later (receipt, Meta's replies, follow-ups). --redact makes it fit
    to share.

    Example:

    \b
        widerspruch export --format csv --redact --output objections.csv
        widerspruch export --json
    """
    from datetime import UTC, datetime

    with _user_errors():
        from widerspruch.cli.render import print_or_write
        from widerspruch.proof.export import FORMATS
        from widerspruch.proof.export import export as export_ledger
        from widerspruch.settings import LedgerSettings

        fmt = chosen_format(fmt, json_output)
        if fmt not in FORMATS:
            raise UsageError(f"--format: {fmt!r} is not one of {', '.join(FORMATS)}")
        chosen = LedgerSettings.from_options(data_dir, ledger)
        text = export_ledger(
            chosen.data_dir, fmt=fmt, redact=redact, now=datetime.now(UTC), url=chosen.ledger
        )
        print_or_write(text, output, "exported")
