"""Paths in the ledger: stored relative to the data dir, handed back resolved against it.

So a data dir is whole by itself: copied, moved, restored from a backup or handed over,
its ledger still finds its evidence, and a copy never reads or writes the original.
"""

from __future__ import annotations

from pathlib import Path, PurePath

# The data dir's own folders that the ledger points into (evidence bundles, check
# anomalies): a path from an old location is cut to where it is below one of them.
DATA_FOLDERS = ("evidence", "checks")


def stored(data_dir: Path, path: str | Path | None) -> str | None:
    """`path` (a file's, as given: a relative one is from the working directory) as the
    ledger keeps it: relative to `data_dir` when it lies inside it (POSIX separators,
    so the archive reads the same on any system)."""
    if path is None:
        return None
    given = Path(path).absolute()
    for base, inside in ((data_dir.absolute(), given), (data_dir.resolve(), given.resolve())):
        try:
            return inside.relative_to(base).as_posix()
        except ValueError:
            continue
    return str(given)  # outside the data dir: kept as given


def resolved(data_dir: Path, value: str | None) -> str | None:
    """A stored path as a path in the data dir the ledger was opened in."""
    if value is None:
        return None
    if Path(value).is_absolute():
        return value
    return str(data_dir.absolute() / value)


def moved(data_dir: Path, value: str | None) -> str | None:
    """An absolute path written before paths were relative, made relative: one under
    `data_dir` as it lies there, one from an old location (a data dir since moved) from
    its last ``evidence/`` or ``checks/`` folder on; anything else stays as it was."""
    if value is None or not Path(value).is_absolute():
        return value
    relative = stored(data_dir, value)
    if relative is not None and not Path(relative).is_absolute():
        return relative
    parts = PurePath(value).parts
    for index in range(len(parts) - 2, 0, -1):
        if parts[index] in DATA_FOLDERS:
            return PurePath(*parts[index:]).as_posix()
    return value
