"""The PostgreSQL the ledger tests run against is a real server, started by the tests."""

from __future__ import annotations

import psycopg

from tests.postgres import Postgres


def test_the_test_cluster_is_a_real_postgresql_on_its_own_socket(
    postgres_server: Postgres,
) -> None:
    with psycopg.connect(postgres_server.url()) as db:
        version = db.execute("SHOW server_version_num").fetchone()
        socket_dir = db.execute("SHOW unix_socket_directories").fetchone()
        listen = db.execute("SHOW listen_addresses").fetchone()
    assert version is not None
    assert int(version[0]) >= 150000
    assert socket_dir == (str(postgres_server.root),)
    assert listen == ("",)  # no TCP port: nothing outside this machine's users reaches it


def test_each_test_gets_an_empty_schema_of_its_own(postgres_url: str) -> None:
    with psycopg.connect(postgres_url) as db:
        db.execute("CREATE TABLE mine (id integer)")
        schema = db.execute("SELECT current_schema()").fetchone()
        tables = db.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
            schema,
        ).fetchall()
    assert schema is not None
    assert schema[0].startswith("test_")
    assert tables == [("mine",)]
