"""N desk processes taking the members of one campaign from one shared PostgreSQL ledger.

Starts a throwaway PostgreSQL (tests/postgres.py), creates a campaign of M members, and
runs N desks, each a process of its own, that take the next member (``take_member``:
FOR UPDATE SKIP LOCKED under a lease) and end its turn, until the queue is empty; no
browser, so what is measured is the claim itself. Printed: members done, members handed
out twice (must be 0), and the claim latency's median and p99 (target p99 <= 50 ms).

This is the claim part of the issue's benchmark; the desks here do not submit to the
replay, and none is killed.

    .venv/bin/python bench/desks.py [--desks 20] [--members 500] [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections import Counter
from multiprocessing import get_context
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.postgres import postgres  # noqa: E402
from widerspruch.ledger import Ledger  # noqa: E402
from widerspruch.settings import prepare_data_dir  # noqa: E402


def _desk(data_dir: str, url: str, name: str) -> tuple[list[str], list[float]]:
    taken_ids: list[str] = []
    latencies: list[float] = []
    with Ledger.open(Path(data_dir), url=url) as ledger:
        campaign = ledger.campaign("bench")
        assert campaign is not None
        while True:
            started = time.perf_counter()
            taken = ledger.take_member(campaign, name)
            latencies.append(time.perf_counter() - started)
            if taken is None:
                return taken_ids, latencies
            taken_ids.append(taken.member_id)
            ledger.end_member(taken, "done")


def _items(members: int) -> list[dict[str, Any]]:
    return [
        {
            "position": number,
            "line": number + 2,
            "member_id": f"m{number:04}",
            "email": f"m{number}@example.org",
            "service": "facebook",
            "country": "DE",
            "language": "de",
            "template": "standard",
            "mandate_ref": f"M-{number}",
            "state": "pending",
            "reason": None,
        }
        for number in range(members)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--desks", type=int, default=20)
    parser.add_argument("--members", type=int, default=500)
    parser.add_argument("--json", action="store_true")
    options = parser.parse_args()
    with postgres() as server, tempfile.TemporaryDirectory() as folder:
        url = server.url(server.new_schema())
        data = prepare_data_dir(Path(folder) / "coordinator")
        with Ledger.open(data, url=url) as ledger:
            ledger.create_campaign(
                "bench",
                file="members.csv",
                file_sha256="0" * 64,
                services="facebook",
                template="standard",
                items=_items(options.members),
            )
        started = time.perf_counter()
        with get_context("spawn").Pool(options.desks) as pool:
            results = pool.starmap(
                _desk,
                [
                    (str(prepare_data_dir(Path(folder) / f"desk-{n}")), url, f"desk-{n}")
                    for n in range(options.desks)
                ],
            )
        wall = time.perf_counter() - started
    handed = Counter(member for taken, _ in results for member in taken)
    latencies = sorted(s for _, desk_latencies in results for s in desk_latencies)
    figures = {
        "desks": options.desks,
        "members_done": len(handed),
        "handed_out_twice": sum(1 for count in handed.values() if count > 1),
        "claim_median_ms": round(statistics.median(latencies) * 1000, 2),
        "claim_p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 2),
        "wall_s": round(wall, 2),
    }
    if options.json:
        print(json.dumps(figures))
        return
    for key, value in figures.items():
        print(f"{key}: {value}")


if __name__ == "__main__":
    main()
