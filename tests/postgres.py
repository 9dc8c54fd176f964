"""A real PostgreSQL for the ledger tests: Debian's server binaries, a throwaway cluster
in a temporary directory made with initdb, started with pg_ctl on a unix socket in that
directory (no TCP port at all), and removed after the run. Each test gets a schema of
its own, named in its URL, so tests never see each other's rows.

PostgreSQL refuses to run as root: as root, the cluster belongs to the `postgres` system
user that Debian's package creates, and initdb and pg_ctl run as that user (runuser)."""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

BIN_ROOT = Path("/usr/lib/postgresql")
SUPERUSER = "widerspruch"
DATABASE = "ledger"
# The one role that must give a password (every other connects on trust, over the
# socket): the tests of where a desk's password comes from log in as it.
PASSWORD_ROLE, ROLE_PASSWORD = "desk_with_password", "desk-test-password"


def server_bin() -> Path:
    """The newest installed server's bin folder (Debian keeps one per major version)."""
    found = sorted(
        (p for p in BIN_ROOT.glob("*/bin") if (p / "initdb").exists()),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
    )
    assert found, "PostgreSQL's server is missing: ./dev setup installs Debian's postgresql"
    return found[-1]


@dataclass(frozen=True)
class Postgres:
    root: Path  # the cluster's directory, which holds its unix socket too
    bin: Path

    def url(
        self, schema: str | None = None, *, user: str = SUPERUSER, database: str = DATABASE
    ) -> str:
        """A libpq URL of the cluster's database over its socket; with `schema`, every
        connection made from it works in that schema only."""
        url = f"postgresql://{user}@/{database}?host={quote(str(self.root), safe='')}"
        if schema is not None:
            url += "&options=" + quote(f"-csearch_path={schema}", safe="")
        return url

    def sql(self, statement: str, *, database: str = DATABASE) -> str:
        """Run one statement as the superuser (psql), returning what it printed."""
        done = subprocess.run(
            [
                str(self.bin / "psql"),
                "-X",
                "-q",
                "-A",
                "-t",
                "-v",
                "ON_ERROR_STOP=1",
                self.url(database=database),
                "-c",
                statement,
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        return done.stdout.strip()

    def stop(self) -> None:
        """Stop the server (as a database that goes away mid-batch): it ends every
        connection, and keeps what was committed (this cluster commits without waiting
        for the disk, so an immediate stop could lose that)."""
        owner = "postgres" if os.getuid() == 0 else None
        subprocess.run(
            _as_owner(
                owner,
                [
                    str(self.bin / "pg_ctl"),
                    "--pgdata",
                    str(self.root / "data"),
                    "-m",
                    "fast",
                    "--wait",
                    "stop",
                ],
            ),
            check=True,
            capture_output=True,
        )

    def start(self) -> None:
        """Start it again, as `postgres()` first did."""
        owner = "postgres" if os.getuid() == 0 else None
        subprocess.run(
            _as_owner(
                owner,
                [
                    str(self.bin / "pg_ctl"),
                    "--pgdata",
                    str(self.root / "data"),
                    "--wait",
                    "--timeout",
                    "60",
                    "--log",
                    str(self.root / "server.log"),
                    "-o",
                    _options(self.root),
                    "start",
                ],
            ),
            check=True,
            capture_output=True,
        )

    def new_schema(self) -> str:
        """A fresh, empty schema; its URL is `url(name)`."""
        name = f"test_{uuid.uuid4().hex[:12]}"
        self.sql(f"CREATE SCHEMA {name}")
        return name


def _options(root: Path) -> str:
    # No TCP at all, and no waiting on the disk: the cluster is thrown away after.
    return (
        f"-c listen_addresses='' -c unix_socket_directories='{root}' "
        "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    )


def _as_owner(owner: str | None, command: list[str]) -> list[str]:
    return ["runuser", "-u", owner, "--", *command] if owner else command


@contextmanager
def postgres() -> Iterator[Postgres]:
    """A PostgreSQL cluster of its own, started, and stopped and removed after."""
    bin_dir = server_bin()
    # Its own directory in /tmp: the server's user must reach it (pytest's are
    # owner-only), and a unix socket's path must stay short (at most 107 bytes).
    root = Path(tempfile.mkdtemp(prefix="widerspruch-pg-"))
    owner = "postgres" if os.getuid() == 0 else None
    if owner is not None:
        entry = pwd.getpwnam(owner)
        os.chown(root, entry.pw_uid, entry.pw_gid)
    data = root / "data"
    started = False
    try:
        subprocess.run(
            _as_owner(
                owner,
                [
                    str(bin_dir / "initdb"),
                    "--pgdata",
                    str(data),
                    "--username",
                    SUPERUSER,
                    "--auth",
                    "trust",  # the socket is in a folder only its owner and root reach
                    "--encoding",
                    "UTF8",
                    "--no-sync",
                ],
            ),
            check=True,
            capture_output=True,
        )
        hba = data / "pg_hba.conf"
        hba.write_text(f"local all {PASSWORD_ROLE} scram-sha-256\n" + hba.read_text())
        # No TCP at all, and no waiting on the disk: the cluster is thrown away after.
        options = _options(root)
        subprocess.run(
            _as_owner(
                owner,
                [
                    str(bin_dir / "pg_ctl"),
                    "--pgdata",
                    str(data),
                    "--wait",
                    "--timeout",
                    "60",
                    "--log",
                    str(root / "server.log"),
                    "-o",
                    options,
                    "start",
                ],
            ),
            check=True,
            capture_output=True,
        )
        started = True
        server = Postgres(root, bin_dir)
        server.sql(f"CREATE DATABASE {DATABASE}", database="postgres")
        server.sql(f"CREATE ROLE {PASSWORD_ROLE} LOGIN PASSWORD '{ROLE_PASSWORD}'")
        yield server
    finally:
        if started:
            subprocess.run(
                _as_owner(
                    owner,
                    [str(bin_dir / "pg_ctl"), "--pgdata", str(data), "-m", "immediate", "stop"],
                ),
                check=False,
                capture_output=True,
            )
        shutil.rmtree(root, ignore_errors=True)
