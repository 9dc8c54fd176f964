"""`widerspruch report`: what a batch did, per member and service, for the NGO's files.

CSV for spreadsheets, or one printable HTML page with its CSS inline. Each row: the
member, the service, the item's state and why, the objection's number and status, the
dates (claimed, sent, finished), the SHA-256 of the objection's sealed evidence
manifest, and the mandate reference. ``redact`` masks every email address.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from dataclasses import dataclass
from html import escape
from pathlib import Path

from widerspruch.batch.items import Item
from widerspruch.batch.queue import batch_outcome
from widerspruch.errors import UsageError
from widerspruch.ledger import LEDGER_FILE, Ledger, Objection
from widerspruch.ledger.roles import require_coordinator
from widerspruch.logs import mask_email

FORMATS = ("csv", "html", "json")
COLUMNS = (
    "batch",
    "member_id",
    "account",  # the member's email: the account objected from, named as everywhere else
    "service",
    "state",
    "reason",  # the stable code (widerspruch.failures.Reason), when the browser said why
    "detail",  # the plain words for a person
    "objection_id",
    "objection_status",
    "demo",
    "started_at",
    "submitted_at",
    "finished_at",
    "manifest_sha256",
    "mandate_ref",
    "line",
)
# A row's value: text, a number (batch, objection_id, line), a yes/no (demo), or nothing.
Cell = str | int | bool | None
# A cell a spreadsheet would run as a formula ("=HYPERLINK(...)") is kept as text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Report:
    batch_id: int
    file: str
    created_at: str
    finished_at: str | None
    rows: list[dict[str, Cell]]

    def counts(self) -> Counter[str]:
        return Counter(str(row["state"]) for row in self.rows)


def build_report(
    data_dir: Path, batch_id: int | None, *, redact: bool, url: str | None = None
) -> Report:
    if url is None and not (data_dir / LEDGER_FILE).exists():
        raise UsageError(f"no ledger in {data_dir}; use --data-dir")
    with Ledger.open(data_dir, url=url, read_only=True) as ledger:
        require_coordinator(ledger, "reports")
        batches = ledger.batches()
        if not batches:
            raise UsageError(f"no batch in {ledger.where} yet; start one with `widerspruch batch`")
        if batch_id is None:
            batch_id = int(str(batches[-1]["id"]))
        record = ledger.batch(batch_id)
        if record is None:
            known = ", ".join(f"#{b['id']}" for b in batches)
            raise UsageError(f"--batch: no batch #{batch_id}; the ledger has {known}")
        outcome = batch_outcome(ledger, batch_id)
    rows = [
        _row(batch_id, item, outcome.objections.get(item.objection_id or 0))
        for item in outcome.items
    ]
    if redact:
        rows = [
            {
                key: mask_email(value) if isinstance(value, str) else value
                for key, value in row.items()
            }
            for row in rows
        ]
    return Report(
        batch_id=batch_id,
        file=Path(str(record["file"])).name,
        created_at=str(record["created_at"]),
        finished_at=str(record["finished_at"]) if record["finished_at"] else None,
        rows=rows,
    )


def _row(batch_id: int, item: Item, objection: Objection | None) -> dict[str, Cell]:
    return {
        "batch": batch_id,
        "member_id": item.member_id,
        "account": item.email,
        "service": item.service,
        "state": item.state.value,
        "reason": (objection.reason if objection else None) or None,
        "detail": item.reason or None,
        "objection_id": item.objection_id,
        "objection_status": objection.status.value if objection else None,
        # A demo record never reached Meta (a batch never makes one; the column says so).
        "demo": bool(objection and objection.demo),
        "started_at": item.started_at or None,
        "submitted_at": (objection.submitted_at if objection else None) or None,
        "finished_at": item.finished_at or None,
        "manifest_sha256": (objection.manifest_sha256 if objection else None) or None,
        "mandate_ref": item.mandate_ref or None,
        "line": item.line,
    }


def _text(value: Cell) -> str:
    """A cell as CSV and HTML show it: nothing is empty, a demo is "yes"."""
    if value is None or value is False:
        return ""
    return "yes" if value is True else str(value)


def to_csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in report.rows:
        writer.writerow({key: _as_text(_text(value)) for key, value in row.items()})
    return out.getvalue()


def _as_text(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_START) else value


STYLE = """
body { font: 10.5pt/1.4 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif;
       color: #1c1e21; margin: 2em; }
h1 { font-size: 16pt; margin: 0 0 .2em; }
p.meta { color: #555; margin: 0 0 1em; }
ul.counts { list-style: none; padding: 0; margin: 0 0 1.2em; display: flex; gap: 1.5em; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid #ddd; padding: .35em .5em; text-align: left;
         vertical-align: top; }
th { background: #f0f2f5; font-weight: 600; }
td.hash { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 8pt;
          word-break: break-all; max-width: 14em; }
td.reason { max-width: 22em; }
.state { font-weight: 600; }
.confirmed, .skipped { color: #1e7d32; }
.failed, .invalid { color: #b3261e; }
.submitted, .pending, .in_progress, .awaiting_person { color: #8a5a00; }
tr { page-break-inside: avoid; }
@media print { body { margin: 0; } th { background: #eee !important; } }
"""


def to_html(report: Report, *, generated_at: str) -> str:
    counts = report.counts()
    head_cells = (
        "member",
        "email",
        "service",
        "state",
        "reason",
        "objection",
        "sent",
        "finished",
        "evidence (manifest SHA-256)",
        "mandate",
    )
    body = []
    for cells_of in report.rows:
        row = {key: _text(value) for key, value in cells_of.items()}
        objection = row["objection_id"]
        if objection:
            objection = f"#{objection} {row['objection_status']}"
            if row["demo"]:
                objection += " (DEMO, not sent to Meta)"
        cells = [
            f"<td>{escape(row['member_id'])}</td>",
            f"<td>{escape(row['account'])}</td>",
            f"<td>{escape(row['service'])}</td>",
            f'<td class="state {escape(row["state"])}">{escape(row["state"])}</td>',
            f'<td class="reason">{escape(row["detail"])}</td>',
            f"<td>{escape(objection)}</td>",
            f"<td>{escape(_day_and_time(row['submitted_at']))}</td>",
            f"<td>{escape(_day_and_time(row['finished_at']))}</td>",
            f'<td class="hash">{escape(row["manifest_sha256"])}</td>',
            f"<td>{escape(row['mandate_ref'])}</td>",
        ]
        body.append("<tr>" + "".join(cells) + "</tr>")
    summary = "".join(
        f"<li><strong>{n}</strong> {escape(state)}</li>" for state, n in sorted(counts.items())
    )
    finished = (
        f"finished {escape(_day_and_time(report.finished_at))}"
        if report.finished_at
        else "not finished"
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>widerspruch batch #{report.batch_id}: {escape(report.file)}</title>
<style>{STYLE}</style>
</head>
<body>
<h1>Objections to AI training at Meta: batch #{report.batch_id}</h1>
<p class="meta">Members file {escape(report.file)}; started
{escape(_day_and_time(report.created_at))}, {finished}. Report written
{escape(_day_and_time(generated_at))} by widerspruch. Times are UTC.</p>
<ul class="counts">{summary}</ul>
<table>
<thead><tr>{"".join(f"<th>{escape(name)}</th>" for name in head_cells)}</tr></thead>
<tbody>
{chr(10).join(body)}
</tbody>
</table>
</body>
</html>
"""


def _day_and_time(iso: str | None) -> str:
    return (iso or "").replace("T", " ").replace("+00:00", "")


def render(
    data_dir: Path,
    *,
    fmt: str,
    batch_id: int | None,
    redact: bool,
    now: str,
    url: str | None = None,
) -> str:
    if fmt not in FORMATS:
        raise UsageError(f"--format: {fmt!r} is not one of {', '.join(FORMATS)}")
    report = build_report(data_dir, batch_id, redact=redact, url=url)
    if fmt == "json":
        return to_json(report, generated_at=now)
    return to_csv(report) if fmt == "csv" else to_html(report, generated_at=now)


def to_json(report: Report, *, generated_at: str) -> str:
    """One JSON document: the batch, when, its counts and the rows (CSV's columns)."""
    document = {
        "batch": report.batch_id,
        "file": report.file,
        "created_at": report.created_at,
        "finished_at": report.finished_at,
        "generated_at": generated_at,
        "counts": dict(report.counts()),
        # CSV's empty cell is JSON's null (a time not yet reached is no time, not ""),
        # numbers are numbers and `demo` is true or false.
        "rows": report.rows,
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
