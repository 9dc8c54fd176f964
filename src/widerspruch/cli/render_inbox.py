"""What `widerspruch inbox` prints: per look, the replies imported and the emails refused."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import typer

from widerspruch.cli.render import print_json
from widerspruch.text import local_time

if TYPE_CHECKING:
    from widerspruch.proof.inbox import Looked, Poll


def _imported(looked: Looked) -> dict[str, Any]:
    reply = looked.imported
    assert reply is not None
    return {
        "uid": looked.uid,
        "objection_id": reply.objection.id,
        "status": reply.objection.status.value,
        "reply_says": reply.reading.status.value,
        "phrase": reply.reading.phrase,
        "sender": looked.sender,
        "subject": looked.subject,
        "stored": str(reply.path),
        "sha256": reply.sha256,
        "dkim": reply.dkim.to_json(),
        "meta_signed": reply.meta_signed,
    }


def print_poll(found: Poll, *, json_output: bool) -> None:
    if json_output:
        print_json(
            {
                "looked_at": found.at.isoformat(timespec="seconds"),
                "objections": found.objections,
                "imported": [_imported(looked) for looked in found.imported],
                "rejected": [
                    {
                        "uid": looked.uid,
                        "sender": looked.sender,
                        "subject": looked.subject,
                        "detail": looked.reason,
                    }
                    for looked in found.rejected
                ],
                "already_imported": found.already,
            }
        )
        return
    when = local_time(found.at)
    if not found.objections:
        typer.echo(f"{when}: no open objection awaits Meta's reply.")
        return
    numbers = ", ".join(f"#{n}" for n in found.objections)
    typer.echo(
        f"{when}: looked for Meta's replies to {numbers}: {len(found.imported)} imported, "
        f"{len(found.rejected)} not a reply, {found.already} imported before."
    )
    for looked in found.imported:
        assert looked.imported is not None
        for line in looked.imported.explanation():
            typer.echo(f"  {line}")
    for looked in found.rejected:
        typer.echo(f"  not a reply: {looked.sender} “{looked.subject}”: {looked.reason}")
