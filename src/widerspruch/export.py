"""Every objection in the ledger, as CSV or JSON, with its state, dates and evidence hashes.

``redact`` makes an export fit to share: email addresses are masked everywhere (also
inside the text sent and the details), and paths are cut to where they are inside the
data dir, so the person's user name does not travel along.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from pathlib import Path
from typing import Any

from widerspruch.deadline import standing
from widerspruch.ledger import Ledger
from widerspruch.logs import mask_email
from widerspruch.states import Status

FORMATS = ("csv", "json")
CSV_COLUMNS = (
    "id",
    "service",
    "account",
    "country",
    "language",
    "status",
    "confirmed_by",
    "detail",
    "page_language",
    "result_text",
    "submission",
    "created_at",
    "submitted_at",
    "finished_at",
    "deadline",
    "overdue",
    "template",
    "template_version",
    "form_url",
    "evidence_dir",
    "manifest_sha256",
    "attachments",
    "justification",
)


def _where(path: str | None, data_dir: Path, redact: bool) -> str | None:
    if path is None or not redact:
        return path
    try:
        return str(Path(path).relative_to(data_dir))
    except ValueError:
        return Path(path).name


def _masked(value: Any) -> Any:
    if isinstance(value, str):
        return mask_email(value)
    if isinstance(value, list):
        return [_masked(v) for v in value]
    if isinstance(value, dict):
        return {k: _masked(v) for k, v in value.items()}
    return value


def records(data_dir: Path, *, redact: bool, now: datetime) -> list[dict[str, Any]]:
    """One dict per objection, oldest first."""
    found = []
    with Ledger.open(data_dir, read_only=True) as ledger:
        for objection in ledger.objections():
            clock = standing(objection, now)
            record: dict[str, Any] = {
                "id": objection.id,
                "service": objection.service,
                "account": objection.account_email,
                "country": objection.country,
                "language": objection.language,
                "status": objection.status.value,
                # Who judged the outcome: Meta's page, or the person looking at an
                # unclear one (never to be mistaken for Meta's confirmation).
                "confirmed_by": (
                    "person"
                    if objection.status is Status.CONFIRMED_BY_PERSON
                    else "meta"
                    if objection.status.was_confirmed
                    else None
                ),
                "detail": objection.detail,
                "page_language": objection.page_language,
                "result_text": objection.result_text,
                "submission": json.loads(objection.submission) if objection.submission else None,
                "created_at": objection.created_at,
                "submitted_at": objection.submitted_at,
                "finished_at": objection.finished_at,
                "deadline": clock.deadline.isoformat() if clock.deadline else None,
                "overdue": clock.overdue,
                "template": objection.template,
                "template_version": objection.template_version,
                "form_url": objection.form_url,
                "evidence_dir": _where(objection.evidence_dir, data_dir, redact),
                "manifest_sha256": objection.manifest_sha256,
                "attachments": [
                    {
                        "kind": a.kind,
                        "path": _where(a.path, data_dir, redact),
                        "sha256": a.sha256,
                        "added_at": a.added_at,
                        "detail": a.detail,
                    }
                    for a in ledger.attachments(objection.id)
                ],
                "justification": objection.justification,
            }
            found.append(_masked(record) if redact else record)
    return found


def export(data_dir: Path, *, fmt: str, redact: bool, now: datetime) -> str:
    """The whole ledger as one CSV or JSON text."""
    rows = records(data_dir, redact=redact, now=now)
    if fmt == "json":
        document = {
            "exported_at": now.isoformat(timespec="seconds"),
            "redacted": redact,
            "objections": rows,
        }
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(
            {
                **row,
                "overdue": "yes" if row["overdue"] else "no",
                "submission": json.dumps(row["submission"]) if row["submission"] else "",
                # One cell: kind:file:sha256 for each file added after sealing.
                "attachments": " ".join(
                    f"{a['kind']}:{Path(a['path']).name}:{a['sha256']}" for a in row["attachments"]
                ),
            }
        )
    return out.getvalue()
