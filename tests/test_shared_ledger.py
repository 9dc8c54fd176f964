"""One schema, two engines: the ledger on a PostgreSQL database that several desks share,
named by --ledger URL or WIDERSPRUCH_LEDGER, made by the same migrations as the SQLite
file, with its password never taken from a command line or a file of ours."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import psycopg
import pytest
from typer.testing import CliRunner

from tests.fake_keyring import MemoryKeyring
from tests.postgres import PASSWORD_ROLE, ROLE_PASSWORD, Postgres
from widerspruch.accounts import LEDGER_PASSWORDS
from widerspruch.cli import app
from widerspruch.errors import UsageError
from widerspruch.ledger import MIGRATIONS, SCHEMA_VERSION, Ledger, LedgerError
from widerspruch.settings import ENV_LEDGER, prepare_data_dir, resolve_ledger

# -- the URL, checked once --------------------------------------------------------------


def test_without_a_url_the_ledger_is_the_file_in_the_data_dir(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(ENV_LEDGER, raising=False)
    assert resolve_ledger(None) is None


def test_a_host_off_this_machine_gets_tls_with_the_certificate_verified() -> None:
    assert resolve_ledger("postgresql://desk@db.example.org/ngo") == (
        "postgresql://desk@db.example.org/ngo?sslmode=verify-full"
    )


def test_a_sslmode_the_url_names_is_kept() -> None:
    url = "postgresql://desk@db.example.org/ngo?sslmode=require"
    assert resolve_ledger(url) == url


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://desk@localhost/ngo",
        "postgresql://desk@127.0.0.1:5433/ngo",
        "postgresql://desk@/ngo?host=/run/postgresql",
    ],
)
def test_a_database_on_this_machine_needs_no_tls(url: str) -> None:
    assert resolve_ledger(url) == url


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://desk:secret@db.example.org/ngo",
        "postgresql://desk@db.example.org/ngo?password=secret",
    ],
)
def test_a_password_in_the_url_is_refused(url: str) -> None:
    with pytest.raises(UsageError, match="holds a password") as refused:
        resolve_ledger(url)
    assert "secret" not in str(refused.value)


def test_the_environment_names_the_ledger_and_is_blamed_for_a_bad_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(ENV_LEDGER, "postgresql://desk@localhost/ngo")
    assert resolve_ledger(None) == "postgresql://desk@localhost/ngo"
    monkeypatch.setenv(ENV_LEDGER, "mysql://desk@localhost/ngo")
    with pytest.raises(UsageError, match=f"^{ENV_LEDGER}.*not a PostgreSQL URL"):
        resolve_ledger(None)


# -- one schema, two engines ------------------------------------------------------------


def sqlite_columns(path: Path) -> dict[str, list[str]]:
    db = sqlite3.connect(path)
    tables = [
        str(row[0])
        for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    ]
    found = {t: [str(c[1]) for c in db.execute(f"PRAGMA table_info({t})")] for t in tables}
    db.close()
    return found


def postgres_columns(url: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    with psycopg.connect(url) as db:
        rows = db.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position"
        )
        for table, column in rows:
            found.setdefault(table, []).append(column)
    return found


def test_the_same_migrations_make_the_same_tables_on_both(
    tmp_path: Path, postgres_url: str
) -> None:
    data = prepare_data_dir(tmp_path / "data")
    Ledger.open(data).close()
    Ledger.open(data, url=postgres_url).close()
    on_sqlite = sqlite_columns(data / "ledger.sqlite3")
    assert "objections" in on_sqlite
    assert postgres_columns(postgres_url) == on_sqlite


def test_ledger_migrate_creates_the_shared_ledger_once(tmp_path: Path, postgres_url: str) -> None:
    runner = CliRunner()
    args = ["ledger", "migrate", "--ledger", postgres_url, "--data-dir", str(tmp_path / "d")]
    first = runner.invoke(app, [*args, "--json"])
    assert first.exit_code == 0, first.output
    document = json.loads(first.stdout)
    assert document["schema"] == SCHEMA_VERSION
    assert [m["version"] for m in document["applied"]] == [n for n, _, _ in MIGRATIONS]
    assert "host=" not in document["ledger"]  # the URL as shown: no query, no socket path
    again = runner.invoke(app, args)
    assert again.exit_code == 0, again.output
    assert "is up to date" in again.stdout
    assert not (tmp_path / "d" / "ledger.sqlite3").exists()  # nothing written beside it


def test_ledger_migrate_without_a_url_makes_the_file_in_the_data_dir(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["ledger", "migrate", "--data-dir", str(tmp_path / "d")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "d" / "ledger.sqlite3").exists()


def test_a_database_that_cannot_be_reached_is_one_line(tmp_path: Path) -> None:
    url = f"postgresql://desk@/ngo?host={tmp_path}"  # no server listens there
    with pytest.raises(LedgerError, match="cannot be reached") as refused:
        Ledger.open(prepare_data_dir(tmp_path / "data"), url=url)
    assert "\n" not in str(refused.value)
    assert "nothing was recorded" in str(refused.value)


# -- where the password comes from ------------------------------------------------------


def role_url(postgres_server: Postgres) -> str:
    return postgres_server.url(postgres_server.new_schema(), user=PASSWORD_ROLE)


def test_a_role_with_a_password_is_refused_without_one(
    tmp_path: Path, postgres_server: Postgres, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "none"))
    with pytest.raises(LedgerError, match="cannot be reached"):
        Ledger.open(prepare_data_dir(tmp_path / "data"), url=role_url(postgres_server))


def test_the_password_comes_from_the_keyring(
    tmp_path: Path,
    postgres_server: Postgres,
    memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "none"))
    postgres_server.sql(f"GRANT ALL ON SCHEMA public TO {PASSWORD_ROLE}")
    url = role_url(postgres_server)
    schema = url.rsplit("%3D", 1)[1]
    postgres_server.sql(f"GRANT ALL ON SCHEMA {schema} TO {PASSWORD_ROLE}")
    host = str(postgres_server.root)
    memory_keyring.set_password(LEDGER_PASSWORDS, f"{PASSWORD_ROLE}@{host}", ROLE_PASSWORD)
    with Ledger.open(prepare_data_dir(tmp_path / "data"), url=url) as ledger:
        assert ledger.objections() == []


def test_or_from_pgpassword_for_scripts(
    tmp_path: Path, postgres_server: Postgres, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = role_url(postgres_server)
    schema = url.rsplit("%3D", 1)[1]
    postgres_server.sql(f"GRANT ALL ON SCHEMA {schema} TO {PASSWORD_ROLE}")
    monkeypatch.setenv("PGPASSWORD", ROLE_PASSWORD)
    with Ledger.open(prepare_data_dir(tmp_path / "data"), url=url) as ledger:
        assert ledger.objections() == []


# -- an archive moved into the shared ledger, and back ----------------------------------


def events_of(ledger: Ledger) -> list[tuple[object, ...]]:
    return [
        (o, tuple(ledger.events(o.id)), tuple(ledger.attachments(o.id)))
        for o in ledger.objections()
    ] + [tuple(ledger.seals())]


def test_an_archive_copied_into_postgresql_and_back_verifies_on_both(
    tmp_path: Path, postgres_url: str
) -> None:
    import shutil

    from tests.records import make_objection
    from widerspruch.proof.evidence import sha256_file
    from widerspruch.states import Status

    data = tmp_path / "data"
    first = make_objection(data)
    make_objection(data, status=Status.SUBMITTED_UNCONFIRMED, service="instagram")
    added = Path(first.evidence_dir or "") / "receipt.pdf"
    added.write_bytes(b"%PDF-1.7 a receipt")
    with Ledger.open(data) as ledger:  # a file added later: sealed in the chain too
        ledger.attach(first.id, "receipt", added, sha256_file(added))
    runner = CliRunner()
    copied = runner.invoke(
        app, ["ledger", "copy", "--to", postgres_url, "--data-dir", str(data), "--json"]
    )
    assert copied.exit_code == 0, copied.output
    assert json.loads(copied.stdout)["rows"]["objections"] == 2
    verified = runner.invoke(
        app, ["verify", "--all", "--ledger", postgres_url, "--data-dir", str(data)]
    )
    assert verified.exit_code == 0, verified.output
    back = tmp_path / "back"
    shutil.copytree(data, back, ignore=shutil.ignore_patterns("ledger.sqlite3*"))
    returned = runner.invoke(
        app, ["ledger", "copy", "--from", postgres_url, "--data-dir", str(back)]
    )
    assert returned.exit_code == 0, returned.output
    assert runner.invoke(app, ["verify", "--all", "--data-dir", str(back)]).exit_code == 0
    with (
        Ledger.open(data) as original,
        Ledger.open(data, url=postgres_url) as shared,
        Ledger.open(back) as again,
    ):
        assert events_of(shared) == events_of(original)
        assert [o.id for o in again.objections()] == [o.id for o in original.objections()]
        # The shared ledger's next objection follows the copied ones.
        from tests.claims import CLAIM

        new, _ = shared.claim(**(CLAIM | {"account_email": "new@example.org"}), force=False)
        assert new.id == 3
        assert [s.kind for s in shared.seals()] == ["bundle", "bundle", "receipt"]
    # The seals came along: the file deleted with its row in the shared ledger is found.
    added.unlink()
    with psycopg.connect(postgres_url) as db:
        db.execute("DELETE FROM attachments WHERE kind = 'receipt'")
    tampered = runner.invoke(
        app, ["verify", "--all", "--ledger", postgres_url, "--data-dir", str(data), "--json"]
    )
    assert tampered.exit_code == 1, tampered.output
    assert json.loads(tampered.stdout)["not_intact"] == [1]


def test_a_copy_into_a_ledger_with_records_is_refused(tmp_path: Path, postgres_url: str) -> None:
    from tests.records import make_objection

    data = tmp_path / "data"
    make_objection(data)
    runner = CliRunner()
    args = ["ledger", "copy", "--to", postgres_url, "--data-dir", str(data)]
    assert runner.invoke(app, args).exit_code == 0
    again = runner.invoke(app, args)
    assert again.exit_code == 2
    assert "holds records already" in again.output
