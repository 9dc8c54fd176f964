"""A batch's queue in the ledger: checked and stored before anything else (or found again
with --resume), one process at a time, and read back as the outcome. (See
``widerspruch.batch`` for the whole.)"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from widerspruch.batch.items import (
    OPEN_STATES,
    BatchOutcome,
    BatchSettings,
    Item,
    ItemState,
)
from widerspruch.batch.members import BadRow, MembersFile, load_members
from widerspruch.errors import UsageError
from widerspruch.logs import get_logger

if TYPE_CHECKING:
    from widerspruch.batch.operators import Operator
    from widerspruch.ledger import Ledger

log = get_logger("widerspruch.batch")


def file_sha256(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as error:
        raise UsageError(f"cannot read the members file {path}: {error.strerror}") from None


def start_or_resume(
    settings: BatchSettings, ledger: Ledger, operator: Operator
) -> tuple[int, list[BadRow]]:
    name = settings.file.name
    if settings.resume:
        record = ledger.unfinished_batch(file_sha256(settings.file))
        if record is None:
            raise UsageError(
                f"no unfinished batch of this {name} in {ledger.where} (it has finished, or "
                "the file changed since it started); start a new one without --resume"
            )
        operator.say(f"Resuming batch #{record['id']} of {name}")
        return int(str(record["id"])), []
    members = load_members(
        settings.file,
        services=settings.services,
        template=settings.template,
        data_dir=settings.data_dir,
    )
    earlier = ledger.unfinished_batch(members.sha256)
    if earlier is not None:
        left = sum(1 for row in ledger.batch_items(earlier["id"]) if row["state"] in OPEN_STATES)
        raise UsageError(
            f"batch #{earlier['id']} of this {name} has not finished ({left} item(s) left); "
            "continue it with --resume"
        )
    if not settings.skip_invalid:
        members.refuse_bad_rows()
    for bad in members.bad_rows:
        operator.say(f"invalid, skipped: {name} {bad.describe()}")
    batch_id = ledger.create_batch(
        file=str(settings.file.resolve()),
        file_sha256=members.sha256,
        services=",".join(settings.services),
        template=settings.template,
        items=queue_rows(members),
    )
    log.info("batch_created", batch=batch_id, members=len(members.members))
    return batch_id, members.bad_rows


def queue_rows(members: MembersFile) -> list[dict[str, object]]:
    """Items in file order: every service of every good member, and each bad row."""
    rows: list[tuple[int, dict[str, object]]] = []
    for member in members.members:
        for service in member.services:
            rows.append(
                (
                    member.line,
                    {
                        "line": member.line,
                        "member_id": member.member_id,
                        "email": member.email.casefold(),
                        "service": service,
                        "country": member.country,
                        "language": member.language,
                        "template": member.template,
                        "mandate_ref": member.mandate_ref,
                        "details": json.dumps(dict(member.details), ensure_ascii=False),
                        "state": ItemState.PENDING.value,
                        "reason": None,
                    },
                )
            )
    for bad in members.bad_rows:
        rows.append(
            (
                bad.line,
                {
                    "line": bad.line,
                    "member_id": bad.member_id,
                    "email": bad.email,
                    "service": bad.services,
                    "country": "",
                    "language": "",
                    "template": "",
                    "mandate_ref": "",
                    "details": "{}",
                    "state": ItemState.INVALID.value,
                    "reason": bad.describe(),
                },
            )
        )
    rows.sort(key=lambda pair: pair[0])
    return [{**row, "position": position} for position, (_, row) in enumerate(rows)]


@contextmanager
def locked(data_dir: Path, batch_id: int) -> Iterator[None]:
    """One process per batch: a second one would work on the same items."""
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks; run one batch at a time
        yield
        return
    import os

    path = data_dir / f"batch-{batch_id}.lock"
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise UsageError(
                f"batch #{batch_id} is running in another widerspruch process; "
                "let it finish (or stop it) first"
            ) from None
        yield
    finally:
        os.close(descriptor)  # closing releases the lock, as does the process ending


def batch_outcome(ledger: Ledger, batch_id: int) -> BatchOutcome:
    record = ledger.batch(batch_id)
    if record is None:
        raise UsageError(f"no batch #{batch_id} in {ledger.where}")
    items = [Item.from_row(row) for row in ledger.batch_items(batch_id)]
    ids = {item.objection_id for item in items if item.objection_id}
    return BatchOutcome(
        batch_id=batch_id,
        file=str(record["file"]),
        items=items,
        objections={i: ledger.get(i) for i in sorted(ids)},
    )
