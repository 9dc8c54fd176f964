"""What `widerspruch ledger` and `widerspruch campaign` print."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from widerspruch.cli.render import print_json

if TYPE_CHECKING:
    from widerspruch.batch.campaign import CampaignStatus
    from widerspruch.ledger.upkeep import Copied, Migrated


def print_migrated(done: Migrated, *, json_output: bool) -> None:
    if json_output:
        print_json(
            {
                "ledger": done.ledger,
                "schema": done.schema,
                "applied": [{"version": v, "name": name} for v, name in done.applied],
                "granted": list(done.granted),
            }
        )
        return
    if not done.applied:
        typer.echo(f"The ledger {done.ledger} is up to date (schema {done.schema}).")
    else:
        typer.echo(f"The ledger {done.ledger} is at schema {done.schema} now; applied:")
        for version, name in done.applied:
            typer.echo(f"  {version:>3}  {name}")
    for role in done.granted:
        typer.echo(f"The role {role} has a desk's rights now: read, claim, record; no delete.")


def print_created(name: str, members: int, *, json_output: bool) -> None:
    if json_output:
        print_json({"campaign": name, "members": members})
        return
    typer.echo(
        f"Campaign {name}: {members} member(s) queued. Each desk runs: "
        f"widerspruch batch --campaign {name} --desk NAME"
    )


def print_campaign_status(found: CampaignStatus, *, json_output: bool) -> None:
    from widerspruch.cli.render import print_table

    if json_output:
        print_json(found.to_json())
        return
    members = ", ".join(f"{n} {state}" for state, n in found.members.items())
    typer.echo(f"Campaign {found.name}: {members}")
    if found.desks:
        print_table(
            "Desks",
            ["desk", "members"],
            [
                [desk, ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))]
                for desk, counts in sorted(found.desks.items())
            ],
        )
    for member in found.review:
        typer.echo(
            f"To review: member {member['member_id']} ({member['desk']}): {member['detail']}"
        )


def print_copied(done: Copied, *, json_output: bool) -> None:
    if json_output:
        print_json({"ledger": done.target, "copied_from": done.source, "rows": done.rows})
        return
    total = sum(done.rows.values())
    typer.echo(f"Copied {total} record(s) from {done.source} into {done.target}:")
    for table, count in done.rows.items():
        if count:
            typer.echo(f"  {count:>6}  {table}")
