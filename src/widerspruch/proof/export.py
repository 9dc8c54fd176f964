"""Every objection in the ledger, as CSV or JSON, with its state, dates and evidence hashes.

Paths are shown as the ledger keeps them: relative to the data dir, so an export reads
the same wherever the archive lies. ``redact`` makes an export fit to share: email
addresses are masked everywhere (also inside the text sent and the details).
"""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from pathlib import Path
from typing import Any

from widerspruch.ledger import LEDGER_FILE, Attachment, Event, Ledger, NoLedger, Objection
from widerspruch.ledger.roles import require_coordinator
from widerspruch.logs import mask_email
from widerspruch.proof.deadline import standing
from widerspruch.proof.replies import REPLY_KIND, reply_facts
from widerspruch.proof.verify import require_ledger
from widerspruch.states import Status

FORMATS = ("csv", "json")
CSV_COLUMNS = (
    "id",
    "demo",
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


def _where(ledger: Ledger, path: str | None, redact: bool) -> str | None:
    """A path as the ledger keeps it, relative to the data dir (the archive's own); one
    outside it (kept so before paths were relative) by its name alone when redacted."""
    kept = ledger.stored_path(path)
    if kept is not None and redact and Path(kept).is_absolute():
        return Path(kept).name
    return kept


def _masked(value: Any) -> Any:
    if isinstance(value, str):
        return mask_email(value)
    if isinstance(value, list):
        return [_masked(v) for v in value]
    if isinstance(value, dict):
        return {k: _masked(v) for k, v in value.items()}
    return value


def records(
    data_dir: Path, *, redact: bool, now: datetime, url: str | None = None
) -> list[dict[str, Any]]:
    """One dict per objection, oldest first (of the shared ledger at `url`, if given)."""
    found = []
    with Ledger.open(data_dir, url=url, read_only=True) as ledger:
        require_coordinator(ledger, "exports")
        for objection in ledger.objections():
            clock = standing(objection, now)
            record: dict[str, Any] = {
                "id": objection.id,
                # Made by `widerspruch demo` on the replicas: never sent to Meta.
                "demo": objection.demo,
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
                "evidence_dir": _where(ledger, objection.evidence_dir, redact),
                "manifest_sha256": objection.manifest_sha256,
                "attachments": [
                    _attachment(a, _where(ledger, a.path, redact))
                    for a in ledger.attachments(objection.id)
                ],
                "justification": objection.justification,
            }
            found.append(_masked(record) if redact else record)
    return found


def objections_with_events(
    data_dir: Path, service: str | None = None, url: str | None = None
) -> list[tuple[Objection, list[Event]]] | None:
    """Every objection (on `service`) with its events, oldest first, as `widerspruch log`
    lists them (of the shared ledger at `url`, if given); None when there is no ledger yet."""
    if url is None and not (data_dir / LEDGER_FILE).exists():
        return None
    try:
        with Ledger.open(data_dir, url=url, read_only=True) as ledger:
            return [(o, ledger.events(o.id)) for o in ledger.objections(service)]
    except NoLedger:  # a shared database without the ledger's tables yet
        return None


def export(data_dir: Path, *, fmt: str, redact: bool, now: datetime, url: str | None = None) -> str:
    """The whole ledger (the shared one at `url`, if given) as one CSV or JSON text; a
    UsageError when there is none."""
    require_ledger(data_dir, url)
    rows = records(data_dir, redact=redact, now=now, url=url)
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
                "demo": "yes" if row["demo"] else "no",
                "submission": json.dumps(row["submission"]) if row["submission"] else "",
                # One cell: kind:file:sha256 for each file added after sealing.
                "attachments": " ".join(
                    f"{a['kind']}:{Path(a['path']).name}:{a['sha256']}" for a in row["attachments"]
                ),
            }
        )
    return out.getvalue()


def _attachment(a: Attachment, where: str | None) -> dict[str, Any]:
    """An attachment; a reply's detail is what it said, its facts (DKIM, Message-ID,
    sender) beside it."""
    record: dict[str, Any] = {"kind": a.kind, "path": where, "sha256": a.sha256}
    record |= {"added_at": a.added_at, "detail": a.detail}
    if a.kind == REPLY_KIND:
        facts = reply_facts(a)
        record |= {"detail": facts.get("says"), "reply": facts}
    return record
