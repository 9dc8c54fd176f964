"""Roles in the shared ledger, held by the database's grants: the coordinator's role
owns the ledger and creates campaigns and exports; a desk's role, given its rights by
`ledger migrate --grant-desk ROLE`, claims members and records objections, and can
delete nothing. Tested as a real desk role logging in to the test's PostgreSQL."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from typer.testing import CliRunner, Result

from tests.claims import CLAIM
from tests.postgres import Postgres
from tests.test_desks import campaign_of
from widerspruch.cli import app
from widerspruch.ledger import Ledger
from widerspruch.ledger.desks import DONE
from widerspruch.proof.evidence import OBJECTION, Evidence, bundle_dir
from widerspruch.settings import prepare_data_dir
from widerspruch.states import Status


@dataclass(frozen=True)
class Roles:
    coordinator: str  # the URL as the ledger's owner
    desk: str  # the same ledger, as the desk's role
    role: str
    data: Path


def run(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


@pytest.fixture
def roles(tmp_path: Path, postgres_server: Postgres) -> Roles:
    schema = postgres_server.new_schema()
    role = f"desk_{uuid.uuid4().hex[:8]}"
    postgres_server.sql(f"CREATE ROLE {role} LOGIN")
    data = prepare_data_dir(tmp_path / "data")
    coordinator = postgres_server.url(schema)
    done = run(
        "ledger", "migrate", "--ledger", coordinator, "--grant-desk", role, "--json",
        "--data-dir", str(data),
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["granted"] == [role]
    return Roles(coordinator, postgres_server.url(schema, user=role), role, data)


def one_line_error(result: Result, *words: str) -> None:
    assert result.exit_code == 2, result.output
    [line] = result.stderr.splitlines()
    for word in words:
        assert word in line


def test_a_desk_claims_members_and_records_objections(roles: Roles) -> None:
    with Ledger.open(roles.data, url=roles.coordinator) as coordinator:
        campaign = campaign_of(coordinator, 1)
    with Ledger.open(roles.data, url=roles.desk) as desk:
        taken = desk.take_member(campaign, "desk-1")
        assert taken is not None
        objection, _ = desk.claim(**CLAIM, force=False)
        desk.set_status(objection.id, Status.SUBMITTING, "clicking Send")
        desk.record_page(objection.id, "confirmation")
        desk.set_status(objection.id, Status.CONFIRMED, "Meta's page says so")
        evidence = Evidence(bundle_dir(roles.data, objection.id, "facebook"))
        evidence.write_json(OBJECTION, {"id": objection.id})
        desk.set_evidence(objection.id, str(evidence.folder), evidence.seal("2026-01-31"))
        desk.attach(objection.id, "receipt", evidence.folder / OBJECTION, "0" * 64)
        item = desk.batch_items(campaign.batch_id)[0]
        desk.set_batch_item(int(str(item["id"])), "confirmed", objection_id=objection.id)
        assert desk.end_member(taken, DONE)
    with Ledger.open(roles.data, url=roles.coordinator) as coordinator:
        assert coordinator.get(objection.id).status is Status.CONFIRMED
        assert [a.kind for a in coordinator.attachments(objection.id)] == ["receipt"]
        assert [seal.kind for seal in coordinator.seals()] == ["bundle", "receipt"]
        assert [m["state"] for m in coordinator.campaign_members(campaign)] == [DONE]


@pytest.mark.parametrize(
    "statement",
    [
        "DELETE FROM objections",
        "DELETE FROM events",
        "DELETE FROM campaign_members",
        "TRUNCATE seals",
        "INSERT INTO campaigns (name, batch_id, created_at) VALUES ('x', 1, 'now')",
        "UPDATE schema_migrations SET name = 'x'",
        "DROP TABLE objections",
    ],
)
def test_a_desk_can_delete_nothing_nor_make_campaigns(roles: Roles, statement: str) -> None:
    with Ledger.open(roles.data, url=roles.coordinator) as coordinator:
        campaign_of(coordinator, 1)
        coordinator.claim(**CLAIM, force=False)
    with (
        psycopg.connect(roles.desk, autocommit=True) as desk,
        pytest.raises(psycopg.errors.InsufficientPrivilege),
    ):
        desk.execute(statement)


def test_only_the_coordinator_creates_campaigns(roles: Roles, tmp_path: Path) -> None:
    members = tmp_path / "members.csv"
    members.write_text("member_id,email,country,mandate_ref\n0001,m1@example.org,DE,M-1\n")
    args = ["campaign", "create", "day-1", "--members", str(members), "--services", "facebook"]
    by_desk = run(*args, "--ledger", roles.desk, "--data-dir", str(roles.data))
    one_line_error(by_desk, "does not allow this role", "coordinator's", "Nothing was changed")
    with Ledger.open(roles.data, url=roles.coordinator) as coordinator:
        assert coordinator.campaigns() == []
        assert coordinator.batches() == []  # its batch was rolled back with it
    done = run(*args, "--ledger", roles.coordinator, "--data-dir", str(roles.data))
    assert done.exit_code == 0, done.output


@pytest.mark.parametrize(
    ("command", "words"),
    [
        (["export"], "only the coordinator exports"),
        (["report"], "only the coordinator reports"),
        (["campaign", "report", "day-1"], "only the coordinator reports"),
    ],
)
def test_only_the_coordinator_exports(roles: Roles, command: list[str], words: str) -> None:
    with Ledger.open(roles.data, url=roles.coordinator) as coordinator:
        campaign_of(coordinator, 1)
    where = ["--data-dir", str(roles.data)]
    by_desk = run(*command, "--ledger", roles.desk, *where)
    one_line_error(by_desk, words, roles.role)
    assert run(*command, "--ledger", roles.coordinator, *where).exit_code == 0


def test_a_desk_cannot_copy_the_shared_ledger_out(roles: Roles, tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = run("ledger", "copy", "--from", roles.desk, "--data-dir", str(out))
    one_line_error(done, "only the coordinator copies the ledger")


def test_grant_desk_is_refused_for_a_missing_role_a_bad_name_and_the_file(
    roles: Roles, tmp_path: Path
) -> None:
    where = ["--data-dir", str(roles.data)]
    missing = run(
        "ledger", "migrate", "--ledger", roles.coordinator, "--grant-desk", "nobody_x", *where
    )
    one_line_error(missing, "no role nobody_x", "createuser")
    bad = run("ledger", "migrate", "--ledger", roles.coordinator, "--grant-desk", "a; DROP", *where)
    one_line_error(bad, "is not a role name")
    on_file = run(
        "ledger", "migrate", "--grant-desk", roles.role, "--data-dir", str(tmp_path / "f")
    )
    one_line_error(on_file, "works with a shared ledger")
    # Granting again (after an upgrade) is harmless.
    again = run(
        "ledger", "migrate", "--ledger", roles.coordinator, "--grant-desk", roles.role, *where
    )
    assert again.exit_code == 0, again.output
    assert f"The role {roles.role} has a desk's rights now" in again.stdout
