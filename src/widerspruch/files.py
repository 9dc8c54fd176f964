"""Files the tool writes: readable by their owner only, and never left half-written."""

from __future__ import annotations

import errno
import os
from pathlib import Path

PRIVATE = 0o600
# A folder one may not write in: a read-only file system, or one that is not the person's.
NOT_WRITABLE_ERRNOS = frozenset({errno.EROFS, errno.EACCES, errno.EPERM})


def not_writable_message(error: OSError) -> str:
    """One line for a file operation the file system refused: for a write into a folder
    one may not write in, which folder and what to do."""
    path = Path(str(error.filename)) if error.filename else None
    if error.errno != errno.EROFS and path is not None and os.access(path.parent, os.W_OK):
        # The folder may be written: it was this file (to read, or to replace) that was refused.
        return f"{path} may not be used by you ({error.strerror}); check who owns it"
    folder = f"the folder {path.parent}" if path is not None else "the data dir"
    why = "is read-only" if error.errno == errno.EROFS else "may not be written by you"
    # Not "choose another data dir": a new one would hold an empty ledger, which knows
    # nothing of the objections already sent.
    return (
        f"{folder} {why}, so this could not be written there; everything recorded "
        "before is kept as it was. Make the folder writable for you (or run widerspruch "
        "as its owner), then run widerspruch again"
    )


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
