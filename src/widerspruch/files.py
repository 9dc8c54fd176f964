"""Files the tool writes: readable by their owner only, and never left half-written."""

from __future__ import annotations

import os
from pathlib import Path

PRIVATE = 0o600


def write_private(
    path: Path, data: bytes | str, *, atomic: bool = True, exclusive: bool = False
) -> Path:
    """Write `data` to `path`, readable and writable by the owner only (0600).

    `atomic` writes a sibling file first and renames it over `path`, so a crash or a full
    disk never leaves a half-written file (turn it off for paths the person names, such
    as ``--output``, which may not allow a sibling). `exclusive` refuses to replace an
    existing file (`FileExistsError`) and removes what it began if writing fails.
    """
    content = data.encode("utf-8") if isinstance(data, str) else data
    if exclusive:
        target, flags = path, os.O_WRONLY | os.O_CREAT | os.O_EXCL
    elif atomic:
        target, flags = (
            path.with_name(path.name + ".partial"),
            os.O_WRONLY | os.O_CREAT | os.O_TRUNC,
        )
    else:
        target, flags = path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    descriptor = os.open(target, flags, PRIVATE)
    try:
        with os.fdopen(descriptor, "wb") as stream:
            os.fchmod(stream.fileno(), PRIVATE)  # an older file keeps its mode otherwise
            stream.write(content)
    except OSError:
        if target != path or exclusive:
            target.unlink(missing_ok=True)
        raise
    if target != path:
        os.replace(target, path)
    return path
