"""What the shell completes: service names, template names and objection ids.

Each function is a typer `autocompletion` callback. A completion runs on every Tab, so
none of them may print, write or fail: the ids are read from the ledger read-only, and
any problem (no ledger, an older one, a damaged one, no data dir) completes nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from widerspruch.ledger import Objection


def services(incomplete: str) -> list[str]:
    """The services one can object on."""
    from widerspruch.services import service_names

    return [name for name in service_names() if name.startswith(incomplete)]


def all_services(incomplete: str) -> list[str]:
    """The services, also the watched ones (for `check`)."""
    from widerspruch.services import service_names

    return [name for name in service_names(watched=True) if name.startswith(incomplete)]


def templates(incomplete: str) -> list[str]:
    """The bundled justification templates' names."""
    from widerspruch.submit.justification import bundled

    names = dict.fromkeys(t.name for t in bundled())  # one per name, in their order
    return [name for name in names if name.startswith(incomplete)]


def objection_ids(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """The recorded objections' ids, each with its service and status as help."""
    try:
        return [
            (str(o.id), f"{o.service} {o.status.value}")
            for o in _objections(ctx.params.get("data_dir"))
            if str(o.id).startswith(incomplete)
        ]
    except Exception:  # noqa: BLE001 - a Tab must never end in a traceback
        return []


def _objections(option: Path | None) -> list[Objection]:
    from widerspruch.ledger import LEDGER_FILE, Ledger, pending
    from widerspruch.settings import resolve_data_dir

    folder = resolve_data_dir(option)
    if not (folder / LEDGER_FILE).is_file() or pending(folder / LEDGER_FILE):
        # No ledger, or one that opening would migrate: a Tab changes nothing.
        return []
    with Ledger.open(folder, read_only=True, busy_wait=0, waiting=lambda _: None) as ledger:
        return list(ledger.objections())
